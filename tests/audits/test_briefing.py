"""Each briefing file, read back, says what the summary says and prints no figure that the disclosure rule hides.

The fixture's figures hide a lone "1 outstanding" and, with it, the next smallest count (17 good), so that neither
can be worked back from the total; each format must print [c] where those cells are and never 1 or 17 there.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import time_machine
from django.template.loader import render_to_string
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from pypdf import PdfReader

from audits.choices import ActionStatus, SummaryStatus
from audits.models import ActionUpdate, LearningSummary
from audits.summaries.briefing import RENDERERS, Briefing, render_csv, render_docx, render_json, render_pdf, render_xlsx
from audits.summaries.briefing.pdf import offline_fetcher
from audits.summaries.export import summary_export
from audits.summaries.suppression import shown
from tests.agencies.factories import AgencyFactory, UserFactory
from tests.audits.factories import ActionFactory, AuditFactory, LearningSummaryFactory
from tests.audits.test_suppression import compiled

pytestmark = pytest.mark.django_db
KEY_MESSAGES = "Listen to children and record what they say.\nChallenge professional over-optimism."
STRENGTHS = "- Children were seen alone and their words recorded.\n- Chronologies were shared before strategy meetings."
AREAS = "• Escalate when a plan drifts.\n\nRecord the fathers' and partners' roles."
SCREENSHOTS = Path("/tmp/macfa-screenshots")
TODAY = datetime.date(2019, 9, 2)


def figures() -> dict[str, Any]:
    """Neglect in MACFA 31 against MACFA 14 over three cases: 1 outstanding, 2 good and 4 inadequate are hidden."""
    return compiled()


def two_themes() -> dict[str, Any]:
    """The same figures under a second theme too, for the working view's layout over several pages."""
    data = compiled()
    voice = json.loads(json.dumps(data["themes"][0]))
    voice.update(slug="voice-of-the-child", name="Voice of the child")
    data["themes"].insert(0, voice)
    return data


HIDDEN_GRADES = ["1", "2", "4"]  # outstanding, good, inadequate of the neglect theme


def published_grades(briefing: Briefing) -> list[str]:
    """The neglect theme's grades as the disclosure rule publishes them: [c] where hidden."""
    return [shown(value) for value in briefing.content["themes"][0]["grades"].values()]


def briefing_summary(briefing: Briefing) -> LearningSummary:
    return LearningSummary.objects.get(title=briefing.title)


@pytest.fixture
def summary() -> LearningSummary:
    return LearningSummaryFactory(
        title="Neglect",
        status=SummaryStatus.APPROVED,
        key_messages=KEY_MESSAGES,
        strengths=STRENGTHS,
        areas_for_improvement=AREAS,
        assurance_level="limited",
        content=figures(),
    )


@pytest.fixture
def briefing(summary: LearningSummary) -> Briefing:
    return Briefing.of(summary)


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def grade_row(text: str) -> list[str]:
    """The cells after the first "All agencies" of the neglect grade table."""
    section = text.split("Neglect: agreed findings by grade")[1]
    return section.split("All agencies", 1)[1].split()[:4]


# --- PDF ---------------------------------------------------------------------------------------------------------


def test_pdf_says_the_key_messages_and_the_auditors_points_not_case_narratives(briefing: Briefing) -> None:
    text = "\n".join(pdf_text(render_pdf(briefing)))
    assert "Learning and Improvement Briefing: Neglect" in text
    for point in (
        "Listen to children and record what they say.",
        "Limited assurance",
        "What good looks like",
        "Children were seen alone and their words recorded.",
        "What must improve",
        "Record the fathers' and partners' roles.",
        "Of the [c] actions agreed after MACFA 14, [c] were verified as done before MACFA 31 began.",
    ):
        assert point in text.replace("\n", " "), point
    # The compiled quotes are case narratives: they never leave the service.
    assert "Neglect was recognised early." not in text and "Drift." not in text


def test_pdf_prints_c_where_a_figure_is_hidden_and_never_the_figure(briefing: Briefing) -> None:
    text = "\n".join(pdf_text(render_pdf(briefing)))
    assert grade_row(text) == published_grades(briefing)
    assert "[c]" in grade_row(text)
    assert "MACFA 31 against MACFA 14 [c] [c] [c] [c]" in text  # the shares would give the hidden counts back
    assert "11.1%" not in text and "25.0%" not in text and "(3 of 27)" not in text
    assert "Good practice on neglect was evident in [c] of the [c] cases." in text
    assert "All agencies 11 5 [c] [c]" in text  # the actions' totals
    assert "raised during the audits: [c]." in text
    assert "[c] marks a figure withheld to protect children's confidentiality" in text.replace("\n", " ")


