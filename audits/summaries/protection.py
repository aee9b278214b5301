"""Cell suppression with a linear guarantee: no hidden figure can be worked back from what is published.

The published figures of a summary are tied together by sums: a theme's grades are the column totals of its
age-band × grade table, its agencies' grades add up to the same totals and to their sectors', the themes add up to
the assurance counts, and so on. A reader who knows those sums can solve for a hidden cell whenever the
equations pin it down. `CellSystem` holds every figure (a *cell*) and every sum (an *equation*); `protect` hides
the small counts of children and then, one at a time, the fewest and smallest further non-zero cells until no
hidden cell is determined by the published ones.

"Determined" is decided by exact linear algebra (fractions, no rounding): the hidden cells are the unknowns of the
published equations, and a hidden cell is determined exactly when its unit vector lies in the row space of those
equations, which shows as a reduced row of one entry. Hidden cells are never zero, so whenever a cell is not
determined there is another non-negative solution that differs in it (for the sums used here, whose matrices are
those of bipartite and nested tables, the difference is a ±1 cycle), and the reader cannot tell which is true. For
a two-way table with its margins this is the classic criterion: a hidden cell is exposed exactly when it is a
bridge of the bipartite graph of hidden cells (tests/audits/test_disclosure_properties.py checks it that way).

Zeros are always published: they identify nobody, and hiding them would only mark a table as more sensitive.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array

Key = Hashable
# How many candidates `_shield` tries (each is a solve) before settling for the most preferred.
TRIALS = 1
# How many other solutions `CellSystem.witness` keeps per cell.
WITNESSES = 4


@dataclass
class Cell:
    value: int
    # Describes children (hidden below the threshold) rather than practice (published exactly unless a hidden
    # cell depends on it and no child figure can shield it).
    sensitive: bool
    # False for a count that the content implies but does not print, e.g. the cases where the child's voice was
    # NOT evident (of_cases - evident_in): never "published", but it must not be worked out either when small.
    printed: bool = True
    order: int = 0


@dataclass
class CellSystem:
    cells: dict[Key, Cell] = field(default_factory=dict)
    equations: list[dict[Key, int]] = field(default_factory=list)
    # Solved groups of unknowns: which of them the equations determine (see `determined`).
    solved: dict[frozenset[Key], frozenset[Key]] = field(default_factory=dict, repr=False)
    # Solved groups under the bounds as well: (group, cells that must hold) -> the pinned ones (see `pinned`).
    bounded: dict[tuple[frozenset[Key], frozenset[Key]], frozenset[Key]] = field(default_factory=dict, repr=False)
    # Other whole-number solutions found so far, as moves from the true values (see `_pinned_in_group`).
    _moving: dict[Key, list[frozenset[Key]]] = field(default_factory=dict, repr=False)
    _index: dict[Key, list[int]] | None = field(default=None, repr=False)

    def index(self) -> dict[Key, list[int]]:
        """For each cell, the equations it is in."""
        if self._index is None:
            self._index = {}
            for number, equation in enumerate(self.equations):
                for key in equation:
                    self._index.setdefault(key, []).append(number)
        return self._index

    def witness(self, move: dict[Key, int]) -> None:
        """Keep another solution of the equations (the true values plus `move`) that met every bound.

        Only the latest few per cell are kept: a later one is found for a later (usually larger) hidden set."""
        moved = frozenset(move)
        for key in moved:
            kept = self._moving.setdefault(key, [])
            kept.append(moved)
            del kept[:-WITNESSES]

    def witnessed(self, key: Key, unknown: frozenset[Key]) -> bool:
        """Whether a kept solution moves `key` and only cells still unknown, proving `key` has a second value."""
        return any(moved <= unknown for moved in self._moving.get(key, ()))

    def magnitude(self) -> int:
        return sum(abs(cell.value) for cell in self.cells.values())

    def add(self, key: Key, value: int, *, sensitive: bool, printed: bool = True) -> Key:
        if key in self.cells:
            raise ValueError(f"{key!r} is already a cell")
        self.cells[key] = Cell(value=value, sensitive=sensitive, printed=printed, order=len(self.cells))
        self.solved.clear()
        self.bounded.clear()
        self._moving.clear()
        return key

    def total(self, total: Key, parts: Iterable[Key]) -> None:
        """The published sum: total = sum(parts)."""
        self.difference(list(parts), [total])

    def difference(self, left: Iterable[Key], right: Iterable[Key]) -> None:
        """sum(left) = sum(right); each side is a list of cells already added."""
        equation: dict[Key, int] = {}
        for key in left:
            equation[key] = equation.get(key, 0) + 1
        for key in right:
            equation[key] = equation.get(key, 0) - 1
        equation = {key: c for key, c in equation.items() if c}
        missing = [key for key in equation if key not in self.cells]
        if missing:
            raise KeyError(f"equation names cells not added: {missing!r}")
        if equation:
            self.equations.append(equation)
            self.solved.clear()
            self.bounded.clear()
            self._moving.clear()
            self._index = None

    # -- the rule ---------------------------------------------------------------------------------------------

    def primary(self, threshold: int) -> set[Key]:
        """Counts of children from 1 to threshold - 1."""
        return {key for key, cell in self.cells.items() if cell.sensitive and 0 < cell.value < threshold}

    def exposed(self, hidden: set[Key], threshold: int) -> list[Key]:
        """Hidden printed cells, and small unprinted counts of children, that a reader can pin to one value.

        First those the published equations alone determine (exact linear algebra, cheap); when there are none,
        those that the equations together with the bounds a reader knows leave a single whole-number value
        (`pinned`: hidden cells are at least 1, since zeros are always published)."""
        return self._exposed(hidden, threshold, first=False)

    def _exposed(self, hidden: set[Key], threshold: int, *, first: bool) -> list[Key]:
        unknown, must_hold = self._unknown(hidden), self._must_hold(hidden, threshold)
        found = determined(self, unknown) & must_hold or pinned(self, unknown, must_hold, first=first)
        return sorted(found, key=self._order)

    def _unknown(self, hidden: set[Key]) -> set[Key]:
        return hidden | {key for key, cell in self.cells.items() if not cell.printed}

    def _must_hold(self, hidden: set[Key], threshold: int) -> set[Key]:
        return hidden | {key for key in self.primary(threshold) if not self.cells[key].printed}

    def _exposed_near(self, hidden: set[Key], key: Key) -> bool:
        """Whether `key` can be pinned (as `exposed`), solving only its own group."""
        unknown = self._unknown(hidden)
        return key in determined(self, unknown, near=key) or key in pinned(self, unknown, {key}, near=key)

    def protect(self, threshold: int) -> set[Key]:
        """The printed cells to hide: every small count of children, and enough others that none can be worked out.

        Cells given away by the equations alone are shielded first; then those the bounds pin (the same loop, as
        `exposed` reports the first kind while there are any)."""
        hidden = {key for key in self.primary(threshold) if self.cells[key].printed}
        primary = set(hidden)
        while exposed := self._exposed(hidden, threshold, first=True):
            # One given away by plain subtraction first: shielding it often shields the others.
            unknown = self._unknown(hidden)
            first = next((key for key in exposed if self._direct(key, unknown)), exposed[0])
            hidden.add(self._shield(first, hidden, threshold))
        # Greedy choices can overshoot: give back any secondary cell, largest first, that is not needed.
        for key in sorted(hidden - primary, key=lambda k: (-self.cells[k].value, self._order(k))):
            if not self._exposed(hidden - {key}, threshold, first=True):
                hidden.discard(key)
        return hidden

    def _order(self, key: Key) -> int:
        return self.cells[key].order

    def _preference(self, key: Key) -> tuple[bool, int, int]:
        # A count of children before a practice figure; the smallest first; then the order the content gives.
        cell = self.cells[key]
        return (not cell.sensitive, cell.value, cell.order)

    def _direct(self, key: Key, unknown: set[Key]) -> list[dict[Key, int]]:
        """The equations in which `key` is the only unknown."""
        equations = (self.equations[number] for number in self.index().get(key, ()))
        return [equation for equation in equations if all(k == key or k not in unknown for k in equation)]

    def _shield(self, exposed: Key, hidden: set[Key], threshold: int) -> Key:
        """A further cell to hide for an exposed one: from the nearest equations that have any.

        The candidates are the published non-zero cells of the equations that reach the exposed cell through
        hidden ones. The first (in order of preference) that leaves it undetermined is taken; failing that, the
        first, and the loop in `protect` goes on. Hiding every non-zero cell always ends it: the published cells
        are then all zero, and a system of zeros determines no non-zero value.
        """
        unknown = self._unknown(hidden)
        # An equation in which the exposed cell is the only unknown gives it away by subtraction: a cell of each
        # such equation must be hidden, so start with the one that leaves the fewest choices.
        direct = [
            sorted((key for key in equation if key != exposed and self.cells[key].value != 0), key=self._preference)
            for equation in self._direct(exposed, unknown)
        ]
        direct = [choices for choices in direct if choices]
        if direct:
            return min(direct, key=lambda choices: (len(choices), self._preference(choices[0])))[0]
        seen, frontier = {exposed}, [exposed]
        while frontier:
            touching = [eq for eq in self.equations if any(key in eq for key in frontier)]
            cells = {key for eq in touching for key in eq} - seen
            candidates = sorted(
                (key for key in cells if key not in unknown and self.cells[key].value != 0), key=self._preference
            )
            for candidate in candidates[:TRIALS]:
                if not self._exposed_near(hidden | {candidate}, exposed):
                    return candidate
            if candidates:
                return candidates[0]
            seen |= cells
            frontier = [key for key in cells if key in unknown]
        raise AssertionError(f"{exposed!r} is determined but nothing reachable can shield it")  # pragma: no cover


def groups(
    system: CellSystem, unknown: set[Key], *, near: Key | None = None
) -> Iterator[tuple[frozenset[Key], list[int]]]:
    """The unknowns in independent groups (linked through equations), each with the numbers of its equations.

    With `near`, only that cell's group."""
    index = system.index()
    seen: set[Key] = set()
    for start in [near] if near is not None else sorted(unknown, key=lambda key: system.cells[key].order):
        if start in seen:
            continue
        members, numbers, frontier = {start}, set(), [start]
        while frontier:
            key = frontier.pop()
            for number in index.get(key, ()):
                if number in numbers:
                    continue
                numbers.add(number)
                for other in system.equations[number]:
                    if other in unknown and other not in members:
                        members.add(other)
                        frontier.append(other)
        seen |= members
        yield frozenset(members), sorted(numbers)


