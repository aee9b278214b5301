"""Retention: closed audits past their partnership's setting lose case-level detail and keep their aggregates."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from agencies.models import Partnership
from agencies.services import partnership_update
from audits.choices import AuditStatus, ConcernStatus
from audits.models import (
    ActionUpdate,
    AgencyReturn,
    Audit,
    CaseFactor,
    ChildFamilyView,
    Finding,
    LearningSummary,
    RetentionRecord,
    SafeguardingConcern,
    Theme,
)
from audits.services.actions import action_add_update
from audits.services.audits import audit_move
from audits.services.findings import finding_update
from audits.services.retention import REMOVED, add_months, retention_apply
from audits.services.summaries import summary_claim_for_compile
from audits.summaries.run import summary_compile
from audits.summaries.suppression import SUPPRESSED_MARK, suppress_content
from macfa.errors import ApplicationError
from tests.agencies.factories import PartnershipFactory
from tests.audits import evidence_samples as sample
from tests.audits.factories import (
    ActionFactory,
    AgencyReturnFactory,
    AuditFactory,
    CaseFactory,
    FindingFactory,
    LearningSummaryFactory,
    SafeguardingConcernFactory,
)
from tests.conftest import Parties

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)
NOW = datetime.datetime(2026, 11, 27, 3, tzinfo=datetime.UTC)
# Every text of a case below holds "SECRET": after retention no live or history row of the old audit may hold it.
SECRET = "SECRET"
# Eight texts (two of findings, three of returns, a view's, two of concerns), each live and in history.
ALL_TEXTS = 16
STAGES = (AuditStatus.AGENCY_RETURNS, AuditStatus.PANEL, AuditStatus.REPORTING, AuditStatus.CLOSED)


def close(audit: Audit, actor: Any, on: str) -> Audit:
    with time_machine.travel(datetime.datetime.fromisoformat(on + "T12:00:00+00:00"), tick=False):
        for stage in STAGES:
            audit = audit_move(actor=actor, audit=audit, status=stage)
    return audit


def compiled(summary: LearningSummary) -> LearningSummary:
    summary_claim_for_compile(summary)
    assert summary_compile(summary_id=summary.pk)
    summary.refresh_from_db()
    return summary


class World:
    """One partnership keeping detail 24 months: an audit closed in January 2020 (past), one closed in June 2025
    (not yet), one still open; another partnership keeping 120 months with an audit closed in January 2020."""

    def __init__(self, parties: Parties) -> None:
        self.parties = parties
        partnership = partnership_update(
            actor=parties.business_unit, partnership=parties.partnership, case_detail_retention_months=24
        )
        self.neglect = Theme.objects.get(slug="neglect", partnership=None)
        self.old = self.audit(partnership, "MACFA 14", with_evidence=True)
        self.recent = self.audit(partnership, "MACFA 31")
        self.open = self.audit(partnership, "MACFA 32")
        outsider_partnership = partnership_update(
            actor=parties.outsider, partnership=parties.other_partnership, case_detail_retention_months=120
        )
        self.longer = self.audit(outsider_partnership, "MACFA 9", auditor=parties.outsider_auditor)
        self.summary_old = compiled(self.summary(partnership, [self.old]))
        self.summary_both = compiled(self.summary(partnership, [self.old, self.recent]))
        self.old = close(self.old, parties.auditor, "2020-01-15")
        self.recent = close(self.recent, parties.auditor, "2025-06-02")
        self.longer = close(self.longer, parties.outsider_auditor, "2020-01-15")

    def audit(self, partnership: Any, reference: str, auditor: Any = None, with_evidence: bool = False) -> Audit:
        auditor = auditor or self.parties.auditor
        audit = AuditFactory(partnership=partnership, reference=reference, auditor=auditor)
        agency = self.parties.agency
        audit.agencies.add(agency)
        case = CaseFactory(audit=audit, reference="C1")
        case.agencies.add(agency)
        CaseFactor.objects.create(case=case, factor="neglect")
        CaseFactor.objects.create(case=case, factor="domestic_abuse")
        agreed = datetime.datetime(2019, 3, 20, 14, tzinfo=datetime.UTC)
        good = FindingFactory(
            case=case, agency=agency, theme=self.neglect, grade=2, narrative=f"{SECRET} first draft", agreed_at=None
        )
        # A second version, so the history holds two narratives of one finding.
        finding_update(actor=auditor, finding=good, narrative=f"{SECRET} mother's new partner visits daily")
        Finding.objects.filter(pk=good.pk).update(agreed_at=agreed)
        FindingFactory(
            case=case,
            agency=None,
            theme=self.neglect,
            self_grade=2,
            grade=4,
            kind="area_for_improvement",
            change_reason=f"{SECRET} the school was not told",
            narrative=f"{SECRET} drift for a year",
            agreed_at=agreed,
        )
        AgencyReturnFactory(
            case=case,
            agency=agency,
            good_practice=f"{SECRET} good",
            areas_for_development=f"{SECRET} develop",
            recommendations=f"{SECRET} recommend",
        )
        ChildFamilyView.objects.create(case=case, speaker="child", summary=f"{SECRET} I want to live with nan")
        SafeguardingConcernFactory(
            case=case,
            agency=agency,
            description=f"{SECRET} no food in the house",
            status=ConcernStatus.CLOSED,
            acknowledged_at=datetime.datetime(2019, 3, 21, tzinfo=datetime.UTC),
            outcome=f"{SECRET} referred to children's social care",
            closed_at=datetime.datetime(2019, 3, 22, tzinfo=datetime.UTC),
            raised_at=datetime.datetime(2019, 3, 20, tzinfo=datetime.UTC),
        )
        action = ActionFactory(audit=audit, owner_agency=agency)
        if with_evidence:
            self.update = action_add_update(
                actor=self.parties.lead,
                action=action,
                note="Guidance re-issued.",
                evidence=ContentFile(sample.PDF, name="child-plan.pdf"),
            )
            self.evidence_name = self.update.evidence.name
            action_add_update(
                actor=self.parties.lead, action=action, evidence=ContentFile(sample.PDF, name="poster.pdf")
            )
        return audit

    def summary(self, partnership: Any, audits: list[Audit]) -> LearningSummary:
        summary = LearningSummaryFactory(partnership=partnership)
        summary.themes.set([self.neglect])
        summary.audits.set(audits)
        return summary


@pytest.fixture
def world(parties: Parties) -> World:
    return World(parties)


def secrets_in(audit: Audit) -> list[str]:
    """Every live and history row of the audit's case-level records that still holds a SECRET text."""
    cases = list(audit.cases.values_list("pk", flat=True))
    found = []
    for model, names in (
        (Finding, ("narrative", "change_reason")),
        (AgencyReturn, ("good_practice", "areas_for_development", "recommendations")),
        (ChildFamilyView, ("summary",)),
        (SafeguardingConcern, ("description", "outcome")),
    ):
        for manager in (model.objects, model.history):  # type: ignore[attr-defined]
            for name in names:
                if manager.filter(case_id__in=cases, **{f"{name}__contains": SECRET}).exists():
                    found.append(f"{manager.model.__name__}.{name}")
    return found


