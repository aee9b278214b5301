"""The proposed assurance level of a learning summary. The rule is written down in docs/assurance.md.

Inputs are the agreed findings on the summary's themes: the share graded good or outstanding, and the
share graded inadequate. The first band whose conditions hold is proposed; the board may still decide otherwise.
"""

from __future__ import annotations

from audits.choices import AssuranceLevel

# (level, at least this share good or better, at most this share inadequate)
BANDS = [
    (AssuranceLevel.SUBSTANTIAL, 0.80, 0.05),
    (AssuranceLevel.REASONABLE, 0.60, 0.15),
    (AssuranceLevel.LIMITED, 0.30, 0.40),
]
# Fewer agreed findings than this give too little evidence to propose any level above "no assurance".
MINIMUM_FINDINGS = 5


def propose_assurance(*, good_or_better: int, inadequate: int, total: int) -> str:
    if total < MINIMUM_FINDINGS:
        return AssuranceLevel.NONE
    good_share, inadequate_share = good_or_better / total, inadequate / total
    for level, least_good, most_inadequate in BANDS:
        if good_share >= least_good and inadequate_share <= most_inadequate:
            return level
    return AssuranceLevel.NONE
