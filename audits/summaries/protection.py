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

A reader also knows that hidden cells are at least 1 and whole, which can pin a cell no equation fixes; `pinned`
looks for that with linear programs (scipy's HiGHS). Both checks look at a cell's neighbourhood first and widen it
only when it cannot tell (`_reach`): a neighbourhood's equations with every unknown in them free allow at least
every solution a reader has, so what they fix or pin is fixed or pinned; a second value found with the unknowns
around the neighbourhood held at their true values is a second value of the whole system. Every second value is
checked exactly in whole numbers before it counts, and kept while the cells it moves stay hidden, so on a large
summary most cells are settled by a small program once, not by the whole group again on every round.

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
WITNESSES = 12


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
    # Other whole-number solutions found so far, as moves from the true values (see `_move`).
    _moving: dict[Key, list[frozenset[Key]]] = field(default_factory=dict, repr=False)
    # Cells shown not to be determined, each with the unknowns that showed it (see `free`).
    _free: dict[Key, frozenset[Key]] = field(default_factory=dict, repr=False)
    # Groups of unknowns solved whole: which of them the equations determine (see `determined`).
    solved: dict[frozenset[Key], frozenset[Key]] = field(default_factory=dict, repr=False)
    _index: dict[Key, list[int]] | None = field(default=None, repr=False)
    _magnitude: int | None = field(default=None, repr=False)

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

    def witnessed(self, key: Key, unknown: set[Key] | frozenset[Key]) -> bool:
        """Whether a kept solution moves `key` and only cells still unknown, proving `key` has a second value."""
        return any(moved <= unknown for moved in self._moving.get(key, ()))

    def free(self, key: Key, unknown: set[Key]) -> bool:
        """Whether `key` was shown not determined with unknowns that are all still unknown: with more unknowns the
        equations fix less, so it still is not."""
        shown = self._free.get(key)
        return shown is not None and shown <= unknown

    def magnitude(self) -> int:
        if self._magnitude is None:
            self._magnitude = sum(abs(cell.value) for cell in self.cells.values())
        return self._magnitude

    def add(self, key: Key, value: int, *, sensitive: bool, printed: bool = True) -> Key:
        if key in self.cells:
            raise ValueError(f"{key!r} is already a cell")
        self.cells[key] = Cell(value=value, sensitive=sensitive, printed=printed, order=len(self.cells))
        self._magnitude = None
        self.solved.clear()
        self._free.clear()
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
            self._moving.clear()
            self.solved.clear()
            self._free.clear()
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
        # A kept whole-number solution that moves a cell proves it neither determined nor pinned.
        doubt = {key for key in must_hold if not self.witnessed(key, unknown)}
        grouped = _grouped(self, unknown, doubt)
        found = determined(self, unknown, grouped)
        if not found:
            found = pinned(self, unknown, grouped, first=first)
        return sorted(found, key=self._order)

    def _unknown(self, hidden: set[Key]) -> set[Key]:
        return hidden | {key for key, cell in self.cells.items() if not cell.printed}

    def _must_hold(self, hidden: set[Key], threshold: int) -> set[Key]:
        return hidden | {key for key in self.primary(threshold) if not self.cells[key].printed}

    def _exposed_near(self, hidden: set[Key], key: Key) -> bool:
        """Whether `key` can be pinned (as `exposed`), looking only as far from it as it takes to tell."""
        unknown = self._unknown(hidden)
        # A determined cell has a single value too, so the bounded check alone answers.
        return not self.witnessed(key, unknown) and _pinned_near(self, key, unknown)

    def _any_exposed(self, hidden: set[Key], threshold: int) -> bool:
        """Whether `exposed` would name any cell: a determined cell is pinned too, so the bounded check alone."""
        unknown, must_hold = self._unknown(hidden), self._must_hold(hidden, threshold)
        doubt = sorted((key for key in must_hold if not self.witnessed(key, unknown)), key=self._order)
        # Exact elimination close by first: it finds what plain subtraction gives away without a linear program.
        if any(not self.free(key, unknown) and _determined_near(self, key, unknown) for key in doubt):
            return True
        return any(not self.witnessed(key, unknown) and _pinned_near(self, key, unknown) for key in doubt)

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
            if not self._any_exposed(hidden - {key}, threshold):
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


def _grouped(system: CellSystem, unknown: set[Key], doubt: set[Key]) -> list[tuple[frozenset[Key], list[Key]]]:
    """The groups that hold cells of `doubt`, in the order of their first cell, each with those cells in order."""
    order = system.cells
    found: list[tuple[frozenset[Key], list[Key]]] = []
    placed: dict[Key, int] = {}
    for key in sorted(doubt, key=lambda cell: order[cell].order):
        if key not in placed:
            members, _ = next(groups(system, unknown, near=key))
            placed.update(dict.fromkeys(members, len(found)))
            found.append((members, []))
        found[placed[key]][1].append(key)
    return sorted(found, key=lambda group: min(order[cell].order for cell in group[0]))


# How far from a cell (in steps from unknown to unknown through an equation) to look before looking further: exact
# elimination is cheap close by; a linear program costs about the same at any size, so it starts further out.
DETERMINED_STEPS = (0, 1, 2)
PINNED_STEPS = (2,)
# Exact elimination looks no further than this many unknowns before leaving it to the whole group.
NEAR_ENOUGH = 60
# A group with more cells in doubt than this is solved whole; fewer are each looked at in their neighbourhood.
WHOLE_GROUP = 8


def determined(system: CellSystem, unknown: set[Key], grouped: list[tuple[frozenset[Key], list[Key]]]) -> set[Key]:
    """The cells in doubt (`_grouped`) whose value the equations fix, given every other cell's value."""
    result: set[Key] = set()
    index = system.index()
    for members, in_doubt in grouped:
        doubt = [key for key in in_doubt if not system.free(key, unknown)]
        near = {key: _determined_near(system, key, unknown) for key in doubt} if len(doubt) <= WHOLE_GROUP else {}
        if len(doubt) > WHOLE_GROUP or None in near.values():
            if members not in system.solved:
                numbers = sorted({number for key in members for number in index.get(key, ())})
                system.solved[members] = _solve([system.equations[n] for n in numbers], set(members), system)
            result |= system.solved[members] & set(doubt)
            system._free.update(dict.fromkeys(set(doubt) - system.solved[members], members))
        else:
            result |= {key for key, answer in near.items() if answer}
    return result


def pinned(
    system: CellSystem, unknown: set[Key], grouped: list[tuple[frozenset[Key], list[Key]]], *, first: bool = False
) -> set[Key]:
    """The cells in doubt (`_grouped`) that a reader can pin to one value using the bounds as well as the equations.

    Besides the published equations a reader knows that every count is a whole number, that every hidden printed
    cell is at least 1 (zeros are always published) and that an unprinted one is at least 0. A cell is pinned when
    those leave it one possible value (`_pinned_near`). With `first`, only the first pinned cell (in the content's
    order) of the first group that has one: `protect` needs only one, and this order keeps its choices those of
    the whole-group check it replaced.
    """
    result: set[Key] = set()
    for _, doubt in grouped:
        for key in doubt:
            # A move found for an earlier cell may have moved this one too.
            if not system.witnessed(key, unknown) and _pinned_near(system, key, unknown):
                if first:
                    return {key}
                result.add(key)
    return result


def _reach(
    system: CellSystem,
    key: Key,
    unknown: set[Key],
    steps_taken: tuple[int, ...],
    *,
    whole: bool = True,
    limit: int | None = None,
) -> Iterator[tuple[set[Key], list[int], set[Key]]]:
    """Ever wider neighbourhoods of `key` in its group: (inner unknowns, equations touching them, their unknowns).

    Step 0 has `key` alone inside; each step takes in the unknowns of the last one's equations. Those of
    `steps_taken` are given, then (with `whole`) the whole group, whose outer unknowns are its inner ones. Without
    `whole`, none with more than `limit` unknowns."""
    index = system.index()
    inner: set[Key] = {key}
    numbers: set[int] = set()
    outer: set[Key] = {key}
    steps = 0
    while True:
        for cell in list(inner):
            for number in index.get(cell, ()):
                if number not in numbers:
                    numbers.add(number)
                    outer.update(other for other in system.equations[number] if other in unknown)
        if outer == inner:
            yield inner, sorted(numbers), outer
            return
        if not whole and limit is not None and len(outer) > limit:
            return
        if steps in steps_taken:
            yield inner, sorted(numbers), outer
        if not whole and steps >= max(steps_taken):
            return
        inner = set(outer)
        steps += 1


def _determined_near(system: CellSystem, key: Key, unknown: set[Key]) -> bool | None:
    """Whether the equations fix `key`, by exact elimination over ever wider neighbourhoods of it.

    Each neighbourhood answers one way for certain. Its equations with every unknown in them free are some of the
    reader's equations: if those fix `key`, all of them do. With only its inner unknowns free (the outer ones held
    at their true values), a solution that moves `key` moves nothing outside it, so it solves every equation: if
    those leave `key` free, all of them do. None when a few steps do not settle it (`determined` then solves the
    whole group, once)."""
    for inner, numbers, outer in _reach(system, key, unknown, DETERMINED_STEPS, whole=False, limit=NEAR_ENOUGH):
        equations = [system.equations[n] for n in numbers]
        if key in _solve(equations, outer, system):
            return True
        if key not in _solve(equations, inner, system):
            system._free[key] = frozenset(inner)
            return False
    return None


def _pinned_near(system: CellSystem, key: Key, unknown: set[Key]) -> bool:
    """Whether the bounds and the equations leave `key` a single whole-number value.

    Looks for another whole-number solution that moves `key` up, and one that moves it down, over ever wider
    neighbourhoods of it (`_move`). A neighbourhood's equations with every unknown in them free allow at least the
    reader's solutions: if they allow no move of `key` in a direction, no solution does. A move they allow that
    leaves the outer unknowns as they are solves every equation (nothing else moves), so it is a second value,
    checked exactly in whole numbers and kept (`CellSystem.witness`). Otherwise the next neighbourhood decides; the
    whole group always does. `key` is pinned when neither direction has a move.
    """
    open_directions = [1, -1] if _lower(system, key) < system.cells[key].value else [1]
    for inner, numbers, outer in _reach(system, key, unknown, PINNED_STEPS):
        for direction in list(open_directions):
            outcome = _move(system, key, direction, inner, numbers, outer)
            if outcome is True:
                return False
            if outcome is False:
                open_directions.remove(direction)
        if not open_directions:
            return True
    return True  # pragma: no cover - the whole group answers every direction: a move, or none


def _lower(system: CellSystem, key: Key) -> int:
    # A hidden printed figure is never zero (zeros are published); an unprinted count may be.
    return 1 if system.cells[key].printed else 0


def _move(
    system: CellSystem, key: Key, direction: int, inner: set[Key], numbers: list[int], outer: set[Key]
) -> bool | None:
    """Another whole-number solution over a neighbourhood that moves `key` by at least one in `direction`.

    True: found one that leaves the outer unknowns as they are (kept as a witness); False: the neighbourhood's
    equations allow none, so no solution does; None: undecided here.

    The variables are each unknown's rise and fall from its true value, within its bounds (lower: `_lower`;
    upper: twice every count in the system and one more, which no true value reaches, so every program is
    bounded). The objective, the total change with the outer unknowns' changes weighed heavily, looks for a small
    move that stays inside: a small move is kept longer, as it is less often undone by publishing a cell. The
    linear relaxation first (scipy's HiGHS); only a fractional optimum needs the integer program.
    """
    variables = sorted(outer, key=lambda cell: system.cells[cell].order)
    column = {cell: number for number, cell in enumerate(variables)}
    size = len(variables)
    rows: list[int] = []
    columns: list[int] = []
    entries: list[float] = []
    for row, number in enumerate(numbers):
        for cell, coefficient in system.equations[number].items():
            if cell in column:
                rows.extend((row, row))
                columns.extend((column[cell], size + column[cell]))
                entries.extend((float(coefficient), -float(coefficient)))
    matrix = coo_array((entries, (rows, columns)), shape=(len(numbers), 2 * size)).tocsr()
    truth = np.array([system.cells[cell].value for cell in variables], dtype=float)
    lower = np.array([_lower(system, cell) for cell in variables], dtype=float)
    ceiling = 2.0 * system.magnitude() + 1
    rise_low, rise_high = np.zeros(size), ceiling - truth
    fall_low, fall_high = np.zeros(size), truth - lower
    at = column[key]
    if direction > 0:
        rise_low[at], fall_high[at] = 1.0, 0.0
    else:
        fall_low[at], rise_high[at] = 1.0, 0.0
    box = np.column_stack([np.concatenate([rise_low, fall_low]), np.concatenate([rise_high, fall_high])])
    weight = np.array([1.0 if cell in inner else size + 1.0 for cell in variables])
    objective = np.concatenate([weight, weight])
    zeros = np.zeros(len(numbers))
    result = linprog(objective, A_eq=matrix, b_eq=zeros, bounds=box, method="highs")
    if result.status == 2:  # infeasible
        return False
    x = result.x if result.status == 0 else None
    if x is None or np.abs(x - np.rint(x)).max(initial=0.0) > 1e-6:
        constraints = LinearConstraint(matrix, zeros, zeros)
        result = milp(
            objective, integrality=np.ones(2 * size), bounds=Bounds(box[:, 0], box[:, 1]), constraints=constraints
        )
        if result.status == 2:
            return False
        x = result.x if result.status == 0 else None
        if x is None:  # pragma: no cover - HiGHS could not settle it: the next neighbourhood, or pinned
            return None
    change = np.rint(x[:size]).astype(int) - np.rint(x[size:]).astype(int)
    move = {variables[i]: int(change[i]) for i in np.flatnonzero(change)}
    if not _is_move(system, move, key, direction, numbers):  # pragma: no cover - rounding went wrong
        return None
    if not set(move) <= inner:
        return None
    system.witness(move)
    return True


def _is_move(system: CellSystem, move: dict[Key, int], key: Key, direction: int, numbers: list[int]) -> bool:
    """Exactly, in whole numbers: `move` shifts `key` the right way, keeps every bound and every equation given."""
    if move.get(key, 0) * direction < 1:
        return False
    ceiling = 2 * system.magnitude() + 1
    if any(not _lower(system, cell) <= system.cells[cell].value + change <= ceiling for cell, change in move.items()):
        return False
    return all(sum(c * move.get(cell, 0) for cell, c in system.equations[n].items()) == 0 for n in numbers)


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