def quotes_of(content: dict[str, Any]) -> list[str]:
    return [quote for theme in content["themes"] for quotes in theme.get("quotes", {}).values() for quote in quotes]


def run(dry_run: bool = False) -> Any:
    with time_machine.travel(NOW, tick=False):
        return retention_apply(today=TODAY, dry_run=dry_run)


def test_closing_an_audit_records_when(parties: Parties) -> None:
    audit = close(AuditFactory(partnership=parties.partnership, auditor=parties.auditor), parties.auditor, "2020-01-15")
    assert audit.closed_at == datetime.datetime(2020, 1, 15, 12, tzinfo=datetime.UTC)


def test_retention_is_set_by_the_business_unit_within_bounds(parties: Parties) -> None:
    with pytest.raises(ApplicationError) as refused:
        partnership_update(
            actor=parties.business_unit, partnership=parties.partnership, case_detail_retention_months=11
        )
    assert refused.value.field == "case_detail_retention_months"
    assert Partnership.objects.get(pk=parties.partnership.pk).case_detail_retention_months == 84
    with pytest.raises(ApplicationError):
        partnership_update(actor=parties.auditor, partnership=parties.partnership, case_detail_retention_months=12)
    partnership_update(actor=parties.business_unit, partnership=parties.partnership, case_detail_retention_months=12)
    assert Partnership.objects.get(pk=parties.partnership.pk).case_detail_retention_months == 12


def test_months_are_counted_to_the_same_day_or_the_months_end() -> None:
    assert add_months(datetime.date(2020, 1, 15), 24) == datetime.date(2022, 1, 15)
    assert add_months(datetime.date(2020, 1, 31), 1) == datetime.date(2020, 2, 29)
    assert add_months(datetime.date(2019, 11, 30), 84) == datetime.date(2026, 11, 30)


