"""Small-number suppression for anything that leaves the service, the way official statistics do it.

A count from 1 to threshold - 1 is replaced by None (shown as "fewer than N"). Where a row of counts has a
total beside it and only one cell was suppressed, the next smallest non-zero cell is suppressed too, so the
hidden one cannot be worked back from the total (secondary suppression). Zeros are kept: they reveal nobody.

suppress_content covers every table of a compiled summary (compile.compile_content):
- scope: the cases and agreed findings;
- each theme's grades and kinds, in total and by agency, sector, age band, level of need and plan type (rows);
- each theme's self-grades against panel grades (the split is a row beside the number self-graded);
- each theme's evidence statement, and each trend entry and benchmark: a share or change is published only
  when the counts it is worked out from are;
- views, concerns (the hours to acknowledge only when enough were acknowledged) and the assurance counts;
- actions by agency: each measure's agency figures add up to the published total, so they are a row down the
  column; and the actions verified before each re-audit, listed only when their count is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONCERN_COUNTS = ("raised", "acknowledged", "acknowledged_within_one_working_day", "awaiting_acknowledgement")
CONCERN_HOURS = ("median_hours_to_acknowledge", "longest_hours_to_acknowledge")
ACTION_COUNTS = ("raised", "completed", "verified", "overdue")
BREAKDOWNS = ("by_age_band", "by_level_of_need", "by_plan_type")
# How a hidden figure is printed, as UK official statistics mark confidential cells.
SUPPRESSED_MARK = "[c]"


def shown(value: object) -> str:
    """A figure as printed in anything that leaves the service: a hidden one is marked, never a number or a bound."""
    return SUPPRESSED_MARK if value is None else str(value)


def suppression_note(threshold: int) -> str:
    """The footnote under every table that can hold a hidden figure."""
    return (
        f"{SUPPRESSED_MARK} marks a figure withheld to protect children's confidentiality: counts of children below "
        f"{threshold}, and any figure from which one could be worked out. See the partnership's disclosure rule."
    )


def suppress_cell(value: int, threshold: int) -> int | None:
    return None if 0 < value < threshold else value


def suppress_row(row: Mapping[str, int], threshold: int) -> dict[str, int | None]:
    """Suppress a row of counts that sum to a published total."""
    result: dict[str, int | None] = {key: suppress_cell(value, threshold) for key, value in row.items()}
    hidden = [key for key, value in result.items() if value is None]
    if len(hidden) == 1:
        candidates = sorted((value, key) for key, value in row.items() if key not in hidden and value > 0)
        if candidates:
            result[candidates[0][1]] = None
    return result


def _cells(mapping: Mapping[str, Any], threshold: int) -> dict[str, Any]:
    """Each whole number on its own; anything else (names, labels, shares) as it is."""
    return {
        key: suppress_cell(value, threshold) if isinstance(value, int) and not isinstance(value, bool) else value
        for key, value in mapping.items()
    }


def _suppress_statement(evidence: dict[str, Any], threshold: int) -> dict[str, Any]:
    """ "Evident in 5 of 6 cases" would reveal the one case where it was not: both parts are suppressed as a row."""
    evident, of_cases = evidence["evident_in"], evidence["of_cases"]
    row = suppress_row({"evident": evident, "not_evident": of_cases - evident}, threshold)
    total = suppress_cell(of_cases, threshold)
    if row["evident"] is None or total is None:
        subject = evidence["statement"].split(" was evident in ")[0]
        return {"evident_in": None, "of_cases": total, "statement": f"{subject}: too few cases to publish the figure."}
    return {"evident_in": evident, "of_cases": of_cases, "statement": evidence["statement"]}


def _suppress_share(counts: dict[str, Any], threshold: int) -> dict[str, Any]:
    """A trend entry or benchmark: its share of good or better would give a hidden count back, so it follows them."""
    result = _cells(counts, threshold)
    published = result["good_or_better"] is not None and result["findings"] is not None
    return {**result, "good_share": counts["good_share"] if published else None}


def _suppress_trend(entry: dict[str, Any], threshold: int) -> dict[str, Any]:
    result = _suppress_share({key: value for key, value in entry.items() if key != "benchmarks"}, threshold)
    benchmarks = []
    for benchmark in entry["benchmarks"]:
        shown = _suppress_share(benchmark, threshold)
        both = shown["good_share"] is not None and result["good_share"] is not None
        benchmarks.append({**shown, "change": benchmark["change"] if both else None})
    return {**result, "benchmarks": benchmarks}


def _suppress_findings(row: dict[str, Any], threshold: int) -> dict[str, Any]:
    """A theme, agency or sector: its grades and its kinds are each a row beside its number of findings."""
    return {**row, "grades": suppress_row(row["grades"], threshold), "kinds": suppress_row(row["kinds"], threshold)}


def _suppress_theme(theme: dict[str, Any], threshold: int) -> dict[str, Any]:
    self_vs_panel = theme["self_vs_panel"]
    split = {key: value for key, value in self_vs_panel.items() if key != "with_self_grade"}
    return {
        **_suppress_findings(theme, threshold),
        "by_agency": [_suppress_findings(row, threshold) for row in theme["by_agency"]],
        "by_sector": [_suppress_findings(row, threshold) for row in theme["by_sector"]],
        **{key: {label: suppress_row(grades, threshold) for label, grades in theme[key].items()} for key in BREAKDOWNS},
        "self_vs_panel": {
            "with_self_grade": suppress_cell(self_vs_panel["with_self_grade"], threshold),
            **suppress_row(split, threshold),
        },
        "evidence": _suppress_statement(theme["evidence"], threshold),
        "trend": [_suppress_trend(entry, threshold) for entry in theme["trend"]],
    }


def _suppress_actions(actions: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The agencies' figures for a measure add up to its total, so each measure is a row down the agencies.

    (An agency's own figures are not parts of a whole: completed, verified and overdue are among those raised.)
    """
    rows = actions.get("by_agency", [])
    columns = {
        measure: suppress_row({row["agency"]: row[measure] for row in rows}, threshold) for measure in ACTION_COUNTS
    }
    return {
        "by_agency": [
            {**row, **{measure: columns[measure][row["agency"]] for measure in ACTION_COUNTS}} for row in rows
        ],
        "totals": _cells(actions.get("totals", {}), threshold),
    }


