from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Partnership
from audits.choices import ReviewDecision, SummaryStatus
from audits.models import Audit, LearningSummary, SummaryReview, Theme
from audits.outbox import outbox_enqueue
from audits.permissions import may_prepare_summary, may_publish_summary, may_review_summary, require
from audits.workflow import SUMMARY_MACHINE
from macfa.errors import ApplicationError, ConflictError
from macfa.fields import require_dates_in_range
from macfa.updates import model_update

# Content may change until the board approves it.
EDITABLE_STATUSES = (SummaryStatus.DRAFT, SummaryStatus.COMPILED, SummaryStatus.FAILED)
EDITABLE_SUMMARY_FIELDS = ("title", "period_start", "period_end", "key_messages", "strengths", "areas_for_improvement")
ABANDONED_AFTER = datetime.timedelta(minutes=10)


def _require_editor(actor: Any, partnership_id: int) -> None:
    require(
        may_prepare_summary(actor, partnership_id),
        "Only the business unit or an auditor can prepare learning summaries.",
    )


def _validate(summary: LearningSummary, themes: Iterable[Theme] | None, audits: Iterable[Audit] | None) -> None:
    require_dates_in_range(summary, "period_start", "period_end")
    if summary.period_start and summary.period_end and summary.period_end < summary.period_start:
        raise ApplicationError("The period cannot end before it starts.", field="period_end")
    for theme in themes or ():
        if theme.partnership_id not in (None, summary.partnership_id):
            raise ApplicationError("This theme belongs to another partnership.", field="themes")
    for audit in audits or ():
        if audit.partnership_id != summary.partnership_id:
            raise ApplicationError("This audit belongs to another partnership.", field="audits")


def summary_create(
    *,
    actor: Any,
    partnership: Partnership,
    title: str,
    themes: Iterable[Theme],
    audits: Iterable[Audit] = (),
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    key_messages: str = "",
) -> LearningSummary:
    """Define a thematic summary over a set of audits or a period."""
    _require_editor(actor, partnership.pk)
    themes, audits = list(themes), list(audits)
    if not themes:
        raise ApplicationError("Choose at least one theme.", field="themes")
    if not audits and not (period_start and period_end):
        raise ApplicationError("Choose the audits to summarise, or a period with a start and an end.", field="audits")
    summary = LearningSummary(
        partnership=partnership,
        title=title,
        period_start=period_start,
        period_end=period_end,
        key_messages=key_messages,
        created_by_id=actor.pk,
    )
    _validate(summary, themes, audits)
    with transaction.atomic():
        summary.save()
        summary.themes.set(themes)
        summary.audits.set(audits)
    return summary


def summary_update(
    *,
    actor: Any,
    summary: LearningSummary,
    themes: Iterable[Theme] | None = None,
    audits: Iterable[Audit] | None = None,
    **changes: Any,
) -> LearningSummary:
    """Change what the summary covers or its key messages, until the board approves it."""
    _require_editor(actor, summary.partnership_id)
    if summary.status not in EDITABLE_STATUSES:
        raise ConflictError(
            f"A summary that is {summary.get_status_display().lower()} cannot be edited.", field="status"
        )
    themes = list(themes) if themes is not None else None
    audits = list(audits) if audits is not None else None
    if themes is not None and not themes:
        raise ApplicationError("Choose at least one theme.", field="themes")
    model_update(instance=summary, fields=EDITABLE_SUMMARY_FIELDS, data=changes)
    _validate(summary, themes, audits)
    with transaction.atomic():
        summary.save()
        if themes is not None:
            summary.themes.set(themes)
        if audits is not None:
            summary.audits.set(audits)
    return summary


def summary_claim_for_compile(summary: LearningSummary) -> LearningSummary:
    """Move the summary to "compiling" with a conditional update, so two claims at once succeed once.

    Raises ConflictError (listing the allowed moves) when it cannot be claimed. A compile whose worker died stops
    updating its progress; after ABANDONED_AFTER the machine's compiling → compiling move re-claims it.
    """
    startable = [state for state in SUMMARY_MACHINE.transitions if SUMMARY_MACHINE.can_move(state, "compiling")]
    abandoned = Q(status=SummaryStatus.COMPILING, updated_at__lt=timezone.now() - ABANDONED_AFTER)
    claimable = Q(status__in=[state for state in startable if state != SummaryStatus.COMPILING]) | abandoned
    with transaction.atomic():
        claimed = LearningSummary.objects.filter(Q(pk=summary.pk) & claimable).update(
            status=SummaryStatus.COMPILING,
            progress_stage="queued",
            progress_percent=0,
            error="",
            updated_at=timezone.now(),
        )
        summary.refresh_from_db()
        if claimed:
            # The claim is an update(), which writes no history: saving the claimed status again records the move
            # (with the signed-in user) in the same transaction.
            summary.save(update_fields=["status"])
    if not claimed:
        if summary.status == SummaryStatus.COMPILING:
            raise ConflictError("This summary is being compiled now: wait for it to finish.", field="status")
        SUMMARY_MACHINE.apply(summary, SummaryStatus.COMPILING)  # raises with the allowed moves
    return summary