def test_dry_run_lists_what_would_go_and_changes_nothing(world: World) -> None:
    report = run(dry_run=True)

    assert [entry.reference for entry in report.audits] == ["MACFA 14"]
    (entry,) = report.audits
    assert (entry.retention_months, entry.closed_on, entry.due_on) == (
        24,
        datetime.date(2020, 1, 15),
        datetime.date(2022, 1, 15),
    )
    counts = entry.counts
    assert (counts.finding_narratives, counts.return_texts, counts.view_texts, counts.concern_texts) == (2, 1, 1, 1)
    assert (counts.evidence_files, counts.case_factors, counts.summaries) == (2, 2, 2)
    assert counts.history_rows > 0
    assert len(secrets_in(world.old)) == ALL_TEXTS, "every text, live and in history, is still there"
    assert CaseFactor.objects.filter(case__audit=world.old).count() == 2
    assert ActionUpdate._meta.get_field("evidence").storage.exists(world.evidence_name)
    assert not RetentionRecord.objects.exists()
    assert quotes_of(LearningSummary.objects.get(pk=world.summary_old.pk).content)


def test_run_removes_case_detail_past_retention_only(world: World) -> None:
    report = run()

    assert [entry.reference for entry in report.audits] == ["MACFA 14"]
    assert secrets_in(world.old) == [], "no live or history row keeps what retention removed"
    for audit in (world.recent, world.open, world.longer):
        assert len(secrets_in(audit)) == ALL_TEXTS, f"{audit.reference} is untouched"
        assert CaseFactor.objects.filter(case__audit=audit).count() == 2
    assert not CaseFactor.objects.filter(case__audit=world.old).exists()
    assert not CaseFactor.history.filter(case_id__in=world.old.cases.values("pk")).exclude(factor="").exists()
    view = ChildFamilyView.objects.get(case__audit=world.old)
    assert (view.speaker, view.summary) == ("child", REMOVED), "who spoke still counts; what they said is gone"
    concern = SafeguardingConcern.objects.get(case__audit=world.old)
    assert (concern.description, concern.outcome, concern.status) == (REMOVED, REMOVED, ConcernStatus.CLOSED)

    record = RetentionRecord.objects.get()
    assert (record.audit, record.rule, record.retention_months) == (world.old, "case_detail_retention_months", 24)
    assert (record.closed_on, record.due_on, record.applied_at) == (
        datetime.date(2020, 1, 15),
        datetime.date(2022, 1, 15),
        NOW,
    )
    assert (record.finding_narratives, record.evidence_files, record.case_factors, record.summaries) == (2, 2, 2, 2)


def test_evidence_files_leave_storage_and_the_trail_says_so(world: World) -> None:
    storage = ActionUpdate._meta.get_field("evidence").storage
    run()

    assert not storage.exists(world.evidence_name)
    update = ActionUpdate.objects.get(pk=world.update.pk)
    assert (update.evidence.name, update.evidence_name, update.evidence_size) == ("", "", None)
    assert update.note.startswith("Guidance re-issued.\n\nThe evidence file was removed on 27 November 2026")
    assert "24 months after the audit closed" in update.note
    assert ActionUpdate.objects.filter(action__audit=world.old).count() == 2, "trail entries are kept"
    assert (
        not ActionUpdate.history.filter(evidence_name__in=["child-plan.pdf", "poster.pdf"])
        .filter(action__audit=world.old)
        .exists()
    )


def test_aggregates_are_intact_after_retention(world: World) -> None:
    threshold = world.parties.partnership.suppression_threshold
    before = suppress_content(world.summary_old.content, threshold)
    grades_before = list(Finding.objects.filter(case__audit=world.old).order_by("pk").values_list("grade", "kind"))

    run()

    summary = LearningSummary.objects.get(pk=world.summary_old.pk)
    # Everyone, the auditor's working view included, now reads the suppressed figures compiled before.
    assert {k: v for k, v in summary.content.items() if k != "case_detail_removed"} == before
    again = suppress_content(summary.content, threshold)
    assert {k: v for k, v in again.items() if k != "case_detail_removed"} == before, "re-suppressing changes none"
    assert list(Finding.objects.filter(case__audit=world.old).order_by("pk").values_list("grade", "kind")) == (
        grades_before
    )
    # The findings' grades still count: compiled afresh, the published figures are the same.
    recompiled = compiled(summary)
    assert suppress_content(recompiled.content, threshold)["themes"] == before["themes"]
    assert suppress_content(recompiled.content, threshold)["views"] == before["views"]


def test_a_summary_also_over_a_kept_audit_keeps_its_figures_but_loses_the_quotes(world: World) -> None:
    before = LearningSummary.objects.get(pk=world.summary_both.pk).content
    assert any(SECRET in quote for quote in quotes_of(before))

    run()

    after = LearningSummary.objects.get(pk=world.summary_both.pk).content
    assert quotes_of(after) == []
    assert [theme["grades"] for theme in after["themes"]] == [theme["grades"] for theme in before["themes"]]
    for row in LearningSummary.history.filter(id=world.summary_both.pk).exclude(content={}):
        assert quotes_of(row.content) == [], "the history keeps no quote either"
    for row in LearningSummary.history.filter(id=world.summary_old.pk).exclude(content={}):
        assert not any(SECRET in quote for quote in quotes_of(row.content))


