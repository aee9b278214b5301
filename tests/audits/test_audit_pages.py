"""The auditor's audit pages: the list by stage, planning and editing, the audit's page with its moves, actions and
the compile of its learning summary."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.choices import AuditStatus, SummaryStatus
from audits.models import Action, Audit, LearningSummary
from audits.services.audits import audit_update
from macfa.celery import app as celery_app
from tests.audits.factories import ActionFactory, AuditFactory, CaseFactory, LearningSummaryFactory, ThemeFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def audit(parties: Parties) -> Audit:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, reference="MACFA 31")
    audit.agencies.add(parties.agency)
    audit.focus_themes.add(ThemeFactory(partnership=parties.partnership, name="Voice of the child"))
    return audit


@pytest.fixture
def eager() -> Iterator[None]:
    """Run the compile in the request, as in development."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def compile_from_page(client: Client, audit: Audit, capture: Any) -> Any:
    """Press "Compile"; the task is queued when the request's transaction commits."""
    with capture(execute=True):
        return client.post(reverse("pages:audit-compile", args=[audit.pk]))


def page(client: Client, name: str, *args: Any) -> Any:
    return client.get(reverse(name, args=args))


def plan(parties: Parties, **changes: Any) -> dict[str, Any]:
    theme = ThemeFactory(partnership=parties.partnership, name="Neglect")
    return {
        "reference": "MACFA 40",
        "title": "Neglect re-audit",
        "focus_themes": [theme.pk],
        "terms_of_reference": "Look again at neglect in early help.",
        "agencies": [parties.agency.pk, parties.other_agency.pk],
        "start_date": "2026-02-02",
        "panel_date": "2026-03-02",
        "end_date": "2026-04-30",
        **changes,
    }


# The list


def test_audit_list_shows_each_visible_audit_as_a_link_under_its_stage(parties: Parties, audit: Audit) -> None:
    foreign = AuditFactory(partnership=parties.other_partnership, reference="MACFA 99")
    text = page(signed_in(parties.auditor), "pages:audits").content.decode()
    assert f'href="{reverse("pages:audit", args=[audit.pk])}"' in text
    assert '<h2 class="govuk-heading-m" id="stage-1">Planned</h2>' in text
    assert "MACFA 99" not in text and reverse("pages:audit", args=[foreign.pk]) not in text


@pytest.mark.parametrize(("role", "offered"), [("auditor", True), ("business_unit", True), ("lead", False)])
def test_plan_an_audit_is_offered_only_to_those_who_may_plan(
    parties: Parties, audit: Audit, role: str, offered: bool
) -> None:
    client = signed_in(getattr(parties, role))
    assert ("Plan an audit" in page(client, "pages:audits").content.decode()) is offered
    assert ("Plan an audit" in page(client, "pages:home").content.decode()) is offered
    assert page(client, "pages:audit-new").status_code == (200 if offered else 404)


def test_home_page_links_every_audit(parties: Parties, audit: Audit) -> None:
    text = page(signed_in(parties.lead), "pages:home").content.decode()
    assert f'<a class="govuk-link" href="{reverse("pages:audit", args=[audit.pk])}">MACFA 31</a>' in text


def test_audit_list_query_count_is_constant_in_the_number_of_audits(
    parties: Parties, audit: Audit, django_assert_num_queries: Any
) -> None:
    client = signed_in(parties.auditor)
    with CaptureQueriesContext(connection) as one:
        page(client, "pages:audits")
    for status in AuditStatus.values:
        AuditFactory(partnership=parties.partnership, status=status)
    with django_assert_num_queries(len(one.captured_queries)):
        text = page(client, "pages:audits").content.decode()
    assert text.count('class="govuk-link" href="/audits/') == 6


# Planning and editing


def test_auditor_plans_an_audit_and_runs_it(parties: Parties) -> None:
    response = signed_in(parties.auditor).post(reverse("pages:audit-new"), plan(parties))
    created = Audit.objects.get(reference="MACFA 40")
    assert response.status_code == 302 and response.url == reverse("pages:audit", args=[created.pk])
    assert created.auditor == parties.auditor and created.partnership == parties.partnership
    assert set(created.agencies.all()) == {parties.agency, parties.other_agency}
    assert [t.name for t in created.focus_themes.all()] == ["Neglect"]
    assert created.panel_date == datetime.date(2026, 3, 2)


