"""Nothing of one partnership is reachable from another, through any door (DESIGN.md §3).

Partnership A is the world's own and other records; partnership B (the outsiders) shares the lead's agency with A and
has a person in every role. B's business unit is admin staff with the permissions the demo gives business units.
Every admin URL of every registered model (history views included), the admin's autocomplete, the pages with an id
and the shared agency in the API are walked against A's records; the URL lists come from the code, so a new model,
admin view or page is walked too, or a completeness guard fails.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Membership, Partnership
from audits.choices import ActionStatus, ReviewDecision
from audits.models import (
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    CaseFactor,
    ChildFamilyView,
    Finding,
    LearningSummary,
    Notification,
    SafeguardingConcern,
    SummaryExport,
    SummaryReview,
    Theme,
)
from audits.urls import urlpatterns as page_urlpatterns
from macfa.admin_scope import PARTNERSHIP_PATHS
from tests.api.conftest import Things, World, build_world, client_for
from tests.conftest import Parties

pytestmark = pytest.mark.django_db

# Written into A's records and A's people's usernames: it must appear nowhere B is shown.
MARK = "SECRET-A"
MARKED_FIELD = {
    Partnership: "name",
    Agency: "name",
    Theme: "name",
    Audit: "title",
    Case: "reference",
    ChildFamilyView: "summary",
    AgencyReturn: "good_practice",
    Finding: "narrative",
    Action: "description",
    ActionUpdate: "note",
    SafeguardingConcern: "description",
    LearningSummary: "title",
    SummaryReview: "comment",
    Notification: "subject",
}


def marked(model: type[Model]) -> str:
    return f"{MARK}-{model._meta.model_name.upper()}-1"  # upper case and a number, as a case reference must have


A_ROLES = ["business_unit", "auditor", "lead", "other_lead", "board_member"]
B_ROLES = ["outsider", "outsider_auditor", "outsider_lead", "outsider_other_lead", "outsider_board_member"]

MODEL_ADMINS = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in {"agencies", "audits"}
}
MODEL_IDS = [model._meta.model_name for model in MODEL_ADMINS]
# The doors of one record: Django's change, delete and history views, the bare "<id>/" redirect to the change
# page, django-simple-history's form of one past version, and the site's "view on site" shortcut.
OBJECT_DOORS = {"change", "delete", "history", "object", "simple_history", "view_on_site"}
POSTED_DOORS = ["change", "simple_history", "delete"]  # delete last: it is the one that would take the record away
# Site-wide admin URLs: those that can show records are walked below; the rest show none.
SITE_DOORS = {"autocomplete", "view_on_site", "index", "app_list"}
SITE_URLS_WITHOUT_RECORDS = {"login", "logout", "password_change", "password_change_done", "jsi18n"}


def admin_doors(model: type[Model]) -> set[str]:
    """What each URL pattern of the model's admin is, by name; an unnamed pattern by its route."""
    prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
    doors = {"view_on_site"}
    for pattern in MODEL_ADMINS[model].get_urls():
        if pattern.name:
            doors.add(pattern.name.removeprefix(prefix))
        else:
            doors.add("object" if str(pattern.pattern) == "<path:object_id>/" else str(pattern.pattern))
    return doors


def test_every_admin_url_is_walked() -> None:
    unknown = {
        f"{model._meta.label}: {door}"
        for model in MODEL_ADMINS
        for door in admin_doors(model) - OBJECT_DOORS - {"changelist", "add"}
    }
    assert not unknown, f"walk these admin URLs against the other partnership: {sorted(unknown)}"
    site = {pattern.name for pattern in admin.site.get_urls() if getattr(pattern, "name", None)}
    assert not site - SITE_DOORS - SITE_URLS_WITHOUT_RECORDS, "walk the new site-wide admin URLs too"


# --- The world, marked --------------------------------------------------------------------------------------


@pytest.fixture
def world(parties: Parties) -> World:
    return build_world(parties)


