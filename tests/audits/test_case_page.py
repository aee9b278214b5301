"""The case page: the auditor records and moderates findings in the grid, records views and raises concerns;
agency leads read what is about their agency; everyone else gets 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from audits.choices import AuditStatus, FindingKind, Grade
from audits.models import Finding, ReturnGrade, SafeguardingConcern
from audits.services.findings import finding_update
from tests.agencies.factories import AgencyFactory
from tests.audits.factories import AgencyReturnFactory, AuditFactory, CaseFactory, FindingFactory, ThemeFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_case(parties: Parties, *, themes: int = 2, extra_agencies: int = 0) -> Any:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, status=AuditStatus.PANEL)
    agencies = [parties.agency, parties.other_agency]
    agencies += [AgencyFactory(partnerships=[parties.partnership]) for _ in range(extra_agencies)]
    audit.agencies.add(*agencies)
    audit.focus_themes.add(*[ThemeFactory(partnership=parties.partnership) for _ in range(themes)])
    case = CaseFactory(audit=audit)
    case.agencies.add(*agencies)
    for agency in agencies:
        agency_return = AgencyReturnFactory(case=case, agency=agency, good_practice=f"Good work at {agency}.")
        for theme in audit.focus_themes.all():
            ReturnGrade.objects.create(agency_return=agency_return, theme=theme, grade=Grade.GOOD)
    return case


def prefix(theme: Any, agency: Agency | None) -> str:
    return f"t{theme.pk}-a{agency.pk if agency else 'm'}"


def grid_as_drawn(client: Client, case: Any) -> dict[str, Any]:
    """What a browser would send back for the grid untouched: every cell's fields as the page drew them."""
    page = client.get(reverse("pages:case", args=[case.pk]))
    data: dict[str, Any] = {"form": "findings"}
    for row in page.context["rows"]:
        for cell in row.cells:
            for name in cell.form.fields:
                value = cell.form[name].value()
                data[cell.form.add_prefix(name)] = "" if value is None else value
    return data


def grid_post(client: Client, case: Any, changes: dict[str, Any]) -> Any:
    """Post the grid as a browser would: every cell's fields as drawn, with ``changes`` typed over them."""
    return client.post(reverse("pages:case", args=[case.pk]), grid_as_drawn(client, case) | changes)


@pytest.fixture
def case(parties: Parties) -> Any:
    return make_case(parties)


def themes_of(case: Any) -> list[Any]:
    return list(case.audit.focus_themes.order_by("name", "pk"))


@pytest.mark.parametrize("role", ["other_lead", "board_member", "outsider", "outsider_auditor", "outsider_lead"])
def test_case_page_is_404_for_those_who_may_not_see_the_case(parties: Parties, role: str) -> None:
    case = make_case(parties)
    case.agencies.remove(parties.other_agency)
    response = signed_in(getattr(parties, role)).get(reverse("pages:case", args=[case.pk]))
    assert response.status_code == 404


