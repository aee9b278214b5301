"""Learning summaries in pages: the list by status, and each summary's page where the auditor prepares it, the board
reviews it (comment, approve, request changes), the business unit publishes it, and everyone who may downloads the
briefing.

Figures on the page come from the same view-model as the briefing files (audits.summaries.briefing.Briefing): exact
for the business unit's and auditors' working view, suppressed for everyone else.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify

from agencies.models import Partnership
from agencies.selectors import partnerships_for
from audits.choices import ReviewDecision, SummaryStatus
from audits.models import Audit, BriefingFormat, LearningSummary, SummaryExport, SummaryReview, Theme
from audits.permissions import (
    may_prepare_summary,
    may_publish_summary,
    may_read_history,
    may_review_summary,
    sees_exact_figures,
)
from audits.selectors import audits_for, summaries_for, summary_reviews_for, themes_for
from audits.services import summaries as summary_services
from audits.summaries.export import EXPORTABLE
from audits.views.common import PAGE_LIMIT, ask_which_partnership, chosen_partnership
from audits.views.summary_document import FIGURE_FIELDS, PLACEHOLDER, put_document, rendered_document
from macfa.api import etag_of
from macfa.errors import ApplicationError, ConflictError, NotAllowed
from macfa.forms import GovukDateInput, GovukForm

logger = logging.getLogger(__name__)
DOUBLE_SUBMIT_WINDOW = datetime.timedelta(minutes=2)

# The order a board member wants: what waits for them first, then what was decided.
STATUS_ORDER = [
    SummaryStatus.IN_REVIEW,
    SummaryStatus.APPROVED,
    SummaryStatus.PUBLISHED,
    SummaryStatus.COMPILED,
    SummaryStatus.COMPILING,
    SummaryStatus.FAILED,
    SummaryStatus.DRAFT,
]
# What happened to a summary, as a board member would say it.
NOW_IN_WORDS: dict[str, str] = {
    SummaryStatus.COMPILED: "another board member asked for changes and the summary went back to the auditor",
    SummaryStatus.APPROVED: "the summary was approved",
    SummaryStatus.PUBLISHED: "the summary was published",
    SummaryStatus.COMPILING: "the summary's figures are being compiled again",
}
STALE_MESSAGE = (
    "This summary changed after you opened it (it was recompiled, edited or reviewed by someone else). "
    "Nothing was saved: read it again as it is now, then decide."
)
# The moves the page offers, each a service; a button shows only when its permission holds and the status allows.
MOVES = {
    "compile": ("Compile the figures again", summary_services.summary_request_compile),
    "submit": ("Send to the board for review", summary_services.summary_submit),
    "publish": ("Publish to agency leads", summary_services.summary_publish),
    "export": ("Make the briefing files again", summary_services.summary_request_export),
}


def version_of(summary: LearningSummary) -> str:
    return etag_of(summary).strip('"')


def _summary_for_page(request: HttpRequest, pk: int) -> LearningSummary:
    """The summary without its compiled figures: the page reads them only when it renders a new version of the
    document (audits.views.summary_document), so a national summary's JSON is not parsed on every read."""
    summaries = summaries_for(request.user).select_related("partnership").defer(*FIGURE_FIELDS)
    return get_object_or_404(summaries, pk=pk)


@login_required
def summary_list(request: HttpRequest) -> HttpResponse:
    rows = list(
        summaries_for(request.user).select_related("partnership").order_by("-updated_at", "-pk")[: PAGE_LIMIT + 1]
    )
    groups = [
        (SummaryStatus(status).label, [summary for summary in rows[:PAGE_LIMIT] if summary.status == status])
        for status in STATUS_ORDER
    ]
    context = {
        "groups": [(label, items) for label, items in groups if items],
        "truncated": len(rows) > PAGE_LIMIT,
        "may_define": bool(preparable_partnerships(request.user)),
    }
    return render(request, "audits/summaries.html", context)


