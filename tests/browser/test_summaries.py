"""The board reviews a learning summary with its charts in a browser: requests changes, and after the auditor's
resubmission approves it; the business unit publishes it and chases overdue actions from the programme page; the
agency lead reads the published, suppressed figures. At 1280 px and 375 px, with axe-core on every page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from audits.choices import FindingKind, Grade, SummaryStatus
from audits.models import LearningSummary
from audits.services import summaries as services
from audits.summaries.export import summary_export
from audits.summaries.run import summary_compile
from tests.audits.factories import ActionFactory, AuditFactory, CaseFactory, FindingFactory, ThemeFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db(transaction=True)
SHARES = {"MACFA 26": 3, "MACFA 31": 7}  # good findings of ten, audit by audit: a better trend


def summary_in_review(parties: Parties) -> LearningSummary:
    theme = ThemeFactory(partnership=None, name="Neglect", slug="neglect-browser")
    now = timezone.now()
    audits = []
    for reference, good in SHARES.items():
        audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, reference=reference)
        for number in range(10):
            case = CaseFactory(audit=audit, reference=f"{reference[-2:]}-{number + 1}")
            case.agencies.add(parties.agency)
            strong = number < good
            FindingFactory(
                case=case,
                agency=parties.agency if number % 2 else parties.other_agency,
                theme=theme,
                grade=Grade.GOOD if strong else (Grade.INADEQUATE if number == 9 else Grade.REQUIRES_IMPROVEMENT),
                kind=FindingKind.STRENGTH if strong else FindingKind.AREA_FOR_IMPROVEMENT,
                agreed_at=now,
            )
        audits.append(audit)
    current = audits[-1]
    current.benchmark_audits.add(audits[0])
    ActionFactory(
        audit=current, owner_agency=parties.agency, due_date=timezone.localdate() - datetime.timedelta(days=5)
    )
    summary = services.summary_create(
        actor=parties.auditor,
        partnership=parties.partnership,
        title="Neglect: MACFA 26 and 31 compared",
        themes=[theme],
        audits=[current],
    )
    services.summary_update(
        actor=parties.auditor,
        summary=summary,
        key_messages="Neglect is recognised earlier than in 2017.",
        strengths="Chronologies were shared before strategy discussions.",
        areas_for_improvement="Assess the men in the household.",
    )
    services.summary_claim_for_compile(summary)
    summary_compile(summary_id=summary.pk)
    summary.refresh_from_db()
    return services.summary_submit(actor=parties.auditor, summary=summary)


def press(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    page.wait_for_load_state("networkidle")


def test_board_reviews_business_unit_publishes_lead_reads(parties: Parties, visit: Any) -> None:
    summary = summary_in_review(parties)
    parties.lead.email = "lead@example.org"
    parties.lead.save()

    board = visit(parties.board_member)
    board.go("/")
    board.look("board-home")
    with board.page.expect_navigation():
        board.page.get_by_role("link", name=summary.title).first.click()
    board.look("summary-for-the-board")
    charts = board.page.locator("svg[role=img]")
    assert charts.count() >= 2, "grade distribution and the trend across audits are drawn"
    assert "MACFA 26" in " ".join(board.page.locator("svg[role=img] title, svg[role=img] desc").all_text_contents())
    board.page.get_by_label("Request changes").check()
    press(board.page, "Send your review")
    assert board.page_status() == 400
    assert "Say what should change" in board.page.inner_text(".govuk-error-summary")
    board.look("review-without-a-reason")
    board.page.get_by_label("Request changes").check()
    board.page.get_by_label("Your comment").fill("Show how many earlier actions were verified before the re-audit.")
    press(board.page, "Send your review")
    assert "You asked for changes" in board.page.inner_text("main")

    auditor = visit(parties.auditor)
    auditor.go(f"/summaries/{summary.pk}/")
    assert "Show how many earlier actions" in auditor.page.inner_text("main")
    auditor.page.get_by_role("textbox", name="Key messages").fill(
        "Neglect is recognised earlier than in 2017; plans still drift."
    )
    press(auditor.page, "Save the texts")
    press(auditor.page, "Send to the board for review")
    assert "with the board for review" in auditor.page.inner_text("main")
    auditor.look("summary-resubmitted")

    board.go(f"/summaries/{summary.pk}/")
    assert "plans still drift" in board.page.inner_text("main")
    board.page.get_by_label("Approve it for publication").check()
    press(board.page, "Send your review")
    assert "You approved the summary" in board.page.inner_text("main")
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.APPROVED
    summary_export(summary_id=summary.pk)  # the export task's work, which a worker does after approval

    unit = visit(parties.business_unit)
    unit.go(f"/summaries/{summary.pk}/")
    press(unit.page, "Publish to agency leads")
    assert "The summary is published" in unit.page.inner_text("main")
    unit.look("summary-published")
    unit.go("/programme/")
    unit.look("programme")
    agency = str(parties.agency)
    for _ in range(2):
        press(unit.page, f"Send a reminder now to {agency}")
    assert "already had today's reminder" in unit.page.inner_text("main")
    assert len([m for m in mail.outbox if m.to == ["lead@example.org"]]) == 1

    lead = visit(parties.lead)
    lead.go("/summaries/")
    with lead.page.expect_navigation():
        lead.page.get_by_role("link", name=summary.title).click()
    lead.look("summary-for-an-agency-lead")
    main = lead.page.inner_text("main")
    assert "[c]" in main  # a single inadequate finding in each audit: withheld
    assert "The board's reviews" not in main
    assert lead.page.get_by_role("link", name="PDF briefing").count() == 1
