"""Every record that matters keeps its history, whatever door the change came through, and nobody can rewrite it.

Doors: the services (and so the commands and tasks), the pages, the admin, and bulk writes (an ``update()`` claim,
a ``bulk_create``). The API's history endpoint is tested in tests/api/test_history.py.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, Role
from agencies.services import membership_create, membership_remove
from audits.choices import ActionStatus, ReviewDecision
from audits.history import NOBODY, history_of
from audits.models import (
    ActionUpdate,
    Audit,
    Case,
    CaseFactor,
    ChildFamilyView,
    LearningSummary,
    ReturnGrade,
    SummaryReview,
    Theme,
)
from audits.services.cases import case_create, case_update
from audits.services.summaries import summary_claim_for_compile
from audits.services.themes import theme_update
from tests.audits.factories import (
    ActionFactory,
    AgencyReturnFactory,
    AuditFactory,
    CaseFactory,
    LearningSummaryFactory,
    SafeguardingConcernFactory,
    ThemeFactory,
)
from tests.audits.test_admin_writes import (  # noqa: F401  (fixtures)
    EDITABLE,
    Records,
    admin_url,
    bu,
    change_form,
    page_text,
    records,
)
from tests.conftest import Parties

pytestmark = pytest.mark.django_db

# Records that keep no history of their own, and why. Any other model of the two apps must keep one.
WITHOUT_HISTORY = {
    "audits.Notification": "a log of emails sent, itself written once",
    "audits.SampleDraw": "the record of a random draw, written once and never changed",
    "audits.SummaryExport": "files made again from the summary, whose own history says when",
    "audits.OutboxMessage": "a delivery queue, not a record of the work",
    "audits.CaseAccess": "the access log: itself a history of who read a case, written once",
    "audits.RetentionRecord": "the record of what retention removed, when and under which rule, written once",
}


def name_of(user: Any) -> str:
    return user.get_full_name() or user.username


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def audit(parties: Parties) -> Audit:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, status="agency_returns")
    audit.agencies.add(parties.agency, parties.other_agency)
    return audit


@pytest.fixture
def case(audit: Audit, parties: Parties) -> Case:
    case = CaseFactory(audit=audit)
    case.agencies.add(parties.agency)
    return case


# --- Which records keep a history ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [m for m in apps.get_models() if m._meta.app_label in {"agencies", "audits"}], ids=lambda m: m.__name__
)
def test_every_record_that_matters_keeps_its_history(model: Any) -> None:
    if model.__name__.startswith("Historical") or model._meta.auto_created:
        return
    kept = hasattr(model._meta, "simple_history_manager_attribute")
    assert kept != (model._meta.label in WITHOUT_HISTORY), f"{model._meta.label}: keep its history, or say why not"


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Audit, {"focus_themes", "agencies", "benchmark_audits"}),
        (Case, {"agencies"}),
        (LearningSummary, {"themes", "audits"}),
        (Agency, {"partnerships"}),
    ],
)
def test_many_to_many_relations_are_kept_in_the_history(model: Any, fields: set[str]) -> None:
    assert {field.name for field in model.history.model._history_m2m_fields} == fields


# --- Services (and so commands and tasks) ----------------------------------------------------------------------


def test_case_created_by_a_service_keeps_its_factors_and_agencies(audit: Audit, parties: Parties) -> None:
    case = case_create(
        actor=parties.auditor,
        audit=audit,
        reference="C41",
        age_band="5-11",
        level_of_need=3,
        plan_type="none",
        factors=["neglect", "domestic_abuse"],
        agencies=[parties.agency],
    )
    factors = CaseFactor.history.filter(case_id=case.pk)
    assert sorted(row.factor for row in factors) == ["domestic_abuse", "neglect"]  # bulk_create kept its history
    assert {row.history_user for row in factors} == {parties.auditor}
    agencies = next(c for e in history_of(case, reader=parties.auditor) for c in e.changes if c.field == "agencies")
    assert (agencies.before, agencies.after) == (None, str(parties.agency))


def test_factor_removed_by_a_service_is_in_the_case_history(case: Case, parties: Parties) -> None:
    case_update(actor=parties.auditor, case=case, factors=["neglect", "exploitation"])
    case_update(actor=parties.auditor, case=case, factors=["neglect"])
    latest = history_of(case, reader=parties.business_unit)[0]
    assert (latest.change, latest.record) == ("deleted", "Factor: Exploitation")


def test_history_is_written_in_the_same_transaction_as_the_change(parties: Parties) -> None:
    theme = ThemeFactory(partnership=parties.partnership)
    before = theme.history.count()
    with transaction.atomic():
        theme_update(actor=parties.business_unit, theme=theme, name="Drift and delay")
        assert theme.history.count() == before + 1
        transaction.set_rollback(True)
    assert theme.history.count() == before


def test_membership_given_and_taken_away_is_in_the_history(parties: Parties) -> None:
    membership = membership_create(
        actor=parties.business_unit, user=parties.auditor, partnership=parties.partnership, role=Role.BOARD_MEMBER
    )
    pk = membership.pk  # delete() forgets it
    membership_remove(actor=parties.business_unit, membership=membership)
    assert [row.history_type for row in Membership.history.filter(id=pk).order_by("history_date")] == [
        "+",
        "-",
    ]


# --- Bulk writes: a claim by update() and a command with nobody signed in ------------------------------------------


def test_compile_claim_by_update_leaves_an_entry(parties: Parties) -> None:
    summary = LearningSummaryFactory(partnership=parties.partnership)
    summary_claim_for_compile(summary)
    latest = history_of(summary, reader=parties.business_unit)[0]
    assert latest.description == "Moved from draft to compiling."
    assert latest.by == NOBODY  # nobody was signed in: a command or a task


def test_progress_updates_of_a_compile_stay_out_of_the_history(parties: Parties) -> None:
    from audits.services.summaries import summary_record_progress

    summary = LearningSummaryFactory(partnership=parties.partnership)
    summary_claim_for_compile(summary)
    before = summary.history.count()
    summary_record_progress(summary_id=summary.pk, stage="grades", percent=40)
    assert summary.history.count() == before


def test_compile_command_records_the_claim_and_the_result(parties: Parties) -> None:
    summary = LearningSummaryFactory(partnership=parties.partnership)
    summary.themes.set([ThemeFactory(partnership=parties.partnership)])
    summary.audits.set([AuditFactory(partnership=parties.partnership)])
    call_command("compile_summary", str(summary.pk), stdout=StringIO(), stderr=StringIO())
    moves = [e.description for e in history_of(summary, reader=parties.business_unit) if "Moved" in e.description]
    assert moves[:2] == [
        "Moved from compiling to compiled (assurance level, compiled at also changed).",
        "Moved from draft to compiling.",
    ]


# --- Pages ------------------------------------------------------------------------------------------------------


def test_view_recorded_on_the_case_page_is_in_the_history_as_the_auditors(case: Case, parties: Parties) -> None:
    response = signed_in(parties.auditor).post(
        reverse("pages:case", args=[case.pk]),
        {"form": "view", "view-speaker": "child", "view-summary": "Wanted to stay at school."},
    )
    assert response.status_code == 302
    view = ChildFamilyView.objects.get(case=case)
    assert view.history.get().history_user == parties.auditor


def test_action_moved_on_its_page_shows_on_its_history_page(audit: Audit, parties: Parties) -> None:
    action = ActionFactory(audit=audit, owner_agency=parties.agency)
    lead = signed_in(parties.lead)
    page = lead.get(reverse("pages:action", args=[action.pk])).content.decode()
    assert reverse("pages:action-history", args=[action.pk]) in page

    moved = lead.post(reverse("pages:action", args=[action.pk]), {"move": ActionStatus.IN_PROGRESS, "note": "Begun."})
    assert moved.status_code == 302
    history = lead.get(reverse("pages:action-history", args=[action.pk]))
    text = history.content.decode()
    assert history.status_code == 200
    assert "Moved from open to in progress." in text and name_of(parties.lead) in text
    assert "Begun." in text  # the trail entry


def test_return_saved_on_its_page_shows_on_its_history_page(case: Case, parties: Parties) -> None:
    theme = ThemeFactory(partnership=parties.partnership)
    case.audit.focus_themes.add(theme)
    AgencyReturnFactory(case=case, agency=parties.agency)
    lead = signed_in(parties.lead)
    url = reverse("pages:return", args=[case.pk, parties.agency.pk])
    version = lead.get(url).context["form"]["updated_at"].value()
    saved = lead.post(
        url, {"good_practice": "Chronology kept up to date.", f"grade_{theme.pk}": "2", "updated_at": version}
    )
    assert saved.status_code == 302
    text = lead.get(reverse("pages:return-history", args=[case.pk, parties.agency.pk])).content.decode()
    assert "Chronology kept up to date." in text


@pytest.mark.parametrize("name", ["audit-history", "case-history", "concern-history"])
def test_history_pages_open_for_those_who_may_read_the_record(case: Case, parties: Parties, name: str) -> None:
    concern = SafeguardingConcernFactory(case=case, agency=parties.agency, raised_by=parties.auditor)
    record = {"audit-history": case.audit, "case-history": case, "concern-history": concern}[name]
    assert signed_in(parties.lead).get(reverse(f"pages:{name}", args=[record.pk])).status_code == 200
    assert signed_in(parties.outsider_lead).get(reverse(f"pages:{name}", args=[record.pk])).status_code == 404


def test_board_members_get_no_case_history_page(case: Case, parties: Parties) -> None:
    assert signed_in(parties.board_member).get(reverse("pages:case-history", args=[case.pk])).status_code == 404


# --- Admin ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("record_name", ["case", "agency_return", "theme"])
def test_admin_save_of_newly_kept_records_names_the_business_unit(
    bu: Client,  # noqa: F811
    records: Records,  # noqa: F811
    record_name: str,
) -> None:
    record = getattr(records, record_name)
    field, value = EDITABLE[record_name]
    response = bu.post(admin_url(record, "change"), change_form(bu, record) | {field: value})
    assert response.status_code == 302, page_text(response)
    latest = record.history.first()
    assert (getattr(latest, field), latest.history_user) == (value, records.parties.business_unit)
    assert bu.get(admin_url(record, "history")).status_code == 200


def test_admin_change_of_an_audits_agencies_is_in_its_history(bu: Client, records: Records) -> None:  # noqa: F811
    audit = records.audit
    parties, joining = records.parties, records.uninvolved_agency
    agencies = [parties.agency, parties.other_agency, joining]
    data = change_form(bu, audit) | {"agencies": [str(agency.pk) for agency in agencies]}
    assert bu.post(admin_url(audit, "change"), data).status_code == 302
    entry = history_of(audit, reader=parties.business_unit)[0]
    change = next(c for c in entry.changes if c.field == "agencies")
    assert str(joining) not in (change.before or "") and str(joining) in (change.after or "")
    assert entry.by == name_of(records.parties.business_unit)


@pytest.fixture
def trail(parties: Parties, audit: Audit) -> dict[str, Any]:
    action = ActionFactory(audit=audit, owner_agency=parties.agency)
    summary = LearningSummaryFactory(partnership=parties.partnership)
    return {
        "update": ActionUpdate.objects.create(
            action=action, author=parties.lead, note="Begun.", status_to="in_progress"
        ),
        "review": SummaryReview.objects.create(
            summary=summary, reviewer=parties.board_member, decision=ReviewDecision.COMMENT, comment="Clear."
        ),
    }


@pytest.mark.parametrize("entry", ["update", "review"])
def test_nobody_edits_or_deletes_trail_entries_in_the_admin(superuser: Any, trail: dict[str, Any], entry: str) -> None:
    record = trail[entry]
    operator = signed_in(superuser)
    assert operator.get(admin_url(record, "change")).status_code == 200  # readable
    assert (
        operator.post(admin_url(record, "change"), {"note": "Rewritten.", "comment": "Rewritten."}).status_code == 403
    )
    assert operator.post(admin_url(record, "delete"), {"post": "yes"}).status_code == 403
    changelist = reverse(f"admin:audits_{record._meta.model_name}_changelist")
    operator.post(changelist, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert type(record).objects.filter(pk=record.pk).exists()
    model_admin = admin.site._registry[type(record)]
    request = type("Request", (), {"user": superuser})()
    assert not model_admin.has_delete_permission(request, record)
    assert not model_admin.has_change_permission(request, record)
    assert not model_admin.has_add_permission(request)


def test_no_history_is_editable_in_the_admin() -> None:
    """History rows have no admin of their own: they are read through their record's history page only."""
    registered = {model._meta.label for model in admin.site._registry}
    kept = [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]
    assert kept
    for model in kept:
        assert model.history.model._meta.label not in registered
    assert not any(label.split(".")[1].startswith("Historical") for label in registered)


def test_past_versions_of_trail_and_set_up_records_can_be_read_but_not_posted_back(
    bu: Client,  # noqa: F811
    records: Records,  # noqa: F811
) -> None:
    for record in (records.theme, records.case, records.membership):
        version = record.history.first()
        url = reverse(
            f"admin:{record._meta.app_label}_{record._meta.model_name}_simple_history",
            args=[record.pk, version.history_id],
        )
        assert bu.get(url).status_code == 200
        assert bu.post(url, {}).status_code == 405


def test_self_grades_changed_in_a_return_keep_their_history(case: Case, parties: Parties) -> None:
    from audits.services.returns import agency_return_update

    theme = ThemeFactory(partnership=parties.partnership)
    case.audit.focus_themes.add(theme)
    agency_return = AgencyReturnFactory(case=case, agency=parties.agency)
    agency_return_update(actor=parties.lead, agency_return=agency_return, self_grades={theme: 3})
    agency_return_update(actor=parties.lead, agency_return=agency_return, self_grades={theme: None})
    kinds = [row.history_type for row in ReturnGrade.history.filter(agency_return_id=agency_return.pk)]
    assert sorted(kinds) == ["+", "-"]
    assert Theme.objects.filter(pk=theme.pk).exists()
