"""The compile task on a real Celery worker (a separate process) and the real Redis that `make test` starts."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from agencies.models import Role
from audits.choices import SummaryStatus
from audits.models import LearningSummary
from audits.services.summaries import summary_request_compile
from macfa.errors import ConflictError
from tests.agencies.factories import AgencyFactory, MembershipFactory, PartnershipFactory
from tests.audits.factories import ActionFactory, AuditFactory, CaseFactory, FindingFactory, ThemeFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
AGREED = datetime.datetime(2019, 3, 20, tzinfo=datetime.UTC)


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """`celery -A macfa worker` in its own process, on the test database and the test Redis."""

    def __init__(self, log: Path) -> None:
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": os.environ["MACFA_TEST_REDIS_URL"],
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the test's throwaway folder, for briefing files
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "macfa",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        wait_for(lambda: "ready." in log.read_text(), what=f"the worker to start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text()[-3000:]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition: Callable[[], bool], *, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[], Worker]]:
    workers: list[Worker] = []

    def start() -> Worker:
        workers.append(Worker(tmp_path / f"worker-{len(workers)}.log"))
        return workers[-1]

    redis.Redis.from_url(os.environ["MACFA_TEST_REDIS_URL"]).flushdb()
    yield start
    for worker in workers:
        worker.stop()


class Setup:
    def __init__(self) -> None:
        self.partnership = PartnershipFactory()
        self.agency = AgencyFactory(partnerships=[self.partnership])
        self.auditor = MembershipFactory(partnership=self.partnership, role=Role.AUDITOR).user
        self.theme = ThemeFactory(partnership=self.partnership)
        self.audit = AuditFactory(partnership=self.partnership, auditor=self.auditor)
        self.add_finding(grade=2)
        ActionFactory(audit=self.audit, owner_agency=self.agency)
        self.summary = LearningSummary.objects.create(partnership=self.partnership, title="Neglect")
        self.summary.themes.add(self.theme)
        self.summary.audits.add(self.audit)

    def add_finding(self, grade: int) -> None:
        FindingFactory(
            case=CaseFactory(audit=self.audit), agency=self.agency, theme=self.theme, grade=grade, agreed_at=AGREED
        )

    def request_compile(self) -> LearningSummary:
        return summary_request_compile(actor=self.auditor, summary=self.summary)

    def current(self) -> LearningSummary:
        return LearningSummary.objects.get(pk=self.summary.pk)

    def wait_until(self, status: str, worker: Worker) -> LearningSummary:
        wait_for(lambda: self.current().status == status, what=f"status {status}:\n{worker.output()}")
        return self.current()


class ActionsLocked:
    """Hold an exclusive lock on the actions table from another connection, so a compile waits mid-way."""

    def __enter__(self) -> ActionsLocked:
        self.conn = psycopg.connect(database_url().replace("postgres://", "postgresql://"))
        self.conn.execute("LOCK TABLE audits_action IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc: Any) -> None:
        self.conn.rollback()
        self.conn.close()


def test_compile_is_queued_after_commit_and_stored_by_the_worker(start_worker: Callable[[], Worker]) -> None:
    setup = Setup()
    worker = start_worker()
    queue = redis.Redis.from_url(os.environ["MACFA_TEST_REDIS_URL"])
    with transaction.atomic():
        setup.request_compile()
        assert queue.llen("celery") == 0  # nothing is sent while the claim could still roll back
    summary = setup.wait_until(SummaryStatus.COMPILED, worker)
    assert summary.progress_percent == 100 and summary.compiled_at is not None
    assert summary.content["themes"][0]["grades"]["good"] == 1


def test_progress_is_visible_while_the_worker_compiles(start_worker: Callable[[], Worker]) -> None:
    setup = Setup()
    worker = start_worker()
    with ActionsLocked():
        setup.request_compile()
        wait_for(lambda: setup.current().progress_stage == "actions and concerns", what=f"progress\n{worker.output()}")
        assert setup.current().progress_percent == 85
        assert setup.current().status == SummaryStatus.COMPILING
    assert setup.wait_until(SummaryStatus.COMPILED, worker).progress_percent == 100


def test_two_compiles_requested_at_once_run_once(start_worker: Callable[[], Worker]) -> None:
    setup = Setup()
    worker = start_worker()
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def request() -> None:
        try:
            barrier.wait()
            setup.request_compile()
            outcomes.append("queued")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "queued"]
    setup.wait_until(SummaryStatus.COMPILED, worker)
    compiled = setup.current().history.filter(status=SummaryStatus.COMPILED).count()
    assert compiled == 1


def test_compiling_twice_gives_the_same_content(start_worker: Callable[[], Worker]) -> None:
    setup = Setup()
    worker = start_worker()
    setup.request_compile()
    first = setup.wait_until(SummaryStatus.COMPILED, worker).content
    setup.request_compile()
    wait_for(lambda: setup.current().history.filter(status=SummaryStatus.COMPILED).count() == 2, what="second compile")
    assert setup.current().content == first


def test_a_worker_killed_mid_compile_leaves_the_previous_version(start_worker: Callable[[], Worker]) -> None:
    setup = Setup()
    worker = start_worker()
    setup.request_compile()
    previous = setup.wait_until(SummaryStatus.COMPILED, worker).content
    setup.add_finding(grade=4)

    with ActionsLocked():
        setup.request_compile()
        wait_for(lambda: setup.current().progress_stage == "actions and concerns", what=f"progress\n{worker.output()}")
        worker.kill()
    summary = setup.current()
    assert summary.content == previous  # nothing half-written
    assert summary.status == SummaryStatus.COMPILING

    with pytest.raises(ConflictError):  # a compile that may still be running is not started twice
        setup.request_compile()
    LearningSummary.objects.filter(pk=setup.summary.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=11)  # the dead compile has stopped reporting
    )
    setup.request_compile()
    summary = setup.wait_until(SummaryStatus.COMPILED, start_worker())
    assert summary.content["themes"][0]["grades"]["inadequate"] == 1
    assert summary.content != previous


def test_approval_makes_the_briefing_files_on_the_worker(start_worker: Callable[[], Worker]) -> None:
    from audits.choices import ReviewDecision
    from audits.services.summaries import summary_review, summary_submit

    setup = Setup()
    board = MembershipFactory(partnership=setup.partnership, role=Role.BOARD_MEMBER).user
    worker = start_worker()
    setup.request_compile()
    setup.wait_until(SummaryStatus.COMPILED, worker)
    LearningSummary.objects.filter(pk=setup.summary.pk).update(key_messages="Listen to children.")
    summary_submit(actor=setup.auditor, summary=setup.current())
    summary_review(actor=board, summary=setup.current(), decision=ReviewDecision.APPROVE)
    wait_for(lambda: setup.current().exports.count() == 5, what=f"the briefing files\n{worker.output()}")
    pdf = setup.current().exports.get(format="pdf")
    assert pdf.file.read(4) == b"%PDF"
