"""The baselines: hand-written SQL (and plain JSON) giving exactly what the service gives.

Each function takes a DB-API cursor (psycopg's, or Django's wrapping it) on the same database as the service, and
returns the same thing the service returns for the same request: the findings list's response body (its capped
``count`` and page links included), a finding's detail body and ETag, and a compiled summary's content. They read
nothing through Django's ORM, and do the same writes the service does (one access-log INSERT per read of case
records), so the only difference left to measure is the framework. tests/bench/test_same_output.py checks they agree.

The Python here only arranges rows that SQL has grouped, as the compile does (it reuses the compile's small pure
helpers, such as the wording of the evidence statement, so the two cannot drift apart in wording).
"""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib import parse

COUNT_EXACT_UP_TO = 10_000  # macfa.api.COUNT_EXACT_UP_TO, repeated so the WSGI baseline needs no Django
LONDON = zoneinfo.ZoneInfo("Europe/London")  # settings.TIME_ZONE: DRF writes date-times in it
TOKEN_LIFETIME = datetime.timedelta(days=30)  # settings.API_TOKEN_LIFETIME_DAYS' default

FINDING_COLUMNS = (
    "f.id, f.case_id, f.agency_id, f.theme_id, f.self_grade, f.grade, f.change_reason, f.kind, f.narrative, "
    "f.agreed_at, f.recorded_by_id, f.created_at, f.updated_at"
)


@dataclass
class Actor:
    user_id: int
    superuser: bool
    business_unit: list[int]
    auditor: list[int]
    board: list[int]
    leads: list[tuple[int, int]]

    @property
    def partnerships(self) -> list[int]:
        return sorted({*self.business_unit, *self.auditor, *self.board, *(p for p, _ in self.leads)})


def authenticate(cursor: Any, header: str) -> Actor | None:
    """Token authentication and the actor's memberships, in one query (None: answer 401)."""
    kind, _, key = header.partition(" ")
    if kind != "Token" or not key:
        return None
    cursor.execute(
        """
        SELECT t.user_id, t.created, u.is_active, u.is_superuser,
               array_agg(m.partnership_id) FILTER (WHERE m.id IS NOT NULL),
               array_agg(m.role) FILTER (WHERE m.id IS NOT NULL),
               array_agg(m.agency_id) FILTER (WHERE m.id IS NOT NULL)
        FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id
        LEFT JOIN agencies_membership m ON m.user_id = t.user_id
        WHERE t.key = %(key)s GROUP BY t.user_id, t.created, u.is_active, u.is_superuser
        """,
        {"key": key},
    )
    row = cursor.fetchone()
    if row is None or not row[2] or row[1] <= datetime.datetime.now(datetime.UTC) - TOKEN_LIFETIME:
        return None
    roles: dict[str, list[int]] = defaultdict(list)
    leads = []
    for partnership, role, agency in zip(row[4] or [], row[5] or [], row[6] or [], strict=True):
        roles[role].append(partnership)
        if role == "agency_lead":
            leads.append((partnership, agency))
    return Actor(row[0], row[3], roles["business_unit"], roles["auditor"], roles["board_member"], leads)


def finding_scope(actor: Actor, params: dict[str, Any]) -> str:
    """The WHERE clause of the findings an actor may read (audits.selectors.findings_for), written out by hand."""
    if actor.superuser:
        return "TRUE"
    branches = []
    if actor.business_unit:
        branches.append("a.partnership_id = ANY(%(bu)s)")
        params["bu"] = actor.business_unit
    if actor.auditor:
        branches.append("(a.auditor_id = %(user)s AND a.partnership_id = ANY(%(aud)s))")
        params["aud"], params["user"] = actor.auditor, actor.user_id
    for n, (partnership, agency) in enumerate(actor.leads):
        branches.append(f"(a.partnership_id = %(lp{n})s AND f.agency_id = %(la{n})s)")
        params[f"lp{n}"], params[f"la{n}"] = partnership, agency
    return "(" + " OR ".join(branches) + ")" if branches else "FALSE"


