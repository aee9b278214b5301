"""The admin writes only through the services, as the partnership's business unit uses it.

The business unit is admin staff with the permissions the demo gives business units, and acts through the real
admin URLs: change pages keep what fixes a record's identity and its status, refusals show the service's message,
each workflow move is an admin action that calls its service, nothing is deleted, and nothing is reverted.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Membership, Partnership, Role
from audits.choices import ActionStatus, AuditStatus, ConcernStatus, ReturnStatus, ReviewDecision, SummaryStatus
from audits.models import (
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    Finding,
    LearningSummary,
    SafeguardingConcern,
    SummaryReview,
    Theme,
)
from tests.agencies.factories import AgencyFactory, MembershipFactory, PartnershipFactory
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
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


@dataclass
class Records:
    """One of each record in the business unit's partnership, and a second in-scope choice for each identity field.

    The business unit also runs ``second``, so moving a record there would be a choice the form could accept.
    """

    parties: Parties
    second: Partnership
    uninvolved_agency: Agency  # a partner of the partnership, not involved in ``case``
    theme: Theme
    other_theme: Theme
    audit: Audit
    other_audit: Audit
    case: Case
    other_case: Case
    finding: Finding
    agency_return: AgencyReturn
    action: Action
    concern: SafeguardingConcern
    summary: LearningSummary
    membership: Membership


@pytest.fixture
def records(parties: Parties) -> Records:
    partnership = parties.partnership
    involved = [parties.agency, parties.other_agency]
    second = PartnershipFactory()
    MembershipFactory(user=parties.business_unit, partnership=second, role=Role.BUSINESS_UNIT)
    theme, other_theme = ThemeFactory(partnership=partnership), ThemeFactory(partnership=partnership)
    audit, other_audit = AuditFactory(partnership=partnership), AuditFactory(partnership=partnership)
    audit.agencies.set(involved)
    case, other_case = CaseFactory(audit=audit), CaseFactory(audit=audit)
    case.agencies.set(involved)
    other_case.agencies.set(involved)
    summary = LearningSummaryFactory(partnership=partnership)
    summary.themes.set([theme])
    return Records(
        parties=parties,
        second=second,
        uninvolved_agency=AgencyFactory(partnerships=[partnership]),
        theme=theme,
        other_theme=other_theme,
        audit=audit,
        other_audit=other_audit,
        case=case,
        other_case=other_case,
        finding=FindingFactory(case=case, agency=parties.agency, theme=theme),
        agency_return=AgencyReturnFactory(case=case, agency=parties.agency, good_practice="Prompt referral."),
        action=ActionFactory(audit=audit, owner_agency=parties.agency),
        concern=SafeguardingConcernFactory(case=case, agency=parties.agency, raised_by=parties.auditor),
        summary=summary,
        membership=Membership.objects.get(user=parties.lead),
    )


@pytest.fixture
def bu(parties: Parties) -> Client:
    """The business unit signed in to the admin, with the permissions the demo's business-unit group holds."""
    user = parties.business_unit
    user.is_staff = True  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]
    user.user_permissions.set(  # type: ignore[attr-defined]
        Permission.objects.filter(content_type__app_label__in=["agencies", "audits"])
    )
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def admin_url(record: Model, view: str) -> str:
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_{view}", args=[record.pk])


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


MULTIPLE_CHOICE = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


def form_data(client: Client, url: str) -> dict[str, Any]:
    """What a browser posts from an admin form page as it stands: its fields and the inlines' management forms."""
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple) or isinstance(form.fields[name], MULTIPLE_CHOICE):
            data[name] = [str(item) for item in value or ()]
        else:
            data[name] = "" if value is None else str(value)
        if form[name].field.show_hidden_initial:  # a field with a callable default also posts its initial value
            data[form.add_initial_prefix(name)] = data.get(name, "")
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    return data


def change_form(client: Client, record: Model) -> dict[str, Any]:
    return form_data(client, admin_url(record, "change"))


def stored(record: Model, field: str) -> Any:
    fresh = type(record)._default_manager.get(pk=record.pk)
    return record._meta.get_field(field).value_from_object(fresh)


