"""Filters for the API's lists: what the people in DESIGN.md ask of their records."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

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


def _search(fields: list[str]) -> Any:
    def method(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


class ThemeFilter(FilterSet):
    partnership = scoped(partnerships_for)
    national = BooleanFilter(field_name="partnership", lookup_expr="isnull", label="National themes only")
    search = django_filters.CharFilter(method=_search(["name", "slug"]), max_length=100)

    class Meta:
        model = Theme
        fields = ["partnership", "is_active"]


class AuditFilter(FilterSet):
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


class CaseFilter(FilterSet):
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


class ChildFamilyViewFilter(FilterSet):
    audit = scoped(audits_for, "case__audit")
    case = scoped(cases_for)
    speaker = django_filters.ChoiceFilter(choices=Speaker.choices)

    class Meta:
        model = ChildFamilyView
        fields = ["case"]


class AgencyReturnFilter(FilterSet):
    audit = scoped(audits_for, "case__audit")
    case = scoped(cases_for)
    agency = scoped(agencies_for)
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices)

    class Meta:
        model = AgencyReturn
        fields = ["case", "agency"]


class FindingFilter(FilterSet):
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


class ActionFilter(FilterSet):
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


class ConcernFilter(FilterSet):
    audit = scoped(audits_for, "case__audit")
    case = scoped(cases_for)
    agency = scoped(agencies_for)
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=ConcernStatus.choices)
    raised_after = IsoDateTimeFilter(field_name="raised_at", lookup_expr="gte")
    raised_before = IsoDateTimeFilter(field_name="raised_at", lookup_expr="lte")

    class Meta:
        model = SafeguardingConcern
        fields = ["case", "agency"]


class SummaryFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(distinct=False, choices=SummaryStatus.choices)
    partnership = scoped(partnerships_for)
    theme = scoped(themes_for, "themes", distinct=True)
    search = django_filters.CharFilter(method=_search(["title"]), max_length=100)

    class Meta:
        model = LearningSummary
        fields = ["partnership"]
