"""Building the demo partnership from the tables in `audits.demo.data`, adding only what is missing."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from agencies.models import Agency, Membership, Partnership, Role
from audits.choices import ActionStatus, AuditStatus, ConcernStatus, FindingKind, Grade, ReturnStatus, Speaker
from audits.demo.data import (
    ACTION_TRAILS,
    AGENCIES,
    AGENCIES_BY_KEY,
    AUDITS,
    DEMO_PASSWORD,
    IMPROVEMENTS,
    NEIGHBOUR,
    PARTNERSHIP,
    SHARED_WITH_NEIGHBOUR,
    STRENGTHS,
    USERS,
    AuditPlan,
)
from audits.demo.summaries import build_summaries
from audits.models import (
    Action,
    ActionUpdate,
    AgencyReturn,
    Audit,
    Case,
    CaseFactor,
    ChildFamilyView,
    Finding,
    ReturnGrade,
    SafeguardingConcern,
    Theme,
)
from audits.services.returns import OPEN_FOR_RETURNS


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
    # The demo keeps its 2014 and 2017 audits' detail: MACFA 31 is benchmarked against them (retention: 20 years).
    partnership = _ensure(
        Partnership, {"slug": PARTNERSHIP[1]}, {"name": PARTNERSHIP[0], "case_detail_retention_months": 240}
    )
    neighbour = _ensure(Partnership, {"slug": NEIGHBOUR[1]}, {"name": NEIGHBOUR[0]})
    agencies: dict[str, Agency] = {}
    for key, name, short_name, sector in AGENCIES:
        agency = _ensure(Agency, {"name": name}, {"short_name": short_name, "sector": sector})
        wanted = {partnership, neighbour} if key in SHARED_WITH_NEIGHBOUR else {partnership}
        missing = wanted - set(agency.partnerships.all())
        if missing:  # adding a link writes history, so only what is missing is added
            agency.partnerships.add(*missing)
        agencies[key] = agency

    users = _build_users(partnership, agencies)
    themes = {theme.slug: theme for theme in Theme.objects.filter(partnership=None)}
    audits: dict[str, Audit] = {}
    for plan in AUDITS:
        audits[plan.reference] = _build_audit(plan, partnership, agencies, themes, users, audits, today)

    build_summaries(partnership=partnership, users=users, audits=audits, themes=themes)
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
    rng = random.Random(plan.reference)  # noqa: S311 - invented demo data, seeded to be the same every load
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
        if plan.status not in OPEN_FOR_RETURNS:  # an audit still collecting returns has none yet, nor findings
            _build_returns_and_findings(plan, case, involved, themes, users, panel_time, rng, index)
        cases.append(case)
    if plan.status not in OPEN_FOR_RETURNS:
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
        agency_return = _ensure(
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
            _ensure(ReturnGrade, {"agency_return": agency_return, "theme": themes[slug]}, {"grade": self_grade})
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


def _trail(action: Action, status: str, users: dict[str, Any]) -> None:
    for status_from, status_to, note in ACTION_TRAILS[ActionStatus(status)]:
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