def determined(system: CellSystem, unknown: set[Key], *, near: Key | None = None) -> set[Key]:
    """The unknown cells whose value the equations fix, given every other cell's value.

    Each group of unknowns is solved on its own and remembered, since `protect` changes one group at a time.
    """
    result: set[Key] = set()
    for members, numbers in groups(system, unknown, near=near):
        if members not in system.solved:
            system.solved[members] = _solve([system.equations[n] for n in numbers], set(members), system)
        result |= system.solved[members]
    return result


def pinned(
    system: CellSystem, unknown: set[Key], must_hold: set[Key], *, near: Key | None = None, first: bool = False
) -> set[Key]:
    """The cells of `must_hold` that a reader can pin to one value using the bounds as well as the equations.

    Besides the published equations a reader knows that every count is a whole number, that every hidden printed
    cell is at least 1 (zeros are always published) and that an unprinted one is at least 0. A cell is pinned when
    those leave it one possible value: its integer minimum equals its integer maximum (`_range_of_group`).
    Each group is worked out once and remembered, as `determined` does. With `first`, the search stops at the
    first pinned cell (of the first group that has one, in the content's order): `protect` needs only one.
    """
    result: set[Key] = set()
    for members, numbers in groups(system, unknown, near=near):
        pending = members & must_hold
        if not pending:
            continue
        key = (members, frozenset(pending))
        found = system.bounded.get(key)
        if found is None:
            found = _pinned_in_group(system, members, numbers, key[1], first=first)
            if not first or not found:  # a first-only answer is not the whole group's
                system.bounded[key] = found
        result |= found
        if first and result:
            return {min(result, key=lambda cell: system.cells[cell].order)}
    return result