def records(things: Things, agency: Agency, author: Any) -> dict[type[Model], Model]:
    """One record of each registered model in the partnership ``things`` belongs to; the agency is its own only."""
    summary = things.summary
    return {
        Partnership: things.partnership,
        Agency: agency,
        Membership: things.membership,
        Theme: things.theme,
        Audit: things.audit,
        Case: things.case,
        CaseFactor: CaseFactor.objects.create(case=things.case, factor="neglect"),
        ChildFamilyView: things.view,
        AgencyReturn: things.agency_return,
        Finding: things.finding,
        Action: things.action,
        ActionUpdate: ActionUpdate.objects.create(
            action=things.action, author=author, note="Started.", status_to=ActionStatus.IN_PROGRESS
        ),
        SafeguardingConcern: things.concern,
        LearningSummary: summary,
        SummaryReview: SummaryReview.objects.create(
            summary=summary, reviewer=author, decision=ReviewDecision.COMMENT, comment="Clear."
        ),
        SummaryExport: SummaryExport.objects.create(
            summary=summary, format="pdf", file=ContentFile(b"%PDF-1.4", name="briefing.pdf")
        ),
        Notification: Notification.objects.create(
            kind="action_reminder", recipient=author, event_key="day-1", subject="Reminder"
        ),
    }


@dataclass
class Sides:
    ours: dict[type[Model], Model]  # partnership A's records, marked
    theirs: dict[type[Model], Model]  # partnership B's


@pytest.fixture
def sides(world: World) -> Sides:
    """A's records and B's; A's are marked and saved, so their history carries the mark too."""
    parties = world.parties
    ours = records(world.own, parties.other_agency, parties.lead)
    for model, record in ours.items():
        if model in MARKED_FIELD:
            setattr(record, MARKED_FIELD[model], marked(model))
            record.save()
    for role in A_ROLES:
        user = getattr(parties, role)
        user.username = f"{MARK}-{role}"
        user.save()
    return Sides(ours=ours, theirs=records(world.foreign, parties.outsider_agency, parties.outsider_lead))


def test_every_registered_model_has_a_record_of_each_partnership_to_walk(sides: Sides) -> None:
    assert set(MODEL_ADMINS) <= set(sides.ours) & set(sides.theirs)


def snapshot(record: Model) -> dict[str, Any] | None:
    """The record as the database holds it now, with its many-to-many links; None once it is gone."""
    model = type(record)
    fresh = model._default_manager.filter(pk=record.pk).first()
    if fresh is None:
        return None
    values = {field.attname: getattr(fresh, field.attname) for field in model._meta.concrete_fields}
    for field in model._meta.many_to_many:
        values[field.name] = sorted(getattr(fresh, field.name).values_list("pk", flat=True))
    return values


