"""The bounded check of `protection.CellSystem` against a brute-force enumeration, on many random small systems.

The check looks only as far from a cell as it needs to, and keeps the other whole-number solutions it finds to
reuse them for later hidden sets. Both are shortcuts that must never change the answer, so here one system is
asked about several hidden sets in a row (its kept solutions carried over), and every answer is compared with an
enumeration of every whole-number completion a reader could write down: hidden printed cells at least 1 (zeros
are published), unprinted counts at least 0, every sum as published. A cell is pinned when it takes one value.
The sums are written out here, not taken from the system.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from audits.summaries import protection
from audits.summaries.protection import CellSystem

Key = tuple[Any, ...]
Sum = tuple[list[Key], list[Key]]  # sum(left) == sum(right)


@st.composite
def systems(draw: st.DrawFn) -> tuple[dict[Key, tuple[int, bool, bool]], list[Sum], int]:
    """A small two-way table with its margins (some describing children), its grand total always published, and
    sometimes an unprinted count (the total less the first cell), as in "evident in N of M cases"."""
    rows, columns = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    table = [[draw(st.integers(0, 4)) for _ in range(columns)] for _ in range(rows)]
    margins_small = draw(st.booleans())
    cells: dict[Key, tuple[int, bool, bool]] = {}  # value, describes children, printed
    for i in range(rows):
        for j in range(columns):
            cells[("cell", i, j)] = (table[i][j], True, True)
    total = sum(map(sum, table))
    cells[("total",)] = (total, False, True)
    sums: list[Sum] = []
    for i in range(rows):
        cells[("row", i)] = (sum(table[i]), margins_small, True)
        sums.append(([("row", i)], [("cell", i, j) for j in range(columns)]))
    for j in range(columns):
        cells[("column", j)] = (sum(row[j] for row in table), margins_small, True)
        sums.append(([("column", j)], [("cell", i, j) for i in range(rows)]))
    sums.append(([("total",)], [("row", i) for i in range(rows)]))
    sums.append(([("total",)], [("column", j) for j in range(columns)]))
    if draw(st.booleans()):
        cells[("rest",)] = (total - table[0][0], True, False)
        sums.append(([("total",)], [("cell", 0, 0), ("rest",)]))
    return cells, sums, draw(st.integers(2, 5))


def build(cells: dict[Key, tuple[int, bool, bool]], sums: list[Sum]) -> CellSystem:
    system = CellSystem()
    for key, (value, sensitive, printed) in cells.items():
        system.add(key, value, sensitive=sensitive, printed=printed)
    for left, right in sums:
        system.difference(left, right)
    return system


def pinned_by_enumeration(
    cells: dict[Key, tuple[int, bool, bool]], sums: list[Sum], hidden: set[Key], threshold: int
) -> set[Key]:
    """Hidden cells, and small unprinted counts of children, with a single value over every completion.

    The grand total is published, so no count exceeds it: the enumeration is exact."""
    unknown = sorted(hidden | {key for key, (_, _, printed) in cells.items() if not printed})
    must_hold = hidden | {
        key for key, (v, sensitive, printed) in cells.items() if not printed and sensitive and 0 < v < threshold
    }
    ceiling = cells[("total",)][0]
    known: dict[Key, int] = {key: value for key, (value, _, _) in cells.items() if key not in unknown}
    seen: dict[Key, set[int]] = {key: set() for key in unknown}

    def feasible(assigned: dict[Key, int]) -> bool:
        for left, right in sums:
            sides = []
            for side in (left, right):
                done = [assigned.get(key, known.get(key)) for key in side]
                sides.append((sum(v for v in done if v is not None), all(v is not None for v in done)))
            (left_sum, left_done), (right_sum, right_done) = sides
            if left_done and right_done and left_sum != right_sum:
                return False
            # Every count is at least 0, so a side already larger than a finished one cannot be equal to it.
            if (left_done and right_sum > left_sum) or (right_done and left_sum > right_sum):
                return False
        return True

    def search(index: int, assigned: dict[Key, int]) -> None:
        if index == len(unknown):
            for key in unknown:
                seen[key].add(assigned[key])
            return
        key = unknown[index]
        for value in range(1 if cells[key][2] else 0, ceiling + 1):
            assigned[key] = value
            if feasible(assigned):
                search(index + 1, assigned)
            del assigned[key]

    search(0, {})
    return {key for key in must_hold if len(seen[key]) == 1}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(systems(), st.data())
def test_the_bounded_check_agrees_with_every_completion(
    drawn: tuple[dict[Key, tuple[int, bool, bool]], list[Sum], int], data: st.DataObject
) -> None:
    cells, sums, threshold = drawn
    # Small tables fit in one neighbourhood; looking from the nearest ones first (step 0: the cell alone inside)
    # makes the check decide from neighbourhoods that are not the whole group as well.
    looked = protection.PINNED_STEPS, protection.DETERMINED_STEPS
    try:
        for steps in (((0,), (0,)), ((0, 1), (0, 1)), looked):
            protection.PINNED_STEPS, protection.DETERMINED_STEPS = steps
            check_hidden_sets(build(cells, sums), cells, sums, threshold, data)
    finally:
        protection.PINNED_STEPS, protection.DETERMINED_STEPS = looked


def check_hidden_sets(
    system: CellSystem, cells: dict[Key, tuple[int, bool, bool]], sums: list[Sum], threshold: int, data: Any
) -> None:
    candidates = sorted(key for key, (value, _, printed) in cells.items() if printed and value and key != ("total",))
    # Several hidden sets in a row on one system: what it kept from earlier ones must not change a later answer.
    for _ in range(3):
        hidden = set(
            data.draw(st.lists(st.sampled_from(candidates), max_size=4, unique=True) if candidates else st.just([]))
        )
        truth = pinned_by_enumeration(cells, sums, hidden, threshold)
        # `exposed` names the determined cells when there are any (they are shielded first), else every pinned one.
        exposed = set(system.exposed(hidden, threshold))
        assert exposed <= truth and bool(exposed) == bool(truth), (hidden, truth)
        assert system._any_exposed(hidden, threshold) == bool(truth)
        for key in sorted(system._must_hold(hidden, threshold)):
            assert system._exposed_near(hidden, key) == (key in truth), key
        first = system._exposed(hidden, threshold, first=True)
        assert bool(first) == bool(truth) and set(first) <= truth


def test_three_hidden_ones_under_a_total_of_three_are_each_pinned() -> None:
    # The tester's attack: no equation fixes any of them, but each must be 1.
    cells = {("cell", 0, j): (1, True, True) for j in range(3)} | {("cell", 0, 3): (9, True, True)}
    cells |= {("total",): (12, False, True)}
    sums: list[Sum] = [([("total",)], [("cell", 0, j) for j in range(4)])]
    system = build(cells, sums)
    hidden = {("cell", 0, j) for j in range(3)}
    assert set(system.exposed(hidden, 5)) == hidden == pinned_by_enumeration(cells, sums, hidden, 5)
    assert system.exposed(hidden | {("cell", 0, 3)}, 5) == []
