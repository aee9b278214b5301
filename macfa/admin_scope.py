"""The admin shows a business-unit member only their own partnerships' records, like every other interface.

Superusers (the service's operators) see everything. Each model's path to its partnership is listed once here.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from agencies.selectors import scope_of

PARTNERSHIP_PATHS = {
    "agencies.Partnership": "pk",
    "agencies.Agency": "partnerships",
    "agencies.Membership": "partnership",
    "audits.Theme": "partnership",
    "audits.Audit": "partnership",
    "audits.Case": "audit__partnership",
    "audits.CaseFactor": "case__audit__partnership",
    "audits.ChildFamilyView": "case__audit__partnership",
    "audits.AgencyReturn": "case__audit__partnership",
    "audits.Finding": "case__audit__partnership",
    "audits.Action": "audit__partnership",
    "audits.ActionUpdate": "action__audit__partnership",
    "audits.SafeguardingConcern": "case__audit__partnership",
    "audits.LearningSummary": "partnership",
    "audits.SummaryReview": "summary__partnership",
    "audits.SummaryExport": "summary__partnership",
    "audits.Notification": "recipient__memberships__partnership",
}


def scoped_for_admin(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    scope = scope_of(request.user)
    if scope.superuser:
        return queryset
    path = PARTNERSHIP_PATHS.get(queryset.model._meta.label)
    if path is None:
        return queryset
    mine = Q(**{f"{path}__in": scope.business_unit})
    if queryset.model._meta.label == "audits.Theme":
        mine |= Q(partnership__isnull=True)  # the national taxonomy is everyone's
    # Through a subquery, so a path across a many-to-many relation cannot repeat rows.
    return queryset.filter(pk__in=queryset.model._default_manager.filter(mine).values("pk"))


class PartnershipScopedAdmin:
    """Lists, change pages and dropdowns limited to the signed-in business unit's partnerships."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped_for_admin(request, super().get_queryset(request))  # type: ignore[misc]

    def _scope_choices(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        related: type[Model] = db_field.related_model
        if "queryset" in kwargs:
            return
        if related._meta.label in PARTNERSHIP_PATHS:
            kwargs["queryset"] = scoped_for_admin(request, apps.get_model(related._meta.label).objects.all())
        elif related is get_user_model() and not scope_of(request.user).superuser:
            # People of the business unit's own partnerships; operators add new people.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(memberships__partnership__in=scope_of(request.user).business_unit)
                .distinct()
            )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
