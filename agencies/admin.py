from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from agencies.models import Agency, Membership, Partnership
from macfa.admin_scope import PartnershipScopedAdmin


@admin.register(Partnership)
class PartnershipAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "suppression_threshold", "agency_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partnership]:
        return super().get_queryset(request).annotate(agency_total=Count("agencies", distinct=True)).order_by("name")

    @admin.display(description="agencies", ordering="agency_total")
    def agency_count(self, obj: Partnership) -> int:
        return obj.agency_total  # type: ignore[attr-defined]


@admin.register(Agency)
class AgencyAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "short_name", "sector", "partnership_names"]
    list_filter = ["sector", "partnerships"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["partnerships"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return super().get_queryset(request).prefetch_related("partnerships")

    @admin.display(description="partnerships")
    def partnership_names(self, obj: Agency) -> str:
        return ", ".join(p.name for p in obj.partnerships.all())


@admin.register(Membership)
class MembershipAdmin(PartnershipScopedAdmin, admin.ModelAdmin):
    list_display = ["user", "partnership", "role", "agency", "created_at"]
    list_filter = ["role", "partnership", "agency__sector"]
    list_select_related = ["user", "partnership", "agency"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["created_at"]
