"""The load test's users: the four roles, each requesting the pages and endpoints they use most, back to back.

Run by bench/load.py (``make loadtest``), which passes the generated people's tokens, session cookies and record
ids in the file named by BENCH_LOCUST_CONFIG.
"""

from __future__ import annotations

import json
import os
from typing import Any

from locust import HttpUser, constant, task

CONFIG: dict[str, Any] = json.loads(open(os.environ["BENCH_LOCUST_CONFIG"]).read())  # noqa: SIM115


class Role(HttpUser):
    abstract = True
    role = ""
    wait_time = constant(0)  # back to back: the figures are what 8 busy people get, and the rps what it can serve

    def api(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers={"Authorization": f"Token {CONFIG['tokens'][self.role]}"})

    def page(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers={"Cookie": CONFIG["cookies"][self.role]})


class BusinessUnit(Role):
    role = "business_unit"
    fixed_count = 2

    @task(3)
    def filtered_findings(self) -> None:
        self.api(f"/api/v1/findings/?theme={CONFIG['theme']}&grade=3&page_size=100", "API: findings, filtered")

    @task
    def overdue_actions(self) -> None:
        self.api("/api/v1/actions/?overdue=true", "API: overdue actions")

    @task
    def programme(self) -> None:
        self.page("/programme/", "page: programme")

    @task
    def summary(self) -> None:
        self.page(f"/summaries/{CONFIG['summary']}/", "page: summary")


class Auditor(Role):
    role = "auditor"
    fixed_count = 2

    @task(2)
    def case_page(self) -> None:
        self.page(f"/cases/{CONFIG['case']}/", "page: case with its grid")

    @task(2)
    def finding(self) -> None:
        self.api(f"/api/v1/findings/{CONFIG['finding']}/", "API: a finding")

    @task
    def case_findings(self) -> None:
        self.api(f"/api/v1/findings/?case={CONFIG['case']}", "API: a case's findings")


class AgencyLead(Role):
    role = "agency_lead"
    fixed_count = 2

    @task(2)
    def my_findings(self) -> None:
        self.api("/api/v1/findings/?page_size=100", "API: findings about my agency")

    @task
    def my_actions(self) -> None:
        self.api("/api/v1/actions/", "API: my agency's actions")

    @task
    def case_page(self) -> None:
        self.page(f"/cases/{CONFIG['case']}/", "page: case with its grid")


class BoardMember(Role):
    role = "board_member"
    fixed_count = 2

    @task(2)
    def summary(self) -> None:
        self.page(f"/summaries/{CONFIG['summary']}/", "page: summary")

    @task
    def summaries(self) -> None:
        self.api("/api/v1/summaries/", "API: summaries")

    @task
    def concern_counts(self) -> None:
        self.api("/api/v1/concerns/counts/", "API: concern counts")