class NewSummaryForm(GovukForm):
    title = forms.CharField(max_length=200, help_text="For example, Neglect: MACFA 14, 26 and 31 compared.")
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.none(), widget=forms.CheckboxSelectMultiple, label="Themes"
    )
    audits = forms.ModelMultipleChoiceField(
        queryset=Audit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Audits",
        help_text="Choose the audits to summarise, or leave them all unticked and give a period below.",
    )
    period_start = forms.DateField(required=False, label="Audits started from", widget=GovukDateInput())
    period_end = forms.DateField(required=False, label="Audits started until", widget=GovukDateInput())

    def __init__(self, *args: Any, user: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes = themes_for(user).filter(Q(partnership__isnull=True) | Q(partnership=partnership), is_active=True)
        cast(forms.ModelMultipleChoiceField, self.fields["themes"]).queryset = themes.order_by("name")
        audits = audits_for(user).filter(partnership=partnership).order_by("-start_date", "reference")
        cast(forms.ModelMultipleChoiceField, self.fields["audits"]).queryset = audits


def preparable_partnerships(user: Any) -> list[Partnership]:
    return [p for p in partnerships_for(user).order_by("name") if may_prepare_summary(user, p.pk)]


@login_required
def summary_new(request: HttpRequest) -> HttpResponse:
    """Define a thematic summary over chosen audits or a period; it is compiled from its page."""
    choices = preparable_partnerships(request.user)
    if not choices:
        raise Http404
    partnership = chosen_partnership(request, choices)
    if partnership is None:
        return ask_which_partnership(
            request,
            choices,
            what="summary",
            title="Define a learning summary",
            start="pages:summary-new",
            back="pages:summaries",
            back_label="learning summaries",
        )
    form = NewSummaryForm(user=request.user, partnership=partnership)
    if request.method == "POST":
        form = NewSummaryForm(request.POST, user=request.user, partnership=partnership)
        if form.is_valid():
            try:
                summary = summary_services.summary_create(
                    actor=request.user, partnership=partnership, **form.cleaned_data
                )
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "The summary is defined. Compile its figures when you are ready.")
                return redirect("pages:summary", pk=summary.pk)
    context = {"form": form, "partnership": partnership, "several": len(choices) > 1}
    return render(request, "audits/summary_new.html", context, status=400 if form.errors else 200)


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        choices=[
            (ReviewDecision.APPROVE, "Approve it for publication"),
            (ReviewDecision.REQUEST_CHANGES, "Request changes"),
            (ReviewDecision.COMMENT, "Comment without deciding yet"),
        ],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    comment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your comment",
        help_text="Required when you comment or request changes: say what should change and why.",
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class TextsForm(GovukForm):
    key_messages = forms.CharField(
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One message a line. They open the summary and the briefing.",
    )
    strengths = forms.CharField(
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What good looks like",
        help_text="One point a line, in your words. Do not copy case narratives or anything that could identify a "
        "child: the board and the published briefing read these.",
    )
    areas_for_improvement = forms.CharField(
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="What must improve",
        help_text="One point a line, in your words, as above.",
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)