def act(client: Client, model: type[Model], name: str, *records: Model, note: str | None = None) -> Any:
    """Run an admin action from the changelist's action bar on the records, following to the page it shows."""
    data: dict[str, Any] = {"action": name, "_selected_action": [record.pk for record in records]}
    if note is not None:
        data["note"] = note
    return client.post(changelist_url(model), data, follow=True)


# --- 1. What fixes a record's identity, and its status, cannot be changed from its change page ---------------

# (record, field, another value the business unit could choose): the field must keep its value whatever is posted.
FIXED_FIELDS: list[tuple[str, str, Callable[[Records], Any]]] = [
    ("finding", "case", lambda r: r.other_case.pk),
    ("finding", "agency", lambda r: r.parties.other_agency.pk),
    ("finding", "theme", lambda r: r.other_theme.pk),
    ("finding", "self_grade", lambda r: 1),
    ("case", "audit", lambda r: r.other_audit.pk),
    ("agency_return", "case", lambda r: r.other_case.pk),
    ("agency_return", "agency", lambda r: r.parties.other_agency.pk),
    ("agency_return", "status", lambda r: ReturnStatus.SUBMITTED),
    ("action", "audit", lambda r: r.other_audit.pk),
    ("action", "raised_on", lambda r: "2019-01-07"),
    ("action", "status", lambda r: ActionStatus.VERIFIED),
    ("audit", "partnership", lambda r: r.second.pk),
    ("audit", "status", lambda r: AuditStatus.CLOSED),
    ("summary", "partnership", lambda r: r.second.pk),
    ("summary", "status", lambda r: SummaryStatus.PUBLISHED),
    ("theme", "partnership", lambda r: r.second.pk),
    ("membership", "user", lambda r: r.parties.auditor.pk),  # type: ignore[attr-defined]
    ("membership", "partnership", lambda r: r.second.pk),
    ("membership", "role", lambda r: Role.BOARD_MEMBER),
    ("membership", "agency", lambda r: r.parties.other_agency.pk),
]
# A field each change page may change, sent with the crafted value so that the save itself goes through.
EDITABLE = {
    "finding": ("narrative", "Moderated at panel."),
    "case": ("reference", "C-77"),
    "agency_return": ("good_practice", "Clear chronology."),
    "action": ("description", "Audit supervision records quarterly."),
    "audit": ("title", "Neglect re-audit"),
    "summary": ("title", "Neglect: what changed"),
    "theme": ("name", "Invisible men"),
}


@pytest.mark.parametrize(("record_name", "field", "other"), FIXED_FIELDS, ids=[f"{r}.{f}" for r, f, _ in FIXED_FIELDS])
def test_posting_another_value_for_a_fixed_field_keeps_the_stored_one(
    bu: Client, records: Records, record_name: str, field: str, other: Callable[[Records], Any]
) -> None:
    record = getattr(records, record_name)
    before = stored(record, field)
    data = change_form(bu, record) | {field: str(other(records))}
    if record_name in EDITABLE:
        editable, value = EDITABLE[record_name]
        data[editable] = value
    response = bu.post(admin_url(record, "change"), data)
    assert response.status_code == 302, page_text(response)  # saved: the fixed field was not what stopped it
    assert stored(record, field) == before
    if record_name in EDITABLE:
        assert stored(record, editable) == value


def test_raised_concern_is_view_only_in_the_admin(bu: Client, records: Records) -> None:
    concern = records.concern
    page = bu.get(admin_url(concern, "change"))
    assert page.status_code == 200 and concern.description in page_text(page)
    crafted = {
        "case": records.other_case.pk,
        "agency": records.parties.other_agency.pk,
        "description": "Rewritten after the event.",
        "status": ConcernStatus.CLOSED,
        "outcome": "Nothing to do.",
    }
    assert bu.post(admin_url(concern, "change"), crafted).status_code == 403
    concern.refresh_from_db()
    assert (concern.case, concern.agency, concern.description, concern.status, concern.outcome) == (
        records.case,
        records.parties.agency,
        "Urgent check needed.",
        ConcernStatus.RAISED,
        "",
    )


# --- 2. A save through the admin is recorded in the history as the signed-in person's -----------------------