def test_pdf_is_tagged_with_its_language_and_title(briefing: Briefing) -> None:
    # The working view's figures, so that its charts are drawn and tagged too (the rendering is the same).
    reader = PdfReader(io.BytesIO(render_pdf(Briefing.of(briefing_summary(briefing), exact=True))))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # a reader shows the title, not the file name
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata is not None and reader.metadata.title == "Learning and Improvement Briefing: Neglect"
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp  # declared PDF/UA-1
    roles = _structure_roles(catalog["/StructTreeRoot"])
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/Caption", "/Figure"} <= roles


def _structure_roles(node: Any, seen: set[str] | None = None) -> set[str]:
    seen = set() if seen is None else seen
    node = node.get_object()
    if isinstance(node, dict):
        if "/S" in node:
            seen.add(str(node["/S"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            _structure_roles(kid, seen)
    elif isinstance(node, list):
        for kid in node:
            _structure_roles(kid, seen)
    return seen


HEADINGS = {
    "Key messages",
    "Assurance",
    "Voice of the child",
    "Neglect",
    "How findings were graded",
    "Compared with earlier audits",
    "Actions by agency",
    "Immediate safeguarding concerns",
    "What good looks like",
    "What must improve",
}
FOOTER = re.compile(r"^(Learning and Improvement Briefing|Page \d+ of \d+)$")


def test_no_page_ends_with_a_heading(summary: LearningSummary) -> None:
    # Two themes, exact figures: a longer document than the export, so that headings meet page ends.
    LearningSummary.objects.filter(pk=summary.pk).update(content=two_themes())
    summary.refresh_from_db()
    data = render_pdf(Briefing.of(summary, exact=True))
    pages = pdf_text(data)
    assert len(pages) >= 3
    for number, page in enumerate(pages[:-1], start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip() and not FOOTER.match(line.strip())]
        assert lines[-1] not in HEADINGS, f"page {number} ends with the heading {lines[-1]!r}"
    screenshots(data, "briefing-working-view")


def test_pdf_pages_are_saved_as_screenshots(briefing: Briefing) -> None:
    pages = screenshots(render_pdf(briefing), "briefing-export")
    assert pages and all(page.stat().st_size > 10_000 for page in pages)


def screenshots(data: bytes, name: str) -> list[Path]:
    """Each page as a PNG in /tmp/macfa-screenshots/, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(data)
    paths = []
    for index in range(len(document)):
        path = SCREENSHOTS / f"{name}-page-{index + 1}.png"
        document[index].render(scale=1.3).to_pil().save(path)
        paths.append(path)
    return paths


def test_the_pdf_fetches_nothing_from_the_network() -> None:
    fetcher = offline_fetcher()
    for address in ("http://example.invalid/logo.png", "https://example.invalid/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(address)


# --- the page's partial, which the PDF shares ------------------------------------------------------------------


def test_document_partial_has_captioned_tables_with_header_scopes_and_no_inline_style(briefing: Briefing) -> None:
    html = render_to_string("audits/_summary_document.html", {"document": briefing})
    assert "style=" not in html and "<style" not in html and "<script" not in html
    assert html.count('class="macfa-table-wrap ') == html.count("<table")
    assert html.count("<caption") == html.count("<table")
    assert 'scope="col"' in html and 'scope="row"' in html
    assert re.findall(r"<h(\d)", html)[0] == "2" and "<h1" not in html
    # Every chart is a figure with a text alternative; one whose every figure is hidden is left out (its table
    # says [c]).
    assert html.count('role="img"') == html.count("<figure")


def test_exact_working_view_shows_the_exact_figures(summary: LearningSummary) -> None:
    html = render_to_string("audits/_summary_document.html", {"document": Briefing.of(summary, exact=True)})
    assert "[c]</td>" not in html and "[c]</text>" not in html
    row = re.search(r"All agencies</th>((?:<td[^>]*>[^<]*</td>){4})", html)
    assert row is not None and re.findall(r">(\d+)<", row.group(1)) == ["1", "2", "20", "4"]


# --- Word ----------------------------------------------------------------------------------------------------------


def test_docx_has_the_sections_and_c_for_hidden_figures(briefing: Briefing) -> None:
    document = Document(io.BytesIO(render_docx(briefing)))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "Listen to children and record what they say." in paragraphs
    assert "Children were seen alone and their words recorded." in paragraphs
    assert "Escalate when a plan drifts." in paragraphs
    assert "Neglect was recognised early." not in paragraphs
    assert {"Key messages", "Assurance", "Neglect", "What good looks like", "What must improve"} <= set(headings)
    grades = next(t for t in document.tables if t.rows[0].cells[1].text == "Outstanding")
    voice = [cell.text for cell in grades.rows[1].cells]
    assert voice == ["All agencies", *published_grades(briefing)]
    assert grades.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # announced and repeated as the header row


# --- Excel ---------------------------------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2019, 9, 2, 12, tzinfo=datetime.UTC))
def test_workbook_has_the_action_plan_by_agency_with_dates_and_the_latest_update(summary: LearningSummary) -> None:
    audit = AuditFactory(partnership=summary.partnership, reference="MACFA 31")
    other_partnership_audit = AuditFactory(reference="MACFA 99")
    police, health = AgencyFactory(name="Police"), AgencyFactory(name="Health trust")
    late = ActionFactory(
        audit=audit,
        owner_agency=police,
        description="Audit strategy meetings.",
        due_date=TODAY - datetime.timedelta(days=30),
    )
    ActionFactory(
        audit=audit,
        owner_agency=health,
        description="Refresh supervision guidance.",
        due_date=TODAY + datetime.timedelta(days=30),
        status=ActionStatus.IN_PROGRESS,
    )
    ActionFactory(audit=other_partnership_audit, owner_agency=police, description="Not this partnership's.")
    ActionUpdate.objects.create(action=late, author=UserFactory(), note="Training booked for October.")
    summary.content = {
        **summary.content,
        "scope": {
            **summary.content["scope"],
            "audits": [
                {"id": audit.pk, "reference": "MACFA 31", "title": "Neglect"},
                {"id": other_partnership_audit.pk, "reference": "MACFA 99", "title": "Neglect"},
            ],
        },
    }
    workbook = load_workbook(io.BytesIO(render_xlsx(Briefing.of(summary))))

    assert workbook.sheetnames == ["Action plan", "Grades by theme", "Trend", "Actions by agency", "Evidence"]
    plan = workbook["Action plan"]
    assert plan.freeze_panes == "A2" and all(cell.font.bold for cell in plan[1])
    rows = [[cell.value for cell in row] for row in plan.iter_rows(min_row=2)]
    assert rows == [
        [
            "MACFA 31",
            "Health trust",
            "Refresh supervision guidance.",
            datetime.datetime(2019, 10, 2),
            "In progress",
            "no",
            None,
            None,
        ],
        [
            "MACFA 31",
            "Police",
            "Audit strategy meetings.",
            datetime.datetime(2019, 8, 3),
            "Open",
            "yes",
            datetime.datetime(2019, 9, 2),
            "Note added",  # never the note itself: it may hold case detail
        ],
    ]
    assert plan.column_dimensions["C"].width >= 40


def test_workbook_tables_print_c_and_the_note(briefing: Briefing) -> None:
    workbook = load_workbook(io.BytesIO(render_xlsx(briefing)))
    grades = workbook["Grades by theme"]
    assert [c.value for c in grades[1]] == [
        "Theme",
        "Agency",
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    assert [c.value for c in grades[2]] == [
        "Neglect",
        "All agencies",
        *(int(v) if v.isdigit() else v for v in published_grades(briefing)),
    ]
    assert grades.freeze_panes == "A2" and grades["A1"].font.bold
    values = [cell.value for row in grades.iter_rows() for cell in row]
    assert any(isinstance(v, str) and v.startswith("[c] marks a figure withheld") for v in values)
    for sheet in workbook.worksheets[1:]:
        numbers = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, int)]
        assert all(n == 0 or n >= 5 for n in numbers), (sheet.title, numbers)


# --- CSV and JSON --------------------------------------------------------------------------------------------------


def test_csv_flags_suppressed_figures_leaves_them_empty_and_ends_with_the_note(briefing: Briefing) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(briefing).decode())))
    outstanding = next(r for r in rows if r["breakdown"] == "all" and r["measure"] == "grade: outstanding")
    assert outstanding == {
        "theme": "Neglect",
        "breakdown": "all",
        "group": "all",
        "measure": "grade: outstanding",
        "value": "",
        "suppressed": "yes",
    }
    assert rows[-1]["breakdown"] == "note" and rows[-1]["measure"].startswith("[c] marks a figure withheld")
    for row in rows[:-1]:
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


def test_json_has_no_small_count_and_no_case_narrative(briefing: Briefing) -> None:
    document = json.loads(render_json(briefing))
    assert document["key_messages"] == [
        "Listen to children and record what they say.",
        "Challenge professional over-optimism.",
    ]
    assert document["strengths"][0] == "Children were seen alone and their words recorded."
    assert document["suppression"]["mark"] == "[c]"
    not_counts = {".version", ".scope.audits.id", ".scope.themes.id"}
    small = [(path, n) for path, n in counts(document["figures"]) if 0 < n < 5 and path not in not_counts]
    assert small == [], small
    assert all("quotes" not in theme for theme in document["figures"]["themes"])


# --- the export --------------------------------------------------------------------------------------------------


def test_export_keeps_one_file_per_format_and_replaces_them(summary: LearningSummary) -> None:
    assert summary_export(summary_id=summary.pk) is True
    first = {e.format: e.file.name for e in summary.exports.all()}
    assert set(first) == set(RENDERERS) == {"pdf", "docx", "xlsx", "csv", "json"}
    assert summary_export(summary_id=summary.pk) is True
    assert summary.exports.count() == 5
    summary.refresh_from_db()
    assert summary.exported_at is not None


def test_nothing_is_exported_before_approval(summary: LearningSummary) -> None:
    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.IN_REVIEW)
    assert summary_export(summary_id=summary.pk) is False
    assert not summary.exports.exists()