def when(value: datetime.datetime | None) -> str | None:
    """A date-time as DRF writes it: ISO 8601 in the service's time zone, Z for UTC."""
    if value is None:
        return None
    text = value.astimezone(LONDON).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def finding_body(row: tuple[Any, ...]) -> dict[str, Any]:
    fid, case, agency, theme, self_grade, grade, reason, kind, narrative, agreed_at, by, created, updated = row
    return {
        "id": fid,
        "case": case,
        "agency": agency,
        "theme": theme,
        "self_grade": self_grade,
        "grade": grade,
        "change_reason": reason,
        "kind": kind,
        "narrative": narrative,
        "agreed": agreed_at is not None,
        "agreed_at": when(agreed_at),
        "recorded_by": by,
        "created_at": when(created),
        "updated_at": when(updated),
    }


def record_access(cursor: Any, actor: Actor, case_ids: list[int], what: str) -> None:
    """The access log's rows, as the service writes them: each case once, in order, in one INSERT."""
    cases = list(dict.fromkeys(case_ids))
    if cases:
        cursor.execute(
            "INSERT INTO audits_caseaccess (user_id, case_id, what, door, at) "
            "SELECT %(user)s, c, %(what)s, 'api', now() FROM unnest(%(cases)s::bigint[]) AS c",
            {"user": actor.user_id, "cases": cases, "what": what},
        )


def _page_link(url: str, page: int | None) -> str:
    """DRF's replace_query_param / remove_query_param for the `page` parameter."""
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    query_dict = parse.parse_qs(query, keep_blank_values=True)
    if page is None:
        query_dict.pop("page", None)
    else:
        query_dict["page"] = [str(page)]
    return parse.urlunsplit((scheme, netloc, path, parse.urlencode(sorted(query_dict.items()), doseq=True), fragment))