HISTORY_EDITS = ["audit", "finding", "action", "summary"]


@pytest.mark.parametrize("record_name", HISTORY_EDITS)
def test_admin_save_is_recorded_in_history_as_the_business_units(
    bu: Client, records: Records, record_name: str
) -> None:
    record = getattr(records, record_name)
    field, value = EDITABLE[record_name]
    response = bu.post(admin_url(record, "change"), change_form(bu, record) | {field: value})
    assert response.status_code == 302, page_text(response)
    latest = record.history.first()
    assert (latest.history_type, getattr(latest, field), latest.history_user) == (
        "~",
        value,
        records.parties.business_unit,
    )


def test_concern_raised_in_the_admin_is_recorded_as_raised_by_the_business_unit(bu: Client, records: Records) -> None:
    response = bu.post(
        reverse("admin:audits_safeguardingconcern_add"),
        {"case": records.case.pk, "agency": records.parties.other_agency.pk, "description": "Sibling not seen."},
    )
    assert response.status_code == 302, page_text(response)
    concern = SafeguardingConcern.objects.get(description="Sibling not seen.")
    assert concern.raised_by == records.parties.business_unit
    assert concern.history.first().history_user == records.parties.business_unit


def test_audit_planned_in_the_admin_is_recorded_as_the_business_units(bu: Client, records: Records) -> None:
    data = form_data(bu, reverse("admin:audits_audit_add")) | {
        "partnership": records.parties.partnership.pk,
        "reference": "MACFA 40",
        "title": "Neglect re-audit",
    }
    response = bu.post(reverse("admin:audits_audit_add"), data)
    assert response.status_code == 302, page_text(response)
    audit = Audit.objects.get(partnership=records.parties.partnership, reference="MACFA 40")
    assert audit.status == AuditStatus.PLANNED
    assert audit.history.get().history_user == records.parties.business_unit


def test_action_agreed_in_the_admin_is_recorded_as_the_business_units(bu: Client, records: Records) -> None:
    data = form_data(bu, reverse("admin:audits_action_add")) | {
        "audit": records.audit.pk,
        "owner_agency": records.parties.other_agency.pk,
        "description": "Train staff on invisible men.",
        "raised_on": "2019-03-04",
        "due_date": "2019-09-30",
    }
    response = bu.post(reverse("admin:audits_action_add"), data)
    assert response.status_code == 302, page_text(response)
    action = Action.objects.get(description="Train staff on invisible men.")
    assert (action.status, action.raised_on, action.created_by) == (
        ActionStatus.OPEN,
        datetime.date(2019, 3, 4),
        records.parties.business_unit,
    )
    assert action.history.get().history_user == records.parties.business_unit


# --- 3. A save the service refuses shows its reason on the form and changes nothing -------------------------


def test_finding_for_an_agency_not_involved_in_the_case_is_refused_on_the_form(bu: Client, records: Records) -> None:
    response = bu.post(
        reverse("admin:audits_finding_add"),
        {
            "case": records.case.pk,
            "agency": records.uninvolved_agency.pk,
            "theme": records.other_theme.pk,
            "kind": "strength",
            "narrative": "Good multi-agency working.",
            "grade": "2",
            "change_reason": "",
        },
    )
    assert response.status_code == 200
    assert "This agency is not recorded as involved in this case." in page_text(response)
    assert not Finding.objects.filter(agency=records.uninvolved_agency).exists()


def test_case_reference_that_looks_like_a_name_is_refused_on_the_form(bu: Client, records: Records) -> None:
    case = records.case
    before = case.reference
    response = bu.post(admin_url(case, "change"), change_form(bu, case) | {"reference": "Jayden Smith 7"})
    assert response.status_code == 200
    assert "This looks like a person's name" in page_text(response)
    assert stored(case, "reference") == before


def test_submitted_return_cannot_be_edited_in_the_admin(bu: Client, records: Records) -> None:
    agency_return = records.agency_return
    data = change_form(bu, agency_return) | {"good_practice": "Rewritten after the panel."}
    AgencyReturn.objects.filter(pk=agency_return.pk).update(status=ReturnStatus.SUBMITTED, submitted_at=timezone.now())
    response = bu.post(admin_url(agency_return, "change"), data)
    assert response.status_code == 200
    assert "This return has been submitted and can no longer be edited." in page_text(response)
    assert stored(agency_return, "good_practice") == "Prompt referral."


