"""The bench's results: a table on the terminal, docs/benchmarks.json and docs/benchmarks.md.

Results are merged by size: a run at 100k replaces the 100k rows and keeps the others (each size's details live
in bench/results/<size>.md, from which docs/benchmarks.md is put together).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
JSON_PATH = ROOT / "docs/benchmarks.json"
MD_PATH = ROOT / "docs/benchmarks.md"
RESULTS = ROOT / "bench/results"


def machine() -> str:
    from django.db import connection

    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {postgres}; load average at the end {load} "
        "(other work on the machine shows here)"
    )


def rows_of(findings: int, outcome: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for r in outcome["results"]:
        rows.append(
            {
                "measure": r.measure,
                "findings": findings,
                "service_ms": round(r.service_ms, 2),
                "baseline_ms": round(r.baseline_ms, 2) if r.baseline_ms else None,
                "ratio": r.ratio,
                "bar": r.bar,
                "met": r.met,
            }
        )
    for name, stats in outcome.get("load", {}).get("endpoints", {}).items():
        rows.append(
            {
                "measure": f"load test: {name}",
                "findings": findings,
                "service_ms": stats["p95_ms"],
                "baseline_ms": None,
                "ratio": None,
                "bar": "p95 (reported)",
                "met": None,
                **{k: stats[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "requests", "failures")},
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| findings | measure | service | baseline | ratio | bar | met |",
        "| ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        if row["measure"].startswith("load test"):
            continue
        baseline = f"{row['baseline_ms']:.1f} ms" if row["baseline_ms"] else "—"
        ratio = f"{row['ratio']:.2f}×" if row["ratio"] else "—"
        met = "yes" if row["met"] else "**no**"
        service = f"{row['service_ms']:.1f} ms" + (" (p95)" if "p95" in row["bar"] else "")
        lines.append(
            f"| {row['findings']:,} | {row['measure']} | {service} | {baseline} | {ratio} | {row['bar']} | {met} |"
        )
    return "\n".join(lines)


def size_section(findings: int, outcome: dict[str, Any], when: str) -> str:
    data = outcome["data"]
    counts = ", ".join(f"{v:,} {k}" for k, v in data.counts.items())
    parts = [
        f"## {findings:,} findings ({when})",
        "",
        f"Data: {counts}. Generated in {outcome['generation_s']:.0f} s. Measured as the people of the largest "
        f"partnership (partnership id {data.partnership_id}).",
        "",
        table(rows_of(findings, outcome)),
        "",
    ]
    if outcome.get("pages"):
        parts += [
            "Pages under 8 concurrent users (session sign-in, back to back):",
            "",
            "| page | requests | rps | p50 | p95 | p99 |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {name} | {s['requests']} | {s['rps']} | {s['p50_ms']} ms | {s['p95_ms']} ms | {s['p99_ms']} ms |"
                for name, s in outcome["pages"].items()
            ),
            "",
        ]
    reuse = outcome.get("scaling", {}).get("connection_reuse")
    if reuse:
        parts += [
            f"A finding's detail with a new database connection per request (`CONN_MAX_AGE=0`): "
            f"{reuse['fresh_ms']:.1f} ms; with connections kept (`CONN_MAX_AGE=60`, what a pool also gives): "
            f"{reuse['kept_ms']:.1f} ms.",
            "",
        ]
    if outcome.get("query_counts"):
        parts += [
            "List query counts (page of 1 row → page of 100 rows):",
            "",
            *(f"- `{path}`: {one} → {hundred}" for path, (one, hundred) in outcome["query_counts"].items()),
            "",
        ]
    for plan in outcome.get("plans", []):
        parts += [
            f"<details><summary>{plan['request']}: {plan['ms']} ms — {' '.join(plan['sql'].split())[:90]}…</summary>",
            "",
            "```sql",
            plan["sql"],
            "```",
            "",
            "```",
            plan["plan"],
            "```",
            "</details>",
            "",
        ]
    return "\n".join(parts)


def load_section(findings: int, load: dict[str, Any], when: str) -> str:
    parts = [f"### Load test at {findings:,} findings ({when})", ""]
    parts += [
        f"Locust, {load['users']} users as the four roles, {load['seconds']:.0f} s, {load['workers']} gunicorn "
        f"workers: {load['total_rps']} requests/s in all, {load['failures']} failures.",
        "",
        "| endpoint or page | requests | rps | p50 | p95 | p99 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | {s['requests']} | {s['rps']} | {s['p50_ms']} ms | {s['p95_ms']} ms | {s['p99_ms']} ms |"
            for name, s in load["endpoints"].items()
        ),
        "",
    ]
    return "\n".join(parts)


def write(outcomes: dict[int, dict[str, Any]], *, command: str) -> None:
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if os.environ.get("BENCH_DRY") == "1":  # a trial run: print, write nothing
        for findings, outcome in outcomes.items():
            print(size_section(findings, outcome, when))
            if outcome.get("load"):
                print(load_section(findings, outcome["load"], when))
        return
    existing = json.loads(JSON_PATH.read_text()) if JSON_PATH.exists() else []
    sizes = set(outcomes)
    fresh = [row for findings, outcome in outcomes.items() for row in rows_of(findings, outcome)]
    # Replace what this run measured at its sizes (comparisons, the load test, or both); keep everything else.
    compared = {f for f, o in outcomes.items() if o["results"]}
    loaded = {f for f, o in outcomes.items() if o.get("load")}
    kept = [r for r in existing if r["findings"] not in (loaded if r["measure"].startswith("load test") else compared)]
    rows = sorted(kept + fresh, key=lambda r: (r["findings"], r["measure"]))
    JSON_PATH.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    RESULTS.mkdir(exist_ok=True)
    for findings, outcome in outcomes.items():
        stamp = f"{when}, `{command}`"
        if outcome["results"]:
            (RESULTS / f"{findings}.md").write_text(size_section(findings, outcome, stamp))
        if outcome.get("load"):
            (RESULTS / f"{findings}-load.md").write_text(load_section(findings, outcome["load"], stamp))
    print(table([r for r in rows if r["findings"] in sizes]))
    header = (ROOT / "bench/benchmarks_header.md").read_text().format(machine=machine(), when=when, command=command)
    order = {"": 0, "load": 1}
    files = sorted(RESULTS.glob("*.md"), key=lambda p: (int(p.stem.split("-")[0]), order[p.stem.partition("-")[2]]))
    sections = [p.read_text() for p in files]
    MD_PATH.write_text(header + "\n" + table(rows) + "\n\n" + "\n\n".join(sections) + "\n")
