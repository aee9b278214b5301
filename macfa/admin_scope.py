"""The admin is one more door: it reads through the partnership scope and writes through the services.

A business-unit member sees only their own partnerships' records, in every admin view (lists, change pages,
history and history-record pages, delete, autocomplete, dropdowns); superusers (the service's operators) see
everything. Each model's path to its partnership is listed once here. Saves call the model's services, so
validation, "who did it" and history come from the same code whatever the door; nothing is reverted from history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from agencies.selectors import scope_of
from macfa.errors import ApplicationError

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
    "audits.ReturnGrade": "agency_return__case__audit__partnership",
    "audits.Finding": "case__audit__partnership",
    "audits.Action": "audit__partnership",
    "audits.ActionUpdate": "action__audit__partnership",
    "audits.SafeguardingConcern": "case__audit__partnership",
    "audits.LearningSummary": "partnership",
    "audits.SummaryReview": "summary__partnership",
    "audits.SummaryExport": "summary__partnership",
}


def scoped_for_admin(request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    scope = scope_of(request.user)
    if scope.superuser:
        return queryset
    path = PARTNERSHIP_PATHS.get(queryset.model._meta.label)
    if path is None:
        return queryset.none()  # a model with no path to a partnership is the operators' alone
    mine = Q(**{f"{path}__in": scope.business_unit})
    if queryset.model._meta.label == "audits.Theme":
        mine |= Q(partnership__isnull=True)  # the national taxonomy is everyone's
    # Through a subquery, so a path across a many-to-many relation cannot repeat rows.
    return queryset.filter(pk__in=queryset.model._default_manager.filter(mine).values("pk"))


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A filter on a relation offers what the listed rows refer to, and of that only what the signed-in business unit
    may see: a shared agency's rows refer to every partnership it serves, but the filter names only the user's."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        used = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        visible = scoped_for_admin(request, field.related_model._default_manager.all()).values("pk")
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to=Q(pk__in=used) & Q(pk__in=visible)
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        # A hand-made ?partnerships__id__exact=… for a record not offered answers like an unknown id: nothing.
        wanted = [value for value in (self.lookup_val or []) if value not in ("", None)]
        if wanted:
            related: Any = self.field.related_model
            visible = scoped_for_admin(request, related._default_manager.all())
            try:
                offered = visible.filter(pk__in=wanted).count() == len(set(wanted))
            except (ValueError, TypeError):
                offered = False
            if not offered:
                return queryset.none()
        return super().queryset(request, queryset)


class _Named(str):
    """A person as the reader may see them named, standing in for the user object in the history list."""

    def get_username(self) -> str:
        return str(self)


class PartnershipScopedAdmin:
    """Lists, change pages, history pages and dropdowns limited to the signed-in business unit's partnerships."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped_for_admin(request, super().get_queryset(request))  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A filter on a relation never offers another partnership's audits, agencies, themes or partnerships."""
        from django.contrib.admin.utils import get_fields_from_path

        scoped = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]
            if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:  # type: ignore[attr-defined]
                entry = (entry, ScopedRelatedFilter)
            scoped.append(entry)
        return scoped

    def _require_visible(self, request: HttpRequest, object_id: str) -> None:
        """django-simple-history's views look records up without the admin's queryset: check it first."""
        from django.contrib.admin.utils import unquote

        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("No such record among those you may see.")

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def set_history_delta_changes(self, request: HttpRequest, page_obj: Any, *args: Any, **kwargs: Any) -> None:
        """Name who made each change as the API's history does: a shared agency's history also holds changes made by
        the other partnership's people, who are not named to this one (nor linked to)."""
        super().set_history_delta_changes(request, page_obj, *args, **kwargs)  # type: ignore[misc]
        from audits.history import people_named_for

        records = list(page_obj.object_list)
        names = people_named_for(request.user, (record.history_user_id for record in records))
        for record in records:
            if record.history_user_id is not None:
                named = _Named(names[record.history_user_id])
                record.history_user_id = None  # no link to the person's own admin page
                record._state.fields_cache["history_user"] = named

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        """A past version may be read, never restored: a revert would skip the services and their rules."""
        self._require_visible(request, object_id)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

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


