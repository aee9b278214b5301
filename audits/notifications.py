"""The scheduled emails: daily action reminders, concern escalations, the weekly digest.

Each email is recorded in Notification under the event it is about (the day, the concern, the week) before it is
sent, inside one transaction, so a repeated or overlapping run never sends it twice and a failed send is retried by
the next run. Emails name no child: they give audit references, agencies and dates, and link to the page to act on.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Role
from audits.calendar import acknowledgement_deadline, is_working_day
from audits.choices import AuditStatus, ConcernStatus, SummaryStatus
from audits.models import Action, Audit, LearningSummary, Notification, NotificationKind, SafeguardingConcern

logger = logging.getLogger(__name__)
REMINDER_DAYS = 7  # "due soon": from today to seven days ahead


def _link(name: str, *args: Any) -> str:
    return settings.MACFA_SITE_URL.rstrip("/") + reverse(name, args=args)


def send_once(*, kind: str, recipient: Any, event_key: str, template: str, context: dict[str, Any]) -> bool:
    """Send one email about one event to one person, unless it was sent before. Returns whether it was sent."""
    if not recipient.email:
        logger.warning("No email address for user %s; %s not sent", recipient.pk, kind)
        return False
    context = {**context, "recipient": recipient, "site_url": settings.MACFA_SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    with transaction.atomic():
        notification, _ = Notification.objects.get_or_create(
            kind=kind, recipient=recipient, event_key=event_key, defaults={"subject": subject}
        )
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.sent_at is not None:
            return False
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"emails/{template}-body.txt", context),
            to=[recipient.email],
        )
        message.attach_alternative(render_to_string(f"emails/{template}-body.html", context), "text/html")
        message.send()  # a failure rolls the record back, so the next run tries again
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
    return True


def send_action_reminders(*, today: datetime.date | None = None, recipients: Collection[int] | None = None) -> int:
    """One email each working day to each agency lead with actions overdue or due within seven days.

    ``recipients`` (user ids) sends today's reminder now to those leads only — the business unit's "send a reminder
    now" — with the same content and under the same record as the daily run, so nobody gets it twice in a day.
    """
    today = today or timezone.localdate()
    if recipients is None and not is_working_day(today):
        return 0  # nobody is chased at the weekend or on a bank holiday
    leads = list(Membership.objects.filter(role=Role.AGENCY_LEAD).select_related("user", "agency", "partnership"))
    if not leads:
        return 0
    mine = Q(pk__in=[])
    for lead in leads:
        mine |= Q(audit__partnership_id=lead.partnership_id, owner_agency_id=lead.agency_id)
    reminded = Action.objects.overdue(today=today) | Action.objects.due_within(days=REMINDER_DAYS, today=today)
    actions = (
        reminded.filter(mine)
        .with_overdue(today=today)
        .select_related("audit", "owner_agency")
        .order_by("due_date", "pk")
    )
    by_pair: dict[tuple[int, int | None], list[Action]] = defaultdict(list)
    for action in actions:
        by_pair[(action.audit.partnership_id, action.owner_agency_id)].append(action)
    by_user: dict[Any, list[Action]] = defaultdict(list)
    for lead in leads:
        by_user[lead.user].extend(by_pair.get((lead.partnership_id, lead.agency_id), []))
    sent = 0
    for user, items in by_user.items():
        if not items or (recipients is not None and user.pk not in recipients):
            continue
        items.sort(key=lambda a: (a.due_date, a.pk))
        context = {
            "overdue": [a for a in items if a.overdue],  # type: ignore[attr-defined]  # with_overdue()
            "due_soon": [a for a in items if not a.overdue],  # type: ignore[attr-defined]
            "today": today,
            "link": _link("pages:actions"),
        }
        sent += send_once(
            kind=NotificationKind.ACTION_REMINDER,
            recipient=user,
            event_key=today.isoformat(),
            template="action-reminder",
            context=context,
        )
    return sent


def escalate_unacknowledged_concerns(*, now: datetime.datetime | None = None) -> int:
    """Tell the business unit about each concern not acknowledged within one working day (bank holidays excluded)."""
    now = now or timezone.now()
    candidates = SafeguardingConcern.objects.filter(
        status=ConcernStatus.RAISED, escalated_at__isnull=True, raised_at__lte=now - datetime.timedelta(days=1)
    ).select_related("case__audit__partnership", "agency")
    sent = 0
    for concern in candidates:
        deadline = acknowledgement_deadline(concern.raised_at)
        if deadline > now:
            continue
        # The mark and its emails commit together: a worker killed between them must not leave a concern marked
        # escalated that nobody was told about. The next run tries again: someone may then be told twice, never no one.
        with transaction.atomic():
            locked = SafeguardingConcern.objects.select_for_update().get(pk=concern.pk)
            if locked.status != ConcernStatus.RAISED or locked.escalated_at is not None:
                continue
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at", "updated_at"])
            audit = concern.case.audit
            link = _link("pages:concern", concern.pk)
            context = {"concern": concern, "audit": audit, "deadline": deadline, "link": link}
            for membership in Membership.objects.filter(
                partnership=audit.partnership, role=Role.BUSINESS_UNIT
            ).select_related("user"):
                sent += send_once(
                    kind=NotificationKind.CONCERN_ESCALATION,
                    recipient=membership.user,
                    event_key=f"concern-{concern.pk}",
                    template="concern-escalation",
                    context=context,
                )
    return sent


def send_weekly_digest(*, today: datetime.date | None = None) -> int:
    """A Monday summary for the business unit: overdue actions, concerns waiting, summaries and audits in flight."""
    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()
    sent = 0
    for membership in Membership.objects.filter(role=Role.BUSINESS_UNIT).select_related("user", "partnership"):
        partnership = membership.partnership
        overdue = list(
            Action.objects.overdue(today=today)
            .filter(audit__partnership=partnership)
            .values("owner_agency__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "owner_agency__name")
        )
        concerns = SafeguardingConcern.objects.filter(case__audit__partnership=partnership, status=ConcernStatus.RAISED)
        context = {
            "partnership": partnership,
            "overdue_by_agency": overdue,
            "overdue_total": sum(row["n"] for row in overdue),
            "concerns_waiting": concerns.count(),
            "concerns_escalated": concerns.filter(escalated_at__isnull=False).count(),
            "summaries_in_review": LearningSummary.objects.filter(
                partnership=partnership, status=SummaryStatus.IN_REVIEW
            ).count(),
            "summaries_to_publish": LearningSummary.objects.filter(
                partnership=partnership, status=SummaryStatus.APPROVED
            ).count(),
            "audits_open": Audit.objects.filter(partnership=partnership).exclude(status=AuditStatus.CLOSED).count(),
            "week": f"{year}-W{week:02d}",
            "link": _link("pages:home"),
        }
        sent += send_once(
            kind=NotificationKind.WEEKLY_DIGEST,
            recipient=membership.user,
            event_key=f"{partnership.pk}:{year}-W{week:02d}",
            template="weekly-digest",
            context=context,
        )
    return sent


@dataclass(frozen=True)
class Reminded:
    """What "send a reminder now" did: who was sent today's reminder, and who had it already."""

    sent: int
    already: int
    leads: int


def remind_agency_now(
    *, actor: Any, partnership_id: int, agency_id: int, today: datetime.date | None = None
) -> Reminded:
    """The business unit sends today's action reminder now to the agency's leads in its partnership.

    It is the daily reminder itself (same content, same record), so pressing twice, or the daily run after it, never
    sends it twice in a day.
    """
    from agencies.permissions import may_manage_partnership
    from macfa.errors import NotAllowed

    if not may_manage_partnership(actor, partnership_id):
        raise NotAllowed("Only the partnership's business unit sends reminders.")
    today = today or timezone.localdate()
    leads = set(
        Membership.objects.filter(
            role=Role.AGENCY_LEAD, partnership_id=partnership_id, agency_id=agency_id
        ).values_list("user_id", flat=True)
    )
    already = set(
        Notification.objects.filter(
            kind=NotificationKind.ACTION_REMINDER,
            event_key=today.isoformat(),
            recipient_id__in=leads,
            sent_at__isnull=False,
        ).values_list("recipient_id", flat=True)
    )
    sent = send_action_reminders(today=today, recipients=leads - already) if leads - already else 0
    return Reminded(sent=sent, already=len(already), leads=len(leads))
