from __future__ import annotations

import pytest

from audits.models import Theme

pytestmark = pytest.mark.django_db

NATIONAL = {
    "voice-of-the-child",
    "neglect",
    "thresholds",
    "parental-history-risk",
    "invisible-males",
    "drift-and-delay",
    "start-again-syndrome",
    "chronologies-information-sharing",
    "wider-family",
    "professional-over-optimism",
    "smart-plans",
    "management-oversight",
    "reflective-practice",
    "referral-quality",
    "lead-professional",
    "exploitation",
    "domestic-abuse",
    "early-help",
}


def test_national_theme_taxonomy_is_seeded_by_migration() -> None:
    national = Theme.objects.filter(partnership=None)
    assert set(national.values_list("slug", flat=True)) == NATIONAL
    assert national.get(slug="invisible-males").name == "Invisible males"