def _page(request: HttpRequest, summary: LearningSummary, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    exact = sees_exact_figures(user, summary.partnership_id)
    document = rendered_document(summary, exact=exact)
    prepares = may_prepare_summary(user, summary.partnership_id)
    reviews = summary_reviews_for(user).filter(summary=summary).select_related("reviewer").order_by("created_at", "pk")
    editable = prepares and summary.status in summary_services.EDITABLE_STATUSES
    exports = (
        {export.format: export for export in SummaryExport.objects.filter(summary=summary)}
        if summary.status in EXPORTABLE
        else {}
    )
    context: dict[str, Any] = {
        "summary": summary,
        "version": version_of(summary),
        "shows_history": may_read_history(user, summary),
        "document": PLACEHOLDER if document.html is not None else None,
        "exact": exact,
        "candidate_quotes": document.candidate_quotes,
        "reviews": reviews,
        "changes_asked": _changes_asked(summary, list(reviews)),
        "review_form": ReviewForm(initial={"version": version_of(summary)})
        if may_review_summary(user, summary.partnership_id) and summary.status == SummaryStatus.IN_REVIEW
        else None,
        "texts_form": TextsForm(
            initial={
                "key_messages": summary.key_messages,
                "strengths": summary.strengths,
                "areas_for_improvement": summary.areas_for_improvement,
                "version": version_of(summary),
            }
        )
        if editable
        else None,
        "moves": _moves_for(user, summary),
        "downloads": [(fmt, label, exports[fmt]) for fmt, label in BriefingFormat.choices if fmt in exports],
        "page_error": "",
        **extra,
    }
    return put_document(render(request, "audits/summary.html", context, status=status), document)


def _changes_asked(summary: LearningSummary, reviews: list[Any]) -> Any:
    """The board's request for changes that sent the summary back, for the auditor to act on first."""
    if summary.status != SummaryStatus.COMPILED or not reviews:
        return None
    last = reviews[-1]
    return last if last.decision == ReviewDecision.REQUEST_CHANGES else None


def _moves_for(user: Any, summary: LearningSummary) -> list[tuple[str, str]]:
    prepares = may_prepare_summary(user, summary.partnership_id)
    offered = {
        "compile": prepares and summary.status in (SummaryStatus.DRAFT, SummaryStatus.COMPILED, SummaryStatus.FAILED),
        "submit": prepares and summary.status == SummaryStatus.COMPILED,
        "publish": may_publish_summary(user, summary.partnership_id) and summary.status == SummaryStatus.APPROVED,
        "export": prepares and summary.status in EXPORTABLE,
    }
    labels = {name: label for name, (label, _service) in MOVES.items()}
    if summary.compiled_at is None:
        labels["compile"] = "Compile the figures"
    return [(name, labels[name]) for name, shown in offered.items() if shown]


@login_required
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_for_page(request, pk)  # 404 before anything else: no hint that it exists
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _page(request, summary)


def _locked(request: HttpRequest, pk: int, version: str) -> LearningSummary:
    """The summary, locked, as long as it is the version the person read; ConflictError otherwise."""
    summary = summaries_for(request.user).select_for_update().get(pk=pk)
    if version != version_of(summary):
        raise ConflictError(STALE_MESSAGE)
    return summary


def _just_sent(user: Any, summary: LearningSummary, decision: str, comment: str) -> bool:
    """The same review from the same person a moment ago: a second press of the button, not a second review."""
    recent = timezone.now() - DOUBLE_SUBMIT_WINDOW
    return SummaryReview.objects.filter(
        summary=summary, reviewer_id=user.pk, decision=decision, comment=comment, created_at__gte=recent
    ).exists()


@login_required
def summary_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_for_page(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if _just_sent(request.user, summary, data["decision"], data["comment"]):
            messages.success(request, "Your review was already saved.")
            return redirect("pages:summary", pk=summary.pk)
        try:
            with transaction.atomic():
                current = _locked(request, summary.pk, data["version"])
                summary_services.summary_review(
                    actor=request.user, summary=current, decision=data["decision"], comment=data["comment"]
                )
        except ApplicationError as error:
            summary.refresh_from_db()
            if isinstance(error, NotAllowed):
                return _page(request, summary, page_error=error.message, status=error.status_code)
            if isinstance(error, ConflictError) and summary.status != SummaryStatus.IN_REVIEW:
                # Someone decided first: say what happened in words, and give back what this person wrote.
                refusal = (
                    f"While you were reading, {NOW_IN_WORDS.get(summary.status, 'it changed')}. Nothing was saved."
                )
                typed = data["comment"].strip()
                return _page(request, summary, page_error=refusal, unsaved_comment=typed, status=error.status_code)
            form.add_service_error(error)
            # What was typed stays; the next send is made knowingly against the summary as it is now.
            form.data = {**request.POST.dict(), "version": version_of(summary)}
            return _page(request, summary, review_form=form, status=error.status_code)
        said = {
            ReviewDecision.APPROVE: "You approved the summary. The briefing files are being made.",
            ReviewDecision.REQUEST_CHANGES: "You asked for changes. The summary is back with the auditor.",
            ReviewDecision.COMMENT: "Your comment is added.",
        }
        messages.success(request, said[ReviewDecision(data["decision"])])
        return redirect("pages:summary", pk=summary.pk)
    return _page(request, summary, review_form=form, status=400)


@login_required
def summary_texts(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_for_page(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TextsForm(request.POST)
    if form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        try:
            with transaction.atomic():
                current = _locked(request, summary.pk, form.cleaned_data["version"])
                summary_services.summary_update(actor=request.user, summary=current, **data)
        except ApplicationError as error:
            summary.refresh_from_db()
            if summary.status not in summary_services.EDITABLE_STATUSES:
                refusal = f"This summary is now {summary.get_status_display().lower()}: its texts can no longer change."
                return _page(request, summary, page_error=refusal, status=error.status_code)
            form.add_service_error(error)
            form.data = {**request.POST.dict(), "version": version_of(summary)}
            return _page(request, summary, texts_form=form, status=error.status_code)
        messages.success(request, "Saved.")
        return redirect("pages:summary", pk=summary.pk)
    return _page(request, summary, texts_form=form, status=400)


@login_required
def summary_move(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_for_page(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    name = request.POST.get("move", "")
    if name not in MOVES:
        return _page(request, summary, page_error="Choose one of the buttons on this page.", status=400)
    service = MOVES[name][1]
    try:
        with transaction.atomic():
            current = _locked(request, summary.pk, request.POST.get("version", ""))
            service(actor=request.user, summary=current)
    except ApplicationError as error:
        summary.refresh_from_db()
        return _page(request, summary, page_error=error.message, status=error.status_code)
    except Exception:
        # With Celery eager (the demo) a compile or export runs inside this request; its failure is recorded on the
        # summary, which the page shows, with the previous version kept.
        logger.exception("%s failed for summary %s", name, summary.pk)
    said = {
        "compile": "The figures are being compiled.",
        "submit": "The summary is with the board for review.",
        "publish": "The summary is published: agency leads can read it and download the briefing.",
        "export": "The briefing files are being made again.",
    }
    messages.success(request, said[name])
    return redirect("pages:summary", pk=summary.pk)


@login_required
def summary_briefing(request: HttpRequest, pk: int, fmt: str) -> HttpResponse | FileResponse:
    summary = _summary_for_page(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    export = SummaryExport.objects.filter(summary=summary, format=fmt).first()
    if fmt not in BriefingFormat.values or export is None or summary.status not in EXPORTABLE:
        raise Http404("There is no briefing in this format for this summary yet.")
    filename = f"{slugify(summary.title) or 'briefing'}.{fmt}"
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)


urlpatterns = [
    path("summaries/", summary_list, name="summaries"),
    path("summaries/new/", summary_new, name="summary-new"),
    path("summaries/<int:pk>/", summary_detail, name="summary"),
    path("summaries/<int:pk>/review/", summary_review_view, name="summary-review"),
    path("summaries/<int:pk>/texts/", summary_texts, name="summary-texts"),
    path("summaries/<int:pk>/move/", summary_move, name="summary-move"),
    path("summaries/<int:pk>/briefing/<str:fmt>/", summary_briefing, name="summary-briefing"),
]
