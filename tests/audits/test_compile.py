"""The compile logic on hand-built data whose every figure is known."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Sector
from audits.choices import ActionStatus, SummaryStatus
from audits.models import ChildFamilyView, LearningSummary, Theme
from audits.summaries.compile import compile_content
from audits.summaries.run import summary_compile
from tests.agencies.factories import AgencyFactory, PartnershipFactory, UserFactory
from tests.audits.factories import (
    ActionFactory,
    AuditFactory,
    CaseFactory,
    FindingFactory,
    LearningSummaryFactory,
    SafeguardingConcernFactory,
)

pytestmark = pytest.mark.django_db
AGREED = datetime.datetime(2019, 3, 20, 14, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 27)


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


class Known:
    """Two neglect audits (MACFA 14 then MACFA 31) with figures worked out by hand in the comments."""

    def __init__(self) -> None:
        self.partnership = PartnershipFactory()
        self.police = AgencyFactory(name="Police", sector=Sector.POLICE, partnerships=[self.partnership])
        self.health = AgencyFactory(name="Health", sector=Sector.HEALTH, partnerships=[self.partnership])
        self.neglect = Theme.objects.get(slug="neglect", partnership=None)
        self.voice = Theme.objects.get(slug="voice-of-the-child", partnership=None)
        other_theme = Theme.objects.get(slug="invisible-males", partnership=None)

        self.old = AuditFactory(
            partnership=self.partnership, reference="MACFA 14", start_date=datetime.date(2014, 2, 3)
        )
        for grade in (2, 4, 4, 4):  # 1 of 4 good or better: 25.0%
            FindingFactory(
                case=CaseFactory(audit=self.old),
                agency=self.police,
                theme=self.neglect,
                grade=grade,
                kind="strength" if grade <= 2 else "area_for_improvement",
                agreed_at=AGREED,
            )
        ActionFactory(
            audit=self.old,
            owner_agency=self.police,
            status=ActionStatus.VERIFIED,
            verified_at=at("2018-06-01 10:00"),
            description="Embed the neglect toolkit.",
        )  # verified before MACFA 31 began
        ActionFactory(
            audit=self.old, owner_agency=self.police, status=ActionStatus.VERIFIED, verified_at=at("2019-06-01 10:00")
        )  # verified after

        self.new = AuditFactory(
            partnership=self.partnership, reference="MACFA 31", start_date=datetime.date(2019, 2, 4)
        )
        self.new.benchmark_audits.add(self.old)
        c1 = CaseFactory(audit=self.new, reference="C1", age_band="0-1", level_of_need=3, plan_type="child_protection")
        c2 = CaseFactory(audit=self.new, reference="C2", age_band="2-4", level_of_need=4, plan_type="child_in_need")
        c3 = CaseFactory(audit=self.new, reference="C3", age_band="2-4", level_of_need=4, plan_type="child_protection")
        reason = {"change_reason": "Less evidence than the return said."}
        # Neglect: grades 2, 3, 1, 4; two strengths; the panel lowered two self-grades and kept two.
        FindingFactory(
            case=c1,
            agency=self.police,
            theme=self.neglect,
            self_grade=2,
            grade=2,
            kind="strength",
            agreed_at=AGREED,
            narrative="Neglect was recognised early.",
        )
        FindingFactory(
            case=c1,
            agency=self.health,
            theme=self.neglect,
            self_grade=2,
            grade=3,
            **reason,
            kind="area_for_improvement",
            agreed_at=AGREED,
            narrative="Cumulative harm not analysed.",
        )
        FindingFactory(
            case=c2,
            agency=self.police,
            theme=self.neglect,
            self_grade=1,
            grade=1,
            kind="strength",
            agreed_at=AGREED,
            narrative="Guidance followed throughout.",
        )
        FindingFactory(
            case=c3,
            agency=self.health,
            theme=self.neglect,
            self_grade=3,
            grade=4,
            **reason,
            kind="area_for_improvement",
            agreed_at=AGREED,
            narrative="Drift between reviews.",
        )
        # Not counted: not agreed, and a theme outside the summary.
        FindingFactory(case=c2, agency=self.health, theme=self.neglect, grade=4, kind="area_for_improvement")
        FindingFactory(
            case=c3, agency=self.police, theme=other_theme, grade=4, kind="area_for_improvement", agreed_at=AGREED
        )
        # Voice of the child, judged for the multi-agency response: evident in 2 of the 3 cases.
        for case, grade in ((c1, 2), (c2, 2), (c3, 3)):
            FindingFactory(
                case=case,
                agency=None,
                theme=self.voice,
                grade=grade,
                agreed_at=AGREED,
                kind="strength" if grade == 2 else "area_for_improvement",
            )
        ChildFamilyView.objects.create(case=c1, speaker="child", summary="Likes the new nursery.")
        ChildFamilyView.objects.create(case=c2, speaker="parent", summary="Meetings changed too often.")

        ActionFactory(
            audit=self.new,
            owner_agency=self.police,
            raised_on=datetime.date(2019, 3, 1),
            due_date=TODAY - datetime.timedelta(days=1),
        )  # open and overdue
        ActionFactory(audit=self.new, owner_agency=self.police, status=ActionStatus.VERIFIED, due_date=TODAY)
        ActionFactory(audit=self.new, owner_agency=self.health, status=ActionStatus.COMPLETED)
        ActionFactory(
            audit=self.new,
            owner_agency=self.health,
            status=ActionStatus.IN_PROGRESS,
            due_date=TODAY + datetime.timedelta(days=30),
        )

        auditor = UserFactory()
        for raised, acknowledged in (
            ("2026-11-20 15:00", "2026-11-23 10:00"),  # Friday → Monday: in time (67 hours)
            ("2026-12-24 10:00", "2026-12-28 12:00"),  # Christmas Eve → due end of Tue 29th: in time (98 hours)
            ("2026-11-23 09:00", "2026-11-25 09:00"),  # Monday → due end of Tuesday: late (48 hours)
            ("2026-11-26 09:00", None),  # still waiting
        ):
            SafeguardingConcernFactory(
                case=c1,
                agency=self.police,
                raised_by=auditor,
                raised_at=at(raised),
                acknowledged_at=at(acknowledged) if acknowledged else None,
                status="acknowledged" if acknowledged else "raised",
            )

        self.summary = LearningSummaryFactory(partnership=self.partnership, title="Neglect")
        self.summary.themes.set([self.neglect, self.voice])
        self.summary.audits.set([self.new])


@pytest.fixture
def known() -> Known:
    return Known()


@pytest.fixture
def content(known: Known, time_machine: Any) -> dict[str, Any]:
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC))
    return compile_content(known.summary)


def theme(content: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(t for t in content["themes"] if t["slug"] == slug)


def test_grade_and_kind_counts_per_theme(content: dict[str, Any]) -> None:
    neglect = theme(content, "neglect")
    assert neglect["grades"] == {"outstanding": 1, "good": 1, "requires_improvement": 1, "inadequate": 1}
    assert neglect["kinds"] == {"strength": 2, "area_for_improvement": 2}
    assert content["scope"]["agreed_findings"] == 7 and content["scope"]["cases"] == 3


def test_figures_by_agency_sector_age_need_and_plan(content: dict[str, Any]) -> None:
    neglect = theme(content, "neglect")
    assert neglect["by_agency"] == [
        {
            "agency": "Health",
            "sector": "Health",
            "grades": {"outstanding": 0, "good": 0, "requires_improvement": 1, "inadequate": 1},
            "kinds": {"strength": 0, "area_for_improvement": 2},
        },
        {
            "agency": "Police",
            "sector": "Police",
            "grades": {"outstanding": 1, "good": 1, "requires_improvement": 0, "inadequate": 0},
            "kinds": {"strength": 2, "area_for_improvement": 0},
        },
    ]
    assert [row["sector"] for row in neglect["by_sector"]] == ["Health", "Police"]
    assert neglect["by_age_band"] == {
        "0–1": {"outstanding": 0, "good": 1, "requires_improvement": 1, "inadequate": 0},
        "2–4": {"outstanding": 1, "good": 0, "requires_improvement": 0, "inadequate": 1},
    }
    assert set(neglect["by_level_of_need"]) == {
        "Level 3 — complex needs (early help)",
        "Level 4 — specialist (social care)",
    }
    assert neglect["by_plan_type"]["Child protection"] == {
        "outstanding": 0,
        "good": 1,
        "requires_improvement": 1,
        "inadequate": 1,
    }
    assert theme(content, "voice-of-the-child")["by_agency"][0]["agency"] == "Multi-agency response"


def test_self_grade_against_panel_grade(content: dict[str, Any]) -> None:
    assert theme(content, "neglect")["self_vs_panel"] == {
        "with_self_grade": 4,
        "panel_agreed": 2,
        "panel_raised": 0,
        "panel_lowered": 2,
    }


def test_evidence_counts_in_the_reports_words(content: dict[str, Any]) -> None:
    voice = theme(content, "voice-of-the-child")
    assert voice["evidence"] == {
        "evident_in": 2,
        "of_cases": 3,
        "statement": "The child's voice was evident in 2 of the 3 cases.",
    }
    assert content["views"] == {"of_cases": 3, "child_heard": 1, "family_heard": 1}


def test_quotes_come_from_agreed_findings_best_and_worst_first(content: dict[str, Any]) -> None:
    quotes = theme(content, "neglect")["quotes"]
    assert quotes["strength"] == ["Guidance followed throughout.", "Neglect was recognised early."]  # 1, then 2
    assert quotes["area_for_improvement"] == ["Drift between reviews.", "Cumulative harm not analysed."]  # 4, then 3


def test_trend_against_the_benchmark_audit(content: dict[str, Any]) -> None:
    assert theme(content, "neglect")["trend"] == [
        {
            "audit": "MACFA 31",
            "good_or_better": 2,
            "findings": 4,
            "good_share": 50.0,
            "benchmarks": [
                {
                    "audit": "MACFA 14",
                    "good_or_better": 1,
                    "findings": 4,
                    "good_share": 25.0,
                    "change": 25.0,
                    "direction": "better",
                }
            ],
        }
    ]
    assert theme(content, "voice-of-the-child")["trend"] == []  # MACFA 14 did not judge it
    assert content["benchmark_actions"] == [
        {
            "audit": "MACFA 14",
            "reaudit": "MACFA 31",
            "raised": 2,
            "verified_before_reaudit": 1,
            "verified": [{"description": "Embed the neglect toolkit.", "agency": "Police"}],
        }
    ]


def test_actions_by_agency(content: dict[str, Any]) -> None:
    assert content["actions"] == {
        "by_agency": [
            {"agency": "Health", "raised": 2, "completed": 1, "verified": 0, "overdue": 0},
            {"agency": "Police", "raised": 2, "completed": 1, "verified": 1, "overdue": 1},
        ],
        "totals": {"raised": 4, "completed": 2, "verified": 1, "overdue": 1},
    }


def test_concerns_and_time_to_acknowledge_across_a_weekend_and_bank_holidays(content: dict[str, Any]) -> None:
    assert content["concerns"] == {
        "raised": 4,
        "acknowledged": 3,
        "acknowledged_within_one_working_day": 2,
        "awaiting_acknowledgement": 1,
        "median_hours_to_acknowledge": 67.0,
        "longest_hours_to_acknowledge": 98.0,
    }


def test_proposed_assurance(content: dict[str, Any]) -> None:
    # 7 agreed findings: 4 good or better (57%), 1 inadequate (14%): below reasonable's 60%.
    assert content["assurance"] == {"level": "limited", "total": 7, "good_or_better": 4, "inadequate": 1}


def test_a_period_selects_the_audits_that_started_in_it(known: Known) -> None:
    by_period = LearningSummaryFactory(
        partnership=known.partnership, period_start=datetime.date(2019, 1, 1), period_end=datetime.date(2019, 12, 31)
    )
    by_period.themes.set([known.neglect])
    assert [a["reference"] for a in compile_content(by_period)["scope"]["audits"]] == ["MACFA 31"]


def test_compiling_twice_gives_the_same_content(known: Known) -> None:
    assert compile_content(known.summary) == compile_content(known.summary)


def test_query_count_does_not_grow_with_findings(known: Known) -> None:
    with CaptureQueriesContext(connection) as before:
        compile_content(known.summary)
    case = CaseFactory(audit=known.new)
    for agency in AgencyFactory.create_batch(10, partnerships=[known.partnership]):
        FindingFactory(
            case=case, agency=agency, theme=known.neglect, grade=3, kind="area_for_improvement", agreed_at=AGREED
        )
    with CaptureQueriesContext(connection) as after:
        compile_content(known.summary)
    assert len(after) == len(before)


def test_a_claimed_summary_compiles_and_records_progress(known: Known) -> None:
    LearningSummary.objects.filter(pk=known.summary.pk).update(status=SummaryStatus.COMPILING)
    assert summary_compile(summary_id=known.summary.pk) is True
    summary = LearningSummary.objects.get(pk=known.summary.pk)
    assert (summary.status, summary.progress_percent, summary.progress_stage) == ("compiled", 100, "compiled")
    assert summary.assurance_level == "limited" and summary.compiled_at is not None
    assert summary_compile(summary_id=known.summary.pk) is False  # a repeated message finds nothing to do


def test_a_failed_compile_keeps_the_previous_version(known: Known, monkeypatch: pytest.MonkeyPatch) -> None:
    LearningSummary.objects.filter(pk=known.summary.pk).update(
        status=SummaryStatus.COMPILING, content={"previous": True}, assurance_level="reasonable"
    )

    def broken(summary: LearningSummary, progress: Any) -> None:
        progress("trends against benchmark audits", 75)
        raise ZeroDivisionError("C1 details that must not leak")

    monkeypatch.setattr("audits.summaries.run.compile_content", broken)
    with pytest.raises(ZeroDivisionError):
        summary_compile(summary_id=known.summary.pk)
    summary = LearningSummary.objects.get(pk=known.summary.pk)
    assert summary.status == SummaryStatus.FAILED
    assert summary.content == {"previous": True} and summary.assurance_level == "reasonable"
    assert "trends against benchmark audits" in summary.error and "C1" not in summary.error
