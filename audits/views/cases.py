"""The case page: the case's characteristics and returns, the grid of findings the auditor records and moderates,
child and family views, and raising an immediate safeguarding concern."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone

from agencies.models import Agency
from audits.calendar import deadline_in_words
from audits.choices import ConcernStatus, FindingKind, Grade, Speaker
from audits.models import AccessDoor, AccessWhat, AgencyReturn, Case, Finding, ReturnGrade, Theme
from audits.permissions import may_manage_audit, may_raise_concern
from audits.selectors import agency_returns_for, cases_for, child_family_views_for, concerns_for, findings_for
from audits.services.access import case_access_record
from audits.services.cases import child_family_view_record
from audits.services.concerns import concern_raise
from audits.services.findings import finding_record, finding_update
from audits.views.grid_inputs import DrawnInput, InputDrawer
from macfa.errors import ApplicationError
from macfa.forms import GovukForm

MULTI_AGENCY = "Multi-agency response"
JUDGEMENT = ("kind", "grade", "change_reason", "narrative")


def _fingerprint(kind: str, grade: int | None, change_reason: str, narrative: str) -> str:
    """What a cell held, so that a save can tell the cells the auditor changed from the ones they left alone."""
    texts = [" ".join(text.replace("\r\n", "\n").split()) for text in (change_reason, narrative)]
    return hashlib.sha256(json.dumps([kind or "", grade or None, *texts]).encode()).hexdigest()[:20]


def _finding_fingerprint(finding: Finding | None) -> str:
    if finding is None:
        return _fingerprint("", None, "", "")
    return _fingerprint(finding.kind, finding.grade, finding.change_reason, finding.narrative)


def _version(finding: Finding | None) -> str:
    return finding.updated_at.isoformat() if finding is not None else ""


def _as_drawn(finding: Finding | None) -> dict[str, Any]:
    """A cell's fields as the page draws them: the finding's judgement, its version and what the cell held."""
    drawn: dict[str, Any] = {"version": _version(finding), "loaded": _finding_fingerprint(finding)}
    if finding is not None:
        drawn |= {name: getattr(finding, name) for name in JUDGEMENT}
    return drawn


class FindingCellForm(GovukForm):
    """One cell of the grid: the panel's judgement on one theme for one agency (or the multi-agency response)."""

    grade = forms.TypedChoiceField(
        choices=[("", "Not graded yet"), *Grade.choices], coerce=int, empty_value=None, required=False
    )
    kind = forms.ChoiceField(choices=[("", "Choose"), *FindingKind.choices], required=False)
    change_reason = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    narrative = forms.CharField(required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    # The finding's updated_at when the page was drawn (stale edits) and what the cell held then (untouched cells).
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, cell_name: str, self_grade: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cell_name, self.self_grade = cell_name, self_grade
        for name in ("version", "loaded"):
            self.fields[name].widget.attrs.pop("class", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        grade, kind = data.get("grade"), data.get("kind")
        if (grade or data.get("change_reason") or data.get("narrative")) and not kind:
            self.add_error("kind", f"{self.cell_name}: choose strength or area for improvement.")
        # Whether a moved grade needs its reason is the service's rule (finding_update), reported on this cell.
        return data

    def typed_fingerprint(self) -> str:
        data = self.cleaned_data
        return _fingerprint(data["kind"], data["grade"], data["change_reason"], data["narrative"])

    def reload(self, finding: Finding | None) -> None:
        """After a stale edit: the next save compares against what the other person saved, keeping the typed text."""
        data: Any = self.data  # the view passes a mutable copy of the POST
        data[self.add_prefix("version")] = _version(finding)
        data[self.add_prefix("loaded")] = _finding_fingerprint(finding)


@cache
def _drawer() -> InputDrawer:
    """The grid's inputs are drawn from one prototype of the cell form, built once per process."""
    return InputDrawer(FindingCellForm(prefix="cell", cell_name="", self_grade=None))


@dataclass
class Cell:
    """One theme × agency cell. Its form exists only when the grid was posted: a page drawn for reading needs none
    (building one per cell and rendering its widgets was most of the page's time), only ``inputs``."""

    theme: Theme
    agency: Agency | None
    finding: Finding | None
    self_grade: int | None
    form: FindingCellForm | None = None

    @property
    def prefix(self) -> str:
        return f"t{self.theme.pk}-a{self.agency.pk if self.agency else 'm'}"

    @property
    def name(self) -> str:
        return f"{self.theme.name}, {self.agency_name}"

    @property
    def agency_name(self) -> str:
        return str(self.agency) if self.agency else MULTI_AGENCY

    @property
    def self_grade_label(self) -> str:
        return Grade(self.self_grade).label if self.self_grade else ""

    @property
    def non_field_errors(self) -> list[str]:
        return [str(error) for error in self.form.non_field_errors()] if self.form is not None else []

    @cached_property
    def inputs(self) -> dict[str, DrawnInput]:
        """Drawn when the template first asks, after any save: what was typed (or saved) and every error it met."""
        form = self.form
        values = _as_drawn(self.finding) if form is None else {name: form[name].value() for name in form.fields}
        return _drawer().draw(
            prefix=self.prefix,
            values=values,
            errors=form.errors if form is not None else {},
            described_by={"grade": f"{self.prefix}-self-grade"},
        )


@dataclass
class ThemeRow:
    theme: Theme
    cells: list[Cell]


class ChildFamilyViewForm(GovukForm):
    speaker = forms.ChoiceField(choices=Speaker.choices, widget=forms.RadioSelect, label="Who gave their view")
    summary = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What they said",
        help_text="In a few sentences. Name no one.",
        error_messages={"required": "Enter what they said."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["speaker"].error_messages["required"] = "Choose who gave their view."


class ConcernForm(GovukForm):
    agency = forms.ChoiceField(
        label="Agency that must act", error_messages={"required": "Choose the agency that must act."}
    )
    description = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What was found",
        help_text="What the agency must act on now. Use the case reference; name no one.",
        error_messages={"required": "Say what the agency must act on."},
    )

    def __init__(self, *args: Any, involved: list[Agency], others: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", "Choose an agency")]
        choices.append(("Involved in this case", [(str(agency.pk), str(agency)) for agency in involved]))
        if others:
            choices.append(("Other partner agencies", [(str(agency.pk), str(agency)) for agency in others]))
        self.fields["agency"].choices = choices  # type: ignore[attr-defined]
        self.agencies = {str(agency.pk): agency for agency in [*involved, *others]}


def _case_for(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(cases_for(request.user).select_related("audit__partnership"), pk=pk)


def _grid(
    request: HttpRequest,
    case: Case,
    themes: list[Theme],
    agencies: list[Agency],
    returns: list[AgencyReturn],
    data: Any = None,
) -> list[ThemeRow]:
    """Every theme × (each involved agency, then the multi-agency response), with its finding and self-grade, and
    with a form for each cell when ``data`` (the posted grid) is given."""
    findings: dict[tuple[int, int | None], Finding] = {
        (f.theme_id, f.agency_id): f for f in findings_for(request.user).filter(case=case)
    }
    self_grades: dict[tuple[int, int | None], int] = {
        (grade.theme_id, agency_return.agency_id): grade.grade
        for agency_return in returns
        for grade in agency_return.self_grades.all()
    }
    rows = []
    for theme in themes:
        cells = []
        for agency in [*agencies, None]:
            agency_id = agency.pk if agency else None
            finding = findings.get((theme.pk, agency_id))
            self_grade = finding.self_grade if finding else self_grades.get((theme.pk, agency_id))
            cell = Cell(theme=theme, agency=agency, finding=finding, self_grade=self_grade)
            if data is not None:
                cell.form = FindingCellForm(
                    data, prefix=cell.prefix, initial=_as_drawn(finding), cell_name=cell.name, self_grade=self_grade
                )
            cells.append(cell)
        rows.append(ThemeRow(theme=theme, cells=cells))
    return rows


def _save_grid(request: HttpRequest, case: Case, rows: list[ThemeRow]) -> list[Cell]:
    """Save every changed cell in one transaction, or none of them. Returns the cells in error (empty when saved)."""
    posted = [(cell, cell.form) for row in rows for cell in row.cells if cell.form is not None]
    if not all([form.is_valid() for _, form in posted]):  # a list, so that every cell is validated
        return [cell for cell, form in posted if form.errors]
    failed: list[Cell] = []
    saved = 0
    with transaction.atomic():
        # Locking the case serialises two saves of this grid, so two people cannot both record one new cell.
        list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True))
        locked = findings_for(request.user).filter(case=case).select_for_update(of=("self",))
        current = {(f.theme_id, f.agency_id): f for f in locked.select_related("case__audit")}
        for cell, form in posted:
            if form.typed_fingerprint() == form.cleaned_data["loaded"]:
                continue  # left as it was drawn, whatever anyone else has saved since
            finding = current.get((cell.theme.pk, cell.agency.pk if cell.agency else None))
            if _version(finding) != form.cleaned_data["version"]:
                form.add_error(None, _stale_message(cell, finding))
                form.reload(finding)
                failed.append(cell)
                continue
            if form.typed_fingerprint() == _finding_fingerprint(finding):
                continue
            judgement = {key: form.cleaned_data[key] for key in JUDGEMENT}
            try:
                if finding is None:
                    finding_record(actor=request.user, case=case, theme=cell.theme, agency=cell.agency, **judgement)
                else:
                    finding_update(actor=request.user, finding=finding, **judgement)
            except ApplicationError as error:
                field = error.field if error.field in judgement else None
                form.add_error(field, f"{form.cell_name}: {error.message}" if field else error.message)
                failed.append(cell)
            else:
                saved += 1
        if failed:
            transaction.set_rollback(True)
    if not failed:
        messages.success(request, f"Saved {saved} finding{'s' if saved != 1 else ''}." if saved else "Nothing changed.")
    return failed


def _stale_message(cell: Cell, finding: Finding | None) -> str:
    if finding is None:
        return (
            f"{cell.name}: someone else changed this finding after you opened the page. "
            "Your text is kept below: save again to record it."
        )
    saved = [finding.get_kind_display(), finding.get_grade_display() if finding.grade else "not graded"]
    narrative = f" “{finding.narrative}”" if finding.narrative else ""
    return (
        f"{cell.name}: someone else saved this finding after you opened the page "
        f"({', '.join(saved)}{narrative}, at {timezone.localtime(finding.updated_at):%H:%M}). "
        "Your text is kept below: check it, then save again to replace theirs."
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    if request.method == "GET":  # a POST ends in a GET of this page, or shows it again with what was typed
        case_access_record(actor=request.user, cases=[case], what=AccessWhat.CASE, door=AccessDoor.PAGE)
    audit = case.audit
    manages = may_manage_audit(request.user, audit)
    themes = list(audit.focus_themes.order_by("name", "pk"))
    agencies = list(case.agencies.order_by("name"))
    posted = request.POST.get("form") if request.method == "POST" and manages else None

    # Read once for the grid's self-grades and for the returns shown above it.
    returns = list(
        agency_returns_for(request.user)
        .filter(case=case)
        .prefetch_related(Prefetch("self_grades", queryset=ReturnGrade.objects.select_related("theme")))
    )
    grid_data = request.POST.copy() if posted == "findings" else None
    rows = _grid(request, case, themes, agencies, returns, grid_data) if manages else []
    others = (
        list(audit.partnership.agencies.exclude(pk__in=[a.pk for a in agencies]).order_by("name")) if manages else []
    )
    view_form = ChildFamilyViewForm(request.POST if posted == "view" else None, prefix="view")
    concern_form = ConcernForm(
        request.POST if posted == "concern" else None, prefix="concern", involved=agencies, others=others
    )

    error_cells: list[Cell] = []
    if posted == "findings":
        error_cells = _save_grid(request, case, rows)
        if not error_cells:
            return redirect("pages:case", pk=case.pk)
    elif posted == "view" and view_form.is_valid():
        try:
            child_family_view_record(actor=request.user, case=case, **view_form.cleaned_data)
        except ApplicationError as error:
            view_form.add_service_error(error)
        else:
            messages.success(request, "View recorded.")
            return redirect(reverse("pages:case", args=[case.pk]) + "#views")
    elif posted == "concern" and concern_form.is_valid():
        try:
            concern = concern_raise(
                actor=request.user,
                case=case,
                agency=concern_form.agencies[concern_form.cleaned_data["agency"]],
                description=concern_form.cleaned_data["description"],
            )
        except ApplicationError as error:
            concern_form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Concern passed to {concern.agency}. The agency must acknowledge this by "
                f"{deadline_in_words(concern.raised_at)}.",
            )
            return redirect(reverse("pages:case", args=[case.pk]) + "#concerns")

    context = _read_context(request, case, agencies, returns, manages=manages)
    context |= {
        "case": case,
        "audit": audit,
        "manages": manages,
        "themes": themes,
        "agencies": agencies,
        "rows": rows,
        "error_cells": error_cells,
        "view_form": view_form,
        "concern_form": concern_form,
        "may_raise": manages and may_raise_concern(request.user, case),
        # base.html marks the title "Error:" when ``form`` has errors.
        "form": {"findings": {"errors": bool(error_cells)}, "view": view_form, "concern": concern_form}.get(
            posted or ""
        ),
        "errors": _error_links(error_cells, view_form, concern_form),
    }
    context["has_errors"] = bool(context["errors"])
    return render(request, "audits/case.html", context, status=400 if context["has_errors"] else 200)


def _read_context(
    request: HttpRequest, case: Case, agencies: list[Agency], agency_returns: list[AgencyReturn], *, manages: bool
) -> dict[str, Any]:
    """What everyone who may see the case reads: its returns, the findings they may see, views and concerns."""
    returns = {agency_return.agency_id: agency_return for agency_return in agency_returns}
    # The auditor reads findings in the grid; everyone else reads what findings_for lets them see.
    findings = (
        []
        if manages
        else list(
            findings_for(request.user)
            .filter(case=case)
            .select_related("theme", "agency")
            .order_by("theme__name", "agency__name", "pk")
        )
    )
    concerns = [
        (concern, deadline_in_words(concern.raised_at) if concern.status == ConcernStatus.RAISED else "")
        for concern in concerns_for(request.user).filter(case=case).select_related("agency").order_by("-raised_at")
    ]
    return {
        "factors": [factor.get_factor_display() for factor in case.factors.all()],
        # The audit's managers see every involved agency's return (or its absence); a lead sees their own.
        "agency_returns": [(agency, returns.get(agency.pk)) for agency in agencies if manages or agency.pk in returns],
        "findings": findings,
        "views": list(child_family_views_for(request.user).filter(case=case).order_by("recorded_at", "pk")),
        "concerns": concerns,
    }


def _error_links(cells: list[Cell], *forms_in_error: forms.Form) -> list[tuple[str, str]]:
    """Each error once, linked to the field to fix (a stale cell links to its narrative, where the typed text is)."""
    links: list[tuple[str, str]] = []
    for form in [cell.form for cell in cells if cell.form is not None] + list(forms_in_error):
        for name, errors in form.errors.items():
            fallback = "narrative" if isinstance(form, FindingCellForm) else next(iter(form.fields))
            bound = form[name if name in form.fields else fallback]
            target = f"{bound.auto_id}_0" if isinstance(bound.field.widget, forms.RadioSelect) else bound.auto_id
            links += [(f"#{target}", str(error)) for error in errors]
    return links


urlpatterns = [
    path("cases/<int:pk>/", case_detail, name="case"),
]
