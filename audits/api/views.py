"""Thin viewsets: the queryset from a selector, a serializer, a filter set, and each write through its service."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Count, Model, Q, QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audits import filters
from audits.api import serializers as s
from audits.api.access import RecordsCaseAccess
from audits.api.compiled import CompiledReadsMixin
from audits.api.history import HistoryMixin
from audits.choices import ConcernStatus
from audits.models import AccessWhat, Action, BriefingFormat, SummaryExport
from audits.selectors import (
    action_updates_for,
    actions_for,
    agency_returns_for,
    audits_for,
    cases_for,
    child_family_views_for,
    concern_counts_for,
    concerns_for,
    findings_for,
    summaries_for,
    summary_reviews_for,
    themes_for,
)
from audits.services import actions as action_services
from audits.services import audits as audit_services
from audits.services import cases as case_services
from audits.services import concerns as concern_services
from audits.services import findings as finding_services
from audits.services import returns as return_services
from audits.services import summaries as summary_services
from audits.services.themes import theme_create, theme_update
from audits.summaries.export import EXPORTABLE
from audits.views.evidence import evidence_response
from macfa.api import etag_of, require_if_match
from macfa.errors import ApplicationError
from macfa.parsers import JSONParser

# Every operation's error responses (the one Error shape) are added by macfa.api.document_errors.


class ConditionalMixin:
    """Every change to an existing record is conditional: the client sends If-Match with the ETag it read."""

    @contextmanager
    def conditional(self) -> Iterator[Any]:
        """The record, locked for this transaction, if the client's If-Match is its current ETag (else 412/428)."""
        with transaction.atomic():
            instance = self.get_object()
            locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
            require_if_match(self.request, locked)  # type: ignore[attr-defined]
            yield locked

    def get_object(self) -> Any:
        """The one record, from the selector's scoped queryset alone.

        DRF's own get_object first applies the list's filter backends, which builds the filter form (a scoped
        queryset per filter) for a single record: 40% of a detail request, for filters that mean nothing there.
        """
        view: Any = self
        queryset = view.get_queryset()
        lookup = view.lookup_url_kwarg or view.lookup_field
        obj = get_object_or_404(queryset, **{view.lookup_field: view.kwargs[lookup]})
        view.check_object_permissions(view.request, obj)
        return obj

    def respond(self, obj: Model, status_code: int = status.HTTP_200_OK, **headers: str) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)  # type: ignore[attr-defined]
        return Response(
            self.get_serializer(fresh).data,  # type: ignore[attr-defined]
            status=status_code,
            headers={"ETag": etag_of(fresh), **headers},
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        return Response(self.get_serializer(obj).data, headers={"ETag": etag_of(obj)})  # type: ignore[attr-defined]


class ServiceViewSet(
    HistoryMixin,
    CompiledReadsMixin,
    ConditionalMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Create and update through the resource's services; changes need If-Match; nothing is ever deleted."""

    # Fields set when a record is made that cannot be changed afterwards.
    fixed_fields: tuple[str, ...] = ()
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    instance_argument: str = "instance"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_service(actor=request.user, **serializer.validated_data)
        location = request.build_absolute_uri(f"{request.path}{obj.pk}/")
        return self.respond(obj, status.HTTP_201_CREATED, Location=location)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        with self.conditional() as locked:
            serializer = self.get_serializer(locked, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            changes = dict(serializer.validated_data)
            for name in self.fixed_fields:
                if name in changes and changes.pop(name) != getattr(locked, name):
                    raise ApplicationError("This cannot be changed once the record is made.", field=name)
            obj = type(self).update_service(actor=request.user, **{self.instance_argument: locked}, **changes)
        return self.respond(obj)


class ThemeViewSet(ServiceViewSet):
    """The practice themes: the national taxonomy and your partnership's own."""

    serializer_class = s.ThemeSerializer
    filterset_class = filters.ThemeFilter
    ordering_fields = ["name", "slug"]
    fixed_fields = ("partnership",)
    create_service = staticmethod(theme_create)
    update_service = staticmethod(theme_update)
    instance_argument = "theme"

    def get_queryset(self) -> QuerySet[Any]:
        return themes_for(self.request.user).order_by("name", "pk")


class AuditViewSet(ServiceViewSet):
    """Audits: planned → agency returns → panel → reporting → closed."""

    serializer_class = s.AuditSerializer
    filterset_class = filters.AuditFilter
    ordering_fields = ["reference", "start_date", "status", "created_at"]
    fixed_fields = ("partnership",)
    create_service = staticmethod(audit_services.audit_create)
    update_service = staticmethod(audit_services.audit_update)
    instance_argument = "audit"

    def get_queryset(self) -> QuerySet[Any]:
        return (
            audits_for(self.request.user)
            .prefetch_related("focus_themes", "agencies", "benchmark_audits")
            .order_by("-start_date", "reference", "pk")
        )

    @extend_schema(request=s.StatusMoveSerializer, responses={200: s.AuditSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the audit to another stage (see `allowed_moves`)."""
        serializer = s.StatusMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with self.conditional() as audit:
            audit = audit_services.audit_move(
                actor=request.user, audit=audit, status=serializer.validated_data["status"]
            )
        return self.respond(audit)


class CaseViewSet(RecordsCaseAccess, ServiceViewSet):
    """Sampled children's files, known by pseudonymous references only."""

    access_what = AccessWhat.CASE

    serializer_class = s.CaseSerializer
    filterset_class = filters.CaseFilter
    ordering_fields = ["reference", "age_band", "level_of_need", "created_at"]
    fixed_fields = ("audit",)
    create_service = staticmethod(case_services.case_create)
    update_service = staticmethod(case_services.case_update)
    instance_argument = "case"

    def get_queryset(self) -> QuerySet[Any]:
        return (
            cases_for(self.request.user).prefetch_related("agencies", "factors").order_by("audit_id", "reference", "pk")
        )


class ChildFamilyViewViewSet(RecordsCaseAccess, ServiceViewSet):
    """What children and families said when invited to contribute."""

    access_what = AccessWhat.VIEWS

    serializer_class = s.ChildFamilyViewSerializer
    filterset_class = filters.ChildFamilyViewFilter
    ordering_fields = ["recorded_at"]
    fixed_fields = ("case",)
    create_service = staticmethod(case_services.child_family_view_record)
    update_service = staticmethod(case_services.child_family_view_update)
    instance_argument = "view"

    compiled_reads = True  # get_queryset is the selector in a fixed order (audits.api.compiled)

    def get_queryset(self) -> QuerySet[Any]:
        return child_family_views_for(self.request.user).order_by("case_id", "recorded_at", "pk")


class AgencyReturnViewSet(RecordsCaseAccess, ServiceViewSet):
    """Each agency's single-agency audit of its own record of a case."""

    access_what = AccessWhat.RETURNS

    serializer_class = s.AgencyReturnSerializer
    filterset_class = filters.AgencyReturnFilter
    ordering_fields = ["updated_at", "submitted_at"]
    fixed_fields = ("case", "agency")
    create_service = staticmethod(return_services.agency_return_create)
    update_service = staticmethod(return_services.agency_return_update)
    instance_argument = "agency_return"

    def get_queryset(self) -> QuerySet[Any]:
        return (
            agency_returns_for(self.request.user).prefetch_related("self_grades").order_by("case_id", "agency_id", "pk")
        )

    @extend_schema(request=None, responses={200: s.AgencyReturnSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit the return to the audit; it can no longer be edited."""
        with self.conditional() as agency_return:
            submitted = return_services.agency_return_submit(actor=request.user, agency_return=agency_return)
        return self.respond(submitted)


class FindingViewSet(RecordsCaseAccess, ServiceViewSet):
    """Judgements on a case, for an agency (or the multi-agency response), against a theme."""

    access_what = AccessWhat.FINDINGS

    serializer_class = s.FindingSerializer
    filterset_class = filters.FindingFilter
    ordering_fields = ["grade", "self_grade", "created_at", "updated_at"]
    fixed_fields = ("case", "agency", "theme")
    create_service = staticmethod(finding_services.finding_record)
    update_service = staticmethod(finding_services.finding_update)
    instance_argument = "finding"
    compiled_reads = True  # get_queryset is the selector in a fixed order (audits.api.compiled)

    def get_queryset(self) -> QuerySet[Any]:
        return findings_for(self.request.user).order_by(
            "case_id", "theme_id", "agency_id", "pk"
        )  # ids: no joins to sort

    @extend_schema(request=s.ModerateSerializer, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"])
    def moderate(self, request: Request, pk: str | None = None) -> Response:
        """Set the panel's grade, with the reason for any change from the agency's self-grade."""
        serializer = s.ModerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with self.conditional() as finding:
            moderated = finding_services.finding_moderate(
                actor=request.user, finding=finding, **serializer.validated_data
            )
        return self.respond(moderated)

    @extend_schema(request=None, responses={200: s.FindingSerializer})
    @action(detail=True, methods=["post"])
    def agree(self, request: Request, pk: str | None = None) -> Response:
        """Record that the panel agreed the finding."""
        with self.conditional() as finding:
            agreed = finding_services.finding_agree(actor=request.user, finding=finding)
        return self.respond(agreed)


def _action_move(name: str) -> Any:
    """One endpoint per move of an action (start, complete, verify, reopen), each calling action_move."""
    target = s.ACTION_MOVES[name]
    who = "the owning agency's lead" if name in ("start", "complete") else "the audit's auditor or the business unit"

    def move(self: ActionViewSet, request: Request, pk: str | None = None) -> Response:
        serializer = s.ActionMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with self.conditional() as action_obj:
            moved = action_services.action_move(
                actor=request.user, action=action_obj, status=target, **serializer.validated_data
            )
        return self.respond(moved)

    move.__name__ = move.__qualname__ = name  # the router maps the POST to the method of this name
    documented = extend_schema(
        request={"application/json": s.ActionMoveSerializer, "multipart/form-data": s.ActionMoveSerializer},
        responses={200: s.ActionSerializer},
        description=f"Move the action to {target.label.lower()}, with an optional note and evidence file ({who}).",
    )(move)
    return action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])(documented)


class ActionViewSet(ServiceViewSet):
    """Actions agreed with agencies, and their trail of updates."""

    serializer_class = s.ActionSerializer
    filterset_class = filters.ActionFilter
    ordering_fields = ["due_date", "raised_on", "status", "updated_at"]
    fixed_fields = ("audit", "raised_on")
    create_service = staticmethod(action_services.action_create)
    update_service = staticmethod(action_services.action_update)
    instance_argument = "action"

    def get_queryset(self) -> QuerySet[Any]:
        return actions_for(self.request.user).with_overdue().order_by("due_date", "pk")

    start = _action_move("start")
    complete = _action_move("complete")
    verify = _action_move("verify")
    reopen = _action_move("reopen")

    @extend_schema(methods=["GET"], responses={200: s.ActionUpdateSerializer(many=True)}, filters=False)
    @extend_schema(
        methods=["POST"],
        request={"application/json": s.ActionNoteSerializer, "multipart/form-data": s.ActionNoteSerializer},
        responses={201: s.ActionUpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def updates(self, request: Request, pk: str | None = None) -> Response:
        """The action's trail; post a note or evidence to add to it without changing its status."""
        action_obj: Action = self.get_object()
        if request.method == "POST":
            serializer = s.ActionNoteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            update = action_services.action_add_update(
                actor=request.user, action=action_obj, **serializer.validated_data
            )
            return Response(s.ActionUpdateSerializer(update, context=self.get_serializer_context()).data, status=201)
        trail = (
            action_updates_for(request.user)
            .filter(action=action_obj)
            .select_related("author")
            .order_by("created_at", "pk")
        )
        page = self.paginate_queryset(trail)
        data = s.ActionUpdateSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class ActionUpdateViewSet(viewsets.GenericViewSet):
    """Entries in actions' trails: only their evidence files are served here (the trail: /actions/{id}/updates/)."""

    serializer_class = s.ActionUpdateSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        return action_updates_for(self.request.user).exclude(evidence="")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str | None = None) -> FileResponse:
        """Download the evidence file, as an attachment under its uploaded name (404 unless you may read the action)."""
        return evidence_response(self.get_object())


class ConcernViewSet(
    HistoryMixin,
    CompiledReadsMixin,
    ConditionalMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Live child-protection issues found during audits, passed to the agency that must act at once."""

    serializer_class = s.ConcernSerializer
    filterset_class = filters.ConcernFilter
    ordering_fields = ["raised_at", "status"]
    compiled_reads = True  # get_queryset is the selector in a fixed order (audits.api.compiled)

    def get_queryset(self) -> QuerySet[Any]:
        return concerns_for(self.request.user).order_by("-raised_at", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.respond(concern_services.concern_raise(actor=request.user, **serializer.validated_data), 201)

    @extend_schema(request=None, responses={200: s.ConcernSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """The agency's lead confirms they have the concern in hand (due within one working day)."""
        with self.conditional() as concern:
            acknowledged = concern_services.concern_acknowledge(actor=request.user, concern=concern)
        return self.respond(acknowledged)

    @extend_schema(request=s.ConcernCloseSerializer, responses={200: s.ConcernSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the concern with its outcome."""
        serializer = s.ConcernCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with self.conditional() as concern:
            closed = concern_services.concern_close(actor=request.user, concern=concern, **serializer.validated_data)
        return self.respond(closed)

    @extend_schema(responses={200: s.ConcernCountsSerializer}, filters=False)
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        """How many concerns were raised and where they stand, for everyone who may count them (board included)."""
        counts = concern_counts_for(request.user).aggregate(
            raised=Count("pk"),
            awaiting_acknowledgement=Count("pk", filter=Q(status=ConcernStatus.RAISED)),
            acknowledged=Count("pk", filter=Q(status=ConcernStatus.ACKNOWLEDGED)),
            closed=Count("pk", filter=Q(status=ConcernStatus.CLOSED)),
        )
        return Response(counts)


class SummaryViewSet(ServiceViewSet):
    """Thematic learning summaries: draft → compiling → compiled → in review → approved → published."""

    serializer_class = s.LearningSummarySerializer
    filterset_class = filters.SummaryFilter
    ordering_fields = ["created_at", "compiled_at", "title"]
    fixed_fields = ("partnership",)
    create_service = staticmethod(summary_services.summary_create)
    update_service = staticmethod(summary_services.summary_update)
    instance_argument = "summary"

    def get_queryset(self) -> QuerySet[Any]:
        return (
            summaries_for(self.request.user)
            .select_related("partnership")
            .prefetch_related("themes", "audits")
            .order_by("-created_at", "pk")
        )

    @extend_schema(request=None, responses={202: s.LearningSummarySerializer})
    @action(detail=True, methods=["post"])
    def compile(self, request: Request, pk: str | None = None) -> Response:
        """Queue a compile. Answers 202; poll the summary's `progress_stage`, `progress_percent` and `status`."""
        with self.conditional() as summary:
            summary = summary_services.summary_request_compile(actor=request.user, summary=summary)
        location = request.build_absolute_uri(reverse("api:summary-detail", args=[summary.pk]))
        return self.respond(summary, status.HTTP_202_ACCEPTED, Location=location)

    @extend_schema(request=None, responses={200: s.LearningSummarySerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Send the compiled summary to the board for review."""
        with self.conditional() as summary:
            submitted = summary_services.summary_submit(actor=request.user, summary=summary)
        return self.respond(submitted)

    @extend_schema(request=None, responses={200: s.LearningSummarySerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish an approved summary."""
        with self.conditional() as summary:
            published = summary_services.summary_publish(actor=request.user, summary=summary)
        return self.respond(published)

    @extend_schema(request=None, responses={202: s.LearningSummarySerializer})
    @action(detail=True, methods=["post"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        """Make the briefing files again (they are made when the board approves). Answers 202."""
        with self.conditional() as summary:
            summary = summary_services.summary_request_export(actor=request.user, summary=summary)
        return self.respond(summary, status.HTTP_202_ACCEPTED)

    @extend_schema(
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=BriefingFormat.values)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path=r"briefing/(?P<fmt>pdf|docx|csv|json|xlsx)", url_name="briefing")
    def briefing(self, request: Request, pk: str | None = None, fmt: str = "pdf") -> FileResponse:
        """Download the Learning and Improvement Briefing (small numbers suppressed)."""
        summary = self.get_object()
        export = SummaryExport.objects.filter(summary=summary, format=fmt).first()
        if export is None or summary.status not in EXPORTABLE:
            raise NotFound("There is no briefing for this summary yet: it is made when the board approves it.")
        filename = f"{slugify(summary.title) or 'briefing'}.{fmt}"
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)

    @extend_schema(methods=["GET"], responses={200: s.SummaryReviewSerializer(many=True)}, filters=False)
    @extend_schema(methods=["POST"], request=s.SummaryReviewSerializer, responses={201: s.SummaryReviewSerializer})
    @action(detail=True, methods=["get", "post"])
    def reviews(self, request: Request, pk: str | None = None) -> Response:
        """The board's reviews; board members post a comment, an approval or a request for changes."""
        context = self.get_serializer_context()
        if request.method == "POST":
            serializer = s.SummaryReviewSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            with self.conditional() as summary:
                review = summary_services.summary_review(
                    actor=request.user, summary=summary, **serializer.validated_data
                )
            return Response(s.SummaryReviewSerializer(review, context=context).data, status=201)
        summary = self.get_object()
        reviews = (
            summary_reviews_for(request.user)
            .filter(summary=summary)
            .select_related("reviewer")
            .order_by("created_at", "pk")
        )
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(s.SummaryReviewSerializer(page, many=True, context=context).data)
