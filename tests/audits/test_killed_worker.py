"""A worker killed mid-task leaves nothing half-written: briefing exports and concern escalations.

(Compiles: tests/audits/test_compile_task.py.) Each test holds a table lock from another connection so that the real
worker stops part-way through its transaction, kills the worker there, and checks what is stored.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.db import connection
from django.utils import timezone

from agencies.models import Role
from audits.choices import SummaryStatus
from audits.models import BriefingFormat, LearningSummary, Notification, SafeguardingConcern
from audits.services.summaries import summary_claim_for_compile
from audits.tasks import compile_summary, escalate_concerns, export_briefing
from tests.agencies.factories import MembershipFactory
from tests.audits.factories import CaseFactory, SafeguardingConcernFactory
from tests.audits.test_compile_task import Setup, Worker, database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[], Worker]]:
    workers: list[Worker] = []

    def start() -> Worker:
        workers.append(Worker(tmp_path / f"worker-{len(workers)}.log"))
        return workers[-1]

    redis.Redis.from_url(os.environ["MACFA_TEST_REDIS_URL"]).flushdb()  # nothing left queued by an earlier test
    yield start
    for worker in workers:
        worker.stop()


class TableLocked:
    """Hold a lock on a table from another connection, so the worker's transaction waits at its next write there."""

    def __init__(self, table: str, mode: str) -> None:
        self.table, self.mode = table, mode

    def __enter__(self) -> TableLocked:
        self.conn = psycopg.connect(database_url().replace("postgres://", "postgresql://"))
        self.conn.execute(f"LOCK TABLE {self.table} IN {self.mode} MODE")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.conn.rollback()
        self.conn.close()


def waits_to_write(table: str) -> Callable[[], bool]:
    """Whether a worker's statement on ``table`` is waiting for the lock."""

    def waiting() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND query LIKE %s",
                [f'%"{table}"%'],
            )
            return cursor.fetchone()[0] > 0

    return waiting


def files_of(summary: LearningSummary) -> dict[str, str]:
    return dict(summary.exports.values_list("format", "file"))


@pytest.fixture
def approved_with_briefing() -> Iterator[Setup]:
    setup = Setup()
    summary_claim_for_compile(setup.current())
    compile_summary.apply(args=[setup.summary.pk])
    LearningSummary.objects.filter(pk=setup.summary.pk).update(status=SummaryStatus.APPROVED)
    export_briefing.apply(args=[setup.summary.pk])
    yield setup


def test_a_worker_killed_mid_export_leaves_the_previous_briefing_whole(
    approved_with_briefing: Setup, start_worker: Callable[[], Worker]
) -> None:
    setup = approved_with_briefing
    previous = files_of(setup.current())
    assert len(previous) == len(BriefingFormat.values)
    worker = start_worker()

    # The export's last write (the summary's exported_at) waits; by then it has replaced every file in its transaction.
    with TableLocked("audits_learningsummary", "EXCLUSIVE"):
        export_briefing.delay(setup.summary.pk)
        wait_for(waits_to_write("audits_learningsummary"), what=f"the export's last write\n{worker.output()}")
        worker.kill()

    summary = setup.current()
    assert files_of(summary) == previous  # every format still the previous file, none of the new ones
    assert summary.exports.get(format="pdf").file.read(4) == b"%PDF"

    export_briefing.delay(setup.summary.pk)  # asking again makes the whole new set
    start_worker()
    wait_for(lambda: set(files_of(setup.current()).values()).isdisjoint(previous.values()), what="the new briefing")
    assert len(files_of(setup.current())) == len(BriefingFormat.values)


def test_a_worker_killed_mid_escalation_leaves_the_concern_to_escalate_again(
    start_worker: Callable[[], Worker],
) -> None:
    setup = Setup()
    business_unit = MembershipFactory(partnership=setup.partnership, role=Role.BUSINESS_UNIT).user
    concern = SafeguardingConcernFactory(
        case=CaseFactory(audit=setup.audit),
        agency=setup.agency,
        raised_by=setup.auditor,
        raised_at=timezone.now() - datetime.timedelta(days=10),  # long past its one working day
    )
    worker = start_worker()

    # The email's record waits, after the concern was marked escalated in the same task.
    with TableLocked("audits_notification", "ACCESS EXCLUSIVE"):
        escalate_concerns.delay()
        wait_for(waits_to_write("audits_notification"), what=f"the escalation to reach its email\n{worker.output()}")
        worker.kill()

    assert SafeguardingConcern.objects.get(pk=concern.pk).escalated_at is None  # not marked as told when no one was
    assert not Notification.objects.exists()

    escalate_concerns.delay()
    worker = start_worker()
    wait_for(
        lambda: Notification.objects.filter(sent_at__isnull=False).exists(),
        what=f"the escalation email\n{worker.output()}",
    )
    assert Notification.objects.get().recipient == business_unit
    assert SafeguardingConcern.objects.get(pk=concern.pk).escalated_at is not None
