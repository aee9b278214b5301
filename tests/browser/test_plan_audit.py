"""The auditor plans an audit, moves it to agency returns, agrees an action and compiles its learning summary,
watching the compile progress without reloading the page, on a laptop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from audits.choices import ActionStatus, AuditStatus, SummaryStatus
from audits.models import Action, Audit, LearningSummary
from audits.summaries.run import summary_compile
from audits.tasks import compile_summary
from tests.api.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


def fill_date(form: Any, legend: str, day_month_year: str) -> None:
    """Type a date into GOV.UK's three boxes, found by the question's legend."""
    group = form.get_by_role("group", name=legend)
    for label, value in zip(("Day", "Month", "Year"), day_month_year.split(), strict=True):
        group.get_by_label(label).fill(value)


def test_auditor_plans_an_audit_and_compiles_its_summary(world: World, visit: Any, monkeypatch: Any) -> None:
    # No worker runs here: the test plays the worker's part, so the page is seen while the compile is under way.
    queued: list[int] = []
    monkeypatch.setattr(compile_summary, "delay", queued.append)
    parties, theme = world.parties, world.own.theme

    auditor = visit(parties.auditor)
    auditor.go("/")
    auditor.look("home as an auditor")
    auditor.page.get_by_role("link", name="See audits by stage").click()
    auditor.look("audits")
    auditor.page.get_by_role("button", name="Plan an audit").click()
    auditor.look("plan an audit")

    form = auditor.page
    form.get_by_label("Reference", exact=True).fill("MACFA 40")
    form.get_by_label("Title", exact=True).fill("Neglect re-audit")
    form.get_by_label(theme.name, exact=True).check()
    form.get_by_label("Terms of reference").fill("Look again at neglect where early help was offered.")
    form.get_by_label(str(parties.agency), exact=True).check()
    fill_date(form, "Start date", "2 2 2026")
    fill_date(form, "Panel date", "2 3 2026")
    fill_date(form, "End date", "1 1 2026")  # before the start: refused, with everything kept
    form.get_by_role("button", name="Plan the audit").click()
    form.get_by_role("heading", name="There is a problem").wait_for()
    assert auditor.page_status() == 400  # the form sent back with its errors
    auditor.look("plan an audit with an error")
    assert form.get_by_label("Title", exact=True).input_value() == "Neglect re-audit"
    form.get_by_role("link", name="The audit cannot end before it starts.").click()
    fill_date(form, "End date", "30 4 2026")
    form.get_by_role("button", name="Plan the audit").click()
    auditor.look("audit planned")
    audit = Audit.objects.get(reference="MACFA 40")
    assert audit.auditor_id == parties.auditor.pk

    form.get_by_role("button", name="Move to agency returns").click()
    auditor.look("audit at agency returns")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.AGENCY_RETURNS
    assert form.get_by_role("button", name="Back to planning").is_visible()

    form.get_by_label("Agency that owns the action").select_option(label=str(parties.agency))
    form.get_by_label("What must be done").fill("Refresh the neglect toolkit briefing for all staff.")
    fill_date(form, "Due date", "30 6 2030")
    form.get_by_role("button", name="Agree the action").click()
    auditor.look("action agreed")
    action = Action.objects.get(audit=audit)
    assert action.owner_agency_id == parties.agency.pk and action.status == ActionStatus.OPEN
    assert form.get_by_role("link", name="Refresh the neglect toolkit briefing").is_visible()

    form.get_by_role("button", name="Compile the learning summary").click()
    status = form.locator("[data-progress-status]")
    assert status.inner_text() == "Compiling: queued, 0% done."
    auditor.look("summary compiling")
    summary = LearningSummary.objects.get(audits=audit)
    assert queued == [summary.pk] and summary.title == "MACFA 40: Neglect re-audit"

    form.evaluate("window.notReloaded = true")
    summary_compile(summary_id=summary.pk)  # the worker's part
    form.get_by_text("Compiled. Last compiled").wait_for(timeout=10_000)
    assert form.evaluate("window.notReloaded") is True
    assert form.locator("[data-progress-bar]").evaluate("bar => bar.value") == 100
    assert status.get_attribute("aria-live") == "polite"
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.COMPILED
    auditor.look("summary compiled")
