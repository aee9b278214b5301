from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from agencies import services
from agencies.models import Agency, Membership, Partnership
from macfa.admin_scope import ServiceAdmin, scoped_for_admin
from macfa.authentication import token_revoke
from macfa.errors import ApplicationError


@admin.register(Partnership)
class PartnershipAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "slug",
        "suppression_threshold",
        "case_detail_retention_months",
        "agency_count",
        "created_at",
    ]
    search_fields = ["name", "slug"]
    identity_fields = ("slug",)
    always_read_only = ("created_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)  # a new partnership is a new tenant: the operators set it up

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partnership]:
        return super().get_queryset(request).annotate(agency_total=Count("agencies", distinct=True)).order_by("name")

    @admin.display(description="agencies", ordering="agency_total")
    def agency_count(self, obj: Partnership) -> int:
        return obj.agency_total  # type: ignore[attr-defined]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Partnership:
        return Partnership.objects.create(**data)  # operators only (has_add_permission)

    def update(self, request: HttpRequest, obj: Partnership, changes: dict[str, Any]) -> Partnership:
        return services.partnership_update(actor=request.user, partnership=obj, **changes)


@admin.register(Agency)
class AgencyAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "sector", "partnership_names"]
    list_filter = ["sector", "partnerships"]
    search_fields = ["name", "short_name"]
    filter_horizontal = ["partnerships"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        # A shared agency names only the partnerships the signed-in business unit belongs to.
        partnerships = Prefetch("partnerships", queryset=scoped_for_admin(request, Partnership.objects.all()))
        return super().get_queryset(request).prefetch_related(partnerships)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "partnerships":
            # A business unit may unlink a shared agency from all of its own partnerships; the service keeps the
            # other partnerships' links and refuses to leave an agency serving none.
            field.required = False
        return field

    @admin.display(description="partnerships")
    def partnership_names(self, obj: Agency) -> str:
        return ", ".join(p.name for p in obj.partnerships.all())

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Agency:
        return services.agency_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Agency, changes: dict[str, Any]) -> Agency:
        return services.agency_update(actor=request.user, agency=obj, **changes)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin, SimpleHistoryAdmin):
    """Roles are given and taken away; to change one, remove it and give the new one."""

    list_display = ["user", "partnership", "role", "agency", "created_at"]
    list_filter = ["role", "partnership", "agency__sector"]
    list_select_related = ["user", "partnership", "agency"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency"]
    identity_fields = ("user", "partnership", "role", "agency")
    always_read_only = ("created_at",)
    actions = ["revoke_api_tokens"]

    @admin.action(description="Revoke the API token of the selected people")
    def revoke_api_tokens(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        """A lost laptop or a leaver: their token answers 401 from now on (they may sign in for a new one)."""
        revoked = 0
        for person in {membership.user for membership in queryset.select_related("user")}:
            try:
                revoked += token_revoke(actor=request.user, person=person)
            except ApplicationError as error:
                self.message_user(request, f"{person}: {error.message}", messages.WARNING)
        self.message_user(request, f"API tokens revoked: {revoked}.", messages.SUCCESS)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_remove(actor=request.user, membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            services.membership_remove(actor=request.user, membership=membership)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Membership:
        return services.membership_create(actor=request.user, **data)

    def update(self, request: HttpRequest, obj: Membership, changes: dict[str, Any]) -> Membership:
        return obj  # every field is read-only once the role is given
