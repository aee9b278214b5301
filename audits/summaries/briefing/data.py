"""The briefing's data files: CSV (one row a published figure) and JSON (the suppressed content).

A hidden figure is present, empty (CSV) or null (JSON), and flagged, so a data user can tell it from a zero.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from audits.summaries.briefing.content import Briefing

FIELDS = ["theme", "breakdown", "group", "measure", "value", "suppressed"]


def data_rows(briefing: Briefing) -> Iterator[dict[str, Any]]:
    """One row per published figure: suppressed figures are present, empty, and flagged."""
    for theme in briefing.themes():
        breakdowns: list[tuple[str, str, dict[str, Any]]] = [("all", "all", theme["grades"])]
        breakdowns += [("agency", row["agency"], row["grades"]) for row in theme["by_agency"]]
        breakdowns += [("sector", row["sector"], row["grades"]) for row in theme["by_sector"]]
        for key, name in (
            ("by_age_band", "age band"),
            ("by_level_of_need", "level of need"),
            ("by_plan_type", "plan type"),
        ):
            breakdowns += [(name, label, grades) for label, grades in theme[key].items()]
        for breakdown, group, grades in breakdowns:
            for grade, value in grades.items():
                yield _row(theme["name"], breakdown, group, f"grade: {grade}", value)
        evidence = theme["evidence"]
        for measure in ("evident_in", "of_cases"):
            yield _row(theme["name"], "evidence", "all", measure, evidence[measure])
    for row in briefing.action_rows():
        for measure in ("raised", "completed", "verified", "overdue"):
            yield _row("", "actions by agency", row["agency"], f"actions: {measure}", row[measure])


def _row(theme: str, breakdown: str, group: str, measure: str, value: Any) -> dict[str, Any]:
    return {
        "theme": theme,
        "breakdown": breakdown,
        "group": group,
        "measure": measure,
        "value": value,
        "suppressed": value is None,
    }


def render_csv(briefing: Briefing) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    for row in data_rows(briefing):
        writer.writerow(
            {
                **row,
                "value": "" if row["value"] is None else row["value"],
                "suppressed": "yes" if row["suppressed"] else "no",
            }
        )
    # The disclosure rule travels with the data: a last row whose measure is the note.
    writer.writerow(
        {"theme": "", "breakdown": "note", "group": "", "measure": briefing.note, "value": "", "suppressed": ""}
    )
    return buffer.getvalue().encode("utf-8")


def render_json(briefing: Briefing) -> bytes:
    document = {
        "title": briefing.title,
        "partnership": briefing.partnership,
        "assurance": briefing.assurance,
        "key_messages": briefing.key_messages,
        "strengths": briefing.strengths,
        "areas_for_improvement": briefing.areas_for_improvement,
        "suppression": {"threshold": briefing.threshold, "mark": briefing.mark, "note": briefing.note},
        "figures": briefing.content,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
