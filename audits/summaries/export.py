"""Make a summary's briefing files (run by the export task)."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audits.choices import SummaryStatus
from audits.models import LearningSummary, SummaryExport
from audits.summaries.briefing import RENDERERS, Briefing

logger = logging.getLogger(__name__)
EXPORTABLE = (SummaryStatus.APPROVED, SummaryStatus.PUBLISHED)


def summary_export(*, summary_id: int) -> bool:
    """Render every briefing format and replace the summary's files in one transaction.

    Returns False when the summary is not approved (nothing leaves the service before the board approves it).
    Rendering happens before anything is written, so a failure leaves the previous files in place.
    """
    summary = LearningSummary.objects.select_related("partnership").filter(pk=summary_id).first()
    if summary is None or summary.status not in EXPORTABLE:
        return False
    briefing = Briefing.of(summary)
    rendered = {fmt: render(briefing) for fmt, render in RENDERERS.items()}
    stem = f"briefing-{summary.pk}-{timezone.now():%Y%m%d%H%M%S}"
    replaced: list[str] = []
    with transaction.atomic():
        for fmt, data in rendered.items():
            export = SummaryExport.objects.select_for_update().filter(summary=summary, format=fmt).first()
            if export is None:
                export = SummaryExport(summary=summary, format=fmt)
            elif export.file:
                replaced.append(export.file.name)
            export.file.save(f"{stem}.{fmt}", ContentFile(data), save=False)
            export.save()
        LearningSummary.objects.filter(pk=summary.pk).update(exported_at=timezone.now())
        transaction.on_commit(lambda: _remove(replaced))
    return True


def _remove(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not remove an old briefing file")
