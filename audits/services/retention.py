"""Retention: a closed audit keeps its case-level detail for as long as its partnership decides, then loses it.

Each partnership sets ``case_detail_retention_months``. Once that many months have passed since an audit closed
(``closed_at``; for an audit closed before that field existed, or loaded closed, its ``end_date``), a run removes:

- findings' narratives (blanked) and the panel's reasons for moving a grade (replaced by a marker: a moved grade needs
  a reason, a database constraint);
- agency returns' texts (good practice, areas for development, recommendations: blanked);
- what children and families said (each view's words replaced by a marker; who spoke is kept, because the
  voice-of-the-child figures count it);
- closed safeguarding concerns' descriptions and outcomes (replaced by a marker; the times raised and acknowledged
  stay; a concern still open is live work and keeps its text until it is closed);
- evidence files on the audit's actions (deleted from storage; the trail entry stays, with a note saying so);
- the case factors (deleted);
- and the same from the history tables, which would otherwise keep what retention removes.

It keeps what the aggregates are made of: findings' grades, kinds, themes and agencies, self-grades, the cases'
pseudonymous references, age bands, levels of need and plan types (banded, and every breakdown is read from them),
actions with their descriptions and trails, and the compiled summaries. A summary whose audits are all past retention
keeps only its suppressed form (``suppress_content``), since its exact figures are case-level detail too; any other
summary over such an audit loses its suggested quotes, which are findings' narratives word for word.

Each audit is reduced in its own transaction, so a failure leaves it either fully reduced or untouched; its files are
deleted last, inside the transaction, so a storage failure rolls the rest back and the next run tries again. What was
removed, when and under which rule is a RetentionRecord. A run that finds nothing left to remove writes nothing, so
running it twice does nothing more; a dry run counts and writes nothing.
"""

from __future__ import annotations

import calendar
import copy
import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from audits.choices import AuditStatus, ConcernStatus, SummaryStatus
from audits.models import (
    ActionUpdate,
    AgencyReturn,
    Audit,
    CaseFactor,
    ChildFamilyView,
    Finding,
    LearningSummary,
    RetentionRecord,
    SafeguardingConcern,
)
from audits.summaries.suppression import suppress_content

logger = logging.getLogger(__name__)

REMOVED = "Removed under the partnership's retention rule."
RETURN_TEXTS = ("good_practice", "areas_for_development", "recommendations")
# Marks a summary's content that retention reduced to its suppressed form, so a second run leaves it alone.
REDUCED_KEY = "case_detail_removed"


@dataclass
class RetentionCounts:
    """How many of each kind of case-level detail go (or went). Counts only, never the detail itself."""

    finding_narratives: int = 0
    return_texts: int = 0
    view_texts: int = 0
    concern_texts: int = 0
    evidence_files: int = 0
    case_factors: int = 0
    summaries: int = 0
    history_rows: int = 0

    @property
    def nothing(self) -> bool:
        return not any(self.as_dict().values())

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class AuditRetention:
    audit_id: int
    reference: str
    partnership: str
    retention_months: int
    closed_on: datetime.date
    due_on: datetime.date
    counts: RetentionCounts
    error: str = ""


