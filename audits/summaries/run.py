"""Run a claimed compile: progress as it goes, the new content in one write at the end, the error on failure."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from audits.choices import SummaryStatus
from audits.models import LearningSummary
from audits.summaries.compile import Progress, compile_content
from audits.workflow import SUMMARY_MACHINE

logger = logging.getLogger(__name__)


def _claimed(summary_id: int):
    return LearningSummary.objects.filter(pk=summary_id, status=SummaryStatus.COMPILING)


def summary_compile(*, summary_id: int, on_progress: Progress | None = None) -> bool:
    """Compile a summary that was claimed for compiling. Returns False when there is nothing to do.

    Safe to run twice: a summary no longer in "compiling" is left alone, and the content is only written
    when the whole compile has succeeded.
    """
    summary = _claimed(summary_id).first()
    if summary is None:
        return False
    stage = "starting"

    def progress(name: str, percent: int) -> None:
        nonlocal stage
        stage = name
        _claimed(summary_id).update(progress_stage=name, progress_percent=percent, updated_at=timezone.now())
        if on_progress is not None:
            on_progress(name, percent)

    try:
        content = compile_content(summary, progress)
    except Exception as error:
        logger.exception("Compiling learning summary %s failed at %s", summary_id, stage)
        _fail(
            summary_id,
            f"The compile stopped while working on {stage} ({type(error).__name__}). "
            "The previous version is kept; compile again, and tell the administrator if it fails again.",
        )
        raise
    with transaction.atomic():
        summary = _claimed(summary_id).select_for_update().first()
        if summary is None:
            return False
        SUMMARY_MACHINE.apply(summary, SummaryStatus.COMPILED)
        summary.content = content
        summary.assurance_level = content["assurance"]["level"]
        summary.compiled_at = timezone.now()
        summary.progress_stage, summary.progress_percent, summary.error = "compiled", 100, ""
        summary.save()
    return True


def _fail(summary_id: int, message: str) -> None:
    with transaction.atomic():
        summary = _claimed(summary_id).select_for_update().first()
        if summary is None:
            return
        SUMMARY_MACHINE.apply(summary, SummaryStatus.FAILED)
        summary.error, summary.progress_stage = message, "failed"
        summary.save()