def test_a_second_run_finds_nothing_more_to_do(world: World) -> None:
    run()
    assert run().audits == []
    assert run(dry_run=True).audits == []
    assert RetentionRecord.objects.count() == 1


def test_a_failure_leaves_the_audit_untouched(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = ActionUpdate._meta.get_field("evidence").storage

    def broken(name: str) -> None:
        raise OSError("disk unavailable")

    monkeypatch.setattr(storage, "delete", broken)
    report = run()

    assert [entry.reference for entry in report.failed] == ["MACFA 14"]
    assert len(secrets_in(world.old)) == ALL_TEXTS
    assert CaseFactor.objects.filter(case__audit=world.old).count() == 2
    assert not RetentionRecord.objects.exists()
    monkeypatch.undo()
    assert [entry.reference for entry in run().audits] == ["MACFA 14"], "the next run completes it"
    assert secrets_in(world.old) == []


def test_the_command_prints_counts_never_the_detail(world: World) -> None:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", "--dry-run", "--today", "2026-11-27", stdout=out)
    printed = out.getvalue()
    assert "dry run: nothing changed" in printed
    assert "MACFA 14" in printed and "finding narratives 2," in printed and "evidence files 2," in printed
    assert "MACFA 31" not in printed and "MACFA 9" not in printed
    assert SECRET not in printed and "child-plan" not in printed
    assert not RetentionRecord.objects.exists()

    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("apply_retention", "--today", "2026-11-27", stdout=out)
    assert "Removed (how many): finding narratives 2," in out.getvalue()
    assert secrets_in(world.old) == []


def test_the_command_refuses_a_day_that_is_not_a_date(db: None) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("apply_retention", "--today", "27/11/2026")


def test_the_daily_task_applies_retention_as_of_today(world: World) -> None:
    from audits.tasks import apply_retention

    with time_machine.travel(NOW, tick=False):
        assert apply_retention.apply().get() == 1
    assert secrets_in(world.old) == []


def test_an_audit_closed_before_closing_times_were_kept_counts_from_its_end_date(parties: Parties) -> None:
    audit = AuditFactory(
        partnership=parties.partnership,
        status=AuditStatus.CLOSED,
        start_date=datetime.date(2014, 2, 3),
        end_date=datetime.date(2014, 6, 30),
    )
    FindingFactory(case=CaseFactory(audit=audit), narrative=f"{SECRET} old")
    AuditFactory(partnership=PartnershipFactory(), status=AuditStatus.CLOSED, reference="MACFA 7", start_date=None)

    report = run()

    assert [(entry.reference, entry.due_on) for entry in report.audits] == [
        (audit.reference, datetime.date(2021, 6, 30))
    ]
    assert any("MACFA 7" in name for name in report.undated)
    assert not Finding.objects.filter(case__audit=audit, narrative__contains=SECRET).exists()


@pytest.mark.parametrize("who", ["auditor", "business_unit", "board_member"])
def test_a_reduced_summary_reads_as_its_suppressed_figures_on_the_page(world: World, who: str) -> None:
    run()
    client = Client()
    client.force_login(getattr(world.parties, who))
    response = client.get(reverse("pages:summary", args=[world.summary_old.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert SECRET not in page
    assert SUPPRESSED_MARK in page, "the working view too shows the hidden figures as hidden"
    if who == "board_member":
        assert "withheld to protect children" in page, "with the footnote under the tables that hold one"


@pytest.mark.parametrize(("ended", "past"), [("2024-11-27", True), ("2024-11-28", False)])
def test_an_audit_is_past_retention_from_the_same_day_months_later(parties: Parties, ended: str, past: bool) -> None:
    partnership_update(actor=parties.business_unit, partnership=parties.partnership, case_detail_retention_months=24)
    audit = AuditFactory(
        partnership=parties.partnership,
        status=AuditStatus.CLOSED,
        start_date=datetime.date(2024, 1, 8),
        end_date=datetime.date.fromisoformat(ended),
    )
    FindingFactory(case=CaseFactory(audit=audit), narrative=f"{SECRET} text")

    assert [entry.reference for entry in run().audits] == ([audit.reference] if past else [])
    assert Finding.objects.filter(case__audit=audit, narrative="").exists() == past


def test_a_concern_still_open_keeps_its_text(world: World) -> None:
    case = world.old.cases.get()
    open_concern = SafeguardingConcernFactory(case=case, agency=world.parties.agency, description=f"{SECRET} open")

    run()

    assert SafeguardingConcern.objects.get(pk=open_concern.pk).description == f"{SECRET} open"
    assert SafeguardingConcern.objects.filter(case=case, description=REMOVED).count() == 1
    assert run().audits == [], "a concern still open is not retention's to do, so there is nothing more"
