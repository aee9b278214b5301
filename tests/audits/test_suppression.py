from __future__ import annotations

from audits.summaries.suppression import suppress_cell, suppress_content, suppress_row


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


def test_published_content_hides_every_small_figure() -> None:
    out = suppress_content(content(4, 6), 5)
    theme_out = out["themes"][0]
    # The lone 1 takes the next smallest (8) with it; the zero stays.
    assert theme_out["grades"] == {"outstanding": None, "good": 10, "requires_improvement": None, "inadequate": 0}
    assert theme_out["by_agency"][0]["kinds"] == {"strength": None, "area_for_improvement": None}
    assert theme_out["self_vs_panel"] == {
        "with_self_grade": 19,
        "panel_agreed": 15,
        "panel_raised": None,
        "panel_lowered": None,
    }
    assert theme_out["evidence"]["evident_in"] is None
    assert "4" not in theme_out["evidence"]["statement"]
    assert theme_out["trend"][0]["benchmarks"][0]["good_share"] is None  # 4 findings in the benchmark
    assert out["views"] == {"of_cases": 6, "child_heard": None, "family_heard": None}
    assert out["concerns"]["raised"] is None and out["concerns"]["median_hours_to_acknowledge"] is None
    assert out["suppression_threshold"] == 5


def test_evidence_that_would_reveal_the_few_cases_without_it_is_hidden() -> None:
    # "Evident in 14 of 16" would reveal the 2 cases where it was not.
    assert suppress_content(content(14, 16), 5)["themes"][0]["evidence"]["evident_in"] is None
    shown = suppress_content(content(10, 16), 5)["themes"][0]["evidence"]
    assert shown == {
        "evident_in": 10,
        "of_cases": 16,
        "statement": "The child's voice was evident in 10 of the 16 cases.",
    }
