from __future__ import annotations

import pytest

from audits.choices import AssuranceLevel
from audits.summaries.assurance import propose_assurance


@pytest.mark.parametrize(
    ("good", "inadequate", "total", "level"),
    [
        (80, 5, 100, AssuranceLevel.SUBSTANTIAL),  # both bounds inclusive
        (79, 0, 100, AssuranceLevel.REASONABLE),  # just under 80% good
        (90, 6, 100, AssuranceLevel.REASONABLE),  # too much inadequate for substantial
        (60, 15, 100, AssuranceLevel.REASONABLE),
        (59, 0, 100, AssuranceLevel.LIMITED),
        (70, 16, 100, AssuranceLevel.LIMITED),
        (30, 40, 100, AssuranceLevel.LIMITED),
        (29, 0, 100, AssuranceLevel.NONE),
        (50, 41, 100, AssuranceLevel.NONE),
        (5, 0, 5, AssuranceLevel.SUBSTANTIAL),  # five findings are enough
        (4, 0, 4, AssuranceLevel.NONE),  # too little evidence
        (0, 0, 0, AssuranceLevel.NONE),
    ],
)
def test_proposed_assurance_at_each_boundary(good: int, inadequate: int, total: int, level: str) -> None:
    assert propose_assurance(good_or_better=good, inadequate=inadequate, total=total) == level
