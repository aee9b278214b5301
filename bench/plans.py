"""Query counts of the lists, and the plans (EXPLAIN ANALYZE) of the slowest queries the measured requests run."""

from __future__ import annotations

from typing import Any

from bench.data import BenchData

LIST_PATHS = ("/api/v1/findings/", "/api/v1/cases/", "/api/v1/actions/", "/api/v1/returns/")


def _client(data: BenchData, role: str = "business_unit") -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {data.tokens[role]}")
    return client


def list_query_counts(data: BenchData) -> dict[str, tuple[int, int]]:
    """Queries for a page of 1 row and of 100 rows: the same number, whatever the page size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(data)
    counts = {}
    for path in LIST_PATHS:
        sizes = []
        for size in (1, 100):
            client.get(path, {"page_size": size}, HTTP_HOST="127.0.0.1")
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, {"page_size": size}, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, (path, response.status_code)
            sizes.append(len(queries))
        counts[path] = (sizes[0], sizes[1])
    return counts


def slowest(data: BenchData, keep: int = 5) -> list[dict[str, Any]]:
    """The slowest SELECTs of a filtered list, the whole list, a detail and a compile, with their plans."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audits.models import LearningSummary
    from audits.summaries.compile import compile_content

    client = _client(data)
    captured: list[tuple[str, str, float]] = []
    requests = {
        "filtered list": f"/api/v1/findings/?theme={data.theme_id}&grade=3&page_size=100",
        "whole list": "/api/v1/findings/",
        "detail": f"/api/v1/findings/{data.finding_id}/",
    }
    for label, path in requests.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(path, HTTP_HOST="127.0.0.1")
        captured += [(label, q["sql"], float(q["time"])) for q in queries.captured_queries]
    with CaptureQueriesContext(connection) as queries:
        compile_content(LearningSummary.objects.get(pk=data.summary_id))
    captured += [("compile", q["sql"], float(q["time"])) for q in queries.captured_queries]
    selects = [row for row in captured if row[1].lstrip().upper().startswith("SELECT")]
    chosen = sorted(selects, key=lambda row: row[2], reverse=True)[:keep]
    # The filtered list's count and page always: their plans show why its latency does not grow with the table.
    listed = sorted((row for row in selects if row[0] == "filtered list"), key=lambda row: row[2], reverse=True)
    chosen += [row for row in listed[:2] if row not in chosen]
    plans = []
    with connection.cursor() as cursor:
        for label, sql, seconds in chosen:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append(
                {"request": label, "ms": round(seconds * 1000, 1), "sql": sql, "plan": "\n".join(r[0] for r in cursor)}
            )
    return plans
