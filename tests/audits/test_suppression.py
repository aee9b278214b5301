from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from audits.summaries.compile import compile_content
from audits.summaries.suppression import shown, suppress_cell, suppress_content, suppress_row
from tests.audits.test_compile import Known


def test_small_counts_are_hidden_and_zeros_kept() -> None:
    assert suppress_row({"good": 12, "inadequate": 3, "outstanding": 0, "ri": 9}, 5) == {
        "good": 12,
        "inadequate": None,
        "outstanding": 0,
        "ri": None,
    }


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it() -> None:
    # With the total published, hiding only the 3 would let anyone work it back as total - 12 - 9.
    row = suppress_row({"good": 12, "inadequate": 3, "ri": 9}, 5)
    assert row == {"good": 12, "inadequate": None, "ri": None}


def test_two_hidden_cells_need_no_more() -> None:
    assert suppress_row({"a": 2, "b": 3, "c": 20}, 5) == {"a": None, "b": None, "c": 20}


def test_a_small_total_is_hidden_too() -> None:
    assert suppress_cell(3, 5) is None and suppress_cell(0, 5) == 0 and suppress_cell(5, 5) == 5


def test_threshold_is_the_partnerships() -> None:
    assert suppress_row({"a": 6, "b": 20}, 10) == {"a": None, "b": None}
    assert suppress_row({"a": 6, "b": 20}, 5) == {"a": 6, "b": 20}


def theme(evident: int, of_cases: int) -> dict:
    grades = {"outstanding": 1, "good": 10, "requires_improvement": 8, "inadequate": 0}
    return {
        "slug": "voice-of-the-child",
        "name": "Voice of the child",
        "grades": grades,
        "kinds": {"strength": 11, "area_for_improvement": 8},
        "by_agency": [
            {
                "agency": "Police",
                "sector": "Police",
                "grades": grades,
                "kinds": {"strength": 2, "area_for_improvement": 9},
            }
        ],
        "by_sector": [],
        "by_age_band": {"0–1": grades},
        "by_level_of_need": {},
        "by_plan_type": {},
        "self_vs_panel": {"with_self_grade": 19, "panel_agreed": 15, "panel_raised": 1, "panel_lowered": 3},
        "evidence": {
            "evident_in": evident,
            "of_cases": of_cases,
            "statement": f"The child's voice was evident in {evident} of the {of_cases} cases.",
        },
        "quotes": {"strength": ["Seen alone."], "area_for_improvement": []},
        "trend": [
            {
                "audit": "MACFA 31",
                "good_or_better": 11,
                "findings": 19,
                "good_share": 57.9,
                "benchmarks": [
                    {
                        "audit": "MACFA 14",
                        "good_or_better": 2,
                        "findings": 4,
                        "good_share": 50.0,
                        "change": 7.9,
                        "direction": "better",
                    }
                ],
            }
        ],
    }


def content(evident: int, of_cases: int) -> dict:
    return {
        "scope": {"audits": [], "cases": 6, "agreed_findings": 19},
        "themes": [theme(evident, of_cases)],
        "views": {"of_cases": 6, "child_heard": 4, "family_heard": 1},
        "concerns": {
            "raised": 1,
            "acknowledged": 1,
            "acknowledged_within_one_working_day": 1,
            "awaiting_acknowledgement": 0,
            "median_hours_to_acknowledge": 3.0,
            "longest_hours_to_acknowledge": 3.0,
        },
        "actions": {"by_agency": [], "totals": {}},
        "assurance": {"level": "limited", "total": 19, "good_or_better": 11, "inadequate": 0},
    }


def test_practice_over_a_whole_sample_is_published_exactly() -> None:
    # Six cases, threshold 5: how professionals did over the sample is published as it is, small parts included.
    out = suppress_content(content(4, 6), 5)
    theme_out = out["themes"][0]
    assert theme_out["self_vs_panel"] == {
        "with_self_grade": 19,
        "panel_agreed": 15,
        "panel_raised": 1,
        "panel_lowered": 3,
    }
    assert theme_out["evidence"] == {
        "evident_in": 4,
        "of_cases": 6,
        "statement": "The child's voice was evident in four of the six cases.",
    }
    assert theme_out["trend"][0]["good_share"] == 57.9
    assert out["scope"]["cases"] == 6 and out["views"]["of_cases"] == 6
    assert out["suppression_threshold"] == 5


