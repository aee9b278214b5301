"""The demo partnership's fixed tables: its agencies, people, audits and the words its findings and actions use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from agencies.models import Role, Sector
from audits.choices import ActionStatus, AgeBand, AuditStatus, Factor, PlanType

DEMO_PASSWORD = "macfa-demo-2026"  # noqa: S105 - the invented demo users' published password
PARTNERSHIP = ("Severnvale Safeguarding Children Partnership", "severnvale")
NEIGHBOUR = ("Marches Safeguarding Children Partnership", "marches")

# (key, name, short name, sector); the sectors of the reference report's Appendix 1.
AGENCIES = [
    (
        "csc",
        "Severnvale County Council Children's Social Care",
        "Children's Social Care",
        Sector.LOCAL_AUTHORITY,
    ),
    ("earlyhelp", "Severnvale Early Help and Family Support", "Early Help", Sector.LOCAL_AUTHORITY),
    ("police", "Marches and Severnvale Police", "Police", Sector.POLICE),
    ("community", "Severnvale Health and Care NHS Trust", "Community Health", Sector.HEALTH),
    ("acute", "Severnvale Acute Hospitals NHS Trust", "Acute Hospitals", Sector.HEALTH),
    ("icb", "Severnvale Integrated Care Board (primary care)", "Primary Care", Sector.HEALTH),
    ("ambulance", "Marches Ambulance Service NHS Trust", "Ambulance", Sector.HEALTH),
    ("school", "Severnvale Schools Safeguarding Network", "Schools", Sector.EDUCATION),
    ("college", "Severnvale College of Further Education", "FE College", Sector.EDUCATION),
    ("nursery", "Little Oaks Day Nursery", "Early Years", Sector.EARLY_YEARS),
    ("probation", "Marches Probation Service", "Probation", Sector.PROBATION),
    ("yjs", "Severnvale Youth Justice Service", "Youth Justice", Sector.YOUTH_JUSTICE),
    ("cafcass", "Cafcass Severnvale Team", "CAFCASS", Sector.CAFCASS),
    ("fire", "Severnvale Fire and Rescue Service", "Fire and Rescue", Sector.FIRE),
    ("voluntary", "Brighter Futures Severnvale", "Brighter Futures", Sector.VOLUNTARY),
]
# The police force and the probation service serve the neighbouring partnership too.
SHARED_WITH_NEIGHBOUR = ("police", "probation")
AGENCIES_BY_KEY = {key: name for key, name, _, _ in AGENCIES}

# (username, first name, last name, role, agency key)
USERS = [
    ("business.unit", "Business", "Unit", Role.BUSINESS_UNIT, None),
    ("auditor", "Independent", "Auditor", Role.AUDITOR, None),
    ("lead.socialcare", "Social Care", "Lead", Role.AGENCY_LEAD, "csc"),
    ("lead.police", "Police", "Lead", Role.AGENCY_LEAD, "police"),
    ("lead.health", "Community Health", "Lead", Role.AGENCY_LEAD, "community"),
    ("lead.schools", "Schools", "Lead", Role.AGENCY_LEAD, "school"),
    ("board.member", "Board", "Member", Role.BOARD_MEMBER, None),
]


@dataclass
class AuditPlan:
    reference: str
    title: str
    focus: list[str]
    start: datetime.date
    status: str
    cases: int
    agencies: list[str]
    # Chance that the panel judges practice good or better; lower means weaker practice.
    quality: float
    benchmarks: list[str] = field(default_factory=list)
    terms: str = ""
    age_bands: list[str] = field(default_factory=lambda: [AgeBand.AGE_0_1, AgeBand.AGE_2_4, AgeBand.AGE_5_11])
    levels: list[int] = field(default_factory=lambda: [3, 4])
    plans: list[str] = field(default_factory=lambda: [PlanType.CHILD_IN_NEED, PlanType.CHILD_PROTECTION])
    factors: list[str] = field(default_factory=lambda: [Factor.NEGLECT])
    voice_evident_in: int | None = None


NEGLECT_FOCUS = [
    "neglect",
    "voice-of-the-child",
    "parental-history-risk",
    "invisible-males",
    "drift-and-delay",
    "smart-plans",
]

AUDITS = [
    AuditPlan(
        "MACFA 14",
        "Neglect: the multi-agency response",
        NEGLECT_FOCUS,
        datetime.date(2014, 2, 3),
        AuditStatus.CLOSED,
        6,
        ["csc", "police", "community", "school", "icb"],
        0.30,
        terms="Cases of children experiencing neglect open to children's social care at child in need or "
        "child protection level.",
    ),
    AuditPlan(
        "MACFA 26",
        "Neglect: re-audit",
        NEGLECT_FOCUS,
        datetime.date(2017, 3, 6),
        AuditStatus.CLOSED,
        6,
        ["csc", "police", "community", "school", "icb"],
        0.45,
        benchmarks=["MACFA 14"],
        terms="Re-audit of neglect practice against the findings of MACFA 14.",
    ),
    AuditPlan(
        "MACFA 28",
        "Application of thresholds and quality of referrals to the Family Front Door",
        ["thresholds", "referral-quality"],
        datetime.date(2018, 9, 3),
        AuditStatus.CLOSED,
        19,
        ["csc", "police", "community", "acute", "school", "nursery", "voluntary"],
        0.25,
        terms="Nineteen referrals from a range of agencies reviewed in detail.",
        levels=[2, 3, 4],
        plans=[PlanType.NONE, PlanType.EARLY_HELP, PlanType.CHILD_IN_NEED],
        factors=[Factor.NEGLECT, Factor.DOMESTIC_ABUSE, Factor.PARENTAL_MENTAL_HEALTH],
        age_bands=[AgeBand.AGE_2_4, AgeBand.AGE_5_11, AgeBand.AGE_12_15],
    ),
    AuditPlan(
        "MACFA 29",
        "Use of the CSE screening tool",
        ["exploitation", "voice-of-the-child", "chronologies-information-sharing"],
        datetime.date(2018, 11, 5),
        AuditStatus.CLOSED,
        6,
        ["csc", "police", "yjs", "school", "community"],
        0.35,
        terms="Partner agencies' use of the CSE screening tool and the analysis of risk that follows.",
        age_bands=[AgeBand.AGE_12_15, AgeBand.AGE_16_17],
        levels=[3, 4],
        plans=[PlanType.CHILD_IN_NEED, PlanType.CHILD_PROTECTION, PlanType.LOOKED_AFTER],
        factors=[Factor.EXPLOITATION, Factor.MISSING],
    ),
    AuditPlan(
        "MACFA 30",
        "Early help",
        ["early-help", "voice-of-the-child", "lead-professional", "smart-plans"],
        datetime.date(2019, 4, 1),
        AuditStatus.REPORTING,
        6,
        ["earlyhelp", "school", "community", "nursery", "icb"],
        0.65,
        terms="Cases at Level 3 supported by Family Support Workers.",
        levels=[3],
        plans=[PlanType.EARLY_HELP],
        factors=[Factor.NEGLECT, Factor.PARENTAL_MENTAL_HEALTH],
        voice_evident_in=4,
    ),
    AuditPlan(
        "MACFA 31",
        "Neglect: second re-audit",
        NEGLECT_FOCUS,
        datetime.date(2019, 2, 4),
        AuditStatus.REPORTING,
        6,
        ["csc", "police", "community", "school", "icb", "probation"],
        0.55,
        benchmarks=["MACFA 14", "MACFA 26"],
        terms="Re-audit of neglect practice against MACFA 14 and MACFA 26; the benchmark for the Neglect Strategy.",
    ),
    # Under way now: the agencies are completing their returns, so a lead has something to do in the demo.
    AuditPlan(
        "MACFA 32",
        "Neglect in adolescence",
        ["neglect", "voice-of-the-child", "exploitation", "drift-and-delay"],
        datetime.date(2026, 11, 2),
        AuditStatus.AGENCY_RETURNS,
        4,
        ["csc", "police", "community", "school"],
        0.5,
        terms="Young people aged 12 to 17 on child in need or child protection plans for neglect.",
        age_bands=[AgeBand.AGE_12_15, AgeBand.AGE_16_17],
        factors=[Factor.NEGLECT, Factor.EXPLOITATION],
    ),
]

STRENGTHS = {
    "neglect": "Neglect was recognised early and the inter-agency neglect guidance was followed.",
    "voice-of-the-child": "The child's voice and lived experience were sought, recorded and informed the plan.",
    "parental-history-risk": "Parental histories and risk factors were considered in assessing capacity to change.",
    "invisible-males": "The role of the mother's partner was explored and he was included in the assessment.",
    "drift-and-delay": "Decisions were timely and the plan progressed without drift.",
    "smart-plans": "The plan had specific, timed objectives and a clear contingency.",
    "thresholds": "The referral was made at the right level of need with a clear rationale.",
    "referral-quality": "The referral described the concerns, their impact on the child and what was already tried.",
    "exploitation": "Indicators of exploitation were identified and the screening tool informed a risk analysis.",
    "chronologies-information-sharing": "A shared chronology was kept up to date and informed the strategy meeting.",
    "early-help": "Intensive family support was offered promptly and the family engaged well.",
    "lead-professional": "A lead professional was identified and co-ordinated the team around the family.",
}
IMPROVEMENTS = {
    "neglect": "The cumulative impact of neglect was not analysed; each episode was treated on its own.",
    "voice-of-the-child": "The child was seen but their views were not recorded or reflected in the plan.",
    "parental-history-risk": "Parents' own histories of care were known but not used in the assessment.",
    "invisible-males": "A significant adult male in the household was not assessed.",
    "drift-and-delay": "Actions were carried over between reviews without escalation, causing drift.",
    "smart-plans": "Plan objectives were not specific or timed and there was no contingency plan.",
    "thresholds": "The level of need was misjudged and the referral was not made to the right service.",
    "referral-quality": "The referral lacked analysis of risk and the child's lived experience.",
    "exploitation": "The screening tool was completed after concerns were known and risk was not analysed.",
    "chronologies-information-sharing": "Information held by one agency was not shared with the others.",
    "early-help": "Needs and risks suggested early help at Level 3 was not the right level of intervention.",
    "lead-professional": "No lead professional was agreed and co-ordination was left to chance.",
}

# The updates that take a new action to each status: (from, to, note), in order.
ACTION_TRAILS = {
    ActionStatus.OPEN: [],
    ActionStatus.IN_PROGRESS: [(ActionStatus.OPEN, ActionStatus.IN_PROGRESS, "Work started; briefing drafted.")],
    ActionStatus.COMPLETED: [
        (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, "Work started; briefing drafted."),
        (ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED, "Briefing delivered to all team managers."),
    ],
    ActionStatus.VERIFIED: [
        (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, "Work started; briefing drafted."),
        (ActionStatus.IN_PROGRESS, ActionStatus.COMPLETED, "Briefing delivered to all team managers."),
        (ActionStatus.COMPLETED, ActionStatus.VERIFIED, "Dip sample of ten records confirms the change."),
    ],
    ActionStatus.REOPENED: [
        (ActionStatus.OPEN, ActionStatus.COMPLETED, "Guidance re-issued to staff."),
        (
            ActionStatus.COMPLETED,
            ActionStatus.REOPENED,
            "Re-issuing guidance alone has not changed practice.",
        ),
    ],
}