@dataclass
class RetentionReport:
    today: datetime.date
    dry_run: bool
    audits: list[AuditRetention] = field(default_factory=list)  # past retention with something to remove
    undated: list[str] = field(default_factory=list)  # closed audits with neither closed_at nor end_date

    @property
    def failed(self) -> list[AuditRetention]:
        return [entry for entry in self.audits if entry.error]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day (31 January + 1 month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def closed_on(audit: Audit) -> datetime.date | None:
    """The day retention counts from: when it was closed, or, for an audit closed without that record, its end."""
    if audit.closed_at is not None:
        return timezone.localdate(audit.closed_at)
    return audit.end_date


def retention_apply(*, today: datetime.date, dry_run: bool) -> RetentionReport:
    """Remove the case-level detail of every closed audit past its partnership's retention (see the module)."""
    report = RetentionReport(today=today, dry_run=dry_run)
    due = list(_audits_past_retention(today, report))
    past_ids = {audit.pk for audit, _, _ in due}
    for audit, closed, due_on in due:
        entry = AuditRetention(
            audit_id=audit.pk,
            reference=audit.reference,
            partnership=audit.partnership.name,
            retention_months=audit.partnership.case_detail_retention_months,
            closed_on=closed,
            due_on=due_on,
            counts=RetentionCounts(),
        )
        try:
            if dry_run:
                entry.counts = _Reduction(audit, past_ids, today).count()
            else:
                entry.counts = _reduce(audit, past_ids, today, closed, due_on)
        except Exception as error:  # one audit's failure must not stop the others; it is rolled back and reported
            logger.exception("Retention failed for audit %s; nothing of it was changed.", audit.pk)
            entry.error = f"{type(error).__name__}: nothing of this audit was changed."
        if entry.error or not entry.counts.nothing:
            report.audits.append(entry)
    return report


def _audits_past_retention(
    today: datetime.date, report: RetentionReport
) -> Iterator[tuple[Audit, datetime.date, datetime.date]]:
    audits = Audit.objects.filter(status=AuditStatus.CLOSED).select_related("partnership")
    for audit in audits.order_by("partnership__name", "reference"):
        closed = closed_on(audit)
        if closed is None:
            report.undated.append(f"{audit.reference} ({audit.partnership.name})")
            continue
        due_on = add_months(closed, audit.partnership.case_detail_retention_months)
        if due_on <= today:
            yield audit, closed, due_on


def _reduce(
    audit: Audit, past_ids: set[int], today: datetime.date, closed: datetime.date, due_on: datetime.date
) -> RetentionCounts:
    with transaction.atomic():
        # Locked, so a daily run and a command at the same time reduce it once: the second finds nothing to do.
        audit = Audit.objects.select_for_update(of=("self",)).select_related("partnership").get(pk=audit.pk)
        reduction = _Reduction(audit, past_ids, today)
        counts = reduction.count()
        if counts.nothing:
            return counts
        files = reduction.apply()
        RetentionRecord.objects.create(
            audit=audit,
            retention_months=audit.partnership.case_detail_retention_months,
            closed_on=closed,
            due_on=due_on,
            **counts.as_dict(),
        )
        storage = ActionUpdate._meta.get_field("evidence").storage
        for name in files:
            storage.delete(name)  # last: a failure here rolls back the rest, and the next run tries again
    logger.info("Retention applied to audit %s: %s", audit.pk, counts.as_dict())
    return counts


class _Reduction:
    """What retention removes from one audit: each kind's query set, counted in a dry run and changed in a run."""

    def __init__(self, audit: Audit, past_ids: set[int], today: datetime.date) -> None:
        self.audit = audit
        self.past_ids = past_ids
        self.today = today
        self.case_ids = list(audit.cases.values_list("pk", flat=True))
        self.action_ids = list(audit.actions.values_list("pk", flat=True))
        self.closed_concern_ids = list(
            SafeguardingConcern.objects.filter(case_id__in=self.case_ids, status=ConcernStatus.CLOSED).values_list(
                "pk", flat=True
            )
        )

    # -- what is left to remove ---------------------------------------------------------------------------------

    def findings(self, model: Any = Finding) -> QuerySet[Any]:
        has_text = ~Q(narrative="") | ~Q(change_reason__in=["", REMOVED])
        return model._default_manager.filter(case_id__in=self.case_ids).filter(has_text)

    def returns(self, model: Any = AgencyReturn) -> QuerySet[Any]:
        has_text = Q()
        for name in RETURN_TEXTS:
            has_text |= ~Q(**{name: ""})
        return model._default_manager.filter(case_id__in=self.case_ids).filter(has_text)

    def views(self, model: Any = ChildFamilyView) -> QuerySet[Any]:
        return model._default_manager.filter(case_id__in=self.case_ids).exclude(summary__in=["", REMOVED])

    def concerns(self, model: Any = SafeguardingConcern) -> QuerySet[Any]:
        """Closed concerns only: one still open is live child-protection work, whatever the audit's age."""
        has_text = ~Q(description__in=["", REMOVED]) | ~Q(outcome__in=["", REMOVED])
        return model._default_manager.filter(id__in=self.closed_concern_ids).filter(has_text)

    def evidence(self, model: Any = ActionUpdate) -> QuerySet[Any]:
        return model._default_manager.filter(action_id__in=self.action_ids).exclude(evidence="")

    def factors(self, model: Any = CaseFactor) -> QuerySet[Any]:
        return model._default_manager.filter(case_id__in=self.case_ids).exclude(factor="")

    def histories(self) -> list[QuerySet[Any]]:
        """The history rows that still hold what retention removes from the records themselves."""
        return [
            self.findings(Finding.history.model),
            self.returns(AgencyReturn.history.model),
            self.views(ChildFamilyView.history.model),
            self.concerns(SafeguardingConcern.history.model),
            self.evidence(ActionUpdate.history.model),
            self.factors(CaseFactor.history.model),
        ]

    def summaries(self) -> list[tuple[LearningSummary, dict[str, Any]]]:
        """The summaries over this audit whose content changes: suppressed, or without the quotes."""
        changed = []
        summaries = LearningSummary.objects.filter(partnership_id=self.audit.partnership_id).exclude(
            status=SummaryStatus.COMPILING  # the compile would overwrite it; the next run sees its result
        )
        threshold = self.audit.partnership.suppression_threshold
        for summary in summaries.select_related("partnership").order_by("pk"):
            content = self._reduced_content(summary.content, threshold)
            if content != summary.content:
                changed.append((summary, content))
        return changed

    def summary_histories(self) -> list[tuple[Any, dict[str, Any]]]:
        rows = LearningSummary.history.model.objects.filter(partnership_id=self.audit.partnership_id)
        threshold = self.audit.partnership.suppression_threshold
        changed = []
        for row in rows.exclude(content={}).only("history_id", "content").order_by("history_id"):
            content = self._reduced_content(row.content, threshold)
            if content != row.content:
                changed.append((row, content))
        return changed

    def _reduced_content(self, content: dict[str, Any], threshold: int) -> dict[str, Any]:
        if not content or content.get(REDUCED_KEY):
            return content
        scope = {entry["id"] for entry in (content.get("scope") or {}).get("audits", [])}
        if self.audit.pk not in scope:
            return content
        if scope <= self.past_ids:
            reduced = suppress_content(content, threshold)
            reduced[REDUCED_KEY] = self.today.isoformat()
            return reduced
        return _without_quotes(content)

    def count(self) -> RetentionCounts:
        return RetentionCounts(
            finding_narratives=self.findings().count(),
            return_texts=self.returns().count(),
            view_texts=self.views().count(),
            concern_texts=self.concerns().count(),
            evidence_files=self.evidence().count(),
            case_factors=self.factors().count(),
            summaries=len(self.summaries()),
            history_rows=sum(rows.count() for rows in self.histories()) + len(self.summary_histories()),
        )

    # -- removing it --------------------------------------------------------------------------------------------

    def apply(self) -> list[str]:
        """Remove everything counted; returns the evidence files to delete once the rows no longer name them."""
        now = timezone.now()
        self.findings().update(narrative="", change_reason=_marked("change_reason"), updated_at=now)
        self.returns().update(**dict.fromkeys(RETURN_TEXTS, ""), updated_at=now)
        self.views().update(summary=REMOVED, updated_at=now)
        self.concerns().update(description=REMOVED, outcome=_marked("outcome"), updated_at=now)
        files = list(self.evidence().values_list("evidence", flat=True))
        note = (
            f"The evidence file was removed on {self.today.day} {self.today:%B %Y} under the partnership's retention "
            f"rule ({self.audit.partnership.case_detail_retention_months} months after the audit closed)."
        )
        self.evidence().update(
            note=models.Case(
                models.When(note="", then=Value(note)),
                default=Concat("note", Value("\n\n" + note)),
                output_field=models.TextField(),
            ),
            evidence="",
            evidence_name="",
            evidence_size=None,
        )
        # Deleted one by one, so the history records each deletion (the scrub below then empties those rows too).
        for factor in self.factors():
            factor.delete()
        self._scrub_histories()
        for summary, content in self.summaries():
            LearningSummary.objects.filter(pk=summary.pk).update(content=content, updated_at=now)
        return files

    def _scrub_histories(self) -> None:
        findings, returns, views, concerns, evidence, factors = self.histories()
        findings.update(narrative="", change_reason=_marked("change_reason"))
        returns.update(**dict.fromkeys(RETURN_TEXTS, ""))
        views.update(summary=REMOVED)
        concerns.update(description=REMOVED, outcome=_marked("outcome"))
        evidence.update(evidence="", evidence_name="", evidence_size=None)
        factors.update(factor="")
        for row, content in self.summary_histories():
            type(row).objects.filter(history_id=row.history_id).update(content=content)


def _marked(name: str) -> models.Case:
    """A text that was written becomes the marker; an empty one stays empty (a constraint may need it non-empty)."""
    return models.Case(
        models.When(**{name: ""}, then=Value("")), default=Value(REMOVED), output_field=models.TextField()
    )


def _without_quotes(content: dict[str, Any]) -> dict[str, Any]:
    """The compile's suggested quotes are findings' narratives word for word."""
    if not any(any(theme.get("quotes", {}).values()) for theme in content.get("themes", [])):
        return content
    reduced = copy.deepcopy(content)
    for theme in reduced["themes"]:
        if "quotes" in theme:
            theme["quotes"] = {kind: [] for kind in theme["quotes"]}
    return reduced