def test_counts_of_children_are_hidden_and_marked() -> None:
    out = suppress_content(content(4, 6), 5)
    # Whether the child and the family were heard describes them, not the practitioners.
    assert out["views"] == {"of_cases": 6, "child_heard": None, "family_heard": None}
    # One live child-protection concern: hidden, and so is the time it took to acknowledge it.
    assert out["concerns"]["raised"] is None and out["concerns"]["median_hours_to_acknowledge"] is None
    assert out["concerns"]["awaiting_acknowledgement"] == 0  # zeros reveal nobody
    assert out["themes"][0]["by_agency"][0]["grades"]["outstanding"] is None
    assert shown(out["views"]["child_heard"]) == "[c]"
    assert out["any_hidden"]["views"] is True and out["any_hidden"]["concerns"] is True


def test_a_theme_total_gives_way_when_one_agency_alone_makes_it() -> None:
    # The one outstanding finding is Police's (the only agency): publishing the theme's "1 outstanding" and the
    # other agencies' zeros would give Police's hidden 1 back, and a zero is never hidden, so the total goes.
    out = suppress_content(content(4, 6), 5)
    grades = out["themes"][0]["grades"]
    assert grades["outstanding"] is None and grades["inadequate"] == 0
    assert out["themes"][0]["any_hidden"]["grades"] is True
    assert worked_back_by_subtraction(out) == []


def worked_back_by_subtraction(out: dict[str, Any]) -> list[str]:
    """The theme's grade totals against its agencies' columns: one hidden cell in a column with a published total."""
    theme_out = out["themes"][0]
    exposed = []
    for grade, total in theme_out["grades"].items():
        column = [row["grades"][grade] for row in theme_out["by_agency"]]
        if total is not None and column.count(None) == 1:
            exposed.append(grade)
    return exposed


def test_quotes_never_leave_the_service() -> None:
    out = suppress_content(content(4, 6), 5)
    assert "quotes" not in out["themes"][0]
    assert "Seen alone." not in str(out)


def test_evidence_n_of_m_is_published_when_m_reaches_the_threshold() -> None:
    # "Evident in 14 of 16" tells the reader that practice fell short in two of sixteen unnamed cases: a
    # statement about the practitioners' work, as the reference report publishes it.
    assert suppress_content(content(14, 16), 5)["themes"][0]["evidence"] == {
        "evident_in": 14,
        "of_cases": 16,
        "statement": "The child's voice was evident in 14 of the 16 cases.",
    }


def test_evidence_over_fewer_cases_than_the_threshold_is_withheld_and_marked() -> None:
    data = content(2, 3)
    out = suppress_content(data, 5)["themes"][0]
    assert out["evidence"]["evident_in"] is None and out["evidence"]["of_cases"] is None
    assert out["evidence"]["statement"] == "The child's voice was evident in [c] of the [c] cases."
    assert out["any_hidden"]["evidence"] is True


# Every table of a compiled summary, each holding at least one count from 1 to 4, so that leaving any one
# table unsuppressed fails a test below. The last test checks the fixture against a real compile.
THRESHOLD = 5
TABLES = [
    "scope",
    "themes.*.grades",
    "themes.*.kinds",
    "themes.*.by_agency",
    "themes.*.by_sector",
    "themes.*.by_age_band",
    "themes.*.by_level_of_need",
    "themes.*.by_plan_type",
    "themes.*.self_vs_panel",
    "themes.*.evidence",
    "themes.*.trend",
    "themes.*.trend.*.benchmarks",
    "views",
    "actions.by_agency",
    "actions.totals",
    "benchmark_actions",
    "concerns",
    "assurance",
]
# Whole numbers that count nobody: the content's format version, and database ids of audits and themes.
NOT_COUNTS = {"version", "scope.audits.*.id", "scope.themes.*.id"}
# Figures worked out from counts: each is withheld when the counts it comes from are too small.
DERIVED = [
    "themes.*.trend.*.good_share",
    "themes.*.trend.*.benchmarks.*.good_share",
    "themes.*.trend.*.benchmarks.*.change",
    "concerns.median_hours_to_acknowledge",
    "concerns.longest_hours_to_acknowledge",
]
# Tables keyed by a category's label rather than by a fixed name.
LABELLED = ("by_age_band", "by_level_of_need", "by_plan_type")


