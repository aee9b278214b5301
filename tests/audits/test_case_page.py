"""The case page: the auditor records and moderates findings in the grid, records views and raises concerns;
agency leads read what is about their agency; everyone else gets 404."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
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


class GridFields(HTMLParser):
    """The grid's fields as a browser sends them back: each hidden input's value, each select's selected option (or
    its first), each textarea's text without the one leading newline that HTML drops."""

    CELL_FIELD = re.compile(r"^t\d+-a(\d+|m)-")

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.first_option: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name", "")
        if tag == "input" and self.CELL_FIELD.match(name):
            self.values[name] = found.get("value", "")
        elif tag == "select" and self.CELL_FIELD.match(name):
            self.select, self.first_option = name, None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = self.values[self.select] = found["value"]
            if "selected" in found:
                self.values[self.select] = found["value"]
        elif tag == "textarea" and self.CELL_FIELD.match(name):
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.values[self.textarea] = self.values[self.textarea].removeprefix("\n")
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data


def drawn_fields(html: str) -> dict[str, str]:
    parser = GridFields()
    parser.feed(html)
    return parser.values


def grid_as_drawn(client: Client, case: Any) -> dict[str, Any]:
    """What a browser would send back for the grid untouched: every cell's fields as the page drew them."""
    page = client.get(reverse("pages:case", args=[case.pk]))
    return {"form": "findings"} | drawn_fields(page.content.decode())


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
    again = data | {name: value for name, value in drawn_fields(html).items() if name.startswith(f"{cell}-")}
    assert again[f"{cell}-narrative"] == "Mine, typed later."
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


def test_a_grid_saved_as_drawn_changes_nothing(parties: Parties, case: Any) -> None:
    """Every saved judgement comes back in its field as it was saved: the selected grade and kind, and text with
    markup characters, quotes and a leading newline, escaped once."""
    first, second = themes_of(case)
    tricky = FindingFactory(
        case=case,
        agency=parties.agency,
        theme=first,
        self_grade=2,
        grade=4,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        change_reason='Plan said "<none>" & it\'s late.',
        narrative="\nFirst line.\r\n<b>Bold?</b> &amp; more",
    )
    FindingFactory(case=case, agency=None, theme=second, self_grade=None, grade=None, narrative="")
    client = signed_in(parties.auditor)
    sent = grid_as_drawn(client, case)
    cell = prefix(first, parties.agency)
    assert (sent[f"{cell}-grade"], sent[f"{cell}-kind"]) == ("4", FindingKind.AREA_FOR_IMPROVEMENT)
    assert sent[f"{cell}-change_reason"] == tricky.change_reason
    assert sent[f"{cell}-narrative"].replace("\r\n", "\n") == tricky.narrative.replace("\r\n", "\n")
    assert (sent[f"{prefix(second, None)}-grade"], sent[f"{prefix(second, parties.agency)}-kind"]) == ("", "")
    response = client.post(reverse("pages:case", args=[case.pk]), sent)
    assert response.status_code == 302
    assert "Nothing changed." in client.get(response.url).content.decode()
    assert Finding.objects.get(pk=tricky.pk).updated_at == tricky.updated_at


class PageElements(HTMLParser):
    """Every element's id, every label's target, and each form field with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labelled: set[str] = set()
        self.fields: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "label":
            self.labelled.add(found["for"])
        if tag in ("input", "select", "textarea") and GridFields.CELL_FIELD.match(found.get("name", "")):
            self.fields[found["name"]] = found | {"tag": tag}


def test_grid_fields_are_labelled_described_and_marked_in_error(parties: Parties, case: Any) -> None:
    first, second = themes_of(case)
    missing_kind, refused = prefix(first, None), prefix(second, parties.other_agency)
    client = signed_in(parties.auditor)
    response = grid_post(client, case, {f"{missing_kind}-narrative": "No kind chosen."})
    page = PageElements()
    page.feed(response.content.decode())
    assert response.status_code == 400
    assert len(page.ids) == len(set(page.ids)), "every id once"
    ours = prefix(first, parties.agency)
    grade = page.fields[f"{ours}-grade"]
    assert (grade["class"], grade["aria-describedby"]) == ("govuk-select", f"{ours}-self-grade")
    assert page.fields[f"{missing_kind}-narrative"]["class"] == "govuk-textarea"
    kind = page.fields[f"{missing_kind}-kind"]
    assert (kind["class"], kind["aria-invalid"]) == ("govuk-select govuk-select--error", "true")
    assert kind["aria-describedby"] == f"id_{missing_kind}-kind_error"
    for name, field in page.fields.items():
        assert field["id"] == f"id_{name}"
        if field.get("type") != "hidden":
            assert field["id"] in page.labelled, f"{name} has a label"
            assert set(field.get("aria-describedby", "").split()) <= set(page.ids), f"{name} describedby ids exist"

    # A refusal by the service (a moved grade without its reason) marks its field as a form error does.
    response = grid_post(
        client,
        case,
        {f"{refused}-grade": "4", f"{refused}-kind": FindingKind.STRENGTH, f"{refused}-narrative": "Moved."},
    )
    page = PageElements()
    page.feed(response.content.decode())
    reason = page.fields[f"{refused}-change_reason"]
    assert (reason["class"], reason["aria-invalid"]) == ("govuk-textarea govuk-textarea--error", "true")
    assert reason["aria-describedby"] == f"id_{refused}-change_reason_error" and reason["id"] in page.labelled
    assert f'id="id_{refused}-change_reason_error"' in response.content.decode()


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
    # 13 for the page (the returns and their self-grades are read once, for the returns list and the grid alike),
    # 1 to record the read in the access log, and 3 to save the session (savepoint, update, release): it is saved on
    # every request so that inactivity is counted from the last one.
    assert counts[0] == counts[1] <= 17, counts