def test_action_due_before_it_was_raised_is_refused_on_the_form(bu: Client, records: Records) -> None:
    action = records.action
    response = bu.post(admin_url(action, "change"), change_form(bu, action) | {"due_date": "2019-02-01"})
    assert response.status_code == 200
    assert "The due date cannot be before the date the action was raised." in page_text(response)
    assert stored(action, "due_date") == datetime.date(2019, 6, 1)


def test_a_number_the_database_cannot_hold_is_refused_on_the_form(bu: Client, records: Records) -> None:
    partnership = records.parties.partnership
    data = change_form(bu, partnership) | {"suppression_threshold": "40000"}
    response = bu.post(admin_url(partnership, "change"), data)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to" in page_text(response)
    assert stored(partnership, "suppression_threshold") == 5


def test_refused_save_keeps_the_other_changes_unsaved_too(bu: Client, records: Records) -> None:
    action = records.action
    data = change_form(bu, action) | {"due_date": "2019-02-01", "description": "Changed with a bad date."}
    assert bu.post(admin_url(action, "change"), data).status_code == 200
    assert stored(action, "description") == "Refresh guidance on recording the child's voice."
    assert action.history.count() == 1  # only the factory's creation


def test_a_save_never_shows_an_error_over_a_change_it_made(bu: Client, records: Records) -> None:
    """The services write while the form is checked, so nothing may be checked after that: the read-only lists of
    cases on the audit's page take no part in a save, even when their form data is missing or tampered with."""
    audit = records.audit
    kept = audit.history.count()  # its creation, and its agencies set by the fixture
    data = {key: value for key, value in change_form(bu, audit).items() if not key.endswith("FORMS")}
    response = bu.post(admin_url(audit, "change"), data | {"title": "Saved without the case list"})
    assert response.status_code == 302, page_text(response)
    assert stored(audit, "title") == "Saved without the case list"
    assert audit.history.count() == kept + 1


# --- 4. Workflow moves are admin actions that call the services ---------------------------------------------


def test_stage_actions_move_an_audit_to_closed_recording_who_moved_it(bu: Client, records: Records) -> None:
    audit = records.audit
    for stage in [AuditStatus.AGENCY_RETURNS, AuditStatus.PANEL, AuditStatus.REPORTING, AuditStatus.CLOSED]:
        response = act(bu, Audit, f"move_to_{stage.value}", audit)
        assert f"Move the selected audits to {stage.label.lower()}: done for 1." in page_text(response)
        assert stored(audit, "status") == stage
        assert audit.history.first().history_user == records.parties.business_unit


def test_closed_audit_cannot_be_moved_and_the_page_says_why(bu: Client, records: Records) -> None:
    audit = records.audit
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.CLOSED)
    response = act(bu, Audit, "move_to_panel", audit)
    assert f"{audit.reference}: An audit that is closed cannot be moved to panel: closed is final." in page_text(
        response
    )
    assert stored(audit, "status") == AuditStatus.CLOSED


def test_submit_action_submits_a_return_as_the_business_unit(bu: Client, records: Records) -> None:
    agency_return = records.agency_return
    response = act(bu, AgencyReturn, "submit", agency_return)
    assert "Submit the selected returns: done for 1." in page_text(response)
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.SUBMITTED
    assert agency_return.submitted_by == records.parties.business_unit
    again = act(bu, AgencyReturn, "submit", agency_return)
    assert "This agency return is already submitted." in page_text(again)


def test_agree_action_marks_a_graded_finding_agreed(bu: Client, records: Records) -> None:
    finding = records.finding
    response = act(bu, Finding, "agree", finding)
    assert "Mark the selected findings as agreed at panel: done for 1." in page_text(response)
    assert stored(finding, "agreed_at") is not None
    assert finding.history.first().history_user == records.parties.business_unit


