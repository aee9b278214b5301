"""Properties of the disclosure rule (docs/disclosure.md) on random tables and random compiled summaries.

Each property is checked independently of how suppression.py chooses its cells:
- two-way tables by the bridge criterion on the bipartite graph of hidden cells (a small union-find);
- whole summaries by exact linear algebra (fractions) over the sums that a reader could write down from the
  published content, listed here by hand from compile.py's meaning, not taken from suppression.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from audits.summaries.suppression import suppress_content, suppress_row, suppress_table

FAST = settings(max_examples=200, deadline=None, derandomize=True)
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
KINDS = ("strength", "area_for_improvement")

thresholds = st.integers(min_value=2, max_value=10)
values = st.integers(min_value=0, max_value=40)


@st.composite
def tables(draw: st.DrawFn) -> list[list[int]]:
    rows, columns = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    return [[draw(values) for _ in range(columns)] for _ in range(rows)]


def exposed_by_bridges(table: list[list[int]], published: dict[str, Any]) -> list[tuple[int, int]]:
    """Hidden cells that are bridges of the graph rows + {margin row} × columns + {margin column}.

    Every row and column of the table extended by its margins sums to zero once the margins are negated, so the
    hidden (and unpublished) cells are the unknowns of a bipartite incidence system: a cell is determined by the
    published ones exactly when its edge lies on no cycle of hidden edges.
    """
    rows, columns = len(table), len(table[0])
    margin_row, margin_column = ("r", rows), ("c", columns)
    edges: list[tuple[tuple[str, int], tuple[str, int], tuple[int, int] | None]] = []
    for i in range(rows):
        for j in range(columns):
            if published["cells"][i][j] is None:
                edges.append((("r", i), ("c", j), (i, j)))
    row_totals = published["row_totals"] or [None] * rows
    column_totals = published["column_totals"] or [None] * columns
    edges += [(("r", i), margin_column, None) for i in range(rows) if row_totals[i] is None]
    edges += [(margin_row, ("c", j), None) for j in range(columns) if column_totals[j] is None]
    if published["total"] is None:
        edges.append((margin_row, margin_column, None))

    def connected_without(skip: int, a: tuple[str, int], b: tuple[str, int]) -> bool:
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def root(x: tuple[str, int]) -> tuple[str, int]:
            parent.setdefault(x, x)
            while parent[x] != x:
                x = parent[x]
            return x

        for index, (u, v, _) in enumerate(edges):
            if index != skip:
                parent[root(u)] = root(v)
        return root(a) == root(b)

    return [cell for index, (u, v, cell) in enumerate(edges) if cell and not connected_without(index, u, v)]


def check_table(table: list[list[int]], threshold: int, published: dict[str, Any], *, margins_small: bool) -> None:
    for i, row in enumerate(table):
        for j, value in enumerate(row):
            shown = published["cells"][i][j]
            assert shown is None or shown == value, "a published figure is not the true one"
            assert shown is None or not 0 < shown < threshold, "a small count of children is published"
            assert value != 0 or shown == 0, "a zero was hidden"
    truths = {
        "row_totals": [sum(row) for row in table],
        "column_totals": [sum(column) for column in zip(*table, strict=True)],
    }
    for name, truth in truths.items():
        for shown, value in zip(published[name] or [], truth, strict=False):
            assert shown is None or shown == value
            assert not margins_small or shown is None or not 0 < shown < threshold
    assert published["total"] is None or published["total"] == sum(map(sum, table))
    assert exposed_by_bridges(table, published) == [], "a hidden cell can be worked back from the margins"


@FAST
@given(tables(), thresholds)
def test_two_way_table_with_published_practice_margins(table: list[list[int]], threshold: int) -> None:
    check_table(table, threshold, suppress_table(table, threshold), margins_small=False)


@FAST
@given(tables(), thresholds)
def test_two_way_table_whose_margins_count_children_too(table: list[list[int]], threshold: int) -> None:
    published = suppress_table(table, threshold, totals_describe_children=True)
    check_table(table, threshold, published, margins_small=True)


@FAST
@given(tables(), thresholds)
def test_two_way_table_with_column_totals_only(table: list[list[int]], threshold: int) -> None:
    # As a theme's age bands by grades: the grade totals are published, the age bands' totals are not.
    published = suppress_table(table, threshold, row_totals=False)
    check_table(table, threshold, published, margins_small=False)


@FAST
@given(st.lists(values, min_size=1, max_size=6), thresholds)
def test_one_way_row_with_its_total(row: list[int], threshold: int) -> None:
    published = suppress_table([row], threshold, column_totals=False)
    check_table([row], threshold, published, margins_small=False)
    keyed = suppress_row({f"cell {i}": value for i, value in enumerate(row)}, threshold)
    assert list(keyed.values()) == published["cells"][0]


def test_two_hidden_rectangles_joined_by_one_cell_are_not_enough() -> None:
    # Each line of the left block and of the right block has two hidden cells, but the lone link between them
    # (the 1 in the middle) is a bridge: it is total - the rest of its row. The "0 or ≥2 per line" heuristic
    # passes this pattern; the rule must not.
    table = [
        [2, 3, 0, 0, 20],
        [3, 2, 1, 0, 20],
        [0, 0, 2, 3, 20],
        [0, 0, 3, 2, 20],
    ]
    heuristic = {
        "cells": [[None if 0 < value < 5 else value for value in row] for row in table],
        "row_totals": [sum(row) for row in table],
        "column_totals": [sum(column) for column in zip(*table, strict=True)],
        "total": sum(map(sum, table)),
    }
    assert exposed_by_bridges(table, heuristic) == [(1, 2)], "the check itself must catch the joined rectangles"
    published = suppress_table(table, 5)
    check_table(table, 5, published, margins_small=False)


# -- whole summaries ---------------------------------------------------------------------------------------


@st.composite
def contents(
    draw: st.DrawFn,
    sectors_at_most: int = 3,
    agencies_at_most: int = 2,
    themes_at_most: int = 2,
    cases_at_most: int = 12,
) -> tuple[dict[str, Any], int]:
    """A consistent compiled summary: agencies within sectors; every breakdown adds up to its theme."""
    threshold = draw(thresholds)
    small = st.integers(0, 12)
    sectors = [f"Sector {n}" for n in range(draw(st.integers(1, sectors_at_most)))]
    agencies = [(f"{sector} {n}", sector) for sector in sectors for n in range(draw(st.integers(1, agencies_at_most)))]
    themes = []
    for t in range(draw(st.integers(1, themes_at_most))):
        rows = [
            {"agency": name, "sector": sector, "grades": {g: draw(small) for g in GRADES}} for name, sector in agencies
        ]
        for row in rows:
            strengths = draw(st.integers(0, sum(row["grades"].values())))
            row["kinds"] = {"strength": strengths, "area_for_improvement": sum(row["grades"].values()) - strengths}
        grades = {g: sum(row["grades"][g] for row in rows) for g in GRADES}
        kinds = {k: sum(row["kinds"][k] for row in rows) for k in KINDS}
        by_sector = [
            {
                "sector": sector,
                "grades": {g: sum(r["grades"][g] for r in rows if r["sector"] == sector) for g in GRADES},
                "kinds": {k: sum(r["kinds"][k] for r in rows if r["sector"] == sector) for k in KINDS},
            }
            for sector in sectors
        ]
        breakdowns = {}
        for name, labels in (("by_age_band", ["0–1", "2–4", "5–11"]), ("by_level_of_need", ["Level 3", "Level 4"])):
            split = {label: dict.fromkeys(GRADES, 0) for label in labels}
            for g in GRADES:
                for _ in range(grades[g]):
                    split[draw(st.sampled_from(labels))][g] += 1
            breakdowns[name] = {label: split[label] for label in labels if any(split[label].values())}
        of_cases = draw(st.integers(0, 12))
        evident = draw(st.integers(0, of_cases))
        findings = sum(grades.values())
        themes.append(
            {
                "slug": f"theme-{t}",
                "name": f"Theme {t}",
                "grades": grades,
                "kinds": kinds,
                "by_agency": rows,
                "by_sector": by_sector,
                **breakdowns,
                "by_plan_type": {},
                "self_vs_panel": {"with_self_grade": 0, "panel_agreed": 0, "panel_raised": 0, "panel_lowered": 0},
                "evidence": {
                    "evident_in": evident,
                    "of_cases": of_cases,
                    "statement": f"Theme {t} was evident in {evident} of the {of_cases} cases.",
                },
                "quotes": {"strength": ["Seen alone, at home."], "area_for_improvement": []},
                "trend": [
                    {
                        "audit": "MACFA 1",
                        "good_or_better": grades["outstanding"] + grades["good"],
                        "findings": findings,
                        "good_share": None,
                        "benchmarks": [],
                    }
                ],
            }
        )
    cases = draw(st.integers(0, cases_at_most))
    child, family = draw(st.integers(0, cases)), draw(st.integers(0, cases))
    acknowledged = draw(small)
    every = [t["grades"] for t in themes]
    content = {
        "scope": {"audits": [{"id": 1, "reference": "MACFA 1", "title": "x"}], "cases": cases},
        "themes": themes,
        "views": {"of_cases": cases, "child_heard": child, "family_heard": family},
        "actions": {"by_agency": [], "totals": {}},
        "benchmark_actions": [],
        "concerns": {
            "raised": acknowledged + (awaiting := draw(small)),
            "acknowledged": acknowledged,
            "acknowledged_within_one_working_day": draw(st.integers(0, acknowledged)),
            "awaiting_acknowledgement": awaiting,
        },
        "assurance": {
            "level": "limited",
            "total": sum(sum(g.values()) for g in every),
            "good_or_better": sum(g["outstanding"] + g["good"] for g in every),
            "inadequate": sum(g["inadequate"] for g in every),
        },
    }
    content["scope"]["agreed_findings"] = content["assurance"]["total"]
    return content, threshold


def reader_sums(content: dict[str, Any]) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Every sum a reader knows holds between figures of the content: (left, right) with sum(left) == sum(right).

    Paths that the content does not print (the cases where something was not evident) are unknowns as well.
    """
    for i, theme in enumerate(content["themes"]):
        at = ("themes", i)
        yield [(*at, "grades", g) for g in GRADES], [(*at, "kinds", k) for k in KINDS]
        for table in ("by_agency", "by_sector"):
            for j, _ in enumerate(theme[table]):
                row = (*at, table, j)
                yield [(*row, "grades", g) for g in GRADES], [(*row, "kinds", k) for k in KINDS]
            for part, keys in (("grades", GRADES), ("kinds", KINDS)):
                for key in keys:
                    yield [(*at, part, key)], [(*at, table, j, part, key) for j in range(len(theme[table]))]
        for j, sector in enumerate(theme["by_sector"]):
            members = [n for n, row in enumerate(theme["by_agency"]) if row["sector"] == sector["sector"]]
            for part, keys in (("grades", GRADES), ("kinds", KINDS)):
                for key in keys:
                    yield [(*at, "by_sector", j, part, key)], [(*at, "by_agency", n, part, key) for n in members]
        for table in ("by_age_band", "by_level_of_need"):
            if theme[table]:
                for g in GRADES:
                    yield [(*at, "grades", g)], [(*at, table, label, g) for label in theme[table]]
        evidence = (*at, "evidence")
        yield [(*evidence, "of_cases")], [(*evidence, "evident_in"), (*evidence, "not evident")]
        entry = (*at, "trend", 0)
        yield [(*entry, "findings")], [(*at, "grades", g) for g in GRADES]
        yield [(*entry, "good_or_better")], [(*at, "grades", "outstanding"), (*at, "grades", "good")]
    yield [("views", "of_cases")], [("scope", "cases")]
    for heard in ("child_heard", "family_heard"):
        yield [("views", "of_cases")], [("views", heard), ("views", f"not {heard}")]
    concerns = ("concerns",)
    yield [(*concerns, "raised")], [(*concerns, "acknowledged"), (*concerns, "awaiting_acknowledgement")]
    yield (
        [(*concerns, "acknowledged")],
        [(*concerns, "acknowledged_within_one_working_day"), (*concerns, "acknowledged late")],
    )
    themes = range(len(content["themes"]))
    every = [("themes", i, "grades", g) for i in themes for g in GRADES]
    yield [("assurance", "total")], every
    yield [("scope", "agreed_findings")], every
    yield [("assurance", "good_or_better")], [("themes", i, "grades", g) for i in themes for g in GRADES[:2]]
    yield [("assurance", "inadequate")], [("themes", i, "grades", "inadequate") for i in themes]


