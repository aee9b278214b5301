from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macfa.settings")

app = Celery("macfa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place. Times are Europe/London (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "action-reminders": {"task": "audits.tasks.send_action_reminders", "schedule": crontab(hour=7, minute=0)},
    # Hourly, so a concern is escalated within the hour after its one-working-day deadline passes.
    "concern-escalations": {"task": "audits.tasks.escalate_concerns", "schedule": crontab(minute=5)},
    # Daily, at night: removes the case-level detail of closed audits past retention (audits/services/retention.py).
    "apply-retention": {"task": "audits.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
    # Sends the task messages that waited in the outbox while the broker was down (audits/outbox.py).
    "drain-outbox": {"task": "audits.tasks.drain_outbox", "schedule": 60.0},
    "weekly-digest": {
        "task": "audits.tasks.send_weekly_digest",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
}
