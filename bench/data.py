"""Invented national-size data for the benchmark, generated inside PostgreSQL (set-based, no row loops in Python).

The shape follows the issue's description of a real national instance, scaled to ``findings``:

- up to 150 partnerships whose sizes are skewed (a few large, most small: Zipf weights, exponent 0.7);
- agencies shared between partnerships: a police force serves four, an NHS trust three, a probation region ten,
  CAFCASS every one; six local agencies each;
- audits of about ten cases; each case involves its local authority and some of the other agencies (case–agency
  rows), is judged on the themes its audit looked at (skewed: the voice of the child almost always, the rarest
  themes seldom), one finding per involved agency and theme plus some multi-agency findings;
- narratives of realistic length (two to eight invented sentences, about 150–1,000 characters), grades skewed
  towards "good", self-grades from agency returns (with the panel's reason where it moved them);
- returns with self-grades, child and family views, actions with a trail of updates (some overdue), and
  safeguarding concerns, most acknowledged.

Every name and sentence is invented. Deterministic: the same size gives the same rows (hashes, not random()).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

FINDINGS_PER_CASE = 38  # about 4.6 involved agencies times 8 themes, plus a few multi-agency findings
CASES_PER_AUDIT = 10
MAX_PARTNERSHIPS = 150
ZIPF_EXPONENT = 0.7

SENTENCES = [
    "The record showed a clear chronology of contacts with the family over the period reviewed.",
    "Practitioners recorded the child's wishes and feelings in their own words at each visit.",
    "The referral set out the concerns clearly but did not say what the family had been told.",
    "Information was shared promptly at the strategy discussion and actions were agreed with timescales.",
    "There was little evidence that the father or other adult males in the household were assessed.",
    "The plan was reviewed regularly, though several actions were carried forward without challenge.",
    "Supervision notes show reflective discussion of the risks and of the worker's own assumptions.",
    "School staff noticed changes in the child's presentation and escalated them the same day.",
    "Health visiting records describe the home conditions in detail, with photographs where agreed.",
    "The assessment relied heavily on the mother's account and was not triangulated with other agencies.",
    "Drift was evident between the initial assessment and the child protection conference.",
    "The lead professional coordinated the team around the family and kept everyone informed.",
    "The child's lived experience was described vividly, including what a typical day looked like.",
    "Contingency arrangements were missing from the plan, so no one knew what to do if things worsened.",
    "Police attended promptly and made a referral that included the children's presence at the incident.",
    "Early help was offered but the family's engagement was not followed up when they stopped attending.",
    "Management oversight was recorded at key decision points, with reasons for each decision.",
    "Previous history of neglect in the family was not considered when the new concern was assessed.",
    "The voice of the child was captured through direct work using age-appropriate tools.",
    "Professional optimism led to the case being closed before the improvements had been sustained.",
    "The multi-agency meeting minutes list attendance but not the views of agencies who sent apologies.",
    "Thresholds were applied consistently with the local levels of need guidance.",
    "The youth offending service identified exploitation indicators and shared them with partners.",
    "The chronology was incomplete: several hospital attendances were missing from it.",
    "Wider family members were identified as a source of support and were included in the plan.",
    "A start-again approach was taken each time the family moved, losing the history of concerns.",
    "SMART targets were set, with named owners and dates, and were reviewed at each core group.",
    "The records do not show that the child was seen alone at any point during the assessment.",
    "Domestic abuse was recognised and a referral made to the risk assessment conference.",
    "The voluntary sector worker built a trusting relationship with the young person over many months.",
]
NOTES = [
    "Training session booked for all front-line staff.",
    "Guidance revised and circulated to team managers.",
    "Audit of twenty cases completed; findings reported to the sub-group.",
    "Evidence of changed practice attached for verification.",
    "Delay owing to staff vacancies; new date agreed with the business unit.",
]


@dataclass
class BenchData:
    """What the benchmark needs to find again: the measured partnership, its people and their tokens."""

    findings: int
    partnerships: int
    partnership_id: int
    summary_id: int
    theme_id: int
    finding_id: int
    case_id: int
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def partnership_sizes(findings: int) -> list[int]:
    """Cases per partnership: skewed, summing to about findings / FINDINGS_PER_CASE, at least one audit each."""
    count = max(2, min(MAX_PARTNERSHIPS, findings // 6_000))
    cases = max(count * CASES_PER_AUDIT, findings // FINDINGS_PER_CASE)
    weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(count)]
    total = sum(weights)
    return [max(CASES_PER_AUDIT, round(cases * w / total)) for w in weights]


def _execute(sql: str, params: dict[str, Any] | None = None) -> None:
    """Run one or more statements (separated by a semicolon at the end of a line): bound parameters allow one each."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in sql.split(";\n"):
            code = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--"))
            if code.strip():
                cursor.execute(code, params or {})