def compiled() -> dict[str, Any]:
    """Content as compile.compile_content makes it: neglect in MACFA 31, benchmarked against MACFA 14."""

    def grades(outstanding: int, good: int, requires_improvement: int, inadequate: int) -> dict[str, int]:
        return {
            "outstanding": outstanding,
            "good": good,
            "requires_improvement": requires_improvement,
            "inadequate": inadequate,
        }

    health = {"grades": grades(0, 0, 12, 4), "kinds": {"strength": 0, "area_for_improvement": 16}}
    police = {"grades": grades(1, 2, 8, 0), "kinds": {"strength": 3, "area_for_improvement": 8}}
    return {
        "version": 1,
        "scope": {
            "audits": [{"id": 31, "reference": "MACFA 31", "title": "Neglect"}],
            "period": None,
            "themes": [{"id": 2, "slug": "neglect", "name": "Neglect"}],
            "cases": 3,
            "agreed_findings": 27,
        },
        "themes": [
            {
                "slug": "neglect",
                "name": "Neglect",
                "grades": grades(1, 2, 20, 4),
                "kinds": {"strength": 3, "area_for_improvement": 24},
                "by_agency": [
                    {"agency": "Health", "sector": "Health", **health},
                    {"agency": "Police", "sector": "Police", **police},
                ],
                "by_sector": [{"sector": "Health", **health}, {"sector": "Police", **police}],
                "self_vs_panel": {"with_self_grade": 20, "panel_agreed": 15, "panel_raised": 2, "panel_lowered": 3},
                "by_age_band": {"0–1": grades(0, 1, 9, 2), "2–4": grades(1, 1, 11, 2)},
                "by_level_of_need": {
                    "Level 3 — complex needs (early help)": grades(1, 2, 6, 0),
                    "Level 4 — specialist (social care)": grades(0, 0, 14, 4),
                },
                "by_plan_type": {"Child in need": grades(0, 2, 7, 1), "Child protection": grades(1, 0, 13, 3)},
                "evidence": {
                    "evident_in": 2,
                    "of_cases": 3,
                    "statement": "Good practice on neglect was evident in 2 of the 3 cases.",
                },
                "quotes": {"strength": ["Neglect was recognised early."], "area_for_improvement": ["Drift."]},
                "trend": [
                    {
                        "audit": "MACFA 31",
                        "good_or_better": 3,
                        "findings": 27,
                        "good_share": 11.1,
                        "benchmarks": [
                            {
                                "audit": "MACFA 14",
                                "good_or_better": 1,
                                "findings": 4,
                                "good_share": 25.0,
                                "change": -13.9,
                                "direction": "worse",
                            }
                        ],
                    }
                ],
            }
        ],
        "views": {"of_cases": 3, "child_heard": 1, "family_heard": 2},
        "actions": {
            "by_agency": [
                {"agency": "Health", "raised": 2, "completed": 1, "verified": 0, "overdue": 0},
                {"agency": "Police", "raised": 9, "completed": 4, "verified": 3, "overdue": 1},
            ],
            "totals": {"raised": 11, "completed": 5, "verified": 3, "overdue": 1},
        },
        "benchmark_actions": [
            {
                "audit": "MACFA 14",
                "reaudit": "MACFA 31",
                "raised": 2,
                "verified_before_reaudit": 1,
                "verified": [{"description": "Embed the neglect toolkit.", "agency": "Police"}],
            }
        ],
        "concerns": {
            "raised": 4,
            "acknowledged": 3,
            "acknowledged_within_one_working_day": 2,
            "awaiting_acknowledgement": 1,
            "median_hours_to_acknowledge": 67.0,
            "longest_hours_to_acknowledge": 98.0,
        },
        "assurance": {"level": "limited", "total": 27, "good_or_better": 3, "inadequate": 4},
    }


def leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every value with its path: list items as "*", and so are the labels of the by-circumstance tables."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{path}.{'*' if path.endswith(LABELLED) else key}".lstrip("."))
    elif isinstance(node, list):
        for item in node:
            yield from leaves(item, f"{path}.*" if isinstance(item, dict) else path)
    else:
        yield path, node


def counts(content: dict[str, Any]) -> Iterator[tuple[str, int]]:
    for path, value in leaves(content):
        if isinstance(value, int) and not isinstance(value, bool) and path not in NOT_COUNTS:
            yield path, value


def small_counts(content: dict[str, Any], under: str = "") -> list[tuple[str, int]]:
    return [(path, value) for path, value in counts(content) if path.startswith(under) and 0 < value < THRESHOLD]


