"""What retention removed from a closed audit, when and under which rule (audits/services/retention.py).

One row per audit per run that removed something: a dry run writes nothing, and a run that finds nothing left to
remove writes nothing either. The row holds counts only, never what was removed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from audits.models.audit import Audit

RETENTION_RULE = "case_detail_retention_months"


class RetentionRecord(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="retention_records")
    applied_at = models.DateTimeField(default=timezone.now)
    rule = models.CharField(max_length=60, default=RETENTION_RULE, help_text="The partnership setting applied.")
    retention_months = models.PositiveSmallIntegerField(help_text="The partnership's setting at the time.")
    closed_on = models.DateField(help_text="The closing date the months were counted from.")
    due_on = models.DateField(help_text="The first day the audit was past retention.")
    finding_narratives = models.PositiveIntegerField(default=0)
    return_texts = models.PositiveIntegerField(default=0, help_text="Agency returns whose texts were removed.")
    view_texts = models.PositiveIntegerField(default=0, help_text="Child and family views whose words were removed.")
    concern_texts = models.PositiveIntegerField(default=0)
    evidence_files = models.PositiveIntegerField(default=0)
    case_factors = models.PositiveIntegerField(default=0)
    summaries = models.PositiveIntegerField(
        default=0, help_text="Summaries over the audit reduced to their suppressed form, or cut of their quotes."
    )
    history_rows = models.PositiveIntegerField(default=0, help_text="History rows from which the same was removed.")

    class Meta:
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gt=models.F("closed_on")), name="retention_due_after_closing"),
        ]

    def __str__(self) -> str:
        return f"Retention applied to audit {self.audit_id} on {self.applied_at:%Y-%m-%d}"
