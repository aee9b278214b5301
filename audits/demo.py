"""The demo partnership: invented, modelled on the 2018/19 annual report in shared/reference.

Severnvale is a made-up county. Every agency, person and case here is invented; case references are
pseudonymous codes. Building it twice changes nothing: rows are found by their natural keys and only
created when missing, and the generated values come from fixed seeds.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from agencies.models import Agency, Membership, Partnership, Role, Sector
from audits.choices import (
    ActionStatus,
    AgeBand,
    AuditStatus,
    ConcernStatus,
    Factor,
    FindingKind,
    Grade,
    PlanType,
    ReturnStatus,
    Speaker,
)
from audits.models import (
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    CaseFactor,
    ChildFamilyView,
    Finding,
    LearningSummary,
    SafeguardingConcern,
    Theme,
)

DEMO_PASSWORD = "macfa-demo-2026"
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


def _ensure(model: type[Model], lookup: dict[str, Any], defaults: dict[str, Any] | None = None) -> Any:
    obj, _ = model._default_manager.get_or_create(**lookup, defaults=defaults or {})
    return obj


def _grade(rng: random.Random, quality: float) -> int:
    roll = rng.random()
    if roll < quality * 0.25:
        return Grade.OUTSTANDING
    if roll < quality:
        return Grade.GOOD
    if roll < quality + (1 - quality) * 0.7:
        return Grade.REQUIRES_IMPROVEMENT
    return Grade.INADEQUATE


@transaction.atomic
def build_demo(*, today: datetime.date | None = None) -> dict[str, Any]:
    """Create whatever of the demo partnership is missing and return its main objects."""
    today = today or timezone.localdate()
    partnership = _ensure(Partnership, {"slug": PARTNERSHIP[1]}, {"name": PARTNERSHIP[0]})
    neighbour = _ensure(Partnership, {"slug": NEIGHBOUR[1]}, {"name": NEIGHBOUR[0]})
    agencies: dict[str, Agency] = {}
    for key, name, short_name, sector in AGENCIES:
        agency = _ensure(Agency, {"name": name}, {"short_name": short_name, "sector": sector})
        agency.partnerships.add(partnership)
        if key in SHARED_WITH_NEIGHBOUR:
            agency.partnerships.add(neighbour)
        agencies[key] = agency

    users = _build_users(partnership, agencies)
    themes = {theme.slug: theme for theme in Theme.objects.filter(partnership=None)}
    audits: dict[str, Audit] = {}
    for plan in AUDITS:
        audits[plan.reference] = _build_audit(plan, partnership, agencies, themes, users, audits, today)

    _ensure(
        LearningSummary,
        {"partnership": partnership, "title": "Neglect: MACFA 14, 26 and 31 compared"},
        {"created_by": users["business.unit"], "key_messages": ""},
    ).themes.set([themes[slug] for slug in NEGLECT_FOCUS])
    LearningSummary.objects.get(partnership=partnership, title="Neglect: MACFA 14, 26 and 31 compared").audits.set(
        [audits["MACFA 14"], audits["MACFA 26"], audits["MACFA 31"]]
    )
    return {"partnership": partnership, "agencies": agencies, "users": users, "audits": audits}


def _build_users(partnership: Partnership, agencies: dict[str, Agency]) -> dict[str, Any]:
    User = get_user_model()
    users: dict[str, Any] = {}
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@severnvale.invalid", DEMO_PASSWORD)
    users["admin"] = admin
    for username, first_name, last_name, role, agency_key in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username,
                f"{username}@severnvale.invalid",
                DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                is_staff=role == Role.BUSINESS_UNIT,
            )
        if role == Role.BUSINESS_UNIT:
            user.groups.add(_business_unit_group())
        _ensure(
            Membership,
            {
                "user": user,
                "partnership": partnership,
                "role": role,
                "agency": agencies[agency_key] if agency_key else None,
            },
        )
        users[username] = user
    return users


def _business_unit_group() -> Group:
    group, _ = Group.objects.get_or_create(name="Partnership business unit")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["agencies", "audits"]))
    return group


def _build_audit(
    plan: AuditPlan,
    partnership: Partnership,
    agencies: dict[str, Agency],
    themes: dict[str, Theme],
    users: dict[str, Any],
    earlier: dict[str, Audit],
    today: datetime.date,
) -> Audit:
    rng = random.Random(plan.reference)
    panel = plan.start + datetime.timedelta(weeks=6)
    closed = plan.status == AuditStatus.CLOSED
    audit = _ensure(
        Audit,
        {"partnership": partnership, "reference": plan.reference},
        {
            "title": plan.title,
            "terms_of_reference": plan.terms,
            "auditor": users["auditor"],
            "start_date": plan.start,
            "panel_date": panel,
            "end_date": panel + datetime.timedelta(weeks=8) if closed else None,
            "status": plan.status,
        },
    )
    audit.focus_themes.set([themes[slug] for slug in plan.focus])
    audit.agencies.set([agencies[key] for key in plan.agencies])
    audit.benchmark_audits.set([earlier[reference] for reference in plan.benchmarks])

    number = plan.reference.split()[-1]
    panel_time = timezone.make_aware(datetime.datetime.combine(panel, datetime.time(14, 0)))
    cases = []
    for index in range(1, plan.cases + 1):
        case = _ensure(
            Case,
            {"audit": audit, "reference": f"M{number}-{index:02d}"},
            {
                "age_band": rng.choice(plan.age_bands),
                "level_of_need": rng.choice(plan.levels),
                "plan_type": rng.choice(plan.plans),
            },
        )
        involved = [agencies[key] for key in plan.agencies if key == plan.agencies[0] or rng.random() < 0.6]
        case.agencies.set(involved)
        for factor in plan.factors[: 1 + index % len(plan.factors)]:
            _ensure(CaseFactor, {"case": case, "factor": factor})
        _build_returns_and_findings(plan, case, involved, themes, users, panel_time, rng, index)
        cases.append(case)
    _build_actions(plan, audit, cases, users, today)
    return audit


def _build_returns_and_findings(
    plan: AuditPlan,
    case: Case,
    involved: list[Agency],
    themes: dict[str, Theme],
    users: dict[str, Any],
    panel_time: datetime.datetime,
    rng: random.Random,
    index: int,
) -> None:
    submitted_at = panel_time - datetime.timedelta(days=14)
    for agency in involved:
        _ensure(
            AgencyReturn,
            {"case": case, "agency": agency},
            {
                "status": ReturnStatus.SUBMITTED,
                "good_practice": "Records show regular contact and prompt information sharing.",
                "areas_for_development": "Analysis of the impact on the child is not always recorded.",
                "recommendations": "Refresh practitioners on recording the child's lived experience.",
                "submitted_at": submitted_at,
            },
        )
        for slug in plan.focus:
            if slug == "voice-of-the-child" and plan.voice_evident_in is not None:
                continue  # judged once for the multi-agency response below
            grade = _grade(rng, plan.quality)
            self_grade = max(Grade.OUTSTANDING, grade - 1) if rng.random() < 0.3 else grade
            _ensure_finding(case, agency, themes[slug], grade, self_grade, users, panel_time)
    if plan.voice_evident_in is not None:
        evident = index <= plan.voice_evident_in
        theme = themes["voice-of-the-child"]
        _ensure_finding(
            case, None, theme, Grade.GOOD if evident else Grade.REQUIRES_IMPROVEMENT, None, users, panel_time
        )
        if evident:
            _ensure(
                ChildFamilyView,
                {"case": case, "speaker": Speaker.CHILD},
                {
                    "summary": "Said the family support worker listened and that home feels calmer now.",
                    "recorded_by": users["auditor"],
                },
            )
    elif index == 1:
        _ensure(
            ChildFamilyView,
            {"case": case, "speaker": Speaker.PARENT},
            {
                "summary": "Felt the plan was explained clearly but meetings changed too often.",
                "recorded_by": users["auditor"],
            },
        )


def _ensure_finding(
    case: Case,
    agency: Agency | None,
    theme: Theme,
    grade: int,
    self_grade: int | None,
    users: dict[str, Any],
    panel_time: datetime.datetime,
) -> Finding:
    strength = grade <= Grade.GOOD
    return _ensure(
        Finding,
        {"case": case, "agency": agency, "theme": theme},
        {
            "grade": grade,
            "self_grade": self_grade,
            "change_reason": "" if self_grade in (None, grade) else "The panel found less evidence than the return.",
            "kind": FindingKind.STRENGTH if strength else FindingKind.AREA_FOR_IMPROVEMENT,
            "narrative": (STRENGTHS if strength else IMPROVEMENTS)[theme.slug],
            "recorded_by": users["auditor"],
            "agreed_at": panel_time,
        },
    )


def _build_actions(
    plan: AuditPlan, audit: Audit, cases: list[Case], users: dict[str, Any], today: datetime.date
) -> None:
    raised_on = audit.panel_date or plan.start
    lead_agency = audit.agencies.get(name=AGENCIES_BY_KEY[plan.agencies[0]])
    second_agency = audit.agencies.get(name=AGENCIES_BY_KEY[plan.agencies[1]])
    moves: list[tuple[Agency, ActionStatus, int | None]]
    if plan.status == AuditStatus.CLOSED:
        moves = [
            (lead_agency, ActionStatus.VERIFIED, 90),
            (second_agency, ActionStatus.VERIFIED, 120),
            (lead_agency, ActionStatus.COMPLETED, 60),
        ]
    else:
        # A live audit: something in every status, some overdue, some due soon.
        moves = [
            (lead_agency, ActionStatus.OPEN, None),
            (second_agency, ActionStatus.IN_PROGRESS, 5),
            (lead_agency, ActionStatus.OPEN, 60),
            (second_agency, ActionStatus.COMPLETED, 30),
            (lead_agency, ActionStatus.VERIFIED, 45),
            (second_agency, ActionStatus.REOPENED, 90),
            (lead_agency, ActionStatus.IN_PROGRESS, 120),
        ]
    for number, (agency, status, days) in enumerate(moves, start=1):
        # Live audits' actions with a day count are due that many days from today; those without are long overdue.
        if plan.status == AuditStatus.CLOSED or days is None:
            due = raised_on + datetime.timedelta(days=days or 60)
        else:
            due = max(today, raised_on) + datetime.timedelta(days=days)
        focus = plan.focus[(number - 1) % len(plan.focus)]
        action = Action.objects.filter(audit=audit, description__startswith=f"{plan.reference}/{number}:").first()
        if action is not None:
            continue
        action = Action.objects.create(
            audit=audit,
            case=cases[(number - 1) % len(cases)],
            owner_agency=agency,
            description=f"{plan.reference}/{number}: {IMPROVEMENTS[focus].split(';')[0]} — embed the learning "
            "through supervision and single-agency audit.",
            raised_on=raised_on,
            due_date=due,
            status=status,
            created_by=users["auditor"],
        )
        _trail(action, status, users)
    if plan.reference == "MACFA 31":
        _ensure(
            SafeguardingConcern,
            {"case": cases[2], "agency": lead_agency},
            {
                "description": "A younger sibling is not known to be registered with a GP or seen by health; "
                "the panel asked for an urgent check of the household's health registration.",
                "raised_by": users["auditor"],
                "raised_at": timezone.make_aware(datetime.datetime.combine(raised_on, datetime.time(11, 30))),
                "status": ConcernStatus.RAISED,
            },
        )
    if plan.reference == "MACFA 29":
        raised = timezone.make_aware(datetime.datetime.combine(raised_on, datetime.time(10, 0)))
        _ensure(
            SafeguardingConcern,
            {"case": cases[0], "agency": second_agency},
            {
                "description": "Missing episodes had not been shared with the partner agencies.",
                "raised_by": users["auditor"],
                "raised_at": raised,
                "acknowledged_at": raised + datetime.timedelta(hours=3),
                "acknowledged_by": users["lead.police"],
                "status": ConcernStatus.CLOSED,
                "closed_at": raised + datetime.timedelta(days=2),
                "outcome": "Episodes shared at a strategy meeting; a return-home interview was arranged.",
            },
        )


AGENCIES_BY_KEY = {key: name for key, name, _, _ in AGENCIES}

_TRAIL = {
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


def _trail(action: Action, status: str, users: dict[str, Any]) -> None:
    for status_from, status_to, note in _TRAIL[ActionStatus(status)]:
        by_auditor = status_to in (ActionStatus.VERIFIED, ActionStatus.REOPENED)
        lead = Membership.objects.filter(role=Role.AGENCY_LEAD, agency=action.owner_agency).first()
        ActionUpdate.objects.create(
            action=action,
            author=users["auditor"] if by_auditor or lead is None else lead.user,
            note=note,
            status_from=status_from,
            status_to=status_to,
        )
    if status in (ActionStatus.COMPLETED, ActionStatus.VERIFIED):
        action.completed_at = timezone.make_aware(datetime.datetime.combine(action.raised_on, datetime.time(9)))
        if status == ActionStatus.VERIFIED:
            action.verified_at = action.completed_at + datetime.timedelta(days=14)
            action.verified_by = users["auditor"]
        action.save(update_fields=["completed_at", "verified_at", "verified_by"])