def test_planning_offers_only_the_partnerships_agencies_and_earlier_audits(parties: Parties, audit: Audit) -> None:
    AuditFactory(partnership=parties.other_partnership, reference="MACFA 77")
    text = page(signed_in(parties.auditor), "pages:audit-new").content.decode()
    assert str(parties.other_agency) in text and str(parties.outsider_agency) not in text
    assert "MACFA 31" in text and "MACFA 77" not in text


def test_a_refused_plan_says_why_on_its_field_and_keeps_what_was_typed(parties: Parties) -> None:
    response = signed_in(parties.auditor).post(
        reverse("pages:audit-new"), plan(parties, end_date="2026-01-01", title="Typed title")
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "The audit cannot end before it starts." in text and 'href="#id_end_date_day"' in text
    assert 'value="Typed title"' in text and "Look again at neglect in early help." in text
    assert not Audit.objects.filter(reference="MACFA 40").exists()


def test_auditor_changes_the_plan(parties: Parties, audit: Audit) -> None:
    client = signed_in(parties.auditor)
    version = re.search(r'name="version" value="([^"]+)"', page(client, "pages:audit-edit", audit.pk).content.decode())
    assert version is not None
    data = plan(parties, reference="MACFA 31", version=version.group(1))
    response = client.post(reverse("pages:audit-edit", args=[audit.pk]), data)
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.title == "Neglect re-audit" and audit.terms_of_reference.startswith("Look again")


def test_a_stale_edit_says_so_keeps_the_typed_text_and_saves_nothing_until_sent_again(
    parties: Parties, audit: Audit
) -> None:
    client = signed_in(parties.auditor)
    form = page(client, "pages:audit-edit", audit.pk).content.decode()
    old_version = re.search(r'name="version" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    audit_update(actor=parties.business_unit, audit=audit, title="Saved first by the business unit")

    data = plan(parties, reference="MACFA 31", title="My typed title", version=old_version)
    response = client.post(reverse("pages:audit-edit", args=[audit.pk]), data)
    text = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this audit while you were editing it." in text
    assert 'value="My typed title"' in text and "Saved first by the business unit" in text
    audit.refresh_from_db()
    assert audit.title == "Saved first by the business unit"

    again = re.search(r'name="version" value="([^"]+)"', text).group(1)  # type: ignore[union-attr]
    assert client.post(reverse("pages:audit-edit", args=[audit.pk]), {**data, "version": again}).status_code == 302
    audit.refresh_from_db()
    assert audit.title == "My typed title"


@pytest.mark.parametrize("role", ["lead", "board_member"])
def test_who_may_not_manage_the_audit_cannot_edit_it(parties: Parties, audit: Audit, role: str) -> None:
    client = signed_in(getattr(parties, role))
    assert page(client, "pages:audit-edit", audit.pk).status_code == 403
    response = client.post(reverse("pages:audit-edit", args=[audit.pk]), plan(parties, reference="MACFA 31"))
    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.title == "Neglect"


# The audit's page: who sees it, what they are offered


@pytest.mark.parametrize("role", ["outsider", "outsider_auditor", "outsider_lead", "other_lead"])
def test_audit_pages_are_not_found_for_those_who_may_not_see_the_audit(
    parties: Parties, audit: Audit, role: str
) -> None:
    client = signed_in(getattr(parties, role))
    LearningSummaryFactory(partnership=parties.partnership).audits.add(audit)
    routes = ["audit", "audit-edit", "audit-summary-progress", "audit-move", "audit-action-new", "audit-compile"]
    for name in routes:
        url = reverse(f"pages:{name}", args=[audit.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"status": "agency_returns"}).status_code == 404, name
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLANNED
    assert LearningSummary.objects.get().status == SummaryStatus.DRAFT


@pytest.mark.parametrize("role", ["lead", "board_member"])
def test_readers_of_the_audit_are_offered_no_moves_actions_or_compile(
    parties: Parties, audit: Audit, role: str
) -> None:
    client = signed_in(getattr(parties, role))
    text = page(client, "pages:audit", audit.pk).content.decode()
    assert "MACFA 31" in text
    assert "Move to agency returns" not in text and "Agree an action" not in text
    assert "Compile the learning summary" not in text and "Add a case" not in text
    refused = client.post(reverse("pages:audit-move", args=[audit.pk]), {"status": "agency_returns"})
    assert refused.status_code == 403
    assert "Only the business unit or this audit&#x27;s auditor can do this." in refused.content.decode()
    assert client.post(reverse("pages:audit-action-new", args=[audit.pk]), {}).status_code == 403
    assert client.post(reverse("pages:audit-compile", args=[audit.pk])).status_code == 403
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLANNED and not Action.objects.exists()


def test_auditor_is_offered_the_moves_the_stage_allows_in_words(parties: Parties, audit: Audit) -> None:
    audit.status = AuditStatus.PANEL
    audit.save()
    text = page(signed_in(parties.auditor), "pages:audit", audit.pk).content.decode()
    assert re.search(r'value="reporting"[^>]*>Move to reporting</button>', text)
    assert 'value="agency_returns"' in text and "Back to agency returns" in text
    assert 'value="closed"' not in text


def test_post_only_routes_refuse_a_get_from_who_may_see_the_audit(parties: Parties, audit: Audit) -> None:
    client = signed_in(parties.auditor)
    for name in ("audit-move", "audit-action-new", "audit-compile"):
        assert client.get(reverse(f"pages:{name}", args=[audit.pk])).status_code == 405, name


def test_auditor_moves_the_audit_to_agency_returns(parties: Parties, audit: Audit) -> None:
    client = signed_in(parties.auditor)
    response = client.post(reverse("pages:audit-move", args=[audit.pk]), {"status": "agency_returns"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.AGENCY_RETURNS
    assert "is now at the agency returns stage" in client.get(response.url).content.decode()


def test_a_move_the_stage_does_not_allow_is_explained_in_plain_words(parties: Parties, audit: Audit) -> None:
    response = signed_in(parties.auditor).post(reverse("pages:audit-move", args=[audit.pk]), {"status": "closed"})
    text = response.content.decode()
    assert response.status_code == 409
    assert "This audit cannot go to closed from planning." in text
    assert "agency_returns" not in re.sub(r'value="[a-z_]+"', "", text)  # no state code outside the buttons
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLANNED


def test_audit_page_shows_cases_and_actions_as_links(parties: Parties, audit: Audit) -> None:
    case = CaseFactory(audit=audit, reference="C7")
    action = ActionFactory(audit=audit, owner_agency=parties.agency, description="Refresh neglect training.")
    text = page(signed_in(parties.auditor), "pages:audit", audit.pk).content.decode()
    assert f'href="/cases/{case.pk}/">C7</a>' in text
    assert f'href="{reverse("pages:action", args=[action.pk])}">Refresh neglect training.</a>' in text
    for link in ("cases/new/", "cases/import/", "cases/draw/"):
        assert f'href="/audits/{audit.pk}/{link}"' in text


def test_audit_page_query_count_is_constant_in_the_number_of_cases_and_actions(
    parties: Parties, audit: Audit, django_assert_num_queries: Any
) -> None:
    client = signed_in(parties.auditor)

    def add(n: int) -> None:
        case = CaseFactory(audit=audit, reference=f"K{n}")
        case.agencies.add(parties.agency)
        ActionFactory(audit=audit, owner_agency=parties.agency, case=case)

    add(0)
    with CaptureQueriesContext(connection) as one:
        page(client, "pages:audit", audit.pk)
    for n in range(1, 6):
        add(n)
    with django_assert_num_queries(len(one.captured_queries)):
        text = page(client, "pages:audit", audit.pk).content.decode()
    assert text.count('href="/cases/') == 6


# Agreeing an action


def test_auditor_agrees_an_action_for_a_case(parties: Parties, audit: Audit) -> None:
    case = CaseFactory(audit=audit, reference="C3")
    response = signed_in(parties.auditor).post(
        reverse("pages:audit-action-new", args=[audit.pk]),
        {
            "owner_agency": parties.agency.pk,
            "description": "Audit chronologies.",
            "due_date": "2030-01-31",
            "case": case.pk,
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.audit, action.owner_agency, action.case) == (audit, parties.agency, case)
    assert action.due_date == datetime.date(2030, 1, 31) and action.created_by_id == parties.auditor.pk


def test_an_action_outside_the_audits_agencies_or_due_in_the_past_is_refused_with_the_text_kept(
    parties: Parties, audit: Audit
) -> None:
    client = signed_in(parties.auditor)
    url = reverse("pages:audit-action-new", args=[audit.pk])
    outsider = client.post(
        url, {"owner_agency": parties.outsider_agency.pk, "description": "X.", "due_date": "2030-01-31"}
    )
    assert outsider.status_code == 400 and "Select a valid choice" in outsider.content.decode()
    past = client.post(
        url, {"owner_agency": parties.agency.pk, "description": "Typed words.", "due_date": "2001-01-01"}
    )
    text = past.content.decode()
    assert past.status_code == 400
    assert "The due date cannot be before the date the action was raised." in text and "Typed words." in text
    assert not Action.objects.exists()


# The audit's learning summary


def test_auditor_compiles_the_audits_learning_summary(
    parties: Parties, audit: Audit, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(parties.auditor)
    assert "This audit has no learning summary yet." in page(client, "pages:audit", audit.pk).content.decode()
    response = compile_from_page(client, audit, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    summary = LearningSummary.objects.get()
    assert summary.title == "MACFA 31: Neglect" and list(summary.audits.all()) == [audit]
    assert list(summary.themes.all()) == list(audit.focus_themes.all())
    assert summary.status == SummaryStatus.COMPILED
    text = client.get(response.url).content.decode()
    assert "Compiled. Last compiled" in text and 'value="100"' in text
    progress = page(client, "pages:audit-summary-progress", audit.pk).json()
    assert progress["status"] == "compiled" and progress["progress_percent"] == 100 and progress["finished"]

    compile_from_page(client, audit, django_capture_on_commit_callbacks)
    assert LearningSummary.objects.count() == 1  # compiling again reuses the audit's summary


def test_progress_shows_a_compile_under_way(
    parties: Parties, audit: Audit, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from audits.tasks import compile_summary

    queued: list[int] = []
    monkeypatch.setattr(compile_summary, "delay", queued.append)
    client = signed_in(parties.auditor)
    compile_from_page(client, audit, django_capture_on_commit_callbacks)
    assert len(queued) == 1
    text = page(client, "pages:audit", audit.pk).content.decode()
    assert "Compiling: queued, 0% done." in text and "data-running" in text and "macfa/progress.js" in text
    progress = page(client, "pages:audit-summary-progress", audit.pk).json()
    assert progress == {
        "status": "compiling",
        "message": "Compiling: queued, 0% done.",
        "progress_stage": "queued",
        "progress_percent": 0,
        "error": "",
        "finished": False,
    }


@pytest.mark.django_db(transaction=True)  # the compile runs when the request's own transaction commits, as in use
def test_a_failed_compile_shows_its_message_and_keeps_the_previous_version(
    parties: Parties, audit: Audit, eager: None, monkeypatch: Any
) -> None:
    client = signed_in(parties.auditor)
    client.post(reverse("pages:audit-compile", args=[audit.pk]))
    summary = LearningSummary.objects.get()
    previous = summary.content

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr("audits.summaries.run.compile_content", broken)
    response = client.post(reverse("pages:audit-compile", args=[audit.pk]))
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.FAILED and summary.content == previous
    text = client.get(response.url).content.decode()
    assert "The last compile failed." in text and "The previous version is kept" in text
    assert page(client, "pages:audit-summary-progress", audit.pk).json()["status"] == "failed"


def test_an_audit_without_focus_themes_is_told_what_to_do_before_compiling(parties: Parties, audit: Audit) -> None:
    audit.focus_themes.clear()
    response = signed_in(parties.auditor).post(reverse("pages:audit-compile", args=[audit.pk]))
    assert response.status_code == 400
    assert "Choose the audit&#x27;s focus themes" in response.content.decode()
    assert not LearningSummary.objects.exists()


def test_auditor_agrees_an_action_on_a_finding_from_the_case_page(parties: Parties, audit: Audit) -> None:
    from tests.audits.factories import FindingFactory

    case = CaseFactory(audit=audit)
    case.agencies.add(parties.agency)
    finding = FindingFactory(case=case, agency=parties.agency, kind="area_for_improvement", grade=3)
    audit.focus_themes.add(finding.theme)
    auditor = signed_in(parties.auditor)
    link = f"{reverse('pages:audit', args=[audit.pk])}?finding={finding.pk}#agree-action"
    assert link.replace("&", "&amp;") in auditor.get(reverse("pages:case", args=[case.pk])).content.decode()
    form = auditor.get(link).context["action_form"]
    assert (form["finding"].value(), form["case"].value(), form["owner_agency"].value()) == (
        finding.pk,
        case.pk,
        parties.agency.pk,
    )
    answer = auditor.post(
        reverse("pages:audit-action-new", args=[audit.pk]),
        {
            "owner_agency": parties.agency.pk,
            "description": "Audit chronologies.",
            "due_date": "2031-01-31",
            "finding": finding.pk,
        },
    )
    assert answer.status_code == 302
    action = Action.objects.get(description="Audit chronologies.")
    assert (action.finding, action.case) == (finding, case)  # the finding's case, though the form left it blank
