"""Working days in England and Wales, for the one-working-day acknowledgement of safeguarding concerns.

Bank holidays come from govuk-bank-holidays' bundled copy of the GOV.UK list, so nothing is fetched at run time.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.utils import timezone
from govuk_bank_holidays.bank_holidays import BankHolidays

DIVISION = BankHolidays.ENGLAND_AND_WALES


@lru_cache(maxsize=1)
def _calendar() -> BankHolidays:
    return BankHolidays(use_cached_holidays=True)


def is_working_day(day: datetime.date) -> bool:
    return _calendar().is_work_day(day, division=DIVISION)


def next_working_day(day: datetime.date) -> datetime.date:
    return _calendar().get_next_work_day(division=DIVISION, date=day)


def acknowledgement_deadline(raised_at: datetime.datetime) -> datetime.datetime:
    """The end of the first working day after the day the concern was raised (local time).

    Raised on Friday afternoon, it is due by the end of Monday, or Tuesday when Monday is a bank holiday.
    """
    raised_day = timezone.localtime(raised_at).date()
    due_day = next_working_day(raised_day)
    end_of_day = datetime.datetime.combine(due_day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(end_of_day)


def deadline_in_words(raised_at: datetime.datetime) -> str:
    """The acknowledgement deadline as the agency reads it: "the end of Tuesday 3 March 2026 (one working day)"."""
    # acknowledgement_deadline is midnight at the start of the day after the working day the agency has.
    last_day = timezone.localtime(acknowledgement_deadline(raised_at)) - datetime.timedelta(minutes=1)
    return f"the end of {last_day:%A} {last_day.day} {last_day:%B %Y} (one working day)"