def test_action_moves_write_their_trail_with_the_business_unit_as_author(bu: Client, records: Records) -> None:
    action = records.action
    for name, status in [
        ("start", ActionStatus.IN_PROGRESS),
        ("complete", ActionStatus.COMPLETED),
        ("verify", ActionStatus.VERIFIED),
    ]:
        act(bu, Action, name, action)
        assert stored(action, "status") == status
    act(bu, Action, "reopen", action, note="Evidence did not show the change in practice.")
    action.refresh_from_db()
    assert (action.status, action.verified_by, action.completed_at) == (ActionStatus.REOPENED, None, None)
    trail = [(u.status_from, u.status_to, u.author, u.note) for u in action.updates.order_by("created_at", "pk")]
    bu_user = records.parties.business_unit
    assert trail == [
        ("open", "in_progress", bu_user, ""),
        ("in_progress", "completed", bu_user, ""),
        ("completed", "verified", bu_user, ""),
        ("verified", "reopened", bu_user, "Evidence did not show the change in practice."),
    ]


def test_reopen_without_a_note_is_refused_and_the_page_says_why(bu: Client, records: Records) -> None:
    action = records.action
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.COMPLETED)
    response = act(bu, Action, "reopen", action, note="  ")
    assert f"Action {action.pk}: Say why the action is being reopened." in page_text(response)
    assert stored(action, "status") == ActionStatus.COMPLETED
    assert not action.updates.exists()


def test_open_action_cannot_be_verified_and_the_page_says_why(bu: Client, records: Records) -> None:
    action = records.action
    response = act(bu, Action, "verify", action)
    assert (
        f"Action {action.pk}: An action that is open cannot be moved to verified: "
        "it can only be moved to in progress or completed."
    ) in page_text(response)
    assert stored(action, "status") == ActionStatus.OPEN
    assert not action.updates.exists()


def acknowledged(concern: SafeguardingConcern) -> SafeguardingConcern:
    SafeguardingConcern.objects.filter(pk=concern.pk).update(
        status=ConcernStatus.ACKNOWLEDGED, acknowledged_at=concern.raised_at + datetime.timedelta(hours=2)
    )
    return concern


def test_close_action_closes_a_concern_with_the_note_as_its_outcome(bu: Client, records: Records) -> None:
    concern = acknowledged(records.concern)
    response = act(bu, SafeguardingConcern, "close", concern, note="Strategy discussion held; child seen.")
    assert "Close the selected concerns (record the outcome in the note): done for 1." in page_text(response)
    concern.refresh_from_db()
    assert (concern.status, concern.outcome) == (ConcernStatus.CLOSED, "Strategy discussion held; child seen.")
    assert concern.closed_at is not None
    assert concern.history.first().history_user == records.parties.business_unit


def test_concern_is_not_closed_without_an_outcome_or_before_it_is_acknowledged(bu: Client, records: Records) -> None:
    raised = records.concern
    refused = act(bu, SafeguardingConcern, "close", raised, note="Done.")
    assert (
        "A safeguarding concern that is raised cannot be moved to closed: it can only be moved to acknowledged."
        in page_text(refused)
    )
    assert stored(raised, "status") == ConcernStatus.RAISED
    concern = acknowledged(raised)
    assert "Record the outcome before closing the concern." in page_text(
        act(bu, SafeguardingConcern, "close", concern, note="")
    )
    assert stored(concern, "status") == ConcernStatus.ACKNOWLEDGED


def test_compile_action_claims_the_summary_and_queues_the_compile_after_commit(
    bu: Client, records: Records, django_capture_on_commit_callbacks: Any
) -> None:
    summary = records.summary
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = act(bu, LearningSummary, "compile", summary)
    assert "Compile the selected summaries: done for 1." in page_text(response)
    assert stored(summary, "status") == SummaryStatus.COMPILING
    assert len(queued) == 1


def test_submit_and_publish_actions_move_a_summary_through_review(bu: Client, records: Records) -> None:
    summary = records.summary
    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.COMPILED, key_messages="Seen and heard.")
    act(bu, LearningSummary, "submit", summary)
    assert stored(summary, "status") == SummaryStatus.IN_REVIEW
    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.APPROVED)
    response = act(bu, LearningSummary, "publish", summary)
    assert "Publish the selected approved summaries: done for 1." in page_text(response)
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.PUBLISHED and summary.published_at is not None
    assert summary.history.first().history_user == records.parties.business_unit