def test_case_page_shows_characteristics_returns_and_back_link(parties: Parties, case: Any) -> None:
    page = signed_in(parties.auditor).get(reverse("pages:case", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/audits/{case.audit.pk}/"' in html
    assert case.reference in html and "Child in need" in html and "Level 3" in html
    assert f"Good work at {parties.agency}." in html and f"Good work at {parties.other_agency}." in html
    assert "Agency's self-grade: <strong>Good</strong>" in html


def test_auditor_records_several_cells_at_once(parties: Parties, case: Any) -> None:
    first, second = themes_of(case)
    client = signed_in(parties.auditor)
    response = grid_post(
        client,
        case,
        {
            f"{prefix(first, parties.agency)}-grade": "2",
            f"{prefix(first, parties.agency)}-kind": FindingKind.STRENGTH,
            f"{prefix(first, parties.agency)}-narrative": "Voice well recorded.",
            f"{prefix(second, parties.other_agency)}-grade": "4",
            f"{prefix(second, parties.other_agency)}-kind": FindingKind.AREA_FOR_IMPROVEMENT,
            f"{prefix(second, parties.other_agency)}-change_reason": "No chronology on file.",
            f"{prefix(second, None)}-kind": FindingKind.AREA_FOR_IMPROVEMENT,
            f"{prefix(second, None)}-narrative": "Agencies did not share information.",
        },
    )
    assert response.status_code == 302
    findings = {(f.theme_id, f.agency_id): f for f in Finding.objects.filter(case=case)}
    assert set(findings) == {(first.pk, parties.agency.pk), (second.pk, parties.other_agency.pk), (second.pk, None)}
    moved = findings[(second.pk, parties.other_agency.pk)]
    assert (moved.self_grade, moved.grade, moved.change_reason) == (2, 4, "No chronology on file.")
    assert findings[(first.pk, parties.agency.pk)].recorded_by == parties.auditor
    assert "Saved 3 findings." in client.get(response.url).content.decode()


def test_auditor_moderates_an_existing_finding(parties: Parties, case: Any) -> None:
    theme = themes_of(case)[0]
    finding = FindingFactory(case=case, agency=parties.agency, theme=theme, self_grade=2, grade=2)
    client = signed_in(parties.auditor)
    response = grid_post(
        client,
        case,
        {
            f"{prefix(theme, parties.agency)}-grade": "3",
            f"{prefix(theme, parties.agency)}-change_reason": "Plan had no contingency.",
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.grade, finding.change_reason) == (3, "Plan had no contingency.")
    assert "Saved 1 finding." in client.get(response.url).content.decode()


def test_one_invalid_cell_saves_nothing_keeps_typing_and_names_the_cell(parties: Parties, case: Any) -> None:
    first, second = themes_of(case)
    bad = prefix(second, parties.other_agency)
    response = grid_post(
        signed_in(parties.auditor),
        case,
        {
            f"{prefix(first, parties.agency)}-kind": FindingKind.STRENGTH,
            f"{prefix(first, parties.agency)}-narrative": "Typed and kept.",
            f"{bad}-grade": "4",
            f"{bad}-kind": FindingKind.AREA_FOR_IMPROVEMENT,
            f"{bad}-narrative": "Moved without a reason.",
        },
    )
    assert response.status_code == 400
    assert not Finding.objects.filter(case=case).exists()
    html = response.content.decode()
    assert "Typed and kept." in html and "Moved without a reason." in html
    cell = f"{second.name}, {parties.other_agency}"
    assert f'<a href="#id_{bad}-change_reason">{cell}: Give the reason when the panel' in html
    assert "<title>Error: " in html


def test_stale_cell_says_so_keeps_the_typed_text_and_saves_nothing(parties: Parties, case: Any) -> None:
    theme = themes_of(case)[0]
    finding = FindingFactory(case=case, agency=parties.agency, theme=theme, self_grade=2, grade=2, narrative="Old.")
    client = signed_in(parties.auditor)
    cell = prefix(theme, parties.agency)
    data = grid_as_drawn(client, case)
    # Someone else saves the same cell after the page was drawn.
    finding_update(actor=parties.business_unit, finding=finding, narrative="Theirs, saved first.")
    other = prefix(theme, parties.other_agency)
    data |= {f"{cell}-narrative": "Mine, typed later.", f"{other}-kind": FindingKind.STRENGTH}
    response = client.post(reverse("pages:case", args=[case.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "someone else saved this finding after you opened the page" in html
    assert "Theirs, saved first." in html and "Mine, typed later." in html
    finding.refresh_from_db()
    assert finding.narrative == "Theirs, saved first."
    assert not Finding.objects.filter(case=case, agency=parties.other_agency).exists()

    # Saving again, having read theirs, records mine.
    again = {key: value for key, value in data.items()}
    again[f"{cell}-version"] = response.context["rows"][0].cells[0].form["version"].value()
    again[f"{cell}-loaded"] = response.context["rows"][0].cells[0].form["loaded"].value()
    assert client.post(reverse("pages:case", args=[case.pk]), again).status_code == 302
    finding.refresh_from_db()
    assert finding.narrative == "Mine, typed later."


def test_untouched_cell_changed_by_someone_else_is_left_alone(parties: Parties, case: Any) -> None:
    theme = themes_of(case)[0]
    finding = FindingFactory(case=case, agency=parties.agency, theme=theme, self_grade=2, grade=2, narrative="Old.")
    client = signed_in(parties.auditor)
    data = grid_as_drawn(client, case)
    finding_update(actor=parties.business_unit, finding=finding, narrative="Theirs.")
    data[f"{prefix(theme, None)}-kind"] = FindingKind.STRENGTH
    assert client.post(reverse("pages:case", args=[case.pk]), data).status_code == 302
    finding.refresh_from_db()
    assert finding.narrative == "Theirs."
    assert Finding.objects.filter(case=case, agency=None).exists()


@time_machine.travel(datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC), tick=False)
def test_auditor_raises_a_concern_and_sees_the_deadline(parties: Parties, case: Any) -> None:
    client = signed_in(parties.auditor)
    response = client.post(
        reverse("pages:case", args=[case.pk]),
        {"form": "concern", "concern-agency": str(parties.agency.pk), "concern-description": "Bruising seen."},
    )
    assert response.status_code == 302
    concern = SafeguardingConcern.objects.get(case=case)
    assert (concern.agency, concern.description, concern.raised_by) == (
        parties.agency,
        "Bruising seen.",
        parties.auditor,
    )
    html = client.get(response.url).content.decode()
    assert html.count("must acknowledge this by the end of Tuesday 3 March 2026 (one working day)") == 2


def test_concern_agency_choices_put_involved_agencies_first(parties: Parties) -> None:
    case = make_case(parties)
    case.agencies.remove(parties.agency)
    html = signed_in(parties.auditor).get(reverse("pages:case", args=[case.pk])).content.decode()
    assert html.index(f">{parties.other_agency}</option>") < html.index(f">{parties.agency}</option>")
    assert str(parties.outsider_agency) not in html


def test_concern_without_a_description_says_what_to_do(parties: Parties, case: Any) -> None:
    response = signed_in(parties.auditor).post(
        reverse("pages:case", args=[case.pk]), {"form": "concern", "concern-agency": str(parties.agency.pk)}
    )
    assert response.status_code == 400
    assert '<a href="#id_concern-description">Say what the agency must act on.</a>' in response.content.decode()
    assert not SafeguardingConcern.objects.exists()


def test_auditor_records_a_childs_view(parties: Parties, case: Any) -> None:
    client = signed_in(parties.auditor)
    response = client.post(
        reverse("pages:case", args=[case.pk]),
        {"form": "view", "view-speaker": "child", "view-summary": "I want to stay at my school."},
    )
    assert response.status_code == 302
    assert case.views.get().summary == "I want to stay at my school."
    assert "I want to stay at my school." in client.get(response.url).content.decode()


def test_agency_lead_reads_their_agencys_part_only(parties: Parties, case: Any) -> None:
    theme = themes_of(case)[0]
    FindingFactory(case=case, agency=parties.agency, theme=theme, narrative="About the lead's agency.")
    FindingFactory(case=case, agency=parties.other_agency, theme=theme, narrative="About the other agency.")
    client = signed_in(parties.lead)
    html = client.get(reverse("pages:case", args=[case.pk])).content.decode()
    assert "About the lead&#x27;s agency." in html
    assert "About the other agency." not in html and f"Good work at {parties.other_agency}." not in html
    assert "<select" not in html and "<textarea" not in html
    posted = client.post(
        reverse("pages:case", args=[case.pk]), {"form": "concern", "concern-agency": str(parties.agency.pk)}
    )
    assert posted.status_code == 200 and not SafeguardingConcern.objects.exists()


def test_case_page_query_count_does_not_grow_with_themes_and_agencies(parties: Parties) -> None:
    small, large = make_case(parties, themes=2), make_case(parties, themes=6, extra_agencies=4)
    client = signed_in(parties.auditor)
    counts = []
    for case in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pages:case", args=[case.pk])).status_code == 200
        counts.append(len(queries))
    # 16 for the page, 1 to record the read in the access log, and 3 to save the session (savepoint, update,
    # release): it is saved on every request so that inactivity is counted from the last one.
    assert counts[0] == counts[1] <= 20, counts
