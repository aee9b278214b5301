"""The briefing files open, say the key messages, and contain no suppressed figure."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from audits.choices import SummaryStatus
from audits.models import LearningSummary
from audits.summaries.briefing import Briefing, render_csv, render_docx, render_json, render_pdf
from audits.summaries.export import summary_export
from tests.audits.factories import LearningSummaryFactory
from tests.audits.test_suppression import content

pytestmark = pytest.mark.django_db
KEY_MESSAGES = "Listen to children and record what they say.\nChallenge professional over-optimism."


@pytest.fixture
def summary() -> LearningSummary:
    # The figures of tests/audits/test_suppression.py: the lone "1 outstanding" must never be printed.
    data = content(4, 6)
    data["themes"][0]["grades"] = {"outstanding": 1, "good": 17, "requires_improvement": 23, "inadequate": 0}
    return LearningSummaryFactory(
        title="Voice of the child",
        status=SummaryStatus.APPROVED,
        key_messages=KEY_MESSAGES,
        assurance_level="limited",
        content=data,
    )


@pytest.fixture
def briefing(summary: LearningSummary) -> Briefing:
    return Briefing.of(summary)


def test_pdf_opens_with_the_key_messages_and_hides_small_counts(briefing: Briefing) -> None:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(briefing))).pages)
    assert "Learning and Improvement Briefing" in text
    assert "Listen to children and record what they say." in text
    assert "Limited assurance" in text
    # The grades table, one cell a line: the lone 1 is hidden, and so is the next smallest (17), so that
    # neither can be worked back from the total.
    figures = text.split("The figures")[1].split("Compared with earlier audits")[0].split()
    start = figures.index("child")
    assert figures[start + 1 : start + 5] == ["<5", "<5", "23", "0"]
    assert "17" not in figures and "1" not in figures


def test_docx_opens_with_the_key_messages_and_hides_small_counts(briefing: Briefing) -> None:
    document = Document(io.BytesIO(render_docx(briefing)))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Listen to children and record what they say." in paragraphs
    assert "Challenge professional over-optimism." in paragraphs
    grades = document.tables[0]
    header = [cell.text for cell in grades.rows[0].cells]
    voice = {header[i]: cell.text for i, cell in enumerate(grades.rows[1].cells)}
    assert voice["Outstanding"] == "<5" and voice["Good"] == "<5"
    assert voice["Requires improvement"] == "23" and voice["Inadequate"] == "0"
    assert len(document.inline_shapes) >= 1  # the grade chart


def test_csv_flags_suppressed_figures_and_leaves_them_empty(briefing: Briefing) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(briefing).decode())))
    outstanding = next(r for r in rows if r["breakdown"] == "all" and r["measure"] == "grade: outstanding")
    assert outstanding == {
        "theme": "Voice of the child",
        "breakdown": "all",
        "group": "all",
        "measure": "grade: outstanding",
        "value": "",
        "suppressed": "yes",
    }
    for row in rows:
        assert row["value"] == "" or int(row["value"]) == 0 or int(row["value"]) >= 5, row


def counts(node: Any, path: str = "") -> Iterator[tuple[str, int]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from counts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for item in node:
            yield from counts(item, path)
    elif isinstance(node, int) and not isinstance(node, bool):
        yield path, node


def test_json_has_no_small_count_anywhere(briefing: Briefing) -> None:
    document = json.loads(render_json(briefing))
    assert document["key_messages"] == [
        "Listen to children and record what they say.",
        "Challenge professional over-optimism.",
    ]
    small = [(path, n) for path, n in counts(document["figures"]) if 0 < n < 5 and not path.endswith(".threshold")]
    assert small == [("figures.suppression_threshold", 5)] or small == [], small


def test_export_keeps_one_file_per_format_and_replaces_them(summary: LearningSummary) -> None:
    assert summary_export(summary_id=summary.pk) is True
    first = {e.format: e.file.name for e in summary.exports.all()}
    assert set(first) == {"pdf", "docx", "csv", "json"}
    assert summary_export(summary_id=summary.pk) is True
    assert summary.exports.count() == 4
    summary.refresh_from_db()
    assert summary.exported_at is not None


def test_nothing_is_exported_before_approval(summary: LearningSummary) -> None:
    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.IN_REVIEW)
    assert summary_export(summary_id=summary.pk) is False
    assert not summary.exports.exists()
