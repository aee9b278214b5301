from __future__ import annotations

from django.db import models


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    AGENCY_RETURNS = "agency_returns", "Agency returns"
    PANEL = "panel", "Panel"
    REPORTING = "reporting", "Reporting"
    CLOSED = "closed", "Closed"


class AgeBand(models.TextChoices):
    UNBORN = "unborn", "Unborn"
    AGE_0_1 = "0-1", "0–1"
    AGE_2_4 = "2-4", "2–4"
    AGE_5_11 = "5-11", "5–11"
    AGE_12_15 = "12-15", "12–15"
    AGE_16_17 = "16-17", "16–17"


class LevelOfNeed(models.IntegerChoices):
    UNIVERSAL = 1, "Level 1 — universal"
    ADDITIONAL = 2, "Level 2 — additional needs"
    COMPLEX = 3, "Level 3 — complex needs (early help)"
    SPECIALIST = 4, "Level 4 — specialist (social care)"


class PlanType(models.TextChoices):
    NONE = "none", "None"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    LOOKED_AFTER = "looked_after", "Looked after"


class Factor(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    EXPLOITATION = "exploitation", "Exploitation"
    PARENTAL_MENTAL_HEALTH = "parental_mental_health", "Parental mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Parental substance misuse"
    MISSING = "missing", "Missing from home or care"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    DISABILITY = "disability", "Disability"


class Grade(models.IntegerChoices):
    """The four-point scale, best first, as inspectorates use it."""

    OUTSTANDING = 1, "Outstanding"
    GOOD = 2, "Good"
    REQUIRES_IMPROVEMENT = 3, "Requires improvement"
    INADEQUATE = 4, "Inadequate"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", "Strength"
    AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Speaker(models.TextChoices):
    CHILD = "child", "Child or young person"
    PARENT = "parent", "Parent or carer"
    WIDER_FAMILY = "wider_family", "Wider family"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    VERIFIED = "verified", "Verified"
    REOPENED = "reopened", "Reopened"


ACTION_OUTSTANDING_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.REOPENED)


class ConcernStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed"


class SummaryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPILING = "compiling", "Compiling"
    COMPILED = "compiled", "Compiled"
    FAILED = "failed", "Failed"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class ReviewDecision(models.TextChoices):
    COMMENT = "comment", "Comment"
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"


class AssuranceLevel(models.TextChoices):
    SUBSTANTIAL = "substantial", "Substantial assurance"
    REASONABLE = "reasonable", "Reasonable assurance"
    LIMITED = "limited", "Limited assurance"
    NONE = "none", "No assurance"
