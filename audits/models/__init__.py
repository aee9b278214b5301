from __future__ import annotations

from audits.models.action import Action, ActionUpdate, SafeguardingConcern
from audits.models.audit import Audit, Theme
from audits.models.case import AgencyReturn, Case, CaseFactor, ChildFamilyView, Finding, ReturnGrade
from audits.models.notification import Notification, NotificationKind
from audits.models.sampling import SampleDraw
from audits.models.summary import BriefingFormat, LearningSummary, SummaryExport, SummaryReview

__all__ = [
    "Action",
    "ActionUpdate",
    "AgencyReturn",
    "Audit",
    "BriefingFormat",
    "Case",
    "CaseFactor",
    "ChildFamilyView",
    "Finding",
    "LearningSummary",
    "Notification",
    "NotificationKind",
    "ReturnGrade",
    "SafeguardingConcern",
    "SampleDraw",
    "SummaryExport",
    "SummaryReview",
    "Theme",
]
