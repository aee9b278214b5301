"""Every admin page renders for the business unit, and runs the same number of queries however many rows it shows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role
from audits.choices import ActionStatus, ReviewDecision, Speaker
from audits.models import ActionUpdate, CaseFactor, ChildFamilyView, Notification, SummaryExport, SummaryReview
from tests.agencies.factories import AgencyFactory, MembershipFactory, PartnershipFactory, UserFactory
from tests.audits.factories import (
    ActionFactory,
    AgencyReturnFactory,
    AuditFactory,
    CaseFactory,
    FindingFactory,
    LearningSummaryFactory,
    SafeguardingConcernFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

FACTORS = ["neglect", "domestic_abuse", "exploitation", "missing", "disability", "sexual_abuse"]


class Rows:
    """A partnership whose every admin list grows by the same step each time ``add`` is called."""

    def __init__(self) -> None:
        self.partnership = PartnershipFactory()
        self.audit = AuditFactory(partnership=self.partnership)
        self.case = CaseFactory(audit=self.audit)
        self.action = ActionFactory(audit=self.audit, owner_agency=AgencyFactory(partnerships=[self.partnership]))
        self.summary = LearningSummaryFactory(partnership=self.partnership)
        self.author = UserFactory()
        self.added = 0

    def add(self, count: int) -> None:
        for _ in range(count):
            index = self.added
            self.added += 1
            agency = AgencyFactory(partnerships=[self.partnership])
            theme = ThemeFactory(partnership=self.partnership)
            audit = AuditFactory(partnership=self.partnership)
            audit.focus_themes.add(theme)
            case = CaseFactory(audit=self.audit)
            case.agencies.add(agency)
            PartnershipFactory()
            CaseFactor.objects.create(case=CaseFactory(audit=self.audit), factor=FACTORS[index % len(FACTORS)])
            MembershipFactory(partnership=self.partnership, role=Role.AGENCY_LEAD, agency=agency)
            AgencyReturnFactory(case=self.case, agency=agency)
            FindingFactory(case=self.case, agency=agency, theme=theme)
            ChildFamilyView.objects.create(case=self.case, speaker=Speaker.CHILD, summary="Felt listened to.")
            ActionFactory(audit=self.audit, case=case, owner_agency=agency, due_date=datetime.date(2019, 6, index + 1))
            ActionUpdate.objects.create(
                action=self.action, author=self.author, note=f"Update {index}", status_to=ActionStatus.IN_PROGRESS
            )
            SafeguardingConcernFactory(case=case, agency=agency, raised_by=self.author)
            LearningSummaryFactory(partnership=self.partnership).themes.add(theme)
            SummaryReview.objects.create(
                summary=self.summary, reviewer=self.author, decision=ReviewDecision.COMMENT, comment="Clear."
            )
            SummaryExport.objects.create(
                summary=LearningSummaryFactory(partnership=self.partnership),
                format="pdf",
                file=ContentFile(b"%PDF-1.4", name="briefing.pdf"),
            )
            Notification.objects.create(
                kind="action_reminder", recipient=self.author, event_key=f"day-{index}", subject="Reminder"
            )


def admin_client(superuser: object) -> Client:
    client = Client()
    client.force_login(superuser)  # type: ignore[arg-type]
    return client


def count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, site) so both counts compare like with like
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


MODELS = [model for model in admin.site._registry if model._meta.app_label in {"agencies", "audits"}]


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.model_name for m in MODELS])
def test_changelist_renders_with_constant_queries(model: type, superuser: object) -> None:
    client = admin_client(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    rows = Rows()
    rows.add(2)
    few = count_queries(client, url)
    rows.add(6)
    assert model._default_manager.count() >= 4
    assert count_queries(client, url) == few


CHANGE_PAGES = {
    "audit": lambda rows: rows.audit,
    "case": lambda rows: rows.case,
    "action": lambda rows: rows.action,
    "learningsummary": lambda rows: rows.summary,
}


@pytest.mark.parametrize("model_name", sorted(CHANGE_PAGES))
def test_change_page_with_inlines_runs_constant_queries(model_name: str, superuser: object) -> None:
    client = admin_client(superuser)
    rows = Rows()
    rows.add(2)
    obj = CHANGE_PAGES[model_name](rows)
    url = reverse(f"admin:audits_{model_name}_change", args=[obj.pk])
    few = count_queries(client, url)
    rows.add(6)
    assert count_queries(client, url) == few


@pytest.mark.parametrize("model", MODELS, ids=[m._meta.model_name for m in MODELS])
def test_every_change_and_add_page_renders(model: type, superuser: object) -> None:
    client = admin_client(superuser)
    Rows().add(1)
    obj = model._default_manager.first()
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    assert client.get(reverse(f"{info}_change", args=[obj.pk])).status_code == 200
    add = client.get(reverse(f"{info}_add"))
    assert add.status_code in (200, 403)  # 403 where records are only made through their workflow
    if add.status_code == 403:
        assert model in (ActionUpdate, SummaryReview, SummaryExport, Notification)


def test_business_unit_sees_demo_style_audit_with_its_cases(superuser: object) -> None:
    audit = AuditFactory(reference="MACFA 31", title="Neglect: second re-audit")
    CaseFactory(audit=audit, reference="M31-01")
    page = admin_client(superuser).get(reverse("admin:audits_audit_change", args=[audit.pk])).content.decode()
    assert "MACFA 31" in page and "M31-01" in page


def test_stage_action_moves_audit_through_the_state_machine(superuser: object) -> None:
    audit = AuditFactory()
    response = admin_client(superuser).post(
        reverse("admin:audits_audit_changelist"),
        {"action": "move_to_agency_returns", "_selected_action": [audit.pk]},
        follow=True,
    )
    audit.refresh_from_db()
    assert audit.status == "agency_returns"
    assert "Move the selected audits to agency returns: done for 1." in response.content.decode()


def test_verify_action_records_who_verified_in_the_trail(superuser: object) -> None:
    action = ActionFactory(status=ActionStatus.COMPLETED)
    admin_client(superuser).post(
        reverse("admin:audits_action_changelist"), {"action": "verify", "_selected_action": [action.pk]}
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.VERIFIED
    assert action.verified_by == superuser
    update = action.updates.get()
    assert (update.status_from, update.status_to, update.author) == ("completed", "verified", superuser)


def test_agree_action_refuses_findings_without_a_panel_grade(superuser: object) -> None:
    graded = FindingFactory()
    ungraded = FindingFactory(grade=None)
    response = admin_client(superuser).post(
        reverse("admin:audits_finding_changelist"),
        {"action": "agree", "_selected_action": [graded.pk, ungraded.pk]},
        follow=True,
    )
    graded.refresh_from_db()
    ungraded.refresh_from_db()
    assert graded.agreed_at is not None
    assert ungraded.agreed_at is None
    assert "Give the panel&#x27;s grade before agreeing the finding." in response.content.decode()


def test_business_unit_sees_only_its_own_partnership_in_the_admin(parties: Any) -> None:
    from django.contrib.auth.models import Permission

    ours = AuditFactory(partnership=parties.partnership, reference="MACFA 31")
    theirs = AuditFactory(partnership=parties.other_partnership, reference="MACFA 99")
    CaseFactory(audit=theirs, reference="THEIRS-917")
    user = parties.business_unit
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["agencies", "audits"]))
    client = admin_client(user)
    listing = client.get(reverse("admin:audits_audit_changelist")).content.decode()
    assert "MACFA 31" in listing and "MACFA 99" not in listing
    assert "THEIRS-917" not in client.get(reverse("admin:audits_case_changelist")).content.decode()
    assert client.get(reverse("admin:audits_audit_change", args=[theirs.pk])).status_code == 302  # "doesn't exist"
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "audits", "model_name": "action", "field_name": "audit", "term": "MACFA"},
    ).json()
    assert [row["text"] for row in found["results"]] == [str(ours)]  # choosing an audit for a new action
    assert client.get(reverse("admin:audits_audit_change", args=[ours.pk])).status_code == 200