def figure(content: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = content
    for step in path:
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        ):
            node = node[step]
        else:
            return None  # not printed
    return node


def rank(rows: list[dict[Any, Fraction]]) -> int:
    rows = [dict(row) for row in rows if row]
    count = 0
    while rows:
        pivot_row = rows.pop()
        if not pivot_row:
            continue
        key, scale = next(iter(pivot_row.items()))
        count += 1
        reduced = []
        for row in rows:
            factor = row.get(key, Fraction(0)) / scale
            if factor:
                row = {k: row.get(k, Fraction(0)) - factor * pivot_row.get(k, Fraction(0)) for k in row | pivot_row}
                row = {k: v for k, v in row.items() if v}
            if row:
                reduced.append(row)
        rows = reduced
    return count


def worked_back(content: dict[str, Any], published: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Hidden figures that the published ones and the reader's sums fix exactly."""
    equations = []
    unknowns: set[tuple[Any, ...]] = set()
    for left, right in reader_sums(content):
        row: dict[tuple[Any, ...], Fraction] = {}
        for sign, side in ((1, left), (-1, right)):
            for path in side:
                if figure(published, path) is None:
                    row[path] = row.get(path, Fraction(0)) + sign
                    unknowns.add(path)
        equations.append({k: v for k, v in row.items() if v})
    base = rank(equations)
    hidden = [path for path in unknowns if figure(content, path) is not None]  # printed in the exact content
    return [path for path in hidden if rank([*equations, {path: Fraction(1)}]) == base]


SMALL_ALLOWED = ("grades", "kinds", "self_vs_panel", "evidence", "trend")


def child_paths(content: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], int]]:
    """The counts the rule says describe children, with their values."""
    for i, theme in enumerate(content["themes"]):
        for table in ("by_agency", "by_sector"):
            for j, row in enumerate(theme[table]):
                for part in ("grades", "kinds"):
                    for key, value in row[part].items():
                        yield ("themes", i, table, j, part, key), value
        for table in ("by_age_band", "by_level_of_need"):
            for label, grades in theme[table].items():
                for key, value in grades.items():
                    yield ("themes", i, table, label, key), value
    for key in ("child_heard", "family_heard"):
        yield ("views", key), content["views"][key]
    for key, value in content["concerns"].items():
        yield ("concerns", key), value