# --- Clients and URLs ---------------------------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def business_unit_staff(user: Any) -> Client:
    """A business unit member as the demo sets them up: staff, with every permission of the two apps."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["agencies", "audits"]))
    return signed_in(user)


MISSING = 999_999_999  # the id of a record that doesn't exist


def door_url(door: str, record: Model, *, missing: bool = False) -> str:
    """The door's URL for the record, or for a record of the same model that doesn't exist."""
    opts = record._meta
    info = f"admin:{opts.app_label}_{opts.model_name}"
    pk = MISSING if missing else record.pk
    if door == "object":
        return reverse(f"{info}_changelist") + f"{pk}/"
    if door == "simple_history":
        history = getattr(type(record), opts.simple_history_manager_attribute)
        version = history.filter(**{opts.pk.attname: record.pk}).latest("history_date")  # the historical pk is another
        return reverse(f"{info}_simple_history", args=[pk, MISSING if missing else version.history_id])
    if door == "view_on_site":
        return reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(record).pk, pk])
    return reverse(f"{info}_{door}", args=[pk])


def outcome(response: Any) -> tuple[int, str]:
    """Status and where the redirects ended: Django says "doesn't exist" by sending you to the admin index."""
    final = response.request["PATH_INFO"]
    return response.status_code, "the admin index" if final == reverse("admin:index") else "the page asked for"


def opens(client: Client, door: str, record: Model) -> str:
    """What the door shows of A's record, or how it answers unlike a record that doesn't exist; "" if neither."""
    response = client.get(door_url(door, record), follow=True)
    if seen := ours_in(response):
        return f"{outcome(response)} showing {seen}"
    nothing = client.get(door_url(door, record, missing=True), follow=True)
    if outcome(response) != outcome(nothing):
        return f"{outcome(response)}, where a record that doesn't exist gets {outcome(nothing)}"
    return ""


def ours_in(response: Any) -> list[str]:
    """Each of A's marks a page shows, once, with what comes before it (a filter's link, a column, a title)."""
    body = response.content.decode()
    seen: dict[str, str] = {}
    for hit in re.finditer(rf"{MARK}-[A-Za-z0-9_-]+", body):
        before = body[max(0, hit.start() - 50) : hit.start()].rsplit("\n", 1)[-1].strip()
        seen.setdefault(hit[0], f"{before}{hit[0]}")
    return sorted(seen.values())


class FormReader(HTMLParser):
    """What a browser would post from the admin's change form: its inputs, selects and text areas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: tuple[str, bool] | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type", "text") not in {"submit", "button", "image", "reset", "file"}:
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                default = "on" if a.get("type") in {"checkbox", "radio"} else ""
                self.data.setdefault(a["name"], []).append(a.get("value", default))
        elif tag == "select":
            self.select, self.options = (a["name"], "multiple" in a), []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data.setdefault(self.textarea, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [value for value, selected in self.options if selected]
            if not multiple and not chosen and self.options:
                chosen = [self.options[0][0]]
            self.data.setdefault(name, []).extend(chosen)
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data[self.textarea][-1] = self.data[self.textarea][-1].removeprefix("\n")  # as a browser reads it
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea][-1] += data


def change_form_data(client: Client, record: Model) -> dict[str, list[str]]:
    response = client.get(door_url("change", record))
    assert response.status_code == 200, f"{record._meta.label} change page: {response.status_code}"
    reader = FormReader(f"{record._meta.model_name}_form")
    reader.feed(response.content.decode())
    assert reader.data, f"no form found on the {record._meta.label} change page"
    return reader.data


def moved_to_b(world: World, record: Model, data: dict[str, list[str]]) -> dict[str, list[str]]:
    """A's form data pointing at B: what someone in B would post to take A's record over."""
    parties, foreign = world.parties, world.foreign
    in_b: dict[type[Model], Model] = {
        Partnership: parties.other_partnership,
        Theme: foreign.theme,
        Audit: foreign.audit,
        Agency: parties.agency,  # shared, so B may pick it
        Case: foreign.spare_case,  # one with no finding or return yet, so a moved one would not clash
        Finding: foreign.finding,
        Action: foreign.action,
        LearningSummary: foreign.summary,
        get_user_model(): parties.outsider_auditor,
    }
    moved = dict(data)
    for field in [*record._meta.concrete_fields, *record._meta.many_to_many]:
        if field.name in moved and field.related_model in in_b:
            moved[field.name] = [str(in_b[field.related_model].pk)]
    if type(record) in MARKED_FIELD and MARKED_FIELD[type(record)] in moved:
        moved[MARKED_FIELD[type(record)]] = ["TAKEN-BY-B-1"]
    return moved


# --- a) The admin, as partnership B's business unit -----------------------------------------------------------


