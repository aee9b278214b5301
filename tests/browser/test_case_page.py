"""The auditor works through a case with the keyboard alone, on a laptop and on a phone: records and moderates
findings in the grid (one invalid cell keeps the rest), records a child's view and raises a concern."""

from __future__ import annotations

from typing import Any

import pytest

from audits.choices import FindingKind, Grade
from audits.models import Finding, SafeguardingConcern
from tests.audits.test_case_page import make_case, prefix, themes_of
from tests.conftest import Parties

pytestmark = pytest.mark.django_db(transaction=True)


def tab_to(page: Any, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element is focused, as a keyboard user would; fail if it is never reached."""
    for _ in range(limit):
        if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def agency_of(cell_prefix: str) -> int:
    return int(cell_prefix.split("-a")[1])


def save_findings(page: Any) -> None:
    tab_to(page, "#findings ~ form button[type=submit]")
    submit(page)


def submit(page: Any) -> None:
    """Enter on the focused button, and wait for the answer."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")


def test_auditor_works_through_a_case_by_keyboard(parties: Parties, visit: Any) -> None:
    case = make_case(parties)
    first, _second = themes_of(case)
    ours, theirs = prefix(first, parties.agency), prefix(first, parties.other_agency)
    if parties.other_agency.name < parties.agency.name:
        ours, theirs = theirs, ours  # the grid lists agencies by name; type into the first one first
    auditor = visit(parties.auditor)
    page = auditor.page
    auditor.go(f"/cases/{case.pk}/")
    auditor.look("case")

    # Skip link, then the "Findings" link on this page, then into the first cell.
    page.keyboard.press("Tab")
    tab_to(page, "a[href='#findings']")
    page.keyboard.press("Enter")
    tab_to(page, f"#id_{ours}-grade", limit=3)
    page.keyboard.type("I")  # Inadequate: moved from the self-grade Good, and no reason yet
    page.keyboard.press("Tab")
    page.keyboard.type("A")  # Area for improvement
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"id_{ours}-change_reason"
    page.keyboard.press("Tab")
    page.keyboard.type("No chronology on file.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"id_{theirs}-grade"
    page.keyboard.type("G")
    page.keyboard.press("Tab")
    page.keyboard.type("S")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("The child's voice is clear throughout.")
    save_findings(page)
    assert auditor.page_status() == 400  # sent back with its errors, nothing saved
    auditor.look("case findings with one invalid cell")
    assert not Finding.objects.filter(case=case).exists()
    assert page.locator(f"#id_{theirs}-narrative").input_value() == "The child's voice is clear throughout."
    assert page.locator(f"#id_{ours}-narrative").input_value() == "No chronology on file."

    # The error summary links to the field to fix.
    tab_to(page, ".govuk-error-summary a")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"id_{ours}-change_reason"
    page.keyboard.type("Nothing on file shows the history of concerns.")
    save_findings(page)
    assert "Saved 2 findings." in page.content()
    auditor.look("case findings saved")
    recorded = {f.agency_id: f for f in Finding.objects.filter(case=case, theme=first)}
    assert set(recorded) == {agency_of(ours), agency_of(theirs)}
    moved = recorded[agency_of(ours)]
    assert (moved.self_grade, moved.grade, moved.kind) == (
        Grade.GOOD,
        Grade.INADEQUATE,
        FindingKind.AREA_FOR_IMPROVEMENT,
    )
    assert moved.change_reason == "Nothing on file shows the history of concerns."
    assert recorded[agency_of(theirs)].kind == FindingKind.STRENGTH

    # Moderate the strength: the panel moves Good to Requires improvement, with its reason.
    tab_to(page, f"#id_{theirs}-grade")
    page.keyboard.type("R")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Voice recorded but not acted on.")
    save_findings(page)
    assert "Saved 1 finding." in page.content()
    moderated = Finding.objects.get(case=case, theme=first, agency_id=agency_of(theirs))
    assert (moderated.self_grade, moderated.grade) == (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT)
    assert moderated.change_reason == "Voice recorded but not acted on."

    # A child's view.
    tab_to(page, "#id_view-speaker_0")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    tab_to(page, "#id_view-summary", limit=3)
    page.keyboard.type("I want to stay at my school.")
    page.keyboard.press("Tab")
    submit(page)
    auditor.look("case view recorded")
    assert case.views.get().summary == "I want to stay at my school."

    # An immediate concern for the first involved agency.
    tab_to(page, "#id_concern-agency")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Bruising seen in a school photograph; no referral made.")
    page.keyboard.press("Tab")
    submit(page)
    auditor.look("case concern raised")
    concern = SafeguardingConcern.objects.get(case=case)
    assert concern.description.startswith("Bruising seen")
    assert "The agency must acknowledge this by the end of" in page.locator(".govuk-notification-banner").inner_text()
