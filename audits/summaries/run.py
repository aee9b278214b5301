"""Run a claimed compile: progress as it goes, the new content in one write at the end, the error on failure."""

from __future__ import annotations

import logging

from audits.choices import SummaryStatus
from audits.models import LearningSummary
from audits.services.summaries import summary_mark_compiled, summary_mark_failed, summary_record_progress
from audits.summaries.compile import Progress, compile_content
from audits.summaries.suppression import suppress_content

logger = logging.getLogger(__name__)


def summary_compile(*, summary_id: int, on_progress: Progress | None = None) -> bool:
    """Compile a summary that was claimed for compiling. Returns False when there is nothing to do.

    Safe to run twice: a summary no longer in "compiling" is left alone, and the content is only written
    when the whole compile has succeeded.
    """
    summary = (
        LearningSummary.objects.select_related("partnership")
        .filter(pk=summary_id, status=SummaryStatus.COMPILING)
        .first()
    )
    if summary is None:
        return False
    stage = "starting"

    def progress(name: str, percent: int) -> None:
        nonlocal stage
        stage = name
        summary_record_progress(summary_id=summary_id, stage=name, percent=percent)
        if on_progress is not None:
            on_progress(name, percent)

    try:
        content = compile_content(summary, progress)
        # What the board, leads and briefings will read: worked out here, in the background, once per compile.
        progress("protecting small numbers", 97)
        threshold = summary.partnership.suppression_threshold
        published = suppress_content(content, threshold)
    except Exception as error:
        logger.exception("Compiling learning summary %s failed at %s", summary_id, stage)
        summary_mark_failed(
            summary_id=summary_id,
            message=f"The compile stopped while working on {stage} ({type(error).__name__}). "
            "The previous version is kept; compile again, and tell the administrator if it fails again.",
        )
        raise
    return summary_mark_compiled(summary_id=summary_id, content=content, published=published, threshold=threshold)