@settings(max_examples=40, deadline=None, derandomize=True)
@given(contents())
def test_a_published_summary_shows_no_small_count_of_children_and_none_can_be_worked_back(
    drawn: tuple[dict[str, Any], int],
) -> None:
    content, threshold = drawn
    published = suppress_content(content, threshold)
    for path, value in child_paths(content):
        shown = figure(published, path)
        assert shown is None or shown == value
        assert shown is None or not 0 < shown < threshold, (path, shown)
    if content["scope"]["cases"] < threshold:  # too small a sample: every count is a count of children
        for path, value in child_paths(content):
            assert figure(published, path) in (None, 0) or value >= threshold
    assert worked_back(content, published) == []
    assert all("quotes" not in theme for theme in published["themes"])


# -- bounds: zeros are published, so a hidden cell is known to be at least 1 ----------------------------------


def completions_values(table: list[list[int]], published: dict[str, Any]) -> dict[tuple[int, int], set[int]]:
    """For each hidden cell of a small table, the values it takes over every whole-number completion a reader
    could write down: published cells as printed, hidden cells at least 1 (zeros are published), the margins as
    sums. Found by plain depth-first enumeration, independently of the algorithm (and of scipy)."""
    rows, columns = len(table), len(table[0])
    grand = sum(map(sum, table))
    row_totals = published["row_totals"] or [None] * rows
    column_totals = published["column_totals"] or [None] * columns
    hidden = [(i, j) for i in range(rows) for j in range(columns) if published["cells"][i][j] is None]
    seen: dict[tuple[int, int], set[int]] = {cell: set() for cell in hidden}
    grid = [[published["cells"][i][j] or 0 for j in range(columns)] for i in range(rows)]
    cap = grand + 1  # any completion above the truth already shows a second value

    def consistent() -> bool:
        sums = [sum(row) for row in grid]
        columns_sums = [sum(grid[i][j] for i in range(rows)) for j in range(columns)]
        for shown, value in ((row_totals[i], sums[i]) for i in range(rows)):
            if shown is None and value == 0 and published["row_totals"] is not None:
                return False  # a hidden margin is not zero either
            if shown is not None and shown != value:
                return False
        for shown, value in zip(column_totals, columns_sums, strict=True):
            if shown is None and value == 0 and published["column_totals"] is not None:
                return False
            if shown is not None and shown != value:
                return False
        return published["total"] is None or published["total"] == sum(sums)

    def search(index: int) -> None:
        if all(len(values) >= 2 for values in seen.values()):
            return
        if index == len(hidden):
            if consistent():
                for i, j in hidden:
                    seen[(i, j)].add(grid[i][j])
            return
        i, j = hidden[index]
        for value in range(1, cap + 1):
            grid[i][j] = value
            if row_totals[i] is not None and sum(grid[i][: j + 1]) > row_totals[i]:
                break
            if column_totals[j] is not None and sum(grid[k][j] for k in range(i + 1)) > column_totals[j]:
                break
            if published["total"] is not None and sum(map(sum, grid)) > published["total"]:
                break  # the cells not yet filled hold at least what they show, so more only overshoots
            search(index + 1)
        grid[i][j] = 0

    search(0)
    return seen


