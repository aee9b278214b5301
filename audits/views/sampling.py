"""Drawing an audit's case sample: one case by hand, a CSV file of cases, or a reproducible random draw.

Only the audit's managers (its auditor, the business unit) reach these pages; anyone else gets 404.

Between the preview and "Import" / "Add", the file's rows wait in the server-side session under a random token, not
in the page: nothing the browser sends back can change a row after it was checked, the file is not uploaded twice,
and a reference that looks like a name never travels back to the browser. At the confirm step the rows are checked
again (another case may have been added meanwhile) and the draw is repeated from its seed, so what is saved is what
the preview showed or nothing.
"""

from __future__ import annotations

import csv
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from agencies.models import Agency
from audits.choices import AgeBand, Factor, LevelOfNeed, PlanType
from audits.models import Audit, SampleDraw
from audits.sampling import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    MAX_SEED,
    CaseRow,
    Draw,
    DrawProblem,
    FileProblem,
    check_rows,
    draw_sample,
    new_seed,
    problem_count,
    read_csv,
    recent_references,
    template_rows,
)
from audits.selectors import managed_audits_for
from audits.services.cases import case_create
from audits.services.sampling import cases_import, sample_draw_record
from macfa.errors import ApplicationError
from macfa.forms import GovukForm

SESSION_KEY = "macfa-sampling"
KEPT_UPLOADS = 3  # previews kept per session; older ones are dropped


def _audit(request: HttpRequest, pk: int) -> Audit:
    return get_object_or_404(managed_audits_for(request.user).select_related("partnership"), pk=pk)


def audit_url(audit: Audit) -> str:
    return reverse("pages:audit", args=[audit.pk])


# One case by hand


class CaseForm(GovukForm):
    reference = forms.CharField(
        max_length=30,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}),
        help_text="A pseudonymous code such as S31-01: never a name, date of birth or NHS number.",
    )
    age_band = forms.ChoiceField(choices=AgeBand.choices, widget=forms.RadioSelect)
    level_of_need = forms.TypedChoiceField(
        choices=LevelOfNeed.choices, coerce=int, widget=forms.RadioSelect, label="Level of need"
    )
    plan_type = forms.ChoiceField(choices=PlanType.choices, widget=forms.RadioSelect, initial=PlanType.NONE)
    factors = forms.MultipleChoiceField(
        choices=Factor.choices, widget=forms.CheckboxSelectMultiple, required=False, help_text="Select all that apply."
    )
    agencies: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Agencies involved",
        help_text="The agencies taking part in this audit that worked with the child.",
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["age_band"].label = "Age band"
        self.fields["plan_type"].label = "Plan type"
        agencies = self.fields["agencies"]
        assert isinstance(agencies, forms.ModelMultipleChoiceField)
        agencies.queryset = audit.agencies.order_by("name")


