from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from audits.models.audit import Audit


class SampleDraw(models.Model):
    """A random draw of an audit's case sample, kept so it can be shown to an inspector and repeated.

    The same candidate file, seed, size, quotas and exclusions give the same ``drawn`` references
    (``audits/sampling.py`` ``draw_sample``). Recorded when the drawn cases are added to the audit.
    """

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="sample_draws")
    seed = models.PositiveBigIntegerField()
    method = models.CharField(max_length=500)
    size = models.PositiveIntegerField()
    candidates = models.PositiveIntegerField(help_text="How many candidate references the file held.")
    quota_by = models.CharField(max_length=20, blank=True, help_text="level_of_need or age_band, when quotas are set.")
    quotas = models.JSONField(default=dict, blank=True, help_text="Cases to draw per level of need or age band.")
    excluded = models.JSONField(default=list, blank=True, help_text="References left out: audited in the last year.")
    drawn = models.JSONField(default=list, help_text="The references drawn, in reference order.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["audit", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1), name="sample_draw_size_positive"),
            models.CheckConstraint(
                condition=Q(quota_by__in=["", "level_of_need", "age_band"]), name="sample_draw_quota_by_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audit} draw of {self.size} (seed {self.seed})"
