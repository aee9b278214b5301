"""Cases carry pseudonymous references only.

A reference is a short code such as ``C1`` or ``MACFA31-07``. Anything that looks like a person's name, a
date of birth or an NHS number is refused, and the message says why without repeating the value.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

EXAMPLES = "Use a code such as C1 or MACFA31-07."

_ALLOWED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]*$")
_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
_DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})[./ -](\d{1,2})[./ -](\d{2,4})(?!\d)")
_DATE_DIGITS = re.compile(r"(?<!\d)(\d{8})(?!\d)")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december"
)
_DATE_WORDS = re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)?\s*({_MONTHS})\b|\b({_MONTHS})\s*\d{{1,2}}\b", re.I)
# A word in ordinary or title case ("Smith", "jane") reads as a name; upper-case codes ("MACFA", "EH") do not.
_NAME_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")
_NAME_WORD_MIN_LENGTH = 3


def _is_real_date(day: int, month: int, year: int) -> bool:
    if year < 100:
        year += 2000
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year <= 2100


def _looks_like_date(value: str) -> bool:
    if _DATE_WORDS.search(value):
        return True
    for first, second, third in _DATE_NUMERIC.findall(value):
        a, b, c = int(first), int(second), int(third)
        if len(first) == 4 and _is_real_date(c, b, a):  # 2015-03-12
            return True
        if len(first) <= 2 and len(third) in (2, 4) and (_is_real_date(a, b, c) or _is_real_date(b, a, c)):
            return True
    for digits in _DATE_DIGITS.findall(value):
        if _is_real_date(int(digits[:2]), int(digits[2:4]), int(digits[4:])) or _is_real_date(
            int(digits[6:]), int(digits[4:6]), int(digits[:4])
        ):
            return True
    return False


def validate_pseudonymous_reference(value: str) -> None:
    if not value or not value.strip():
        raise ValidationError(f"Give the case a pseudonymous reference. {EXAMPLES}", code="required")
    if not _ALLOWED.match(value):
        raise ValidationError(
            f"A case reference may hold only letters, digits, spaces and - / . _ characters. {EXAMPLES}",
            code="characters",
        )
    if _NHS_NUMBER.search(value):
        raise ValidationError(
            f"This looks like an NHS number. Case references must not identify a child. {EXAMPLES}",
            code="nhs_number",
        )
    if _looks_like_date(value):
        raise ValidationError(
            f"This looks like a date of birth. Case references must not identify a child. {EXAMPLES}",
            code="date_of_birth",
        )
    if any(len(word) >= _NAME_WORD_MIN_LENGTH for word in _NAME_WORD.findall(value)):
        raise ValidationError(
            "This looks like a person's name: words in ordinary letters are not allowed in a case reference, "
            f"only upper-case codes and numbers. {EXAMPLES}",
            code="name",
        )
    if not any(ch.isdigit() for ch in value):
        raise ValidationError(f"A case reference must include a number. {EXAMPLES}", code="no_number")