@login_required
def case_new(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    form = CaseForm(audit=audit)
    if request.method == "POST":
        form = CaseForm(request.POST, audit=audit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = case_create(actor=request.user, audit=audit, **data)
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Case {case.reference} added to {audit.reference}.")
                return redirect("pages:case-new", pk=audit.pk)
        if form.has_error("reference"):
            # Say why, but do not show back a reference that may identify a child.
            data = request.POST.copy()
            data["reference"] = ""
            form.data = data
    context = {"audit": audit, "form": form, "audit_url": audit_url(audit)}
    return render(request, "audits/sampling_case_new.html", context, status=400 if form.errors else 200)


# The CSV template and a file of cases


@login_required
def case_template(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    slug = "".join(ch if ch.isalnum() else "-" for ch in audit.reference.lower())
    response["Content-Disposition"] = f'attachment; filename="{slug}-cases.csv"'
    csv.writer(response).writerows(template_rows(audit))
    return response


class UploadForm(GovukForm):
    file = forms.FileField(
        label="CSV file of cases",
        help_text=(
            f"Columns: {', '.join(COLUMNS)}. Separate several factors or agencies with ;. "
            f"At most {MAX_ROWS} rows and {MAX_BYTES // 1_000_000} MB."
        ),
    )

    def clean_file(self) -> list[dict[str, str]]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // 1_000_000} MB. Split it into smaller files."
            )
        try:
            return read_csv(upload.read())
        except FileProblem as problem:
            raise forms.ValidationError(problem.message) from None


class ConfirmForm(forms.Form):
    token = forms.CharField(max_length=64)


def _keep(request: HttpRequest, entry: dict[str, Any]) -> str:
    token = secrets.token_urlsafe(16)
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[token] = entry
    request.session[SESSION_KEY] = dict(list(kept.items())[-KEPT_UPLOADS:])
    return token


def _take(request: HttpRequest, audit: Audit, kind: str) -> tuple[str, dict[str, Any]] | None:
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return None
    token = form.cleaned_data["token"]
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("audit") != audit.pk or entry.get("kind") != kind:
        return None
    return token, entry


def _drop(request: HttpRequest, token: str) -> None:
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept.pop(token, None)
    request.session[SESSION_KEY] = kept


def _refuse(form: forms.Form, message: str) -> None:
    """Show a refusal above a form that was not submitted this time (the confirm step posts only a token)."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    form.add_error(None, message)


def _expired(request: HttpRequest, form: forms.Form) -> None:
    _refuse(form, "That preview has expired or was already used. Upload the file again.")


@login_required
def case_import(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    form = UploadForm()
    context: dict[str, Any] = {"audit": audit, "audit_url": audit_url(audit)}
    if request.method == "POST" and "token" in request.POST:
        taken = _take(request, audit, "import")
        if taken is None:
            _expired(request, form)
        else:
            token, entry = taken
            rows = check_rows(entry["rows"], audit=audit)
            if not problem_count(rows):
                try:
                    cases = cases_import(actor=request.user, audit=audit, rows=rows)
                except ApplicationError as error:
                    _refuse(form, error.message)
                else:
                    _drop(request, token)
                    messages.success(request, f"{len(cases)} cases imported into {audit.reference}.")
                    return redirect("pages:case-import", pk=audit.pk)
            return _preview(request, audit, rows, entry["rows"], context, form)
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            raw_rows = form.cleaned_data["file"]
            return _preview(request, audit, check_rows(raw_rows, audit=audit), raw_rows, context, form)
    context["form"] = form
    return render(request, "audits/sampling_import.html", context, status=400 if form.errors else 200)


def _preview(
    request: HttpRequest,
    audit: Audit,
    rows: list[CaseRow],
    raw_rows: list[dict[str, str]],
    context: dict[str, Any],
    form: forms.Form,
) -> HttpResponse:
    problems = problem_count(rows)
    token = "" if problems else _keep(request, {"kind": "import", "audit": audit.pk, "rows": raw_rows})
    context.update(
        form=form,
        rows=rows,
        problems=problems,
        bad_rows=sum(1 for row in rows if row.problems),
        token=token,
    )
    return render(
        request, "audits/sampling_import_preview.html", context, status=400 if problems or form.errors else 200
    )


# A reproducible random draw


class DrawForm(UploadForm):
    size = forms.IntegerField(
        min_value=1,
        max_value=MAX_ROWS,
        label="Sample size",
        help_text="How many cases to draw.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    seed = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_SEED,
        label="Seed (optional)",
        help_text="Leave empty for a new random draw. To repeat a recorded draw, type its seed and use the same file "
        "and settings.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "govuk-input--width-10"}),
    )
    exclude_recent = forms.BooleanField(
        required=False, label="Leave out references audited in this partnership in the last 12 months"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "CSV file of candidate cases"
        for level in LevelOfNeed.values:
            self.fields[f"quota_level_{level}"] = self._quota(f"Level {level}")
        for band, label in AgeBand.choices:
            self.fields[f"quota_age_{band}"] = self._quota(label)
        for name, field in self.fields.items():
            if name.startswith("quota_"):
                field.widget.attrs["class"] = "govuk-input--width-3 govuk-input"

    @staticmethod
    def _quota(label: str) -> forms.IntegerField:
        return forms.IntegerField(
            required=False,
            min_value=0,
            max_value=MAX_ROWS,
            label=label,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )

    def level_fields(self) -> list[forms.BoundField]:
        return [self[f"quota_level_{value}"] for value in LevelOfNeed.values]

    def age_fields(self) -> list[forms.BoundField]:
        return [self[f"quota_age_{value}"] for value in AgeBand.values]

    def quotas(self) -> tuple[str, dict[str, int]]:
        data = self.cleaned_data
        by_level = {str(v): data[f"quota_level_{v}"] for v in LevelOfNeed.values if data.get(f"quota_level_{v}")}
        by_age = {v: data[f"quota_age_{v}"] for v in AgeBand.values if data.get(f"quota_age_{v}")}
        if by_level:
            return "level_of_need", by_level
        return ("age_band", by_age) if by_age else ("", {})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        levels = any(data.get(f"quota_level_{v}") for v in LevelOfNeed.values)
        ages = any(data.get(f"quota_age_{v}") for v in AgeBand.values)
        if levels and ages:
            raise forms.ValidationError("Set quotas by level of need or by age band, not both.")
        return data


def _settings_of(form: DrawForm) -> dict[str, Any]:
    quota_by, quotas = form.quotas()
    data = form.cleaned_data
    return {
        "size": data["size"],
        "seed": data["seed"] or new_seed(),
        "quota_by": quota_by,
        "quotas": quotas,
        "exclude_recent": data["exclude_recent"],
    }


def _draw(audit: Audit, rows: list[CaseRow], settings: dict[str, Any]) -> Draw:
    exclude = recent_references(audit) if settings["exclude_recent"] else set()
    return draw_sample(
        rows,
        size=settings["size"],
        seed=settings["seed"],
        quota_by=settings["quota_by"],
        quotas=settings["quotas"],
        exclude=exclude,
    )


@login_required
def case_draw(request: HttpRequest, pk: int) -> HttpResponse:
    audit = _audit(request, pk)
    form = DrawForm()
    context: dict[str, Any] = {
        "audit": audit,
        "audit_url": audit_url(audit),
        "draws": SampleDraw.objects.filter(audit=audit).select_related("created_by").order_by("-created_at", "-pk"),
    }
    if request.method == "POST" and "token" in request.POST:
        taken = _take(request, audit, "draw")
        if taken is None:
            _expired(request, form)
        else:
            token, entry = taken
            rows = check_rows(entry["rows"], audit=audit)
            if problem_count(rows):
                context.update(form=form, rows=rows, problems=problem_count(rows))
                return render(request, "audits/sampling_draw_preview.html", context, status=400)
            try:
                draw = _draw(audit, rows, entry["settings"])
                if draw.drawn_references != entry["drawn"]:
                    raise DrawProblem("The cases to draw from changed since the preview. Draw the sample again.")
                record = sample_draw_record(actor=request.user, audit=audit, draw=draw)
            except DrawProblem as problem:
                _refuse(form, problem.message)
            except ApplicationError as error:
                _refuse(form, error.message)
            else:
                _drop(request, token)
                messages.success(
                    request, f"{record.size} drawn cases added to {audit.reference}; the draw is recorded below."
                )
                return redirect("pages:case-draw", pk=audit.pk)
    elif request.method == "POST":
        form = DrawForm(request.POST, request.FILES)
        if form.is_valid():
            raw_rows = form.cleaned_data["file"]
            # Cases already in the audit do not stop a draw: repeating a recorded draw for an inspector draws them.
            rows = check_rows(raw_rows, audit=audit, existing_references=())
            if problem_count(rows):
                context.update(form=form, rows=rows, problems=problem_count(rows))
                return render(request, "audits/sampling_draw_preview.html", context, status=400)
            settings = _settings_of(form)
            try:
                draw = _draw(audit, rows, settings)
            except DrawProblem as problem:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            else:
                entry = {
                    "kind": "draw",
                    "audit": audit.pk,
                    "rows": raw_rows,
                    "settings": settings,
                    "drawn": draw.drawn_references,
                }
                existing = {ref.lower() for ref in audit.cases.values_list("reference", flat=True)}
                already = [ref for ref in draw.drawn_references if ref.lower() in existing]
                token = "" if already else _keep(request, entry)
                context.update(form=form, draw=draw, token=token, rows=[], already_added=already)
                return render(request, "audits/sampling_draw_preview.html", context)
    context["form"] = form
    return render(request, "audits/sampling_draw.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("audits/<int:pk>/cases/new/", case_new, name="case-new"),
    path("audits/<int:pk>/cases/import/", case_import, name="case-import"),
    path("audits/<int:pk>/cases/template.csv", case_template, name="case-template"),
    path("audits/<int:pk>/cases/draw/", case_draw, name="case-draw"),
]