@pytest.mark.parametrize("model", MODEL_ADMINS, ids=MODEL_IDS)
def test_other_partnership_cannot_open_our_records_in_the_admin(
    world: World, sides: Sides, superuser: Any, model: Any
) -> None:
    record = sides.ours[model]
    operator, outsider = signed_in(superuser), business_unit_staff(world.parties.outsider)
    failures = []
    for door in sorted(admin_doors(model) & OBJECT_DOORS):
        if door != "view_on_site":  # the control: the door is real, and finds the record for the service's operators
            found = outcome(operator.get(door_url(door, record), follow=True))
            assert found[0] != 404 and found[1] != "the admin index", f"{door}: {found}"
        if problem := opens(outsider, door, record):
            failures.append(f"GET {door_url(door, record)}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("model", MODEL_ADMINS, ids=MODEL_IDS)
def test_other_partnership_cannot_change_or_delete_our_records_in_the_admin(
    world: World, sides: Sides, superuser: Any, model: Any
) -> None:
    record = sides.ours[model]
    # Our record's form as the operators see it, pointed at B's partnership, audit, case, theme and people.
    data = moved_to_b(world, record, change_form_data(signed_in(superuser), record))
    outsider = business_unit_staff(world.parties.outsider)
    failures = []
    for door in [door for door in POSTED_DOORS if door in admin_doors(model)]:
        url = door_url(door, record)
        before = snapshot(record)
        with transaction.atomic():  # each door starts from our record as it was
            response = outsider.post(url, {"post": "yes"} if door == "delete" else data)
            after = snapshot(record)
            transaction.set_rollback(True)
        if after is None:
            failures.append(f"POST {url} ({response.status_code}) deleted it")
        elif before and after != before:
            changed = {key: (before[key], value) for key, value in after.items() if before[key] != value}
            failures.append(f"POST {url} ({response.status_code}) changed {changed}")
    assert not failures, "\n".join(failures)


def test_other_partnership_cannot_open_history_of_our_finding(world: World, sides: Sides) -> None:
    outsider = business_unit_staff(world.parties.outsider)
    assert not (problem := opens(outsider, "history", sides.ours[Finding])), problem


def test_other_partnership_cannot_open_history_of_our_deleted_finding(world: World, sides: Sides) -> None:
    finding = sides.ours[Finding]
    Finding.objects.filter(pk=finding.pk).delete()
    outsider = business_unit_staff(world.parties.outsider)
    assert not (problem := opens(outsider, "history", finding)), problem


def test_other_partnership_cannot_move_our_audit_by_posting_its_history_form(
    world: World, sides: Sides, superuser: Any
) -> None:
    audit = sides.ours[Audit]
    data = moved_to_b(world, audit, change_form_data(signed_in(superuser), audit))
    business_unit_staff(world.parties.outsider).post(door_url("simple_history", audit), data)
    audit.refresh_from_db()
    assert audit.partnership == world.parties.partnership
    assert audit.title == marked(Audit)


def test_business_unit_still_opens_the_history_of_its_own_records(world: World, sides: Sides) -> None:
    outsider = business_unit_staff(world.parties.outsider)
    with_history = [model for model in MODEL_ADMINS if "simple_history" in admin_doors(model)]
    assert with_history, "no model keeps its history in the admin any more"
    for model in with_history:
        for door in ["history", "simple_history"]:
            response = outsider.get(door_url(door, sides.theirs[model]))
            assert response.status_code == 200, f"{door} of B's own {model._meta.label}: {response.status_code}"


@pytest.mark.parametrize("model", MODEL_ADMINS, ids=MODEL_IDS)
def test_other_partnerships_admin_pages_show_none_of_our_records(world: World, sides: Sides, model: Any) -> None:
    outsider = business_unit_staff(world.parties.outsider)
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    listing = outsider.get(reverse(f"{info}_changelist"))
    if listing.status_code == 403:  # the operators' alone (no path to a partnership, e.g. the log of sent emails)
        assert model._meta.label not in PARTNERSHIP_PATHS
        assert ours_in(outsider.get(reverse("admin:index"))) == []
        return
    listed = {row.pk for row in listing.context["cl"].result_list}
    assert sides.ours[model].pk not in listed
    assert sides.theirs[model].pk in listed  # the list is B's own, not an empty page
    pages = {
        "changelist (its filters included)": listing,
        "add page (its choices included)": outsider.get(reverse(f"{info}_add")),
        "change page of B's own record (its choices included)": outsider.get(door_url("change", sides.theirs[model])),
        "index": outsider.get(reverse("admin:index")),
        "app index": outsider.get(reverse("admin:app_list", args=[model._meta.app_label])),
    }
    leaks = [f"{page} shows {seen}" for page, response in pages.items() if (seen := ours_in(response))]
    assert not leaks, "\n".join(leaks)


def autocomplete_fields() -> list[tuple[type[Model], str]]:
    fields = []
    for model, model_admin in MODEL_ADMINS.items():
        fields += [(model, name) for name in model_admin.autocomplete_fields]
        for inline in model_admin.inlines:
            fields += [(inline.model, name) for name in inline.autocomplete_fields]
    return fields


def test_admin_autocomplete_offers_the_other_partnership_none_of_our_records(world: World, sides: Sides) -> None:
    outsider = business_unit_staff(world.parties.outsider)
    assert autocomplete_fields(), "no autocomplete field left to walk"
    leaks = []
    for model, name in autocomplete_fields():
        target = model._meta.get_field(name).related_model
        query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name}
        response = outsider.get(reverse("admin:autocomplete"), {**query, "term": ""})
        assert response.status_code == 200, f"{model._meta.label}.{name}: {response.status_code}"
        offered = {row["id"] for row in response.json()["results"]}
        assert str(sides.theirs[target].pk) in offered, f"{model._meta.label}.{name} offers B nothing"
        if str(sides.ours[target].pk) in offered or MARK in response.content.decode():
            leaks.append(f"{model._meta.label}.{name} offers our {target._meta.label} {sides.ours[target].pk}")
    assert not leaks, "\n".join(leaks)


