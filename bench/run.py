"""Benchmarks for the bars in DESIGN.md §7, on a real PostgreSQL (``make bench``, ``make bench-quick``).

For each size in ``BENCH_SIZES`` (findings; default 1,000,000): a fresh database, invented national-size data
(bench/data.py), then

1. through gunicorn on 127.0.0.1 with token authentication, the service against a bare WSGI app running the
   hand-written SQL of bench/baseline.py under the same gunicorn, with the same answer (checked before timing):
   a filtered findings list page, the first page of the whole list, a finding's detail, and a lead's list;
2. in process, compiling a learning summary against hand-written SQL computing the same figures;
3. the case page, the summary page and the programme page under 8 concurrent users (p95);
4. the list's query count at 1 and 100 rows, and EXPLAIN ANALYZE of the slowest queries;
5. with ``BENCH_LOAD_SECONDS`` > 0, a Locust load test as the four roles (bench/load.py).

Service and baseline are interleaved over at least 7 runs; figures are medians. Results go to the terminal, to
docs/benchmarks.json (a list of {"measure", "findings", "service_ms", "baseline_ms", "ratio", "bar", ...}, merged
by size, so a quick run keeps the big run's rows) and to docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", os.environ.get("BENCH_FINDINGS", "1000000")).split(",")]
PAGE_SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "10"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "0"))
ONLY_LOAD = os.environ.get("BENCH_ONLY_LOAD") == "1"


def prepare_database(name: str) -> None:
    import psycopg

    url = os.environ.setdefault("BENCH_ADMIN_URL", os.environ["DATABASE_URL"])
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"


def session_cookie(user_id: int) -> str:
    """A signed-in session for a page request, as the sign-in view would make it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(pk=user_id)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def bench_size(findings: int) -> dict[str, Any]:
    from django.db import close_old_connections, connection, connections
    from django.utils import timezone

    from audits.models import LearningSummary
    from audits.summaries.compile import compile_content
    from bench import baseline, measure, plans
    from bench.data import generate
    from bench.server import serving

    start = time.perf_counter()
    data = generate(findings)
    seconds = time.perf_counter() - start
    print(
        f"\n{data.findings:,} findings ({findings:,} asked) in {data.partnerships} partnerships: {seconds:.0f} s",
        file=sys.stderr,
    )
    token = {role: {"Authorization": f"Token {key}"} for role, key in data.tokens.items()}
    cookie = {role: {"Cookie": session_cookie(user)} for role, user in data.users.items()}
    connections.close_all()
    results: list[measure.Comparison] = []
    pages: dict[str, dict[str, float]] = {}
    load: dict[str, Any] = {}
    scaling: dict[str, Any] = {}
    with (
        serving("service", "macfa.wsgi:application") as service,
        serving("baseline", "bench.baseline_app:application") as base,
    ):
        if not ONLY_LOAD:
            for label, path, role in (
                (
                    "filtered findings list page (theme and grade, 100 rows)",
                    f"/api/v1/findings/?theme={data.theme_id}&grade=3&page_size=100",
                    "business_unit",
                ),
                ("first page of all findings (25 rows, capped count)", "/api/v1/findings/", "business_unit"),
                (
                    "agency lead's filtered findings list (100 rows)",
                    f"/api/v1/findings/?theme={data.theme_id}&page_size=100",
                    "agency_lead",
                ),
                ("a finding's detail", f"/api/v1/findings/{data.finding_id}/", "auditor"),
            ):
                results.append(measure.compare_http(label, path, token[role], service.port, base.port, 2.0))
                print(f"  {results[-1].measure}: {results[-1].ratio}×", file=sys.stderr)
            summary = LearningSummary.objects.get(pk=data.summary_id)
            today = timezone.localdate()

            def baseline_compile() -> Any:
                with connection.cursor() as cursor:
                    return baseline.compile_figures(cursor, data.summary_id, today)

            results.append(
                measure.compare_calls(
                    "compile a learning summary (every audit of the largest partnership)",
                    lambda: compile_content(summary),
                    baseline_compile,
                    1.5,
                )
            )
            print(f"  compile: {results[-1].ratio}×", file=sys.stderr)
            close_old_connections()
            for label, path, role in (
                ("case page with its grid", f"/cases/{data.case_id}/", "auditor"),
                ("summary page", f"/summaries/{data.summary_id}/", "business_unit"),
                ("programme page", "/programme/", "business_unit"),
            ):
                comparison, stats = measure.under_load(label, service.port, path, cookie[role], PAGE_SECONDS, 300)
                results.append(comparison)
                pages[label] = stats
                print(f"  {label}: p95 {stats['p95_ms']} ms", file=sys.stderr)
            # What persistent connections (and so a pool) buy: the detail with a new connection per request.
            with serving("service-no-reuse", "macfa.wsgi:application", CONN_MAX_AGE="0") as fresh:
                path = f"/api/v1/findings/{data.finding_id}/"
                reuse = measure.compare_http(
                    "a finding's detail, new database connection per request (CONN_MAX_AGE=0) vs kept (60)",
                    path,
                    token["auditor"],
                    fresh.port,
                    service.port,
                    0,
                )
                scaling["connection_reuse"] = {"fresh_ms": reuse.service_ms, "kept_ms": reuse.baseline_ms}
                print(f"  connections: {reuse.service_ms:.1f} ms new, {reuse.baseline_ms:.1f} ms kept", file=sys.stderr)
        if LOAD_SECONDS > 0:
            from bench import load

            load = load.run(service.port, data, token, cookie, LOAD_SECONDS)
    extra = {} if ONLY_LOAD else {"query_counts": plans.list_query_counts(data), "plans": plans.slowest(data)}
    return {
        "data": data,
        "results": results,
        "pages": pages,
        "load": load,
        "scaling": scaling,
        "generation_s": seconds,
        **extra,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "macfa.settings")
    os.environ["DEBUG"] = "false"  # no query log in the process that compiles
    from bench.server import collect_static, service_environment

    service_environment()  # sets SECRET_KEY: the servers must accept the sessions this process signs
    collect_static()
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
    from bench import report

    outcomes = {}
    for findings in SIZES:
        prepare_database(f"macfa_bench_{findings}")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        connections.close_all()
        for alias in connections:
            connections[alias].settings_dict["NAME"] = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
        call_command("migrate", verbosity=0)
        outcomes[findings] = bench_size(findings)
        connections.close_all()
    report.write(outcomes, command=os.environ.get("BENCH_COMMAND", "make bench"))


if __name__ == "__main__":
    main()