def _scalar(sql: str, params: dict[str, Any] | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        row = cursor.fetchone()
    return row[0] if row else None


# h(a, b): a deterministic hash in 0..99 of two values, for skewed choices without random().
H = "mod(abs(hashtext(({a})::text || ':' || ({b})::text)), 100)"


def h(a: str, b: str) -> str:
    return H.format(a=a, b=b)


def generate(findings: int) -> BenchData:
    """Make the rows (see the module's docstring) and the measured partnership's four people, with API tokens."""
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, Partnership, Sector

    sizes = partnership_sizes(findings)
    count = len(sizes)
    # Partnerships and agencies (a few hundred rows) through the ORM, so their columns' defaults apply.
    Partnership.objects.bulk_create(
        [
            Partnership(name=f"Benchshire {n} Safeguarding Children Partnership", slug=f"benchshire-{n}")
            for n in range(1, count + 1)
        ]
    )
    local = [
        ("Children's Social Care", Sector.LOCAL_AUTHORITY),
        ("Schools", Sector.EDUCATION),
        ("Early Years", Sector.EARLY_YEARS),
        ("Youth Justice Service", Sector.YOUTH_JUSTICE),
        ("Family Support Charity", Sector.VOLUNTARY),
        ("Community Health", Sector.HEALTH),
    ]
    shared = [
        ("Police Force", Sector.POLICE, 4),
        ("NHS Trust", Sector.HEALTH, 3),
        ("Probation Region", Sector.PROBATION, 10),
    ]
    Agency.objects.bulk_create(
        [Agency(name=f"{label} {n}", sector=sector) for n in range(1, count + 1) for label, sector in local]
        + [
            Agency(name=f"{label} {n}", sector=sector)
            for label, sector, per in shared
            for n in range(1, (count + per - 1) // per + 1)
        ]
        + [Agency(name="CAFCASS", sector=Sector.CAFCASS)]
    )
    _execute(
        """
        INSERT INTO agencies_agency_partnerships (agency_id, partnership_id)
        SELECT a.id, p.id
        FROM agencies_partnership p
        CROSS JOIN LATERAL (SELECT substring(p.slug FROM 12)::int AS n) AS num
        JOIN agencies_agency a ON a.name IN (
            'Children''s Social Care ' || num.n, 'Schools ' || num.n, 'Early Years ' || num.n,
            'Youth Justice Service ' || num.n, 'Family Support Charity ' || num.n, 'Community Health ' || num.n,
            'Police Force ' || ((num.n + 3) / 4), 'NHS Trust ' || ((num.n + 2) / 3),
            'Probation Region ' || ((num.n + 9) / 10), 'CAFCASS')
        WHERE p.slug LIKE 'benchshire-%%'
        """
    )
    user_model = get_user_model()
    auditors = user_model.objects.bulk_create(
        [user_model(username=f"bench-auditor-{n}", first_name="Bench", last_name=f"Auditor {n}") for n in range(count)]
    )
    partnership_ids = list(
        _rows(
            "SELECT id FROM agencies_partnership WHERE slug LIKE 'benchshire-%%' ORDER BY substring(slug FROM 12)::int"
        )
    )
    # Audits: about ten cases each, spread over 2018 to 2026; recent ones still in progress.
    _execute(
        """
        INSERT INTO audits_audit (partnership_id, reference, title, terms_of_reference, auditor_id, start_date,
                                  panel_date, end_date, status, created_at, updated_at)
        SELECT p.id, 'MACFA ' || n, 'Thematic audit ' || n, 'Invented terms of reference for audit ' || n,
               (%(auditors)s::bigint[])[p.rank],
               DATE '2018-01-15' + ((n - 1) * (3200 / greatest(p.audits, 1)))::int,
               DATE '2018-02-15' + ((n - 1) * (3200 / greatest(p.audits, 1)))::int,
               CASE WHEN n < p.audits - 2 THEN DATE '2018-04-15' + ((n - 1) * (3200 / greatest(p.audits, 1)))::int END,
               CASE WHEN n < p.audits - 2 THEN 'closed'
                    ELSE (ARRAY['agency_returns', 'panel', 'reporting'])[p.audits - n + 1] END,
               now(), now()
        FROM unnest(%(partnerships)s::bigint[], %(audits)s::int[]) WITH ORDINALITY AS p(id, audits, rank)
        CROSS JOIN LATERAL generate_series(1, p.audits) AS n
        """,
        {
            "partnerships": partnership_ids,
            "audits": [max(1, round(cases / CASES_PER_AUDIT)) for cases in sizes],
            "auditors": [user.pk for user in auditors],
        },
    )
    _execute(
        """
        INSERT INTO audits_audit_agencies (audit_id, agency_id)
        SELECT au.id, ap.agency_id FROM audits_audit au
        JOIN agencies_agency_partnerships ap ON ap.partnership_id = au.partnership_id;
        INSERT INTO audits_audit_focus_themes (audit_id, theme_id)
        SELECT au.id, t.id FROM audits_audit au JOIN audits_theme t ON t.partnership_id IS NULL
        WHERE """
        + h("au.id", "t.id")
        + """ < 12;
        -- A re-audit of the same partnership two audits later is benchmarked against the earlier one.
        INSERT INTO audits_audit_benchmark_audits (from_audit_id, to_audit_id)
        SELECT later.id, earlier.id FROM audits_audit later
        JOIN audits_audit earlier ON earlier.partnership_id = later.partnership_id
         AND substring(earlier.reference FROM 7)::int = substring(later.reference FROM 7)::int - 2
        WHERE mod(substring(later.reference FROM 7)::int, 2) = 0;
        """
    )
    _execute(
        """
        INSERT INTO audits_case (audit_id, reference, age_band, level_of_need, plan_type, created_at, updated_at)
        SELECT au.id, 'C' || n,
               (ARRAY['unborn','0-1','2-4','2-4','5-11','5-11','5-11','12-15','12-15','16-17'])
                   [1 + mod(au.id * 7 + n, 10)],
               (ARRAY[2, 3, 3, 4, 4, 4])[1 + mod(au.id + n * 5, 6)],
               (ARRAY['none','early_help','child_in_need','child_protection','child_protection','looked_after'])
                   [1 + mod(au.id * 3 + n, 6)],
               now(), now()
        FROM audits_audit au CROSS JOIN LATERAL generate_series(1, 8 + mod(au.id, 5)) AS n;
        INSERT INTO audits_casefactor (case_id, factor)
        SELECT c.id, f.factor FROM audits_case c
        CROSS JOIN (VALUES ('neglect'), ('domestic_abuse'), ('exploitation'), ('parental_mental_health'),
                           ('substance_misuse'), ('missing'), ('emotional_abuse')) AS f(factor)
        WHERE """
        + h("c.id", "f.factor")
        + """ < 25;
        -- Involved agencies, skewed by sector: always children's social care, health and police often, CAFCASS
        -- and probation seldom.
        INSERT INTO audits_case_agencies (case_id, agency_id)
        SELECT c.id, aa.agency_id FROM audits_case c
        JOIN audits_audit_agencies aa ON aa.audit_id = c.audit_id
        JOIN agencies_agency ag ON ag.id = aa.agency_id
        WHERE ag.sector = 'local_authority' OR """
        + h("c.id", "aa.agency_id")
        + """ < CASE ag.sector WHEN 'health' THEN 65 WHEN 'police' THEN 60 WHEN 'education' THEN 55
                              WHEN 'voluntary' THEN 30 WHEN 'early_years' THEN 25 WHEN 'youth_justice' THEN 20
                              WHEN 'probation' THEN 15 ELSE 10 END;
        """
    )
    # Themes each case was judged on: skewed, the voice of the child nearly always, later themes less often.
    _execute(
        "CREATE TEMP TABLE bench_case_theme AS SELECT c.id AS case_id, t.id AS theme_id FROM audits_case c "
        "CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM audits_theme "
        "WHERE partnership_id IS NULL) t WHERE " + h("c.id", "t.id") + " < greatest(8, 95 - t.rank * 6)"
    )
    _execute(
        """
        INSERT INTO audits_finding (case_id, agency_id, theme_id, self_grade, grade, change_reason, kind, narrative,
                                    recorded_by_id, agreed_at, created_at, updated_at)
        SELECT j.case_id, j.agency_id, j.theme_id,
               CASE WHEN j.agency_id IS NULL THEN NULL
                    WHEN j.r2 < 70 THEN j.grade
                    ELSE greatest(1, least(4, j.grade + CASE WHEN j.r2 < 85 THEN -1 ELSE 1 END))
               END,
               j.grade,
               CASE WHEN j.agency_id IS NOT NULL AND j.r2 >= 70
                    THEN 'The panel moved the self-grade after reading the other agencies'' records.' ELSE '' END,
               CASE WHEN j.grade <= 2 THEN 'strength' ELSE 'area_for_improvement' END,
               array_to_string((SELECT array_agg((%(sentences)s::text[])
                                                  [1 + mod(j.case_id * 31 + j.theme_id * 7 + i * 13, 30)])
                                FROM generate_series(1, 2 + mod(j.case_id + j.theme_id, 7)) AS i), ' '),
               au.auditor_id,
               CASE WHEN au.status <> 'agency_returns' THEN now() - interval '30 days' END,
               now(), now()
        FROM (
            SELECT ct.case_id, ca.agency_id, ct.theme_id,
                   (ARRAY[1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4])[1 + mod(abs(hashtext(ct.case_id || ':' || ct.theme_id
                        || ':' || coalesce(ca.agency_id, 0))), 12)] AS grade,
                   mod(abs(hashtext(ct.theme_id || '/' || ct.case_id || '/' || coalesce(ca.agency_id, 0))), 100) AS r2
            FROM bench_case_theme ct
            JOIN audits_case_agencies ca ON ca.case_id = ct.case_id
            UNION ALL
            SELECT ct.case_id, NULL, ct.theme_id,
                   (ARRAY[1, 2, 2, 2, 3, 3, 3, 4])[1 + mod(abs(hashtext(ct.case_id || ':m:' || ct.theme_id)), 8)], 0
            FROM bench_case_theme ct WHERE """
        + h("ct.case_id", "ct.theme_id")
        + """ < 30
        ) AS j
        JOIN audits_case c ON c.id = j.case_id JOIN audits_audit au ON au.id = c.audit_id
        """,
        {"sentences": SENTENCES},
    )
    _execute(
        """
        INSERT INTO audits_agencyreturn (case_id, agency_id, status, good_practice, areas_for_development,
                                         recommendations, submitted_at, submitted_by_id, updated_at)
        SELECT ca.case_id, ca.agency_id, 'submitted', %(good)s, %(develop)s, %(recommend)s,
               now() - interval '40 days', NULL, now()
        FROM audits_case_agencies ca;
        INSERT INTO audits_returngrade (agency_return_id, theme_id, grade)
        SELECT r.id, f.theme_id, f.self_grade FROM audits_finding f
        JOIN audits_agencyreturn r ON r.case_id = f.case_id AND r.agency_id = f.agency_id
        WHERE f.self_grade IS NOT NULL;
        INSERT INTO audits_childfamilyview (case_id, speaker, summary, recorded_by_id, recorded_at, updated_at)
        SELECT c.id, s.speaker, s.summary, NULL, now(), now() FROM audits_case c
        CROSS JOIN (VALUES ('child', 'Said they liked their teacher and wanted to stay at their school.', 60),
                           ('parent', 'Said the help had come too late but the family worker listened.', 70),
                           ('wider_family', 'Grandmother said she could look after the children at weekends.', 20))
             AS s(speaker, summary, chance)
        WHERE """
        + h("c.id", "s.speaker")
        + """ < s.chance;
        """,
        {
            "good": SENTENCES[1] + " " + SENTENCES[5],
            "develop": SENTENCES[9] + " " + SENTENCES[13],
            "recommend": "Refresh training on chronologies; audit again in six months.",
        },
    )
    _execute(
        """
        INSERT INTO audits_action (audit_id, case_id, finding_id, owner_agency_id, description, raised_on, due_date,
                                   status, created_by_id, completed_at, verified_at, verified_by_id, updated_at)
        SELECT au.id, NULL, NULL, aa.agency_id,
               'Improve ' || (ARRAY['chronologies', 'recording of the child''s voice', 'supervision',
                                    'threshold decisions', 'information sharing'])[1 + mod(aa.agency_id + au.id, 5)]
               || ' across the service.',
               coalesce(au.panel_date, DATE '2020-01-01'),
               coalesce(au.panel_date, DATE '2020-01-01') + 90 + mod(aa.agency_id, 60)::int,
               st.status, au.auditor_id,
               CASE WHEN st.status IN ('completed', 'verified') THEN au.panel_date + 80 END,
               CASE WHEN st.status = 'verified' THEN au.panel_date + 100 END,
               CASE WHEN st.status = 'verified' THEN au.auditor_id END,
               now()
        FROM audits_audit au JOIN audits_audit_agencies aa ON aa.audit_id = au.id
        CROSS JOIN LATERAL (SELECT CASE WHEN au.status = 'closed' THEN
                (ARRAY['verified', 'verified', 'completed', 'in_progress', 'open'])[1 + mod(au.id + aa.agency_id, 5)]
                ELSE 'open' END AS status) st
        WHERE """
        + h("au.id", "aa.agency_id")
        + """ < 70 AND au.status <> 'agency_returns';
        INSERT INTO audits_actionupdate (action_id, author_id, created_at, note, evidence, evidence_name,
                                         evidence_size, status_from, status_to)
        SELECT a.id, a.created_by_id, now() - (n || ' days')::interval, (%(notes)s::text[])[1 + mod(a.id + n, 5)],
               '', '', NULL, '', ''
        FROM audits_action a CROSS JOIN LATERAL generate_series(1, 1 + mod(a.id, 4)) AS n
        WHERE a.created_by_id IS NOT NULL;
        INSERT INTO audits_safeguardingconcern (case_id, agency_id, description, status, raised_by_id, raised_at,
                                                acknowledged_at, acknowledged_by_id, escalated_at, outcome, closed_at,
                                                updated_at)
        SELECT c.id, ca.agency_id, 'Invented concern: the child may be at risk at home tonight; act today.',
               CASE WHEN mod(c.id, 7) = 0 THEN 'raised' WHEN mod(c.id, 3) = 0 THEN 'closed' ELSE 'acknowledged' END,
               au.auditor_id,
               TIMESTAMPTZ '2025-03-03 10:00+00' + (mod(c.id, 400) || ' days')::interval,
               CASE WHEN mod(c.id, 7) <> 0 THEN TIMESTAMPTZ '2025-03-03 10:00+00'
                    + (mod(c.id, 400) || ' days')::interval + ((2 + mod(c.id, 40)) || ' hours')::interval END,
               NULL, NULL,
               CASE WHEN mod(c.id, 7) <> 0 AND mod(c.id, 3) = 0 THEN 'Strategy discussion held; child safe.'
                    ELSE '' END,
               CASE WHEN mod(c.id, 7) <> 0 AND mod(c.id, 3) = 0 THEN TIMESTAMPTZ '2025-06-01 10:00+00' END,
               now()
        FROM audits_case c JOIN audits_audit au ON au.id = c.audit_id
        JOIN audits_case_agencies ca ON ca.case_id = c.id
        JOIN agencies_agency ag ON ag.id = ca.agency_id AND ag.sector = 'local_authority'
        WHERE """
        + h("c.id", "'concern'")
        + """ < 12 AND au.auditor_id IS NOT NULL;
        ANALYZE;
        """,
        {"notes": NOTES},
    )
    measured = partnership_ids[0]
    data = _people_and_summary(measured)
    for label, sql in COUNTS.items():
        data.counts[label] = int(_scalar(sql))
    data.partnerships = count
    data.findings = data.counts["findings"]
    _settle()
    return data


def _settle() -> None:
    """VACUUM and ANALYZE everything, as a live database's autovacuum long since has: otherwise autovacuum would do
    it for the freshly written tables during the timings, and index-only scans would still visit the heap."""
    from django.db import connection

    with connection.cursor() as cursor:  # VACUUM cannot run in a transaction (the tests' tiny bench runs in one)
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


COUNTS = {
    "partnerships": "SELECT count(*) FROM agencies_partnership",
    "agencies": "SELECT count(*) FROM agencies_agency",
    "audits": "SELECT count(*) FROM audits_audit",
    "cases": "SELECT count(*) FROM audits_case",
    "case agencies": "SELECT count(*) FROM audits_case_agencies",
    "findings": "SELECT count(*) FROM audits_finding",
    "returns": "SELECT count(*) FROM audits_agencyreturn",
    "views": "SELECT count(*) FROM audits_childfamilyview",
    "actions": "SELECT count(*) FROM audits_action",
    "action updates": "SELECT count(*) FROM audits_actionupdate",
    "concerns": "SELECT count(*) FROM audits_safeguardingconcern",
    "mean narrative length": "SELECT round(avg(length(narrative))) FROM audits_finding",
}


def _rows(sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return [row[0] for row in cursor.fetchall()]


def _people_and_summary(partnership_id: int) -> BenchData:
    """The measured (largest) partnership's four people with tokens, and its compiled learning summary."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from agencies.models import Agency, Membership, Role
    from audits.choices import SummaryStatus
    from audits.models import Audit, Finding, LearningSummary, Theme
    from audits.summaries.compile import compile_content

    user_model = get_user_model()
    police = Agency.objects.filter(partnerships=partnership_id, sector="police").get()
    people = {
        "business_unit": (Role.BUSINESS_UNIT, None),
        "auditor": (Role.AUDITOR, None),
        "agency_lead": (Role.AGENCY_LEAD, police),
        "board_member": (Role.BOARD_MEMBER, None),
    }
    data = BenchData(
        findings=0, partnerships=0, partnership_id=partnership_id, summary_id=0, theme_id=0, finding_id=0, case_id=0
    )
    for name, (role, agency) in people.items():
        user = user_model.objects.create(username=f"bench-{name}", first_name="Bench", last_name=name)
        Membership.objects.create(user=user, partnership_id=partnership_id, role=role, agency=agency)
        data.tokens[name] = Token.objects.create(user=user).key
        data.users[name] = user.pk
    # The auditor runs every audit of the measured partnership.
    Audit.objects.filter(partnership_id=partnership_id).update(auditor_id=data.users["auditor"])
    themes = list(Theme.objects.filter(partnership=None).order_by("name"))
    summary = LearningSummary.objects.create(
        partnership_id=partnership_id, title="Learning from every audit", created_by_id=data.users["business_unit"]
    )
    summary.themes.set(themes)
    summary.audits.set(Audit.objects.filter(partnership_id=partnership_id))
    content = compile_content(summary)
    LearningSummary.objects.filter(pk=summary.pk).update(
        content=content, status=SummaryStatus.COMPILED, compiled_at=datetime.datetime.now(datetime.UTC)
    )
    data.summary_id = summary.pk
    data.theme_id = next(t.pk for t in themes if t.slug == "voice-of-the-child")
    finding = Finding.objects.filter(case__audit__partnership_id=partnership_id, agency=police).order_by("pk")[0]
    data.finding_id, data.case_id = finding.pk, finding.case_id
    return data