@st.composite
def tiny_tables(draw: st.DrawFn) -> list[list[int]]:
    rows, columns = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return [[draw(st.integers(0, 6)) for _ in range(columns)] for _ in range(rows)]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(tiny_tables(), st.integers(2, 6))
def test_no_hidden_cell_of_a_small_table_has_only_one_possible_value(table: list[list[int]], threshold: int) -> None:
    # The tester's attack in small: with every hidden cell at least 1, a row "total 3 = [c] + [c] + [c]" pins
    # each to 1 although the equations alone do not.
    published = suppress_table(table, threshold)
    check_table(table, threshold, published, margins_small=False)
    # The enumeration below is exponential in the hidden cells: keep it to tables a reader could work by hand.
    assume(sum(cell is None for row in published["cells"] for cell in row) <= 5)
    pinned = {cell: values for cell, values in completions_values(table, published).items() if len(values) < 2}
    assert pinned == {}, f"hidden cells a reader can pin using 'hidden means at least 1': {pinned}"


def test_the_check_catches_hidden_ones_that_only_the_bounds_give_away() -> None:
    # Three hidden 1s in a row with a published total of 3: no equation fixes any, but each must be 1.
    table = [[1, 1, 1, 9]]
    published = {"cells": [[None, None, None, 9]], "row_totals": [12], "column_totals": None, "total": 12}
    assert exposed_by_bridges(table, published) == []
    assert all(values == {1} for values in completions_values(table, published).values())
    assert all(len(values) >= 2 for values in completions_values(table, suppress_table(table, 5)).values())