# --- b) Nobody without staff status gets an admin page ----------------------------------------------------------

NOT_STAFF = [role for role in A_ROLES + B_ROLES if role not in {"business_unit", "outsider"}]


@pytest.mark.parametrize("role", NOT_STAFF)
def test_people_without_staff_status_get_no_admin_page(world: World, sides: Sides, role: str) -> None:
    client = signed_in(world.user(role))
    own = sides.theirs if role.startswith("outsider") else sides.ours
    urls = [reverse("admin:index"), reverse("admin:autocomplete")]
    for model in MODEL_ADMINS:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        urls += [door_url(door, own[model]) for door in sorted(admin_doors(model) & OBJECT_DOORS)]
    let_in = [url for url in urls if not to_admin_sign_in(client.get(url))]
    assert not let_in, f"{role} got past the admin sign-in at {let_in}"
    audit = own[Audit]
    before = snapshot(audit)
    assert to_admin_sign_in(client.post(door_url("simple_history", audit), {"title": "Changed"}))
    assert snapshot(audit) == before


def to_admin_sign_in(response: Any) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("admin:login"))


# --- c) A shared agency stays shared ----------------------------------------------------------------------------


def test_other_partnership_saving_our_shared_agency_keeps_us_as_its_partner(world: World) -> None:
    parties = world.parties
    outsider = business_unit_staff(parties.outsider)
    data = change_form_data(outsider, parties.agency)  # the agency as B sees it, saved unchanged
    response = outsider.post(door_url("change", parties.agency), data)
    assert response.status_code == 302 and response.url == reverse("admin:agencies_agency_changelist")
    kept = set(parties.agency.partnerships.all())
    assert kept == {parties.partnership, parties.other_partnership}, f"saved by B, the agency is a partner of {kept}"


def test_other_partnership_unlinking_our_shared_agency_unlinks_it_for_them_only(world: World) -> None:
    parties = world.parties
    outsider = business_unit_staff(parties.outsider)
    data = change_form_data(outsider, parties.agency) | {"partnerships": []}
    response = outsider.post(door_url("change", parties.agency), data)
    assert response.status_code == 302, response.content.decode()
    assert set(parties.agency.partnerships.all()) == {parties.partnership}