@pytest.mark.parametrize("table", TABLES)
def test_a_sample_smaller_than_the_threshold_shows_no_small_count_in_the_table(table: str) -> None:
    # compiled() covers three cases: every figure then describes fewer children than the threshold.
    assert small_counts(compiled(), table), f"the fixture has no small count in {table}"
    assert small_counts(suppress_content(compiled(), THRESHOLD), table) == []


def test_a_sample_smaller_than_the_threshold_shows_no_small_count_anywhere() -> None:
    assert small_counts(suppress_content(compiled(), THRESHOLD)) == []


def test_every_count_belongs_to_a_listed_table() -> None:
    assert {path for path, _ in leaves(compiled())} >= NOT_COUNTS, "an exemption names a path no longer there"
    unlisted = {path for path, _ in counts(compiled()) if not path.startswith(tuple(TABLES))}
    assert unlisted == set()


@pytest.mark.parametrize("figure", DERIVED)
def test_a_figure_worked_out_from_small_counts_is_withheld(figure: str) -> None:
    assert [value for path, value in leaves(compiled()) if path == figure] != [None]
    assert {value for path, value in leaves(suppress_content(compiled(), THRESHOLD)) if path == figure} == {None}


def test_a_share_is_published_when_its_counts_are() -> None:
    # 11 of 19 good or better: both parts are 5 or more.
    assert suppress_content(content(4, 6), 5)["themes"][0]["trend"][0]["good_share"] == 57.9


def test_a_lone_small_agency_figure_takes_another_agency_with_it() -> None:
    # The agencies' actions add up to the published total: 52 - 20 - 30 would give the hidden 2 back.
    data = compiled()
    data["actions"] = {
        "by_agency": [
            {"agency": "Health", "raised": 2, "completed": 0, "verified": 0, "overdue": 0},
            {"agency": "Police", "raised": 20, "completed": 6, "verified": 5, "overdue": 7},
            {"agency": "Schools", "raised": 30, "completed": 10, "verified": 10, "overdue": 0},
        ],
        "totals": {"raised": 52, "completed": 16, "verified": 15, "overdue": 7},
    }
    assert suppress_content(data, THRESHOLD)["actions"] == {
        "by_agency": [
            {"agency": "Health", "raised": None, "completed": 0, "verified": 0, "overdue": 0},
            {"agency": "Police", "raised": None, "completed": 6, "verified": 5, "overdue": 7},
            {"agency": "Schools", "raised": 30, "completed": 10, "verified": 10, "overdue": 0},
        ],
        "totals": {"raised": 52, "completed": 16, "verified": 15, "overdue": 7},
    }


def test_the_actions_verified_before_a_reaudit_are_listed_only_when_their_count_is_published() -> None:
    # A list of one action would say "1" as plainly as the count it stands beside.
    data = compiled()
    assert suppress_content(data, THRESHOLD)["benchmark_actions"][0]["verified"] == []
    assert suppress_content(data, 1)["benchmark_actions"][0]["verified"] == data["benchmark_actions"][0]["verified"]


# Over a whole sample (enough cases), the tables that describe children still show no small count; the practice
# tables show theirs.
CHILD_TABLES = [
    "themes.*.by_agency",
    "themes.*.by_sector",
    "themes.*.by_age_band",
    "themes.*.by_level_of_need",
    "themes.*.by_plan_type",
    "views.child_heard",
    "views.family_heard",
    "concerns",
]


def whole_sample() -> dict[str, Any]:
    data = compiled()
    data["scope"]["cases"] = data["views"]["of_cases"] = 12
    data["themes"][0]["evidence"] = {
        "evident_in": 9,
        "of_cases": 12,
        "statement": "Good practice on neglect was evident in 9 of the 12 cases.",
    }
    return data


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_over_a_whole_sample_no_small_count_of_children_survives(table: str) -> None:
    assert small_counts(whole_sample(), table), f"the fixture has no small count in {table}"
    assert small_counts(suppress_content(whole_sample(), THRESHOLD), table) == []


def test_actions_by_agency_describe_practice_and_are_published_exactly() -> None:
    # An agency's actions are its own work, not children: the briefing prints them all, and its footnote
    # (printed only under tables that hold a [c]) is not under this one.
    out = suppress_content(whole_sample(), THRESHOLD)
    assert out["actions"] == whole_sample()["actions"]
    assert out["any_hidden"]["actions"] is False
    assert out["benchmark_actions"] == whole_sample()["benchmark_actions"]