def finding_list(cursor: Any, actor: Actor, *, query: dict[str, list[str]], url: str) -> tuple[int, dict[str, Any]]:
    """GET /api/v1/findings/?theme=&grade=&page_size=&page=: (status, body). Only the filters the bench uses."""
    params: dict[str, Any] = {}
    where = [finding_scope(actor, params)]
    if "theme" in query:
        params["theme"] = int(query["theme"][0])
        cursor.execute(
            "SELECT 1 FROM audits_theme WHERE id = %(theme)s "
            "AND (partnership_id IS NULL OR partnership_id = ANY(%(ps)s))",
            {"theme": params["theme"], "ps": actor.partnerships},
        )
        if cursor.fetchone() is None and not actor.superuser:
            return 400, {"errors": {"theme": ["Select a valid choice."]}}
        where.append("f.theme_id = %(theme)s")
    if "grade" in query:
        params["grades"] = [int(g) for g in query["grade"]]
        where.append("f.grade = ANY(%(grades)s)")
    size = min(int(query.get("page_size", ["25"])[0]), 100)
    page = int(query.get("page", ["1"])[0])
    joins = "audits_finding f JOIN audits_case c ON c.id = f.case_id JOIN audits_audit a ON a.id = c.audit_id"
    condition = " AND ".join(where)
    cursor.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {joins} WHERE {condition} LIMIT {COUNT_EXACT_UP_TO + 1}) AS s",
        params,
    )
    bounded = cursor.fetchone()[0]
    exact = bounded <= COUNT_EXACT_UP_TO
    pages = max(1, -(-bounded // size)) if exact else None
    if page < 1 or (pages is not None and page > pages):
        return 404, {"message": "Invalid page."}
    cursor.execute(
        f"SELECT {FINDING_COLUMNS} FROM {joins} WHERE {condition} "
        "ORDER BY f.case_id, f.theme_id, f.agency_id, f.id LIMIT %(limit)s OFFSET %(offset)s",
        {**params, "limit": size if exact else size + 1, "offset": (page - 1) * size},
    )
    rows = cursor.fetchall()
    if not exact and not rows:
        return 404, {"message": "Invalid page."}
    has_next = page < pages if pages is not None else len(rows) > size
    rows = rows[:size]
    record_access(cursor, actor, [row[1] for row in rows], "findings")
    return 200, {
        "count": min(bounded, COUNT_EXACT_UP_TO),
        "count_exact": exact,
        "next": _page_link(url, page + 1) if has_next else None,
        "previous": (_page_link(url, page - 1 if page > 2 else None)) if page > 1 else None,
        "results": [finding_body(row) for row in rows],
    }


def finding_detail(cursor: Any, actor: Actor, finding_id: int) -> tuple[int, dict[str, Any], str | None]:
    """GET /api/v1/findings/{id}/: (status, body, ETag)."""
    params: dict[str, Any] = {"id": finding_id}
    scope = finding_scope(actor, params)
    cursor.execute(
        f"SELECT {FINDING_COLUMNS} FROM audits_finding f JOIN audits_case c ON c.id = f.case_id "
        f"JOIN audits_audit a ON a.id = c.audit_id WHERE {scope} AND f.id = %(id)s",
        params,
    )
    row = cursor.fetchone()
    if row is None:
        return 404, {"message": "Not found."}, None
    record_access(cursor, actor, [row[1]], "findings")
    stamp = row[12].astimezone(datetime.UTC).isoformat()
    etag = '"' + hashlib.sha256(f"audits.Finding:{row[0]}:{stamp}".encode()).hexdigest()[:32] + '"'
    return 200, finding_body(row), etag


# --- the compile -----------------------------------------------------------------------------------------------

AGREED = (
    "f.agreed_at IS NOT NULL AND f.grade IS NOT NULL AND c.audit_id = ANY(%(audits)s) AND f.theme_id = ANY(%(themes)s)"
)


def compile_figures(cursor: Any, summary_id: int, today: datetime.date) -> dict[str, Any]:
    """A learning summary's content, as audits.summaries.compile.compile_content gives it, from ten queries."""
    from agencies.models import Sector
    from audits.calendar import acknowledgement_deadline
    from audits.choices import AgeBand, FindingKind, LevelOfNeed, PlanType
    from audits.summaries import compile as c
    from audits.summaries.assurance import propose_assurance

    cursor.execute(
        """
        SELECT s.period_start, s.period_end, s.partnership_id,
               ARRAY(SELECT audit_id FROM audits_learningsummary_audits WHERE learningsummary_id = s.id),
               ARRAY(SELECT theme_id FROM audits_learningsummary_themes WHERE learningsummary_id = s.id)
        FROM audits_learningsummary s WHERE s.id = %(id)s
        """,
        {"id": summary_id},
    )
    start, end, partnership, chosen, theme_ids = cursor.fetchone()
    cursor.execute(
        """
        SELECT id, reference, title, start_date FROM audits_audit
        WHERE CASE WHEN cardinality(%(chosen)s::bigint[]) > 0 THEN id = ANY(%(chosen)s)
                   ELSE partnership_id = %(p)s AND start_date >= %(start)s AND start_date <= %(end)s END
        ORDER BY start_date, reference
        """,
        {"chosen": chosen, "p": partnership, "start": start, "end": end},
    )
    scope_audits = cursor.fetchall()
    audit_ids = sorted(row[0] for row in scope_audits)
    cursor.execute(
        "SELECT id, slug, name FROM audits_theme WHERE id = ANY(%(ids)s) ORDER BY name", {"ids": list(theme_ids)}
    )
    themes = [SimpleNamespace(pk=pk, slug=slug, name=name) for pk, slug, name in cursor.fetchall()]
    ids = {"audits": audit_ids, "themes": [t.pk for t in themes]}
    by_theme = {t.pk: c._blank_theme(t) for t in themes}
    sector_labels = dict(Sector.choices)
    labels = {
        "age_band": dict(AgeBand.choices),
        "level_of_need": dict(LevelOfNeed.choices),
        "plan_type": dict(PlanType.choices),
    }
    tables: dict[tuple[int, str], dict[str, dict[str, int]]] = defaultdict(dict)

    # One scan for every grade, kind, agency, sector, self-grade and circumstance figure.
    cursor.execute(
        f"""
        SELECT f.theme_id, ag.name, ag.sector, f.grade, f.kind, f.self_grade, c.age_band, c.level_of_need,
               c.plan_type, GROUPING(c.age_band), GROUPING(c.level_of_need), GROUPING(c.plan_type), count(*)
        FROM audits_finding f JOIN audits_case c ON c.id = f.case_id LEFT JOIN agencies_agency ag ON ag.id = f.agency_id
        WHERE {AGREED}
        GROUP BY GROUPING SETS ((f.theme_id, ag.name, ag.sector, f.grade, f.kind, f.self_grade),
                                (f.theme_id, c.age_band, f.grade), (f.theme_id, c.level_of_need, f.grade),
                                (f.theme_id, c.plan_type, f.grade))
        """,
        ids,
    )
    for (
        theme_id,
        agency,
        sector_code,
        grade_value,
        kind,
        self_grade,
        age,
        need,
        plan,
        g_age,
        g_need,
        g_plan,
        n,
    ) in cursor.fetchall():
        entry, grade = by_theme[theme_id], c.GRADE_KEYS[grade_value]
        for field, value, grouped_out in (
            ("age_band", age, g_age),
            ("level_of_need", need, g_need),
            ("plan_type", plan, g_plan),
        ):
            if not grouped_out:
                label = str(labels[field][value])
                tables[(theme_id, field)].setdefault(label, c._zero_grades())[grade] += n
        if not (g_age and g_need and g_plan):
            continue
        entry["grades"][grade] += n
        entry["kinds"][kind] += n
        agency_name = agency or "Multi-agency response"
        sector = sector_labels.get(sector_code, "Multi-agency")
        for bucket, key, extra in (
            (entry["by_agency"], agency_name, {"sector": sector}),
            (entry["by_sector"], sector, {}),
        ):
            item = bucket.setdefault(key, {**extra, "grades": c._zero_grades(), "kinds": c._zero_kinds()})
            item["grades"][grade] += n
            item["kinds"][kind] += n
        if self_grade is not None:
            moved = entry["self_vs_panel"]
            moved["with_self_grade"] += n
            key = (
                "panel_agreed"
                if grade_value == self_grade
                else ("panel_raised" if grade_value < self_grade else "panel_lowered")
            )
            moved[key] += n
    for theme_id, entry in by_theme.items():
        entry["by_agency"] = [{"agency": name, **entry["by_agency"][name]} for name in sorted(entry["by_agency"])]
        entry["by_sector"] = [{"sector": name, **entry["by_sector"][name]} for name in sorted(entry["by_sector"])]
        for field, field_labels in labels.items():
            table = tables[(theme_id, field)]
            entry[f"by_{field}"] = {label: table[label] for label in map(str, field_labels.values()) if label in table}

    cursor.execute(
        f"""
        SELECT theme_id, count(*), count(*) FILTER (WHERE strong > 0) FROM (
            SELECT f.theme_id, f.case_id, count(*) FILTER (WHERE f.kind = 'strength') AS strong
            FROM audits_finding f JOIN audits_case c ON c.id = f.case_id WHERE {AGREED} GROUP BY f.theme_id, f.case_id
        ) AS per_case GROUP BY theme_id
        """,
        ids,
    )
    counted = {theme: (cases, strong) for theme, cases, strong in cursor.fetchall()}
    for theme_id, entry in by_theme.items():
        of_cases, evident_in = counted.get(theme_id, (0, 0))
        subject = (
            "The child's voice"
            if entry["slug"] == "voice-of-the-child"
            else f"Good practice on {c._in_sentence(entry['name'])}"
        )
        entry["evidence"] = {
            "evident_in": evident_in,
            "of_cases": of_cases,
            "statement": f"{subject} was evident in {evident_in} of the {of_cases} cases.",
        }

    # Quotes: per theme and kind, the top rows in index order (LATERAL), best strengths and worst areas first.
    limit = c.QUOTES_PER_KIND * 10
    lateral = """
        SELECT t.id, %(kind_{n})s, q.grade, q.id, q.narrative FROM unnest(%(themes)s::bigint[]) AS t(id)
        CROSS JOIN LATERAL (
            SELECT f.grade, f.id, f.narrative FROM audits_finding f JOIN audits_case c ON c.id = f.case_id
            WHERE f.theme_id = t.id AND f.kind = %(kind_{n})s AND f.narrative <> ''
              AND f.agreed_at IS NOT NULL AND f.grade IS NOT NULL AND c.audit_id = ANY(%(audits)s)
            ORDER BY f.grade {d}, f.id {d} LIMIT {limit}) AS q
    """
    cursor.execute(
        lateral.format(n=0, d="ASC", limit=limit) + " UNION ALL " + lateral.format(n=1, d="DESC", limit=limit),
        {**ids, "kind_0": FindingKind.STRENGTH.value, "kind_1": FindingKind.AREA_FOR_IMPROVEMENT.value},
    )
    found: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    for theme_id, kind, grade_value, pk, narrative in cursor.fetchall():
        found[(theme_id, kind)].append((grade_value, pk, narrative))
    for theme_id, entry in by_theme.items():
        entry["quotes"] = {}
        for kind in FindingKind.values:
            rows = sorted(found[(theme_id, kind)], key=lambda r: (r[0], r[1]) if kind == "strength" else (-r[0], -r[1]))
            entry["quotes"][kind] = list(dict.fromkeys(r[2] for r in rows))[: c.QUOTES_PER_KIND]

    trends = _trends(cursor, ids, c)
    for theme_id, entry in by_theme.items():
        entry["trend"] = trends.get(theme_id, [])

    cursor.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM audits_childfamilyview v
                                              WHERE v.case_id = c.id AND v.speaker = 'child')),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM audits_childfamilyview v
                                              WHERE v.case_id = c.id AND v.speaker IN ('parent', 'wider_family')))
        FROM audits_case c WHERE c.audit_id = ANY(%(audits)s)
        """,
        ids,
    )
    of_cases, child_heard, family_heard = cursor.fetchone()

    cursor.execute(
        """
        SELECT ag.name, count(*), count(*) FILTER (WHERE a.status IN ('completed', 'verified')),
               count(*) FILTER (WHERE a.status = 'verified'),
               count(*) FILTER (WHERE a.status IN ('open', 'in_progress', 'reopened') AND a.due_date < %(today)s)
        FROM audits_action a JOIN agencies_agency ag ON ag.id = a.owner_agency_id
        WHERE a.audit_id = ANY(%(audits)s) GROUP BY ag.name ORDER BY ag.name
        """,
        {**ids, "today": today},
    )
    action_rows = [
        {"agency": a, "raised": r, "completed": done, "verified": v, "overdue": o}
        for a, r, done, v, o in cursor.fetchall()
    ]
    totals = {key: sum(row[key] for row in action_rows) for key in ("raised", "completed", "verified", "overdue")}

    cursor.execute(
        """
        SELECT r.raised_at, r.acknowledged_at FROM audits_safeguardingconcern r JOIN audits_case c ON c.id = r.case_id
        WHERE c.audit_id = ANY(%(audits)s) ORDER BY r.id
        """,
        ids,
    )
    concern_rows = cursor.fetchall()
    acknowledged = [(raised, ack) for raised, ack in concern_rows if ack is not None]
    hours = sorted(round((ack - raised).total_seconds() / 3600, 1) for raised, ack in acknowledged)

    grades = [entry["grades"] for entry in by_theme.values()]
    figures = {
        "total": sum(sum(g.values()) for g in grades),
        "good_or_better": sum(g["outstanding"] + g["good"] for g in grades),
        "inadequate": sum(g["inadequate"] for g in grades),
    }
    return {
        "version": c.CONTENT_VERSION,
        "scope": {
            "audits": [{"id": pk, "reference": ref, "title": title} for pk, ref, title, _ in scope_audits],
            "period": [start.isoformat(), end.isoformat()] if start and end else None,
            "themes": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in themes],
            "cases": of_cases,
            "agreed_findings": figures["total"],
        },
        "themes": [by_theme[t.pk] for t in themes],
        "views": {"of_cases": of_cases, "child_heard": child_heard, "family_heard": family_heard},
        "actions": {"by_agency": action_rows, "totals": totals},
        "benchmark_actions": _benchmark_actions(cursor, ids, c),
        "concerns": {
            "raised": len(concern_rows),
            "acknowledged": len(acknowledged),
            "acknowledged_within_one_working_day": sum(ack <= acknowledgement_deadline(r) for r, ack in acknowledged),
            "awaiting_acknowledgement": len(concern_rows) - len(acknowledged),
            "median_hours_to_acknowledge": hours[len(hours) // 2] if hours else None,
            "longest_hours_to_acknowledge": hours[-1] if hours else None,
        },
        "assurance": {
            "level": propose_assurance(
                good_or_better=figures["good_or_better"], inadequate=figures["inadequate"], total=figures["total"]
            ),
            **figures,
        },
    }


def _trends(cursor: Any, ids: dict[str, Any], c: Any) -> dict[int, list[dict[str, Any]]]:
    """Benchmark pairs and each involved audit's share of good-or-better findings per theme, in one query."""
    cursor.execute(
        """
        WITH pairs AS (SELECT from_audit_id AS now_id, to_audit_id AS then_id FROM audits_audit_benchmark_audits
                       WHERE from_audit_id = ANY(%(audits)s)),
             involved AS (SELECT now_id AS id FROM pairs UNION SELECT then_id FROM pairs)
        SELECT 'pair', p.now_id, p.then_id, an.reference, at.reference, 0, 0
        FROM pairs p JOIN audits_audit an ON an.id = p.now_id JOIN audits_audit at ON at.id = p.then_id
        UNION ALL
        SELECT 'share', c.audit_id, f.theme_id, '', '', count(*), count(*) FILTER (WHERE f.grade IN (1, 2))
        FROM audits_finding f JOIN audits_case c ON c.id = f.case_id
        WHERE c.audit_id IN (SELECT id FROM involved) AND f.theme_id = ANY(%(themes)s)
          AND f.agreed_at IS NOT NULL AND f.grade IS NOT NULL
        GROUP BY c.audit_id, f.theme_id
        """,
        ids,
    )
    pairs, references, shares = [], {}, {}
    for what, a, b, ref_a, ref_b, total, good in cursor.fetchall():
        if what == "pair":
            pairs.append((a, b))
            references[a], references[b] = ref_a, ref_b
        else:
            shares[(a, b)] = {"total": total, "good": good}
    trends: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for current in sorted({a for a, _ in pairs}, key=lambda pk: references[pk]):
        for theme_id in ids["themes"]:
            now = shares.get((current, theme_id))
            if now is None:
                continue
            now_share = c._share(now["good"], now["total"])
            compared = []
            for earlier in sorted((b for a, b in pairs if a == current), key=lambda pk: references[pk]):
                then = shares.get((earlier, theme_id))
                if then is None:
                    continue
                then_share = c._share(then["good"], then["total"])
                change = round(now_share - then_share, 1)
                direction = "same" if abs(change) < c.TREND_TOLERANCE else ("better" if change > 0 else "worse")
                compared.append(
                    {
                        "audit": references[earlier],
                        "good_or_better": then["good"],
                        "findings": then["total"],
                        "good_share": then_share,
                        "change": change,
                        "direction": direction,
                    }
                )
            if compared:
                trends[theme_id].append(
                    {
                        "audit": references[current],
                        "good_or_better": now["good"],
                        "findings": now["total"],
                        "good_share": now_share,
                        "benchmarks": compared,
                    }
                )
    return trends