class ServiceAdmin(PartnershipScopedAdmin):
    """Saves through the model's services instead of ``ModelForm.save``.

    The form collects the input; ``create`` and ``update`` call the services, which check the actor may do it,
    validate and write (history records the signed-in user). A service's refusal becomes a form error on its
    field, with everything typed kept. Fields that fix a record's identity are read-only once it exists.
    Nothing is deleted here: records that matter are never deleted, and trails are the record of what happened.
    """

    identity_fields: tuple[str, ...] = ()
    always_read_only: tuple[str, ...] = ()

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        raise NotImplementedError

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fixed = self.identity_fields if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *self.always_read_only, *fixed)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        model_admin = self

        class ServiceForm(base):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                # Instead of the ModelForm's construct-and-validate, the service validates and writes, in a
                # savepoint so that a refusal leaves nothing behind.
                if self.errors:
                    return
                self._run_model_field_validators()
                if self.errors:
                    return
                instance: Any = getattr(self, "instance")  # noqa: B009  (set by ModelForm)
                try:
                    with transaction.atomic():
                        if instance.pk is None:
                            self.instance = model_admin.create(request, dict(self.cleaned_data))
                        else:
                            changes = {name: self.cleaned_data[name] for name in self.changed_data}
                            if changes:
                                self.instance = model_admin.update(request, instance, changes)
                except ApplicationError as error:
                    self.add_error(error.field if error.field in self.fields else None, error.message)

            def _run_model_field_validators(self) -> None:
                """The model fields' own limits (a smallint's range, say), which ModelForm checks in the step the
                service replaces."""
                from django.core.exceptions import FieldDoesNotExist, ValidationError

                for name, value in list(self.cleaned_data.items()):
                    try:
                        field: Any = self._meta.model._meta.get_field(name)
                    except FieldDoesNotExist:
                        continue
                    if not field.concrete or field.many_to_many or value in field.empty_values:
                        continue
                    try:
                        field.run_validators(value)
                    except ValidationError as error:
                        self.add_error(name, error)

            def save(self, commit: bool = True) -> Any:
                self.save_m2m = lambda: None  # the service set the many-to-many relations
                return self.instance

        return ServiceForm

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # Inlines are read-only lists. A save must not build (or depend on) their formsets: the service has
        # written by the time they would be validated, so a tampered or missing inline form could otherwise
        # show an error over a change that was in fact saved.
        if request.method == "POST":
            return []
        return super().get_inline_instances(request, obj)  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """The service saved it while the form was validated."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Inlines are read-only views of related records; the service set the many-to-many relations."""


class ReadOnlyInline:
    """Related records shown on their parent's page, each changed on its own page through its services."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or ()  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyAdmin(PartnershipScopedAdmin):
    """Records written only by their workflow (trails, reviews, briefings, sent emails): read, never changed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoteActionForm(ActionForm):
    """The admin's action bar, with a note for moves that need one (a reopened action, a closed concern)."""

    note = forms.CharField(
        required=False, label="Note", help_text="Why the action is reopened, or the concern's outcome."
    )


def workflow_action(
    name: str, description: str, move: Callable[[HttpRequest, Any], Any], label: Callable[[Any], str] = str
) -> Callable[..., None]:
    """An admin action that makes one workflow move on each selected record through its service.

    Each record moves in its own transaction; a refusal is reported for that record and the others still move.
    """

    def run(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        done = 0
        for obj in queryset:
            try:
                with transaction.atomic():
                    move(request, obj)
                done += 1
            except ApplicationError as error:
                model_admin.message_user(request, f"{label(obj)}: {error.message}", messages.WARNING)
        if done:
            model_admin.message_user(request, f"{description}: done for {done}.", messages.SUCCESS)

    run.__name__ = name
    run.short_description = description  # type: ignore[attr-defined]
    return run
