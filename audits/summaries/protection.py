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
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

Key = Hashable
# How many candidates `_shield` tries (each is a solve) before settling for the most preferred.
TRIALS = 1


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
    _index: dict[Key, list[int]] | None = field(default=None, repr=False)

    def index(self) -> dict[Key, list[int]]:
        """For each cell, the equations it is in."""
        if self._index is None:
            self._index = {}
            for number, equation in enumerate(self.equations):
                for key in equation:
                    self._index.setdefault(key, []).append(number)
        return self._index

    def add(self, key: Key, value: int, *, sensitive: bool, printed: bool = True) -> Key:
        if key in self.cells:
            raise ValueError(f"{key!r} is already a cell")
        self.cells[key] = Cell(value=value, sensitive=sensitive, printed=printed, order=len(self.cells))
        self.solved.clear()
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
            self._index = None

    # -- the rule ---------------------------------------------------------------------------------------------

    def primary(self, threshold: int) -> set[Key]:
        """Counts of children from 1 to threshold - 1."""
        return {key for key, cell in self.cells.items() if cell.sensitive and 0 < cell.value < threshold}

    def exposed(self, hidden: set[Key], threshold: int) -> list[Key]:
        """Hidden printed cells, and small unprinted counts of children, that the published cells determine."""
        unknown = hidden | {key for key, cell in self.cells.items() if not cell.printed}
        must_hold = hidden | {key for key in self.primary(threshold) if not self.cells[key].printed}
        return sorted(determined(self, unknown) & must_hold, key=self._order)

    def protect(self, threshold: int) -> set[Key]:
        """The printed cells to hide: every small count of children, and enough others that none can be worked out."""
        hidden = {key for key in self.primary(threshold) if self.cells[key].printed}
        primary = set(hidden)
        while exposed := self.exposed(hidden, threshold):
            # One given away by plain subtraction first: shielding it often shields the others.
            unknown = hidden | {key for key, cell in self.cells.items() if not cell.printed}
            first = next((key for key in exposed if self._direct(key, unknown)), exposed[0])
            hidden.add(self._shield(first, hidden, threshold))
        # Greedy choices can overshoot: give back any secondary cell, largest first, that is not needed.
        for key in sorted(hidden - primary, key=lambda k: (-self.cells[k].value, self._order(k))):
            if not self.exposed(hidden - {key}, threshold):
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
        unknown = hidden | {key for key, cell in self.cells.items() if not cell.printed}
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
                if exposed not in determined(self, unknown | {candidate}, near=exposed):
                    return candidate
            if candidates:
                return candidates[0]
            seen |= cells
            frontier = [key for key in cells if key in unknown]
        raise AssertionError(f"{exposed!r} is determined but nothing reachable can shield it")  # pragma: no cover


def determined(system: CellSystem, unknown: set[Key], *, near: Key | None = None) -> set[Key]:
    """The unknown cells whose value the equations fix, given every other cell's value.

    The unknowns fall into independent groups (those linked through equations); each group is solved on its own
    and remembered, since `protect` changes one group at a time. With `near`, only that cell's group is solved.
    """
    index = system.index()
    result: set[Key] = set()
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
        frozen = frozenset(members)
        if frozen not in system.solved:
            equations = [system.equations[number] for number in sorted(numbers)]
            system.solved[frozen] = _solve(equations, members, system)
        result |= system.solved[frozen]
    return result


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
