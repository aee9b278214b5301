"""The jobs of DESIGN.md §1 done through the API alone, each move allowed and forbidden."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.choices import ActionStatus, AuditStatus, ConcernStatus, SummaryStatus
from audits.models import Action, AgencyReturn, Audit, Finding, LearningSummary, SafeguardingConcern
from macfa.celery import app as celery_app
from tests.api.conftest import World, client_for

pytestmark = pytest.mark.django_db


def url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


def etag(client: Any, path: str) -> str:
    return client.get(path).headers["ETag"]


def move(client: Any, route: str, pk: int, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A workflow move, sent as a person would: with the ETag of the record as they last read it."""
    detail = url(f"{route.split('-')[0]}-detail", pk)
    kwargs.setdefault("format", "json")
    return client.post(url(route, pk), body or {}, HTTP_IF_MATCH=client.get(detail).headers.get("ETag", "*"), **kwargs)


@pytest.fixture
def eager() -> Iterator[None]:
    """Run queued tasks in-process (the real-worker tests are in tests/audits/test_compile_task.py)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_auditor_plans_an_audit_and_moves_it_through_its_stages(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    created = auditor.post(
        url("audit-list"),
        {
            "partnership": world.own.partnership.pk,
            "reference": "MACFA 40",
            "title": "Neglect re-audit",
            "benchmark_audits": [world.own.audit.pk],
            "focus_themes": [world.own.theme.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["auditor"] == world.parties.auditor.pk  # an auditor who plans an audit runs it
    assert body["status"] == "planned" and body["allowed_moves"] == ["agency_returns"]
    audit_url = url("audit-detail", body["id"])
    assert created.headers["Location"].endswith(audit_url)
    moved = move(auditor, "audit-move", body["id"], {"status": "agency_returns"})
    assert moved.json()["status"] == "agency_returns"
    skipped = move(auditor, "audit-move", body["id"], {"status": "closed"})
    assert skipped.status_code == 409
    assert skipped.json()["allowed"] == ["panel", "planned"]


def test_duplicate_audit_reference_is_a_400_on_the_field(world: World) -> None:
    response = client_for(world.parties.business_unit).post(
        url("audit-list"),
        {"partnership": world.own.partnership.pk, "reference": world.own.audit.reference, "title": "Again"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"reference": ["This partnership already has an audit with this reference."]}


def test_ids_outside_the_users_scope_are_400_on_their_field(world: World) -> None:
    response = client_for(world.parties.auditor).post(
        url("case-list"),
        {
            "audit": world.foreign.audit.pk,
            "reference": "C9",
            "age_band": "5-11",
            "level_of_need": 3,
            "plan_type": "none",
            "agencies": [world.parties.outsider_agency.pk],  # a partner of the other partnership only
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"audit", "agencies"}


def test_case_reference_that_names_a_child_is_refused_with_the_reason(world: World) -> None:
    response = client_for(world.parties.auditor).post(
        url("case-list"),
        {
            "audit": world.own.audit.pk,
            "reference": "Jane Smith",
            "age_band": "5-11",
            "level_of_need": 3,
            "plan_type": "none",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "looks like a person's name" in response.json()["errors"]["reference"][0]
    assert "Jane" not in response.json()["errors"]["reference"][0]


def test_agency_lead_writes_self_grades_and_submits_the_return(world: World) -> None:
    lead = client_for(world.parties.lead)
    case = world.own.spare_case
    made = lead.post(
        url("return-list"),
        {
            "case": case.pk,
            "agency": world.own.agency.pk,
            "good_practice": "Regular visits.",
            "self_grades": [{"theme": world.own.theme.pk, "grade": 2}],
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["self_grades"] == [{"theme": world.own.theme.pk, "grade": 2}]
    grade_attempt = lead.post(
        url("finding-list"),
        {"case": case.pk, "agency": world.own.agency.pk, "theme": world.other.theme.pk, "kind": "strength", "grade": 1},
        format="json",
    )
    assert grade_attempt.status_code == 403  # findings are the panel's
    submitted = move(lead, "return-submit", made.json()["id"])
    assert submitted.json()["status"] == "submitted" and submitted.json()["submitted_by"] == world.parties.lead.pk
    edit = lead.patch(
        url("return-detail", made.json()["id"]),
        {"good_practice": "Changed"},
        format="json",
        HTTP_IF_MATCH=etag(lead, url("return-detail", made.json()["id"])),
    )
    assert edit.status_code == 409
    assert AgencyReturn.objects.get(pk=made.json()["id"]).good_practice == "Regular visits."


def test_panel_moderates_with_a_reason_and_agrees(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    finding = world.own.finding  # self-grade 2
    no_reason = move(auditor, "finding-moderate", finding.pk, {"grade": 3})
    assert no_reason.status_code == 400
    assert list(no_reason.json()["errors"]) == ["change_reason"]
    moderated = move(
        auditor,
        "finding-moderate",
        finding.pk,
        {"grade": 3, "change_reason": "Little evidence the plan was reviewed.", "kind": "area_for_improvement"},
    )
    assert moderated.json()["grade"] == 3
    agreed = move(auditor, "finding-agree", finding.pk)
    assert agreed.json()["agreed"] is True
    lead_edit = client_for(world.parties.lead).patch(
        url("finding-detail", finding.pk),
        {"narrative": "Changed"},
        format="json",
        HTTP_IF_MATCH=etag(client_for(world.parties.lead), url("finding-detail", finding.pk)),
    )
    assert lead_edit.status_code == 403  # the finding is the panel's
    assert Finding.objects.get(pk=finding.pk).history.count() >= 3  # each change is in the history


def test_agency_lead_responds_to_an_action_with_evidence_and_the_auditor_verifies(world: World) -> None:
    lead, auditor = client_for(world.parties.lead), client_for(world.parties.auditor)
    action = world.own.action
    started = move(lead, "action-start", action.pk, {"note": "Briefing drafted."})
    assert started.json()["status"] == "in_progress"
    evidence = SimpleUploadedFile("briefing.txt", b"Briefing given to team managers.", content_type="text/plain")
    completed = move(
        lead, "action-complete", action.pk, {"note": "Delivered.", "evidence": evidence}, format="multipart"
    )
    assert completed.status_code == 200, completed.json()
    assert completed.json()["status"] == "completed"
    assert move(lead, "action-verify", action.pk).status_code == 403
    assert move(auditor, "action-reopen", action.pk).json()["errors"] == {
        "note": ["Say why the action is being reopened."]
    }
    verified = move(auditor, "action-verify", action.pk, {"note": "Dip sample confirms."})
    assert verified.json()["status"] == "verified"
    trail = lead.get(url("action-updates", action.pk)).json()["results"]
    assert [(u["status_from"], u["status_to"]) for u in trail] == [
        ("open", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "verified"),
    ]
    assert trail[1]["evidence_name"] == "briefing.txt"
    assert trail[1]["evidence"].endswith(f"/action-updates/{trail[1]['id']}/evidence/")
    assert trail[0]["author"]["username"] == world.parties.lead.username


def test_action_updates_note_keeps_status(world: World) -> None:
    lead = client_for(world.parties.lead)
    added = lead.post(url("action-updates", world.own.action.pk), {"note": "Training booked."}, format="json")
    assert added.status_code == 201
    assert added.json()["status_to"] == ""
    assert Action.objects.get(pk=world.own.action.pk).status == ActionStatus.OPEN
    empty = lead.post(url("action-updates", world.own.action.pk), {}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()["errors"]


def test_overdue_and_due_date_filters(world: World) -> None:
    Action.objects.filter(pk=world.own.action.pk).update(raised_on="2019-01-01", due_date="2019-02-01")
    bu = client_for(world.parties.business_unit)
    overdue = bu.get(url("action-list"), {"overdue": "true"}).json()["results"]
    assert [row["id"] for row in overdue] == [world.own.action.pk]
    assert overdue[0]["overdue"] is True
    later = bu.get(url("action-list"), {"due_after": "2025-01-01"}).json()["results"]
    assert world.own.action.pk not in [row["id"] for row in later]


def test_concern_is_raised_acknowledged_by_the_agency_and_closed(world: World) -> None:
    auditor, lead = client_for(world.parties.auditor), client_for(world.parties.lead)
    raised = auditor.post(
        url("concern-list"),
        {"case": world.own.case.pk, "agency": world.own.agency.pk, "description": "Sibling not seen by health."},
        format="json",
    )
    assert raised.status_code == 201
    concern_id = raised.json()["id"]
    assert raised.json()["acknowledgement_due"] is not None
    assert move(client_for(world.parties.other_lead), "concern-acknowledge", concern_id).status_code == 404
    assert move(auditor, "concern-acknowledge", concern_id).status_code == 403
    acknowledged = move(lead, "concern-acknowledge", concern_id)
    assert acknowledged.json()["status"] == "acknowledged"
    assert move(lead, "concern-acknowledge", concern_id).status_code == 409
    closed = move(lead, "concern-close", concern_id, {"outcome": "Registered with a GP; seen."})
    assert closed.json()["status"] == ConcernStatus.CLOSED
    assert SafeguardingConcern.objects.get(pk=concern_id).history.count() == 3


def test_board_member_counts_concerns_but_cannot_read_them(world: World) -> None:
    board = client_for(world.parties.board_member)
    assert board.get(url("concern-list")).json()["count"] == 0
    assert board.get(url("concern-counts")).json() == {
        "raised": 2,
        "awaiting_acknowledgement": 2,
        "acknowledged": 0,
        "closed": 0,
    }


def test_summary_is_compiled_reviewed_approved_and_published(
    world: World, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    auditor, board, bu = (
        client_for(world.parties.auditor),
        client_for(world.parties.board_member),
        client_for(world.parties.business_unit),
    )
    summary = world.own.summary
    with django_capture_on_commit_callbacks(execute=True):
        queued = move(auditor, "summary-compile", summary.pk)
    assert queued.status_code == 202
    assert queued.headers["Location"].endswith(url("summary-detail", summary.pk))
    compiled = auditor.get(url("summary-detail", summary.pk)).json()
    assert compiled["status"] == "compiled" and compiled["progress_percent"] == 100
    assert move(auditor, "summary-submit", summary.pk).json()["errors"] == {
        "key_messages": ["Write the key messages before sending the summary for review."]
    }
    auditor.patch(
        url("summary-detail", summary.pk),
        {"key_messages": "Listen to children."},
        format="json",
        HTTP_IF_MATCH=etag(auditor, url("summary-detail", summary.pk)),
    )
    assert move(auditor, "summary-submit", summary.pk).json()["status"] == "in_review"
    assert move(board, "summary-reviews", summary.pk, {"decision": "request_changes"}).status_code == 400
    changes = move(board, "summary-reviews", summary.pk, {"decision": "request_changes", "comment": "Add trends."})
    assert changes.status_code == 201
    assert LearningSummary.objects.get(pk=summary.pk).status == SummaryStatus.COMPILED
    move(auditor, "summary-submit", summary.pk)
    assert board.get(url("summary-briefing", summary.pk, "pdf")).status_code == 404  # nothing before approval
    with django_capture_on_commit_callbacks(execute=True):
        approve = move(board, "summary-reviews", summary.pk, {"decision": "approve"})
    assert approve.status_code == 201
    download = board.get(url("summary-briefing", summary.pk, "pdf"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert download.headers["Content-Disposition"].endswith('.pdf"')
    assert move(auditor, "summary-publish", summary.pk).status_code == 403
    published = move(bu, "summary-publish", summary.pk)
    assert published.json()["status"] == "published"
    lead = client_for(world.parties.lead)
    lead_view = lead.get(url("summary-detail", summary.pk)).json()
    assert lead_view["suppressed"] is True
    assert lead.get(url("summary-briefing", summary.pk, "docx")).status_code == 200
    assert [r["decision"] for r in bu.get(url("summary-reviews", summary.pk)).json()["results"]] == [
        "request_changes",
        "approve",
    ]


def test_second_compile_request_while_compiling_is_a_conflict(world: World) -> None:
    auditor = client_for(world.parties.auditor)
    LearningSummary.objects.filter(pk=world.own.summary.pk).update(status=SummaryStatus.COMPILING)
    response = move(auditor, "summary-compile", world.own.summary.pk)
    assert response.status_code == 409
    assert response.json()["message"] == "This summary is being compiled now: wait for it to finish."


def test_board_member_sees_suppressed_figures_and_auditor_exact(world: World) -> None:
    LearningSummary.objects.filter(pk=world.own.summary.pk).update(
        status=SummaryStatus.COMPILED,
        content={
            "scope": {"cases": 3, "agreed_findings": 2},
            "themes": [],
            "views": {"of_cases": 3},
            "concerns": {"raised": 1},
            "assurance": {"level": "none", "total": 2},
        },
    )
    board = client_for(world.parties.board_member).get(url("summary-detail", world.own.summary.pk)).json()
    auditor = client_for(world.parties.auditor).get(url("summary-detail", world.own.summary.pk)).json()
    assert board["content"]["scope"]["cases"] is None and board["suppressed"] is True
    assert auditor["content"]["scope"]["cases"] == 3 and auditor["suppressed"] is False


def test_stale_edit_gets_412_and_keeps_the_first_change(world: World) -> None:
    first, second = client_for(world.parties.auditor), client_for(world.parties.business_unit)
    path = url("audit-detail", world.own.audit.pk)
    tag = etag(first, path)
    assert first.patch(path, {"title": "First"}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    stale = second.patch(path, {"title": "Second"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert Audit.objects.get(pk=world.own.audit.pk).title == "First"
    assert second.patch(path, {"title": "Second"}, format="json").status_code == 428


def test_fixed_fields_cannot_move_a_record(world: World) -> None:
    bu = client_for(world.parties.business_unit)
    path = url("case-detail", world.own.case.pk)
    response = bu.patch(path, {"audit": world.other.audit.pk}, format="json", HTTP_IF_MATCH=etag(bu, path))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["audit"]


def test_closed_audit_refuses_new_cases(world: World) -> None:
    Audit.objects.filter(pk=world.own.audit.pk).update(status=AuditStatus.CLOSED)
    response = client_for(world.parties.auditor).post(
        url("case-list"),
        {"audit": world.own.audit.pk, "reference": "C77", "age_band": "5-11", "level_of_need": 3, "plan_type": "none"},
        format="json",
    )
    assert response.status_code == 409
    assert "is closed" in response.json()["message"]


@pytest.mark.parametrize(
    ("route", "parameter", "record"),
    [
        ("audit-list", "partnership", "partnership"),
        ("case-list", "audit", "audit"),
        ("finding-list", "agency", "agency"),
        ("finding-list", "theme", "theme"),
        ("action-list", "audit", "audit"),
        ("concern-list", "case", "case"),
        ("membership-list", "agency", "agency"),
        ("agency-list", "partnership", "partnership"),
    ],
)
def test_query_string_ids_outside_scope_are_400_like_unknown_ones(
    world: World, route: str, parameter: str, record: str
) -> None:
    bu = client_for(world.parties.business_unit)
    # The foreign records are about an agency both partnerships share; take one the other partnership has alone.
    outside = world.parties.outsider_agency if record == "agency" else getattr(world.foreign, record)
    foreign = bu.get(url(route), {parameter: outside.pk})
    unknown = bu.get(url(route), {parameter: 999999})
    assert foreign.status_code == unknown.status_code == 400
    assert list(foreign.json()["errors"]) == [parameter]
    assert foreign.json() == unknown.json()  # nothing tells an outsider that the record exists
    own = bu.get(url(route), {parameter: getattr(world.own, record).pk})
    assert own.status_code == 200 and own.json()["count"] >= 1
