"""Agency returns: "Our returns" for an agency lead, and the single-agency return for one case and one agency."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from agencies.models import Agency, Role
from agencies.selectors import roles_of, scope_of
from audits.choices import Grade, ReturnStatus
from audits.models import AccessDoor, AccessWhat, AgencyReturn, Case, Theme
from audits.permissions import may_write_return
from audits.selectors import agency_returns_for, cases_for
from audits.services.access import case_access_record
from audits.services.returns import (
    OPEN_FOR_RETURNS,
    RETURN_TEXT_FIELDS,
    agency_return_create,
    agency_return_submit,
    agency_return_update,
)
from audits.views.common import PAGE_LIMIT
from macfa.errors import ApplicationError
from macfa.forms import GovukForm

NOT_STARTED = "not_started"
STATUS_LABELS = {NOT_STARTED: "Not started", ReturnStatus.DRAFT: "Draft", ReturnStatus.SUBMITTED: "Submitted"}
STATUS_TAGS = {NOT_STARTED: "govuk-tag--grey", ReturnStatus.DRAFT: "govuk-tag--yellow", ReturnStatus.SUBMITTED: ""}
NOT_GRADED = ""
SAVE, SUBMIT = "save", "submit"
LOCKED_MESSAGE = "This return has been submitted and can no longer be changed, so nothing was saved."
CLOSED_MESSAGE = "This audit is past the panel: agency returns can no longer change, so nothing was saved."
STALE_MESSAGE = (
    "Someone else saved this return after you opened it, so your changes have not been saved. Your text is kept "
    "below: check it against theirs (open the return in another tab to see it), then save again to replace theirs."
)


@login_required
def returns(request: HttpRequest) -> HttpResponse:
    """For each agency the user leads, the cases it is involved in: audits still open for returns first."""
    leads = sorted(scope_of(request.user).leads)
    memberships = roles_of(request.user).filter(role=Role.AGENCY_LEAD).order_by("partnership__name", "agency__name")
    involvements = Case.agencies.through.objects.none()
    if leads:
        pairs = models.Q()
        for partnership_id, agency_id in leads:
            pairs |= models.Q(case__audit__partnership_id=partnership_id, agency_id=agency_id)
        status = agency_returns_for(request.user).filter(
            case_id=models.OuterRef("case_id"), agency_id=models.OuterRef("agency_id")
        )
        involvements = (
            Case.agencies.through.objects.filter(pairs, case__in=cases_for(request.user))
            .select_related("case__audit")
            .annotate(
                return_status=models.Subquery(status.values("status")[:1]),
                closed_to_returns=models.Case(
                    models.When(case__audit__status__in=OPEN_FOR_RETURNS, then=models.Value(False)),
                    default=models.Value(True),
                ),
            )
            .order_by("closed_to_returns", "case__audit__reference", "case__reference", "pk")
        )
    rows: list[Any] = list(involvements[: PAGE_LIMIT + 1])
    truncated = len(rows) > PAGE_LIMIT
    by_agency: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in rows[:PAGE_LIMIT]:
        state = row.return_status or NOT_STARTED
        by_agency.setdefault((row.case.audit.partnership_id, row.agency_id), []).append(
            {
                "case": row.case,
                "open": not row.closed_to_returns,
                "status": STATUS_LABELS[state],
                "tag": STATUS_TAGS[state],
            }
        )
    several_partnerships = len({pid for pid, _ in leads}) > 1
    groups = [
        {
            "agency": membership.agency,
            "partnership": membership.partnership if several_partnerships else None,
            "rows": by_agency.get((membership.partnership_id, membership.agency_id), []),
        }
        for membership in memberships
        if membership.agency_id is not None
    ]
    return render(request, "audits/returns.html", {"groups": groups, "truncated": truncated})


class ReturnForm(GovukForm):
    """A self-grade per focus theme (in the audit's order, first on the page), then the return's texts."""

    good_practice = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text="What your agency did well for this child, with examples from the record.",
    )
    areas_for_development = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text="What your agency could have done better or sooner.",
    )
    recommendations = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text="What your agency will change as a result.",
    )
    # The version the person started from, to notice that someone else saved in between.
    updated_at = forms.CharField(required=False, widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=[(SAVE, SAVE), (SUBMIT, SUBMIT)], required=False)

    def __init__(self, *args: Any, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grades = {
            _grade_field_name(theme): forms.TypedChoiceField(
                label=theme.name,
                choices=[*Grade.choices, (NOT_GRADED, "Not graded")],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
            for theme in themes
        }
        self.fields = {**grades, **self.fields}


def _grade_field_name(theme: Theme) -> str:
    return f"grade_{theme.pk}"


def _version(agency_return: AgencyReturn | None) -> str:
    return agency_return.updated_at.isoformat() if agency_return is not None else ""


def _initial(agency_return: AgencyReturn | None, themes: list[Theme], grades: dict[int, int]) -> dict[str, Any]:
    initial: dict[str, Any] = {_grade_field_name(theme): grades.get(theme.pk) for theme in themes}
    if agency_return is not None:
        initial.update({name: getattr(agency_return, name) for name in RETURN_TEXT_FIELDS})
    initial["updated_at"] = _version(agency_return)
    return initial


def _save(
    request: HttpRequest, case: Case, agency: Agency, themes: list[Theme], form: ReturnForm
) -> AgencyReturn | None:
    """Save (and maybe submit) the return in one transaction; on a refusal show it on the form and save nothing."""
    data = form.cleaned_data
    grades = {theme: data.get(_grade_field_name(theme)) for theme in themes}
    texts = {name: data[name] for name in RETURN_TEXT_FIELDS}
    try:
        with transaction.atomic():
            current = AgencyReturn.objects.select_for_update().filter(case=case, agency=agency).first()
            if _version(current) != data["updated_at"]:
                form.add_error(None, STALE_MESSAGE)
                # Saving again after reading the warning is a choice to replace the other person's version.
                fresh = request.POST.copy()
                fresh["updated_at"] = _version(current)
                form.data = fresh
                return None
            if current is None:
                current = agency_return_create(
                    actor=request.user, case=case, agency=agency, self_grades=grades, **texts
                )
            else:
                current.case = case  # already loaded with its audit, which the service checks
                current = agency_return_update(actor=request.user, agency_return=current, self_grades=grades, **texts)
            if data["choice"] == SUBMIT:
                current = agency_return_submit(actor=request.user, agency_return=current)
    except ApplicationError as error:
        form.add_service_error(error)
        return None
    return current


@login_required
def return_detail(request: HttpRequest, case_pk: int, agency_pk: int) -> HttpResponse:
    case = get_object_or_404(cases_for(request.user).select_related("audit"), pk=case_pk)
    agency = get_object_or_404(case.agencies.all(), pk=agency_pk)
    if not may_write_return(request.user, case, agency.pk):
        raise Http404("No return here.")
    if request.method == "GET":
        case_access_record(actor=request.user, cases=[case], what=AccessWhat.RETURNS, door=AccessDoor.PAGE)
    agency_return = (
        agency_returns_for(request.user).filter(case=case, agency=agency).select_related("submitted_by").first()
    )
    themes = list(case.audit.focus_themes.order_by("name", "pk"))
    grades: dict[int, int] = {}
    if agency_return is not None:
        grades = dict(agency_return.self_grades.values_list("theme_id", "grade"))
    submitted = agency_return is not None and agency_return.status == ReturnStatus.SUBMITTED
    open_for_returns = case.audit.status in OPEN_FOR_RETURNS
    form = ReturnForm(initial=_initial(agency_return, themes, grades), themes=themes)
    refusal = ""
    if request.method == "POST" and (submitted or not open_for_returns):
        refusal = LOCKED_MESSAGE if submitted else CLOSED_MESSAGE
    elif request.method == "POST":
        form = ReturnForm(request.POST, themes=themes)
        if form.is_valid():
            saved = _save(request, case, agency, themes, form)
            if saved is not None:
                if saved.status == ReturnStatus.SUBMITTED:
                    messages.success(
                        request, "Return submitted. It is now part of the audit's record and cannot be changed."
                    )
                else:
                    messages.success(request, "Saved as a draft. You can change it until you submit it.")
                return redirect("pages:return", case_pk=case.pk, agency_pk=agency.pk)
    context = {
        "case": case,
        "agency": agency,
        "agency_return": agency_return,
        "status": STATUS_LABELS[agency_return.status if agency_return else NOT_STARTED],
        "editable": open_for_returns and not submitted,
        "open_for_returns": open_for_returns,
        "form": form,
        "refusal": refusal,
        "grade_fields": [form[_grade_field_name(theme)] for theme in themes],
        "graded": [(theme, Grade(grades[theme.pk]).label if theme.pk in grades else "Not graded") for theme in themes],
        "back_to_returns": scope_of(request.user).leads_agency(case.audit.partnership_id, agency.pk),
    }
    status = 409 if refusal else 400 if form.errors else 200
    return render(request, "audits/return.html", context, status=status)


urlpatterns = [
    path("returns/", returns, name="returns"),
    path("returns/<int:case_pk>/<int:agency_pk>/", return_detail, name="return"),
]
