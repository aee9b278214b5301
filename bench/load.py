"""The load test: Locust, headless and bounded in time, against the service's gunicorn on 127.0.0.1."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.data import BenchData
from bench.server import HOST, WORKERS, service_environment

ROOT = Path(__file__).resolve().parents[1]
USERS = 8


def run(
    port: int, data: BenchData, tokens: dict[str, dict[str, str]], cookies: dict[str, dict[str, str]], seconds: float
) -> dict[str, Any]:
    """Requests per second and p50/p95/p99 per page or endpoint, as the four roles (two users each)."""
    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "tokens": {role: header["Authorization"].split()[1] for role, header in tokens.items()},
                    "cookies": {role: header["Cookie"] for role, header in cookies.items()},
                    "theme": data.theme_id,
                    "summary": data.summary_id,
                    "case": data.case_id,
                    "finding": data.finding_id,
                }
            )
        )
        prefix = Path(work) / "load"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench/locustfile.py"),
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{int(seconds)}s",
                "--host",
                f"http://{HOST}:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**service_environment(), "BENCH_LOCUST_CONFIG": str(config)},
            check=False,
            timeout=seconds + 120,
        )
        with open(f"{prefix}_stats.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
    endpoints = {}
    total = {}
    for row in rows:
        stats = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
        }
        if row["Name"] == "Aggregated":
            total = stats
        else:
            endpoints[row["Name"]] = stats
    print(f"  load test: {total.get('rps')} requests/s, p95 {total.get('p95_ms')} ms", file=sys.stderr)
    return {
        "users": USERS,
        "seconds": seconds,
        "workers": WORKERS,
        "total_rps": total.get("rps"),
        "failures": total.get("failures"),
        "endpoints": dict(sorted(endpoints.items())),
        "env": os.environ.get("BENCH_COMMAND", ""),
    }
