from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q
from django.test import RequestFactory

from agencies.models import Agency, Membership, Partnership, Role, Sector
from audits.choices import ActionStatus, ConcernStatus, FindingKind
from audits.demo import DEMO_PASSWORD
from audits.models import Action, Audit, Finding, SafeguardingConcern
from audits.validators import validate_pseudonymous_reference

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"agencies", "audits", "auth"}
    }


@pytest.fixture(scope="module")
def demo_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Build the demo once for this module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once: str, db: None) -> str:
    return demo_once


def test_load_demo_twice_changes_nothing(demo: str) -> None:
    before = snapshot()
    finding_values = list(Finding.objects.order_by("pk").values_list("grade", "self_grade", "kind", "narrative"))
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == before
    assert list(Finding.objects.order_by("pk").values_list("grade", "self_grade", "kind", "narrative")) == (
        finding_values
    )


def test_demo_prints_a_sign_in_for_every_role(demo: str) -> None:
    assert DEMO_PASSWORD in demo
    for username in ["admin", "business.unit", "auditor", "lead.police", "board.member"]:
        assert username in demo
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
    partnership = Partnership.objects.get(slug="severnvale")
    roles = set(Membership.objects.filter(partnership=partnership).values_list("role", flat=True))
    assert roles == set(Role.values)


def test_demo_has_agencies_of_every_sector_in_the_reference_report(demo: str) -> None:
    partnership = Partnership.objects.get(slug="severnvale")
    sectors = set(Agency.objects.filter(partnerships=partnership).values_list("sector", flat=True))
    assert sectors == set(Sector.values) - {Sector.OTHER}
    # One force serves two partnerships.
    assert Agency.objects.get(short_name="Police").partnerships.count() == 2


def test_demo_has_the_four_2018_19_macfas_and_the_earlier_neglect_audits(demo: str) -> None:
    audits = {audit.reference: audit for audit in Audit.objects.filter(partnership__slug="severnvale")}
    assert set(audits) == {"MACFA 14", "MACFA 26", "MACFA 28", "MACFA 29", "MACFA 30", "MACFA 31", "MACFA 32"}
    neglect = audits["MACFA 31"]
    assert {a.reference for a in neglect.benchmark_audits.all()} == {"MACFA 14", "MACFA 26"}
    assert "neglect" in neglect.focus_themes.values_list("slug", flat=True)
    assert audits["MACFA 28"].cases.count() == 19  # nineteen referrals
    assert "CSE screening tool" in audits["MACFA 29"].title
    early_help = audits["MACFA 30"]
    assert early_help.cases.count() == 6
    voice = Finding.objects.filter(case__audit=early_help, theme__slug="voice-of-the-child", agency=None)
    assert voice.filter(kind=FindingKind.STRENGTH).count() == 4  # the child's voice evident in four of six


def test_demo_has_returns_moderated_findings_and_every_action_status(demo: str) -> None:
    findings = Finding.objects.filter(case__audit__partnership__slug="severnvale")
    assert findings.filter(agreed_at__isnull=False).count() == findings.count() > 100
    assert findings.exclude(self_grade=None).exclude(self_grade=F("grade")).exists()  # the panel moved some
    statuses = set(Action.objects.values_list("status", flat=True))
    assert statuses == set(ActionStatus.values)
    overdue = Action.objects.filter(
        status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.REOPENED],
        due_date__lt=datetime.date.today(),
    )
    assert overdue.exists()
    assert Action.objects.filter(Q(status=ActionStatus.OPEN) & Q(due_date__gte=datetime.date.today())).exists()
    assert SafeguardingConcern.objects.filter(status=ConcernStatus.RAISED).count() == 1


def test_demo_has_an_audit_whose_returns_the_leads_can_complete(demo: str) -> None:
    from audits.choices import AuditStatus

    live = Audit.objects.get(partnership__slug="severnvale", reference="MACFA 32")
    assert live.status == AuditStatus.AGENCY_RETURNS
    police = Agency.objects.get(short_name="Police")
    assert live.cases.filter(agencies=police).exists() and not live.cases.filter(returns__isnull=False).exists()


def test_demo_case_references_are_pseudonymous(demo: str) -> None:
    for reference in Audit.objects.values_list("cases__reference", flat=True):
        validate_pseudonymous_reference(reference)