def test_summary_not_approved_cannot_be_published_and_the_page_says_why(bu: Client, records: Records) -> None:
    summary = records.summary
    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.COMPILED)
    response = act(bu, LearningSummary, "publish", summary)
    assert (
        f"{summary.title}: A learning summary that is compiled cannot be moved to published: "
        "it can only be moved to compiling or in review."
    ) in page_text(response)
    assert stored(summary, "status") == SummaryStatus.COMPILED
    assert stored(summary, "published_at") is None


def test_export_action_queues_the_briefing_only_for_an_approved_summary(
    bu: Client, records: Records, django_capture_on_commit_callbacks: Any
) -> None:
    summary = records.summary
    with django_capture_on_commit_callbacks(execute=False) as queued:
        refused = act(bu, LearningSummary, "export", summary)
    assert "Only an approved summary can be exported as a briefing." in page_text(refused)
    assert queued == []
    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.APPROVED)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = act(bu, LearningSummary, "export", summary)
    assert "Make the briefing files again: done for 1." in page_text(response)
    assert len(queued) == 1
    assert stored(summary, "status") == SummaryStatus.APPROVED


# --- 5. Nothing is deleted; a role is taken away through its service -----------------------------------------


def undeletable(records: Records) -> dict[str, Model]:
    parties = records.parties
    return {
        "audit": records.audit,
        "finding": records.finding,
        "action": records.action,
        "actionupdate": ActionUpdate.objects.create(
            action=records.action, author=parties.auditor, note="Briefing booked.", status_to=""
        ),
        "concern": records.concern,
        "summary": records.summary,
        "summaryreview": SummaryReview.objects.create(
            summary=records.summary, reviewer=parties.board_member, decision=ReviewDecision.COMMENT, comment="Clear."
        ),
    }


UNDELETABLE = ["audit", "finding", "action", "actionupdate", "concern", "summary", "summaryreview"]


@pytest.mark.parametrize("name", UNDELETABLE)
def test_records_cannot_be_deleted_in_the_admin(bu: Client, records: Records, name: str) -> None:
    record = undeletable(records)[name]
    assert bu.get(admin_url(record, "delete")).status_code == 403
    assert bu.post(admin_url(record, "delete"), {"post": "yes"}).status_code == 403
    bu.post(changelist_url(type(record)), {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert type(record)._default_manager.filter(pk=record.pk).exists()


def test_business_unit_removes_a_role_in_its_partnership(bu: Client, records: Records) -> None:
    membership = records.membership
    response = bu.post(admin_url(membership, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_user_model().objects.filter(pk=records.parties.lead.pk).exists()  # type: ignore[attr-defined]


# --- 6. A past version can be read, never restored -----------------------------------------------------------


def test_finding_history_version_can_be_read_but_not_posted_back(bu: Client, records: Records) -> None:
    finding = records.finding
    version = finding.history.first()
    Finding.objects.filter(pk=finding.pk).update(narrative="Moderated at panel.")
    url = reverse("admin:audits_finding_simple_history", args=[finding.pk, version.history_id])
    assert bu.get(url).status_code == 200
    revert = change_form(bu, finding) | {"narrative": "Practice was good.", "grade": "4", "change_reason": "x"}
    assert bu.post(url, revert).status_code == 405
    assert (stored(finding, "narrative"), stored(finding, "grade")) == ("Moderated at panel.", 2)
    assert finding.history.count() == 1


# --- 7. Only staff reach the admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "lead", "board_member"])
def test_people_without_staff_status_are_sent_to_the_admin_sign_in(records: Records, role: str) -> None:
    client = Client()
    client.force_login(getattr(records.parties, role))
    for url in [reverse("admin:index"), admin_url(records.finding, "change"), changelist_url(Action)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url
    before = stored(records.audit, "title")
    response = client.post(admin_url(records.audit, "change"), {"title": "Changed"})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert stored(records.audit, "title") == before