def theme_sums(content: dict[str, Any]) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """The sums within each theme's tables of a real compiled summary (any agencies, sectors and breakdowns)."""
    for i, theme in enumerate(content["themes"]):
        at = ("themes", i)
        yield [(*at, "grades", g) for g in GRADES], [(*at, "kinds", k) for k in KINDS]
        for table in ("by_agency", "by_sector"):
            for j, _ in enumerate(theme[table]):
                row = (*at, table, j)
                yield [(*row, "grades", g) for g in GRADES], [(*row, "kinds", k) for k in KINDS]
            for part, keys in (("grades", GRADES), ("kinds", KINDS)):
                for key in keys:
                    if theme[table]:
                        yield [(*at, part, key)], [(*at, table, j, part, key) for j in range(len(theme[table]))]
        for j, sector in enumerate(theme["by_sector"]):
            members = [n for n, row in enumerate(theme["by_agency"]) if row["sector"] == sector["sector"]]
            for part, keys in (("grades", GRADES), ("kinds", KINDS)):
                for key in keys:
                    if members:
                        yield [(*at, "by_sector", j, part, key)], [(*at, "by_agency", n, part, key) for n in members]
        for table in ("by_age_band", "by_level_of_need", "by_plan_type"):
            if theme.get(table):
                for g in GRADES:
                    yield [(*at, "grades", g)], [(*at, table, label, g) for label in theme[table]]


def pinned_by_bounds(
    content: dict[str, Any], published: dict[str, Any], sums: Iterator[Any] | None = None
) -> list[tuple[Any, ...]]:
    """The tester's attack on a whole summary: interval propagation over the reader's sums, each hidden printed
    figure starting at [1, ∞) (zeros are published) and each unprinted one at [0, ∞). Hidden figures whose
    interval closes to one value are given away."""
    sums = list(reader_sums(content) if sums is None else sums)
    paths = {path for left, right in sums for path in (*left, *right)}
    low: dict[tuple[Any, ...], float] = {}
    high: dict[tuple[Any, ...], float] = {}
    for path in paths:
        shown = figure(published, path)
        printed = figure(content, path) is not None
        low[path] = shown if shown is not None else (1 if printed else 0)
        high[path] = shown if shown is not None else float("inf")
    for _ in range(60):
        for left, right in sums:
            for side, other in ((left, right), (right, left)):
                for path in side:
                    rest_low = sum(low[p] for p in side if p != path)
                    rest_high = sum(high[p] for p in side if p != path)
                    low[path] = max(low[path], sum(low[p] for p in other) - rest_high)
                    high[path] = min(high[path], sum(high[p] for p in other) - rest_low)
    hidden = [p for p in paths if figure(published, p) is None and figure(content, p) is not None]
    return sorted((p for p in hidden if low[p] == high[p]), key=str)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(contents())
def test_no_hidden_figure_of_a_summary_is_pinned_by_the_bounds(drawn: tuple[dict[str, Any], int]) -> None:
    content, threshold = drawn
    assert pinned_by_bounds(content, suppress_content(content, threshold)) == []