def test_nothing_is_marked_when_nothing_is_hidden() -> None:
    data = whole_sample()
    out = suppress_content(data, 1)
    assert out["any_hidden"] == dict.fromkeys(out["any_hidden"], False)
    assert not any(out["themes"][0]["any_hidden"].values())
    assert out["themes"][0]["evidence"]["statement"] == "Good practice on neglect was evident in nine of the 12 cases."


@pytest.mark.django_db
def test_the_early_help_briefing_says_the_childs_voice_was_evident_in_four_of_the_six_cases() -> None:
    # The demo's MACFA 30: six cases, the child's voice evident in four; the partnership's threshold is 5.
    from django.core.management import call_command

    from audits.demo.summaries import EARLY_HELP_TITLE
    from audits.models import LearningSummary

    call_command("load_demo", stdout=io.StringIO())
    summary = LearningSummary.objects.get(title=EARLY_HELP_TITLE)
    assert summary.partnership.suppression_threshold == 5
    published = suppress_content(summary.content, summary.partnership.suppression_threshold)
    voice = next(theme for theme in published["themes"] if theme["slug"] == "voice-of-the-child")
    assert voice["evidence"]["statement"] == "The child's voice was evident in four of the six cases."


@pytest.mark.django_db
def test_a_real_compile_has_the_fixtures_shape_and_publishes_no_small_count() -> None:
    real = compile_content(Known().summary)
    assert {path for path, _ in leaves(real)} == {path for path, _ in leaves(compiled())}
    assert small_counts(suppress_content(real, THRESHOLD)) == []


def test_hidden_totals_are_not_given_away_by_hidden_cells_being_at_least_one() -> None:
    # The outside tester's finding: theme totals "[c] 13 [c] [c]" over 20 findings leave 7 for three hidden totals,
    # and the agencies' rows have exactly seven hidden cells in those columns, all 1s: each is pinned to 1.
    from tests.audits.test_disclosure_properties import pinned_by_bounds

    agencies = [
        ("Police", {"outstanding": 1, "good": 5, "requires_improvement": 1, "inadequate": 0}),
        ("Health", {"outstanding": 1, "good": 8, "requires_improvement": 1, "inadequate": 1}),
        ("School", {"outstanding": 0, "good": 0, "requires_improvement": 1, "inadequate": 1}),
    ]
    rows = []
    for name, grades in agencies:
        findings = sum(grades.values())
        strengths = grades["outstanding"] + grades["good"]
        kinds = {"strength": strengths, "area_for_improvement": findings - strengths}
        rows.append({"agency": name, "sector": name, "grades": grades, "kinds": kinds})
    data = content(4, 6)
    theme_in = data["themes"][0]
    grades = {g: sum(row["grades"][g] for row in rows) for g in rows[0]["grades"]}
    theme_in.update(
        grades=grades,
        kinds={k: sum(row["kinds"][k] for row in rows) for k in ("strength", "area_for_improvement")},
        by_agency=rows,
        by_sector=[{"sector": r["agency"], "grades": r["grades"], "kinds": r["kinds"]} for r in rows],
        by_age_band={},
        trend=[],
    )
    findings = sum(grades.values())
    data["scope"]["agreed_findings"] = findings
    data["assurance"] = {
        "level": "limited",
        "total": findings,
        "good_or_better": grades["outstanding"] + grades["good"],
        "inadequate": grades["inadequate"],
    }
    published = suppress_content(data, 5)
    assert pinned_by_bounds(data, published) == []


@pytest.mark.django_db
def test_no_hidden_figure_of_the_demo_summaries_can_be_pinned() -> None:
    from django.core.management import call_command

    from audits.demo.summaries import EARLY_HELP_TITLE, NEGLECT_TITLE
    from audits.models import LearningSummary
    from tests.audits.test_disclosure_properties import pinned_by_bounds, theme_sums

    call_command("load_demo", stdout=io.StringIO())
    for title in (EARLY_HELP_TITLE, NEGLECT_TITLE):
        summary = LearningSummary.objects.get(title=title)
        published = suppress_content(summary.content, summary.partnership.suppression_threshold)
        assert pinned_by_bounds(summary.content, published, theme_sums(summary.content)) == [], title
        assert published["any_hidden"]["themes"], title
    early = suppress_content(LearningSummary.objects.get(title=EARLY_HELP_TITLE).content, 5)
    voice = next(theme for theme in early["themes"] if theme["slug"] == "voice-of-the-child")
    assert voice["evidence"]["statement"] == "The child's voice was evident in four of the six cases."