def _pinned_in_group(
    system: CellSystem, members: frozenset[Key], numbers: list[int], pending: frozenset[Key], *, first: bool
) -> frozenset[Key]:
    """Integer programs (scipy's HiGHS) over one group: the cells of `pending` with a single feasible value.

    The variables are the group's unknowns; each equation, with its published cells moved to the right, is an
    equality. Lower bounds: 1 for a hidden printed cell (never zero: zeros are published), 0 for an unprinted
    count. Upper bound: twice every count in the system and one more, which no true value reaches, so every
    program is bounded, and doubling every unknown stays within it: that is why hiding every non-zero cell always
    protects (with only zeros published the equations are homogeneous).

    The true values are always a solution. Any other whole-number solution shows that each cell it moves has a
    second possible value; it stays a proof for as long as every cell it moves is still unknown (more hidden
    cells only add solutions), so it is kept (`CellSystem.witnesses`) and tried first next time. A program
    pushing every cell in doubt up, then down, clears most at once; each cell still in doubt gets its own maximum
    and then minimum. A cell whose whole-number maximum and minimum are both its true value is pinned.
    """
    doubt = {key for key in pending if not system.witnessed(key, members)}
    if not doubt:
        return frozenset()
    variables = sorted(members, key=lambda key: system.cells[key].order)
    column = {key: number for number, key in enumerate(variables)}
    truth = np.array([system.cells[key].value for key in variables], dtype=float)
    rows, columns, entries = [], [], []
    right = np.zeros(len(numbers))
    for row, number in enumerate(numbers):
        for key, coefficient in system.equations[number].items():
            if key in column:
                rows.append(row)
                columns.append(column[key])
                entries.append(float(coefficient))
            else:
                right[row] -= coefficient * system.cells[key].value
    matrix = coo_array((entries, (rows, columns)), shape=(len(numbers), len(variables))).tocsr()
    constraints = LinearConstraint(matrix, right, right)
    lower = np.array([1.0 if system.cells[key].printed else 0.0 for key in variables])
    upper = np.full(len(variables), 2.0 * system.magnitude() + 1)
    bounds, box = Bounds(lower, upper), np.column_stack([lower, upper])
    integrality = np.ones(len(variables))

    def push(weights: dict[Key, float]) -> None:
        objective = np.zeros(len(variables))
        for key, weight in weights.items():
            objective[column[key]] = weight
        # The linear relaxation first (dual simplex, about half the time): its optimum bounds the whole-number
        # one, so a whole-number optimum of it is the answer. Only a fractional one needs the integer program.
        result = linprog(objective, A_eq=matrix, b_eq=right, bounds=box, method="highs-ds")
        if result.x is None or np.abs(result.x - np.rint(result.x)).max(initial=0.0) > 1e-6:
            result = milp(objective, integrality=integrality, bounds=bounds, constraints=constraints)
        if result.x is None:  # pragma: no cover - the true values are a solution, so a program is never infeasible
            raise AssertionError(f"no solution for a group of {len(variables)} cells: {result.message}")
        moves = np.rint(result.x) - truth
        move = {variables[i]: int(moves[i]) for i in np.flatnonzero(moves)}
        if move:
            system.witness(move)
            doubt.difference_update(move)

    for sign in (-1.0, 1.0) if not first else ():  # minimising -x pushes up
        if doubt:
            push(dict.fromkeys(doubt, sign))
    stuck: set[Key] = set()
    for key in sorted(doubt, key=lambda key: system.cells[key].order):
        for sign in (-1.0, 1.0):
            if key in doubt:
                push({key: sign})
        if key in doubt:
            stuck.add(key)
            doubt.discard(key)
            if first:
                break
    return frozenset(stuck)


