"""Filters for the API's lists: what the people in DESIGN.md ask of their records."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict

from agencies.models import Sector
from agencies.selectors import agencies_for, partnerships_for, people_for
from audits.choices import (
    ActionStatus,
    AgeBand,
    AuditStatus,
    ConcernStatus,
    Factor,
    FindingKind,
    Grade,
    LevelOfNeed,
    PlanType,
    ReturnStatus,
    Speaker,
    SummaryStatus,
)
from audits.models import (
    Action,
    AgencyReturn,
    Audit,
    Case,
    ChildFamilyView,
    Finding,
    LearningSummary,
    SafeguardingConcern,
    Theme,
)
from audits.models.action import ActionQuerySet
from audits.selectors import audits_for, cases_for, themes_for
from macfa.filters import BooleanFilter, FilterSet, IsoDateTimeFilter, scoped


class RequestedFilterSet(FilterSet):
    """Builds only the filters a request names: a filter given no value filters nothing, yet building it cost
    a deep copy and a form field (with a scoped queryset) each, about a fifth of a list request.

    Validation is unchanged for every parameter sent. The browsable API, which draws the whole filter form, and
    the OpenAPI schema, which reads the class's filters, still get every filter.
    """

    def __init__(
        self, data: Any = None, queryset: Any = None, *, request: Any = None, prefix: str | None = None
    ) -> None:
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        draws_form = getattr(getattr(request, "accepted_renderer", None), "format", None) == "api"
        names = set(self.data) if self.is_bound and not draws_form else None
        self.filters = {
            name: copy.deepcopy(filter_)
            for name, filter_ in self.base_filters.items()
            if names is None or name in names or any(key.startswith(f"{name}_") for key in names)
        }
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self


def _search(fields: list[str]) -> Any:
    def method(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


class ThemeFilter(RequestedFilterSet):
    partnership = scoped(partnerships_for)
    national = BooleanFilter(field_name="partnership", lookup_expr="isnull", label="National themes only")
    search = django_filters.CharFilter(method=_search(["name", "slug"]), max_length=100)

    class Meta:
        model = Theme
        fields = ["partnership", "is_active"]


class AuditFilter(RequestedFilterSet):
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=AuditStatus.choices)
    partnership = scoped(partnerships_for)
    auditor = scoped(people_for)
    theme = scoped(themes_for, "focus_themes", distinct=True)
    agency = scoped(agencies_for, "agencies", distinct=True)
    started_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    started_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    search = django_filters.CharFilter(method=_search(["reference", "title"]), max_length=100)

    class Meta:
        model = Audit
        fields = ["partnership", "auditor", "status"]


class CaseFilter(RequestedFilterSet):
    audit = scoped(audits_for)
    partnership = scoped(partnerships_for, "audit__partnership")
    age_band = django_filters.MultipleChoiceFilter(distinct=False, choices=AgeBand.choices)
    level_of_need = django_filters.MultipleChoiceFilter(distinct=False, choices=LevelOfNeed.choices)
    plan_type = django_filters.MultipleChoiceFilter(distinct=False, choices=PlanType.choices)
    factor = django_filters.ChoiceFilter(field_name="factors__factor", choices=Factor.choices, distinct=True)
    agency = scoped(agencies_for, "agencies", distinct=True)
    search = django_filters.CharFilter(method=_search(["reference"]), max_length=30)

    class Meta:
        model = Case
        fields = ["audit"]


class ChildFamilyViewFilter(RequestedFilterSet):
    audit = scoped(audits_for, "case__audit")
    case = scoped(cases_for)
    speaker = django_filters.ChoiceFilter(choices=Speaker.choices)

    class Meta:
        model = ChildFamilyView
        fields = ["case"]


class AgencyReturnFilter(RequestedFilterSet):
    audit = scoped(audits_for, "case__audit")
    case = scoped(cases_for)
    agency = scoped(agencies_for)
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices)

    class Meta:
        model = AgencyReturn
        fields = ["case", "agency"]


class FindingFilter(RequestedFilterSet):
    audit = scoped(audits_for, "case__audit")
    partnership = scoped(partnerships_for, "case__audit__partnership")
    case = scoped(cases_for)
    agency = scoped(agencies_for)
    theme = scoped(themes_for)
    sector = django_filters.MultipleChoiceFilter(distinct=False, field_name="agency__sector", choices=Sector.choices)
    multi_agency = BooleanFilter(field_name="agency", lookup_expr="isnull", label="Multi-agency only")
    grade = django_filters.MultipleChoiceFilter(distinct=False, choices=Grade.choices)
    self_grade = django_filters.MultipleChoiceFilter(distinct=False, choices=Grade.choices)
    kind = django_filters.ChoiceFilter(choices=FindingKind.choices)
    agreed = BooleanFilter(field_name="agreed_at", lookup_expr="isnull", exclude=True)
    age_band = django_filters.MultipleChoiceFilter(distinct=False, field_name="case__age_band", choices=AgeBand.choices)
    level_of_need = django_filters.MultipleChoiceFilter(
        distinct=False, field_name="case__level_of_need", choices=LevelOfNeed.choices
    )
    plan_type = django_filters.MultipleChoiceFilter(
        distinct=False, field_name="case__plan_type", choices=PlanType.choices
    )
    search = django_filters.CharFilter(method=_search(["case__reference", "narrative"]), max_length=100)

    class Meta:
        model = Finding
        fields = ["case", "agency", "theme"]


class ActionFilter(RequestedFilterSet):
    audit = scoped(audits_for)
    case = scoped(cases_for)
    partnership = scoped(partnerships_for, "audit__partnership")
    agency = scoped(agencies_for, "owner_agency")
    sector = django_filters.MultipleChoiceFilter(
        distinct=False, field_name="owner_agency__sector", choices=Sector.choices
    )
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=ActionStatus.choices)
    overdue = BooleanFilter(method="filter_overdue")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    search = django_filters.CharFilter(method=_search(["description", "audit__reference"]), max_length=100)

    class Meta:
        model = Action
        fields = ["audit", "case"]

    def filter_overdue(self, queryset: ActionQuerySet, name: str, value: bool) -> ActionQuerySet:
        return queryset.overdue() if value else queryset.not_overdue()


class ConcernFilter(RequestedFilterSet):
    audit = scoped(audits_for, "case__audit")
    case = scoped(cases_for)
    agency = scoped(agencies_for)
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=ConcernStatus.choices)
    raised_after = IsoDateTimeFilter(field_name="raised_at", lookup_expr="gte")
    raised_before = IsoDateTimeFilter(field_name="raised_at", lookup_expr="lte")

    class Meta:
        model = SafeguardingConcern
        fields = ["case", "agency"]


class SummaryFilter(RequestedFilterSet):
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=SummaryStatus.choices)
    partnership = scoped(partnerships_for)
    theme = scoped(themes_for, "themes", distinct=True)
    search = django_filters.CharFilter(method=_search(["title"]), max_length=100)

    class Meta:
        model = LearningSummary
        fields = ["partnership"]
