from __future__ import annotations

from audits.models.access import AccessDoor, AccessWhat, CaseAccess
from audits.models.action import Action, ActionUpdate, SafeguardingConcern
from audits.models.audit import Audit, Theme
from audits.models.case import AgencyReturn, Case, CaseFactor, ChildFamilyView, Finding, ReturnGrade
from audits.models.notification import Notification, NotificationKind
from audits.models.outbox import OutboxMessage
from audits.models.retention import RetentionRecord
from audits.models.sampling import SampleDraw
from audits.models.summary import BriefingFormat, LearningSummary, SummaryExport, SummaryReview

__all__ = [
    "AccessDoor",
    "AccessWhat",
    "Action",
    "ActionUpdate",
    "AgencyReturn",
    "Audit",
    "BriefingFormat",
    "Case",
    "CaseAccess",
    "CaseFactor",
    "ChildFamilyView",
    "Finding",
    "LearningSummary",
    "Notification",
    "NotificationKind",
    "OutboxMessage",
    "RetentionRecord",
    "ReturnGrade",
    "SafeguardingConcern",
    "SampleDraw",
    "SummaryExport",
    "SummaryReview",
    "Theme",
]