def _claimed(summary_id: int) -> Any:
    return LearningSummary.objects.filter(pk=summary_id, status=SummaryStatus.COMPILING)


def summary_record_progress(*, summary_id: int, stage: str, percent: int) -> None:
    """Show how far a claimed compile has gone (and that its worker is alive)."""
    _claimed(summary_id).update(progress_stage=stage, progress_percent=percent, updated_at=timezone.now())


def summary_mark_compiled(
    *,
    summary_id: int,
    content: dict[str, Any],
    published: dict[str, Any] | None = None,
    threshold: int | None = None,
) -> bool:
    """Store a finished compile's content (and, when given, its published form for ``threshold``) in one write;
    False when the summary is no longer being compiled."""
    from audits.summaries.published import published_key

    with transaction.atomic():
        summary = _claimed(summary_id).select_for_update().first()
        if summary is None:
            return False
        SUMMARY_MACHINE.apply(summary, SummaryStatus.COMPILED)
        summary.content = content
        summary.assurance_level = content["assurance"]["level"]
        summary.compiled_at = timezone.now()
        summary.published = (
            {"key": published_key(summary.pk, summary.compiled_at, threshold), "content": published}
            if published is not None and threshold is not None
            else {}
        )
        summary.progress_stage, summary.progress_percent, summary.error = "compiled", 100, ""
        summary.save()
    return True


def summary_mark_failed(*, summary_id: int, message: str) -> None:
    """Record why a compile failed; the previous content is kept."""
    with transaction.atomic():
        summary = _claimed(summary_id).select_for_update().first()
        if summary is None:
            return
        SUMMARY_MACHINE.apply(summary, SummaryStatus.FAILED)
        summary.error, summary.progress_stage = message, "failed"
        summary.save()


def summary_request_compile(*, actor: Any, summary: LearningSummary) -> LearningSummary:
    """Claim the summary for compiling and queue the task in the same transaction (through the outbox).

    With the broker down the claim and its message still commit together: the message waits in the outbox and is
    sent when the broker is back, so the summary is never left "compiling" with nothing queued.
    """
    _require_editor(actor, summary.partnership_id)
    with transaction.atomic():
        summary = summary_claim_for_compile(summary)
        outbox_enqueue(task="audits.tasks.compile_summary", args=[summary.pk])
    return summary


def _move(summary: LearningSummary, status: str, **fields: Any) -> LearningSummary:
    with transaction.atomic():
        summary = LearningSummary.objects.select_for_update().get(pk=summary.pk)
        SUMMARY_MACHINE.apply(summary, status)
        for name, value in fields.items():
            setattr(summary, name, value)
        summary.save()
    return summary


def summary_submit(*, actor: Any, summary: LearningSummary) -> LearningSummary:
    """Send a compiled summary to the board for review."""
    _require_editor(actor, summary.partnership_id)
    if not summary.key_messages.strip():
        raise ApplicationError("Write the key messages before sending the summary for review.", field="key_messages")
    return _move(summary, SummaryStatus.IN_REVIEW)


def summary_review(*, actor: Any, summary: LearningSummary, decision: str, comment: str = "") -> SummaryReview:
    """A board member comments on, approves, or requests changes to a summary in review."""
    require(may_review_summary(actor, summary.partnership_id), "Only board members review learning summaries.")
    if decision == ReviewDecision.REQUEST_CHANGES and not comment.strip():
        raise ApplicationError("Say what should change when requesting changes.", field="comment")
    if decision == ReviewDecision.COMMENT and not comment.strip():
        raise ApplicationError("Write the comment.", field="comment")
    if summary.status != SummaryStatus.IN_REVIEW:
        raise ConflictError("Only a summary in review can be reviewed.", field="status")
    with transaction.atomic():
        if decision == ReviewDecision.APPROVE:
            _move(summary, SummaryStatus.APPROVED)
            _queue_export(summary)
        elif decision == ReviewDecision.REQUEST_CHANGES:
            _move(summary, SummaryStatus.COMPILED)
        return SummaryReview.objects.create(summary=summary, reviewer_id=actor.pk, decision=decision, comment=comment)


def summary_publish(*, actor: Any, summary: LearningSummary) -> LearningSummary:
    """The business unit publishes an approved summary to agency leads and as a briefing."""
    require(may_publish_summary(actor, summary.partnership_id), "Only the business unit publishes summaries.")
    return _move(summary, SummaryStatus.PUBLISHED, published_at=timezone.now())


def _queue_export(summary: LearningSummary) -> None:
    """Queue the briefing export with the change that calls for it (call inside its transaction)."""
    outbox_enqueue(task="audits.tasks.export_briefing", args=[summary.pk])


def summary_request_export(*, actor: Any, summary: LearningSummary) -> LearningSummary:
    """Make the briefing files again (they are made when the board approves the summary)."""
    _require_editor(actor, summary.partnership_id)
    if summary.status not in (SummaryStatus.APPROVED, SummaryStatus.PUBLISHED):
        raise ConflictError("Only an approved summary can be exported as a briefing.", field="status")
    with transaction.atomic():
        _queue_export(summary)
    return summary
