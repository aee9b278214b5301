"""Benchmarks for the bars in DESIGN.md §7, on a real PostgreSQL (run with `make bench`).

1. Compiling a learning summary over N agreed findings, against one hand-written SQL aggregate over the same rows.
2. A filtered findings list page through the API, against a hand-written SQL query for the same page plus JSON
   encoding.

Data is generated in the database with generate_series (invented, no text from anyone). Results are printed as a
Markdown table to paste into docs/benchmarks.md. `BENCH_FINDINGS` sets N (default 1,000,000).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FINDINGS = int(os.environ.get("BENCH_FINDINGS", "1000000"))
AGENCIES, THEMES = 4, 10
CASES = FINDINGS // (AGENCIES * THEMES)
AUDITS = 50
RUNS = 3


def prepare_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS macfa_bench")
        conn.execute("CREATE DATABASE macfa_bench")
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/macfa_bench"


def timed(fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generate() -> dict[str, Any]:
    from django.db import connection

    from agencies.models import Agency, Membership, Partnership, Role
    from audits.models import Audit, LearningSummary, Theme
    from tests.agencies.factories import UserFactory

    partnership = Partnership.objects.create(name="Benchshire Partnership", slug="benchshire")
    agencies = [Agency.objects.create(name=f"Bench agency {i}", sector="health") for i in range(AGENCIES)]
    for agency in agencies:
        agency.partnerships.add(partnership)
    themes = list(Theme.objects.filter(partnership=None).order_by("slug")[:THEMES])
    user = UserFactory(username="bench-business-unit")
    Membership.objects.create(user=user, partnership=partnership, role=Role.BUSINESS_UNIT)
    audits = [
        Audit.objects.create(partnership=partnership, reference=f"MACFA {i}", title="Bench", start_date="2019-01-01")
        for i in range(AUDITS)
    ]
    audit_ids = [a.pk for a in audits]
    agency_ids = [a.pk for a in agencies]
    theme_ids = [t.pk for t in themes]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audits_case (audit_id, reference, age_band, level_of_need, plan_type, created_at, updated_at)
            SELECT (%(audits)s)[1 + n %% %(naudits)s], 'B' || n,
                   (ARRAY['unborn','0-1','2-4','5-11','12-15','16-17'])[1 + n %% 6], 1 + n %% 4,
                   (ARRAY['none','early_help','child_in_need','child_protection','looked_after'])[1 + n %% 5],
                   now(), now()
            FROM generate_series(1, %(cases)s) AS n
            """,
            {"audits": audit_ids, "naudits": AUDITS, "cases": CASES},
        )
        cursor.execute(
            """
            INSERT INTO audits_finding (case_id, agency_id, theme_id, self_grade, grade, change_reason, kind,
                                        narrative, agreed_at, created_at, updated_at)
            SELECT c.id, a.agency, t.theme, g.grade, g.grade, '',
                   CASE WHEN g.grade <= 2 THEN 'strength' ELSE 'area_for_improvement' END,
                   'Practice note ' || (c.id %% 97), now(), now(), now()
            FROM audits_case c
            CROSS JOIN unnest(%(agencies)s::bigint[]) AS a(agency)
            CROSS JOIN unnest(%(themes)s::bigint[]) AS t(theme)
            CROSS JOIN LATERAL (SELECT 1 + ((c.id + a.agency * 7 + t.theme * 13) %% 4) AS grade) g
            """,
            {"agencies": agency_ids, "themes": theme_ids},
        )
        cursor.execute("ANALYZE")
    summary = LearningSummary.objects.create(partnership=partnership, title="Bench")
    summary.themes.set(themes)
    summary.audits.set(audits)
    return {"summary": summary, "user": user, "theme": themes[0], "audit_ids": audit_ids, "theme_ids": theme_ids}


HAND_AGGREGATE = """
    SELECT f.theme_id, f.agency_id, f.grade, f.kind, count(*)
    FROM audits_finding f JOIN audits_case c ON c.id = f.case_id
    WHERE c.audit_id = ANY(%(audits)s) AND f.theme_id = ANY(%(themes)s)
      AND f.agreed_at IS NOT NULL AND f.grade IS NOT NULL
    GROUP BY f.theme_id, f.agency_id, f.grade, f.kind
"""

HAND_PAGE = """
    SELECT f.id, f.case_id, f.agency_id, f.theme_id, f.self_grade, f.grade, f.change_reason, f.kind, f.narrative,
           f.agreed_at, f.recorded_by_id, f.created_at, f.updated_at
    FROM audits_finding f JOIN audits_case c ON c.id = f.case_id JOIN audits_audit a ON a.id = c.audit_id
    WHERE a.partnership_id = %(partnership)s AND f.theme_id = %(theme)s AND f.grade = 3
    ORDER BY f.case_id, f.theme_id, f.agency_id, f.id
    LIMIT 100
"""


def main() -> None:
    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macfa.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from audits.summaries.compile import compile_content

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    data = generate()
    print(f"Generated {FINDINGS:,} findings in {time.perf_counter() - start:.1f}s", file=sys.stderr)

    def hand_aggregate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(HAND_AGGREGATE, {"audits": data["audit_ids"], "themes": data["theme_ids"]})
            cursor.fetchall()

    compile_time = timed(lambda: compile_content(data["summary"]))
    aggregate_time = timed(hand_aggregate)

    client = APIClient()
    client.force_authenticate(data["user"])
    url = f"/api/v1/findings/?theme={data['theme'].pk}&grade=3&page_size=100"

    def api_page() -> None:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.content[:300]

    def hand_page() -> None:
        with connection.cursor() as cursor:
            cursor.execute(HAND_PAGE, {"partnership": data["summary"].partnership_id, "theme": data["theme"].pk})
            columns = [c.name for c in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        json.dumps(rows, default=str)

    api_time = timed(api_page)
    page_time = timed(hand_page)
    print("| measure | service | hand-written | ratio | bar |")
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| compile a summary over {FINDINGS:,} findings | {compile_time:.2f} s | {aggregate_time:.2f} s "
        f"| {compile_time / aggregate_time:.1f}× | 1.5× |"
    )
    print(
        f"| filtered findings list page (100 rows) at {FINDINGS:,} findings | {api_time * 1000:.0f} ms "
        f"| {page_time * 1000:.0f} ms | {api_time / page_time:.1f}× | 2× |"
    )


if __name__ == "__main__":
    main()
