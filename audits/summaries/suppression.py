"""Small-number suppression for anything that leaves the service, the way official statistics do it.

A count from 1 to threshold - 1 is replaced by None (shown as "fewer than N"). Where a row of counts has a
total beside it and only one cell was suppressed, the next smallest non-zero cell is suppressed too, so the
hidden one cannot be worked back from the total (secondary suppression). Zeros are kept: they reveal nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONCERN_COUNTS = ("raised", "acknowledged", "acknowledged_within_one_working_day", "awaiting_acknowledgement")


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


def _suppress_statement(evidence: dict[str, Any], threshold: int) -> dict[str, Any]:
    """ "Evident in 5 of 6 cases" would reveal the one case where it was not: both parts are suppressed as a row."""
    evident, of_cases = evidence["evident_in"], evidence["of_cases"]
    row = suppress_row({"evident": evident, "not_evident": of_cases - evident}, threshold)
    total = suppress_cell(of_cases, threshold)
    if row["evident"] is None or total is None:
        subject = evidence["statement"].split(" was evident in ")[0]
        return {"evident_in": None, "of_cases": total, "statement": f"{subject}: too few cases to publish the figure."}
    return {"evident_in": evident, "of_cases": of_cases, "statement": evidence["statement"]}


def suppress_content(content: dict[str, Any], threshold: int) -> dict[str, Any]:
    """The compiled content as it may leave the service: every small count hidden, with secondary suppression."""
    if not content:
        return content

    def cells(mapping: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: suppress_cell(value, threshold) if isinstance(value, int) else value for key, value in mapping.items()
        }

    themes = []
    for theme in content.get("themes", []):
        self_vs_panel = theme["self_vs_panel"]
        split = {key: value for key, value in self_vs_panel.items() if key != "with_self_grade"}
        themes.append(
            {
                **theme,
                "grades": suppress_row(theme["grades"], threshold),
                "kinds": suppress_row(theme["kinds"], threshold),
                "by_agency": [
                    {
                        **row,
                        "grades": suppress_row(row["grades"], threshold),
                        "kinds": suppress_row(row["kinds"], threshold),
                    }
                    for row in theme["by_agency"]
                ],
                "by_sector": [
                    {
                        **row,
                        "grades": suppress_row(row["grades"], threshold),
                        "kinds": suppress_row(row["kinds"], threshold),
                    }
                    for row in theme["by_sector"]
                ],
                **{
                    key: {label: suppress_row(grades, threshold) for label, grades in theme[key].items()}
                    for key in ("by_age_band", "by_level_of_need", "by_plan_type")
                },
                "self_vs_panel": {
                    "with_self_grade": suppress_cell(self_vs_panel["with_self_grade"], threshold),
                    **suppress_row(split, threshold),
                },
                "evidence": _suppress_statement(theme["evidence"], threshold),
                "trend": [
                    {
                        **cells(entry),
                        "good_share": entry["good_share"] if entry["findings"] >= threshold else None,
                        "benchmarks": [
                            {
                                **cells(b),
                                "good_share": b["good_share"] if b["findings"] >= threshold else None,
                                "change": b["change"] if min(b["findings"], entry["findings"]) >= threshold else None,
                            }
                            for b in entry["benchmarks"]
                        ],
                    }
                    for entry in theme["trend"]
                ],
            }
        )
    concerns = content.get("concerns", {})
    return {
        **content,
        "scope": {**content["scope"], **cells({k: content["scope"][k] for k in ("cases", "agreed_findings")})},
        "themes": themes,
        "views": cells(content.get("views", {})),
        "concerns": {
            **cells({k: v for k, v in concerns.items() if k in CONCERN_COUNTS}),
            "median_hours_to_acknowledge": concerns.get("median_hours_to_acknowledge")
            if (concerns.get("acknowledged") or 0) >= threshold
            else None,
            "longest_hours_to_acknowledge": concerns.get("longest_hours_to_acknowledge")
            if (concerns.get("acknowledged") or 0) >= threshold
            else None,
        },
        "assurance": {**content["assurance"], **cells({k: v for k, v in content["assurance"].items() if k != "level"})},
        "suppression_threshold": threshold,
    }