def _benchmark_actions(cursor: Any, ids: dict[str, Any], c: Any) -> list[dict[str, Any]]:
    """Per re-audit and earlier audit: actions raised, verified before the re-audit began, and the first listed."""
    cursor.execute(
        """
        WITH pairs AS (
            SELECT cur.id AS cur_id, cur.reference AS cur_ref, cur.start_date, e.id AS e_id, e.reference AS e_ref
            FROM audits_audit cur JOIN audits_audit_benchmark_audits b ON b.from_audit_id = cur.id
            JOIN audits_audit e ON e.id = b.to_audit_id WHERE cur.id = ANY(%(audits)s)
        ), verified AS (
            SELECT p.cur_id, p.e_id, a.description, ag.name AS agency,
                   row_number() OVER (PARTITION BY p.cur_id, p.e_id ORDER BY a.due_date, a.id) AS n
            FROM pairs p JOIN audits_action a ON a.audit_id = p.e_id AND a.status = 'verified'
            JOIN agencies_agency ag ON ag.id = a.owner_agency_id
            WHERE p.start_date IS NULL OR (a.verified_at AT TIME ZONE 'Europe/London')::date < p.start_date
        )
        SELECT p.cur_ref, p.e_ref,
               (SELECT count(*) FROM audits_action a WHERE a.audit_id = p.e_id),
               (SELECT count(*) FROM verified v WHERE v.cur_id = p.cur_id AND v.e_id = p.e_id),
               (SELECT coalesce(json_agg(json_build_object('description', v.description, 'agency', v.agency)
                                         ORDER BY v.n), '[]')
                FROM verified v WHERE v.cur_id = p.cur_id AND v.e_id = p.e_id AND v.n <= %(listed)s)
        FROM pairs p ORDER BY p.cur_ref, p.e_ref
        """,
        {**ids, "listed": c.BENCHMARK_ACTIONS_LISTED},
    )
    return [
        {"audit": e_ref, "reaudit": cur_ref, "raised": raised, "verified_before_reaudit": before, "verified": listed}
        for cur_ref, e_ref, raised, before, listed in cursor.fetchall()
    ]