def test_other_partnership_cannot_rename_our_shared_agency(world: World) -> None:
    """A shared agency's name and sector are every partnership's: one business unit cannot change them for all."""
    parties = world.parties
    outsider = business_unit_staff(parties.outsider)
    name, sector = parties.agency.name, parties.agency.sector
    data = change_form_data(outsider, parties.agency) | {"name": "Renamed by the other partnership", "sector": "other"}
    response = outsider.post(door_url("change", parties.agency), data)
    assert response.status_code == 200
    assert "This agency also serves another partnership" in response.content.decode()
    parties.agency.refresh_from_db()
    assert (parties.agency.name, parties.agency.sector) == (name, sector)


def test_a_hand_made_filter_for_our_partnership_lists_nothing(world: World) -> None:
    """?partnerships__id__exact=<A> must answer like an unknown id, not list the agencies A shares with B."""
    outsider = business_unit_staff(world.parties.outsider)
    changelist = reverse("admin:agencies_agency_changelist")
    ours = outsider.get(changelist, {"partnerships__id__exact": world.parties.partnership.pk})
    unknown = outsider.get(changelist, {"partnerships__id__exact": 999999})
    for response in (ours, unknown):
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []
    theirs = outsider.get(changelist, {"partnerships__id__exact": world.parties.other_partnership.pk})
    assert world.parties.agency in list(theirs.context["cl"].result_list)


# --- d) Pages -------------------------------------------------------------------------------------------------------

B_STRANGERS = [(role, "own") for role in B_ROLES]


@dataclass
class PageRoute:
    record: str  # which of the world's Things the page shows
    # Who may not open it: every role in B (whose lead leads the same agency), and A's people who may not see it.
    strangers: list[tuple[str, str]]
    post: dict[str, Any] = dataclasses.field(default_factory=dict)
    evidence: bool = False  # the page of the action's evidence: its id and that of an update with a file
    suffix: list[Any] = dataclasses.field(default_factory=list)  # after the id, e.g. a briefing's format

    def args(self, record: Model) -> list[Any]:
        if self.evidence:
            update = ActionUpdate.objects.create(
                action=record, author=record.created_by or record.audit.auditor, note="Attached.", evidence="x.pdf"
            )
            return [record.pk, update.pk]
        return [record.case_id, record.agency_id] if self.record == "agency_return" else [record.pk, *self.suffix]


AUDIT_STRANGERS = [*B_STRANGERS, ("lead", "other")]
SUMMARY_STRANGERS = [*B_STRANGERS, ("lead", "own"), ("other_lead", "own")]
CASEWORK_STRANGERS = [*B_STRANGERS, ("other_lead", "own"), ("lead", "other"), ("board_member", "own")]
PAGES = {
    "action": PageRoute("action", [*B_STRANGERS, ("other_lead", "own"), ("lead", "other")], {"move": "completed"}),
    "action-evidence": PageRoute("action", [*B_STRANGERS, ("other_lead", "own"), ("lead", "other")], evidence=True),
    "concern": PageRoute("concern", [*B_STRANGERS, ("other_lead", "own"), ("lead", "other")]),
    "audit": PageRoute("audit", AUDIT_STRANGERS),
    "audit-edit": PageRoute("audit", AUDIT_STRANGERS, {"title": "Taken over"}),
    "audit-move": PageRoute("audit", AUDIT_STRANGERS, {"status": "panel"}),
    "audit-action-new": PageRoute("audit", AUDIT_STRANGERS, {"description": "Ours now.", "due_date": "2031-01-01"}),
    "audit-compile": PageRoute("audit", AUDIT_STRANGERS),
    "audit-summary-progress": PageRoute("audit", AUDIT_STRANGERS),
    "case-new": PageRoute("audit", AUDIT_STRANGERS, {"reference": "X99", "age_band": "5-11", "level_of_need": 3}),
    "case-import": PageRoute("audit", AUDIT_STRANGERS),
    "case-template": PageRoute("audit", AUDIT_STRANGERS),
    "case-draw": PageRoute("audit", AUDIT_STRANGERS),
    "case": PageRoute("case", CASEWORK_STRANGERS, {"speaker": "child", "summary": "Taken over."}),
    "return": PageRoute("agency_return", CASEWORK_STRANGERS, {"good_practice": "Taken over."}),
    "audit-history": PageRoute("audit", AUDIT_STRANGERS),
    "case-history": PageRoute("case", CASEWORK_STRANGERS),
    "return-history": PageRoute("agency_return", CASEWORK_STRANGERS),
    "action-history": PageRoute("action", [*B_STRANGERS, ("other_lead", "own"), ("lead", "other")]),
    # A summary before publication is the business unit's, auditors' and board's: not the agency leads'.
    "summary": PageRoute("summary", SUMMARY_STRANGERS),
    "summary-review": PageRoute("summary", SUMMARY_STRANGERS, {"decision": "approve"}),
    "summary-texts": PageRoute("summary", SUMMARY_STRANGERS, {"key_messages": "Taken over."}),
    "summary-move": PageRoute("summary", SUMMARY_STRANGERS, {"move": "compile"}),
    "summary-briefing": PageRoute("summary", SUMMARY_STRANGERS, suffix=["pdf"]),
    "summary-history": PageRoute("summary", SUMMARY_STRANGERS),
    "concern-history": PageRoute("concern", [*B_STRANGERS, ("other_lead", "own"), ("lead", "other")]),
}
PAGE_CASES = [(name, role, kind) for name, route in sorted(PAGES.items()) for role, kind in route.strangers]


