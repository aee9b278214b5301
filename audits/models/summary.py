from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from agencies.models import Partnership
from audits.choices import AssuranceLevel, ReviewDecision, SummaryStatus
from audits.models.audit import Audit, Theme


class LearningSummary(models.Model):
    """A thematic summary over a set of audits or a period, compiled by a task and reviewed by the board."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="summaries")
    title = models.CharField(max_length=200)
    themes = models.ManyToManyField(Theme, related_name="summaries")
    audits = models.ManyToManyField(Audit, related_name="summaries", blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT)
    progress_stage = models.CharField(max_length=60, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="The compiled figures.")
    published = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The compiled figures as the disclosure rule publishes them, worked out with the compile "
        '(audits.summaries.published): {"key": which compile, threshold and rule, "content": the figures}.',
    )
    assurance_level = models.CharField(max_length=20, choices=AssuranceLevel.choices, blank=True)
    key_messages = models.TextField(blank=True)
    strengths = models.TextField(
        blank=True, help_text="What good looks like, one point a line, by the auditor for the board and briefing."
    )
    areas_for_improvement = models.TextField(
        blank=True, help_text="What must improve, one point a line, by the auditor for the board and briefing."
    )
    compiled_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True, help_text="When the briefing files were last made.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        excluded_fields=["progress_stage", "progress_percent", "published"], m2m_fields=["themes", "audits"]
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "learning summaries"
        constraints = [
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="summary_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="summary_period_end_not_before_start",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(condition=Q(status__in=SummaryStatus.values), name="summary_status_valid"),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self) -> str:
        return self.title


class SummaryReview(models.Model):
    summary = models.ForeignKey(LearningSummary, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["summary", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="request_changes") | ~Q(comment=""),
                name="review_changes_need_comment",
                violation_error_message="Say what should change when requesting changes.",
            ),
            models.CheckConstraint(condition=Q(decision__in=ReviewDecision.values), name="review_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.summary}"


class BriefingFormat(models.TextChoices):
    PDF = "pdf", "PDF briefing"
    DOCX = "docx", "Word briefing"
    CSV = "csv", "CSV data"
    JSON = "json", "JSON data"
    XLSX = "xlsx", "Excel workbook"


class SummaryExport(models.Model):
    """A Learning and Improvement Briefing file made from an approved summary, with small numbers suppressed."""

    summary = models.ForeignKey(LearningSummary, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=10, choices=BriefingFormat.choices)
    file = models.FileField(upload_to="briefings/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["summary", "format"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "format"], name="summary_export_one_per_format"),
            models.CheckConstraint(condition=Q(format__in=BriefingFormat.values), name="summary_export_format_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} of {self.summary}"