def _solve(equations: list[dict[Key, int]], unknown: set[Key], system: CellSystem) -> frozenset[Key]:
    """Gauss–Jordan elimination restricted to the unknowns, exact in whole numbers (each row kept divided by the
    greatest common divisor of its entries): a pivot whose reduced row has no other entry is a cell the published
    figures determine."""
    order = {key: system.cells[key].order for key in unknown}
    pivots: dict[Key, dict[Key, int]] = {}
    for equation in equations:
        row = {key: c for key, c in equation.items() if key in unknown}
        for key in [key for key in row if key in pivots]:
            row = _eliminate(row, pivots[key], key)
        if not row:
            continue
        pivot = min(row, key=order.__getitem__)
        for other in list(pivots):
            if pivot in pivots[other]:
                pivots[other] = _eliminate(pivots[other], row, pivot)
        pivots[pivot] = row
    return frozenset(key for key, row in pivots.items() if len(row) == 1)


def _eliminate(row: dict[Key, int], by: dict[Key, int], key: Key) -> dict[Key, int]:
    """`row` with its entry at `key` removed by a multiple of `by` (whose entry at `key` is not zero)."""
    factor, scale = row[key], by[key]
    result = {other: c * scale for other, c in row.items()}
    for other, c in by.items():
        value = result.get(other, 0) - factor * c
        if value:
            result[other] = value
        else:
            result.pop(other, None)
    divisor = math.gcd(*result.values()) if result else 1
    return {other: c // divisor for other, c in result.items()}