def test_every_page_with_an_id_is_walked() -> None:
    with_id = {pattern.name for pattern in page_urlpatterns if pattern.pattern.converters}
    assert with_id == set(PAGES)


@pytest.mark.parametrize(("name", "role", "kind"), PAGE_CASES, ids=[f"{n}:{r}-on-{k}" for n, r, k in PAGE_CASES])
def test_page_of_a_record_is_404_to_whoever_may_not_see_it(world: World, name: str, role: str, kind: str) -> None:
    route = PAGES[name]
    record = getattr(getattr(world, kind), route.record)
    url = reverse(f"pages:{name}", args=route.args(record))
    client = signed_in(world.user(role))
    before = snapshot(record)
    assert client.get(url).status_code == 404
    assert client.post(url, route.post).status_code == 404
    assert snapshot(record) == before


# --- e) The API: a shared agency names only the asker's partnerships ------------------------------------------


@pytest.mark.parametrize(("role", "partnership"), [("lead", "partnership"), ("outsider_lead", "other_partnership")])
def test_shared_agency_names_only_the_askers_partnership_in_the_api(world: World, role: str, partnership: str) -> None:
    parties = world.parties
    client = client_for(world.user(role))
    detail = client.get(reverse("api:agency-detail", args=[parties.agency.pk])).json()
    listed = {row["id"]: row for row in client.get(reverse("api:agency-list")).json()["results"]}
    mine = [getattr(parties, partnership).pk]
    assert detail["partnerships"] == listed[parties.agency.pk]["partnerships"] == mine, f"{role} is shown {detail}"


def test_a_shared_agencys_admin_history_does_not_name_the_other_partnerships_people(world: World) -> None:
    """The agency serves both partnerships; a change our business unit made shows in its history to theirs, unnamed."""
    ours = world.parties.business_unit
    ours.first_name, ours.last_name = "Wren", "Okonkwo-Marsh"
    ours.save()
    agency = world.parties.agency
    agency.save()  # a history entry ...
    Agency.history.filter(id=agency.pk).update(history_user=ours)  # ... made by our business unit
    url = reverse("admin:agencies_agency_history", args=[agency.pk])
    theirs = business_unit_staff(world.parties.outsider).get(url)
    assert theirs.status_code == 200
    page = theirs.content.decode()
    assert "Okonkwo-Marsh" not in page and ours.username not in page
    assert "Someone outside your partnerships" in page
    assert "Okonkwo-Marsh" in business_unit_staff(ours).get(url).content.decode()