def _suppress_benchmark_actions(entry: dict[str, Any], threshold: int) -> dict[str, Any]:
    # The list of verified actions is as long as their count (up to the listed maximum), so it goes with it.
    result = _cells(entry, threshold)
    return {**result, "verified": entry["verified"] if result["verified_before_reaudit"] is not None else []}


def suppress_content(content: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The compiled content as it may leave the service: every small count hidden, with secondary suppression."""
    if not content:
        return content
    concerns = content.get("concerns", {})
    enough_acknowledged = (concerns.get("acknowledged") or 0) >= threshold
    return {
        **content,
        "scope": {
            **content["scope"],
            **_cells({key: content["scope"][key] for key in ("cases", "agreed_findings")}, threshold),
        },
        "themes": [_suppress_theme(theme, threshold) for theme in content.get("themes", [])],
        "views": _cells(content.get("views", {}), threshold),
        "actions": _suppress_actions(content.get("actions", {}), threshold),
        "benchmark_actions": [
            _suppress_benchmark_actions(entry, threshold) for entry in content.get("benchmark_actions", [])
        ],
        "concerns": {
            **_cells({key: value for key, value in concerns.items() if key in CONCERN_COUNTS}, threshold),
            **{key: concerns.get(key) if enough_acknowledged else None for key in CONCERN_HOURS},
        },
        "assurance": {
            **content["assurance"],
            **_cells({key: value for key, value in content["assurance"].items() if key != "level"}, threshold),
        },
        "suppression_threshold": threshold,
    }
