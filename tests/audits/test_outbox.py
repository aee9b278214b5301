"""Redis stopped and started again under the service: compiles and exports asked for meanwhile wait in the outbox.

Each test runs its own throwaway Redis (never the shared one that `make test` starts), stops it, and starts it again
on the same port; the Celery app in this process and the worker process both use it.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import kombu.pools
import pytest
from celery import current_app
from rest_framework.test import APIClient

from agencies.models import Role
from audits.choices import ReviewDecision, SummaryStatus
from audits.models import BriefingFormat, LearningSummary, OutboxMessage
from audits.outbox import outbox_drain
from audits.services.summaries import summary_claim_for_compile, summary_submit
from audits.tasks import compile_summary, export_briefing
from tests.agencies.factories import MembershipFactory
from tests.audits.test_compile_task import Setup, Worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, without persistence, that the test can stop and start on one port."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        wait_for(self.answers, what=f"Redis on port {self.port}", seconds=10)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(7) == b"+PONG\r\n"
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def forget_broker_connections() -> None:
    """Make this process's next task message connect afresh to the broker that CELERY_BROKER_URL names now."""
    kombu.pools.reset()  # kombu keeps its connection and producer pools in module-wide registries
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def own_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path / "redis.log")
    server.start()
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # Celery reads it before its own configuration
    monkeypatch.setenv("MACFA_TEST_REDIS_URL", server.url)  # what tests.audits.test_compile_task.Worker uses
    forget_broker_connections()
    yield server
    monkeypatch.undo()
    forget_broker_connections()
    server.stop()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def conditional_post(client: APIClient, url: str, data: dict[str, str] | None = None) -> object:
    detail = url.rsplit("/", 2)[0] + "/"
    etag = client.get(detail)["ETag"]
    return client.post(url, data or {}, format="json", HTTP_IF_MATCH=etag)


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_compile_asked_for_while_redis_is_down_is_queued_and_done_when_it_returns(
    own_redis: OwnRedis, workers: list[Worker], tmp_path: Path
) -> None:
    setup = Setup()
    own_redis.stop()

    response = conditional_post(client_for(setup.auditor), f"/api/v1/summaries/{setup.summary.pk}/compile/")

    assert response.status_code == 202  # type: ignore[attr-defined]
    assert setup.current().status == SummaryStatus.COMPILING
    waiting = OutboxMessage.objects.get()
    assert (waiting.task_name, waiting.args, waiting.sent_at) == (
        "audits.tasks.compile_summary",
        [setup.summary.pk],
        None,
    )
    assert "refused" in waiting.last_error.lower()

    own_redis.start()
    workers.append(Worker(tmp_path / "worker.log"))  # a worker that starts drains the outbox at once

    summary = setup.wait_until(SummaryStatus.COMPILED, workers[0])
    assert summary.content["themes"][0]["grades"]["good"] == 1
    assert OutboxMessage.objects.get().sent_at is not None


def test_an_approval_while_redis_is_down_is_stored_and_its_briefing_made_when_it_returns(
    own_redis: OwnRedis, workers: list[Worker], tmp_path: Path
) -> None:
    setup = Setup()
    board = MembershipFactory(partnership=setup.partnership, role=Role.BOARD_MEMBER).user
    summary_claim_for_compile(setup.current())
    compile_summary.apply(args=[setup.summary.pk])
    LearningSummary.objects.filter(pk=setup.summary.pk).update(key_messages="Listen to children.")
    summary_submit(actor=setup.auditor, summary=setup.current())
    own_redis.stop()

    url = f"/api/v1/summaries/{setup.summary.pk}/reviews/"
    response = conditional_post(client_for(board), url, {"decision": ReviewDecision.APPROVE})

    assert response.status_code == 201  # type: ignore[attr-defined]
    assert setup.current().status == SummaryStatus.APPROVED
    assert setup.current().reviews.get().decision == ReviewDecision.APPROVE
    assert OutboxMessage.objects.get(sent_at=None).task_name == "audits.tasks.export_briefing"
    assert outbox_drain() == 0  # still down: it keeps waiting, and says why
    assert OutboxMessage.objects.get().attempts == 2

    own_redis.start()
    assert outbox_drain() == 1  # what beat runs every minute
    assert OutboxMessage.objects.filter(sent_at=None).count() == 0

    workers.append(Worker(tmp_path / "worker.log"))
    formats = len(BriefingFormat.values)
    wait_for(lambda: setup.current().exports.count() == formats, what=f"the briefing\n{workers[0].output()}")


def test_a_task_message_sent_twice_changes_nothing_the_second_time() -> None:
    setup = Setup()
    summary_claim_for_compile(setup.current())
    assert compile_summary.apply(args=[setup.summary.pk]).get() is True
    compiled = setup.current()

    assert compile_summary.apply(args=[setup.summary.pk]).get() is False
    again = setup.current()
    assert (again.status, again.compiled_at, again.content) == (
        SummaryStatus.COMPILED,
        compiled.compiled_at,
        compiled.content,
    )

    LearningSummary.objects.filter(pk=setup.summary.pk).update(status=SummaryStatus.APPROVED)
    export_briefing.apply(args=[setup.summary.pk])
    export_briefing.apply(args=[setup.summary.pk])
    assert setup.current().exports.count() == len(BriefingFormat.values)  # replaced, not doubled


def test_a_message_already_sent_is_not_sent_again_by_the_drain(own_redis: OwnRedis) -> None:
    OutboxMessage.objects.create(task_name="audits.tasks.drain_outbox", args=[])
    assert outbox_drain() == 1
    assert outbox_drain() == 0
    assert OutboxMessage.objects.get().attempts == 1
