"""The same webhook tasks on a broker: RELAIS_TASKS_BACKEND=rq, a real `relais serve`, a real Redis and real
`relais rqworker` processes (with rq's scheduler, which runs the delayed retries and watchdogs).

A report's `report.created` reaches a local receiver; a receiver that fails twice gets two retries, delayed
by the backoff, and the event once; a burst survives the worker being SIGKILLed mid-way and restarted: every
acknowledged report's event arrives, under one webhook-id (the receiver dedups by it, as Standard Webhooks
receivers do). Each pass of the suite (SQLite, then PostgreSQL) runs them on its own database; Redis db 13
is flushed before and after. Skipped without Redis on 127.0.0.1:6379, except under CI, where it must be up.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import secrets
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from tests.test_crash import ADMIN_URL, RELAIS, kill, send, start, wait_up
from tests.test_rate_limits import redis_reachable
from tests.test_serve import free_port, postgres_reachable

REDIS_URL = "redis://127.0.0.1:6379/13"
WORKER = ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler", "--worker-ttl", "60", "default"]


class Receiver(http.server.ThreadingHTTPServer):
    """A platform's webhook endpoint: answers 503 to the first `failures` attempts at each event, then 204,
    after `delay` seconds; keeps every attempt (webhook-id, report id, answer)."""

    def __init__(self, failures: int = 0, delay: float = 0) -> None:
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.failures = failures
        self.delay = delay
        self.lock = threading.Lock()
        self.attempts: list[tuple[str, str, int]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"

    def accepted(self) -> dict[str, list[str]]:
        """Relais report id -> the webhook-ids it was accepted under (once each: repeats are deduplicated)."""
        with self.lock:
            seen: dict[str, list[str]] = {}
            for webhook_id, report_id, status in self.attempts:
                if status == 204 and webhook_id not in seen.get(report_id, []):
                    seen.setdefault(report_id, []).append(webhook_id)
            return seen


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        webhook_id = self.headers["webhook-id"]
        time.sleep(self.server.delay)
        with self.server.lock:
            earlier = sum(1 for attempt in self.server.attempts if attempt[0] == webhook_id)
            status = 503 if earlier < self.server.failures else 204
            if body["type"] == "report.created":
                self.server.attempts.append((webhook_id, body["data"]["report_id"], status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def redis_queue() -> Iterator[redis.Redis]:
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis must be up on 127.0.0.1:6379 under CI (.ci/run starts it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379 (it always is under CI)")
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    try:
        yield connection
    finally:
        connection.flushdb()
        connection.close()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """The suite's pass decides: a fresh PostgreSQL database on the PostgreSQL pass, a SQLite file otherwise."""
    if os.environ.get("RELAIS_TEST_DATABASE") != "postgresql":
        yield f"sqlite:///{tmp_path / 'rq.sqlite3'}"
        return
    if not postgres_reachable():
        pytest.fail("the PostgreSQL pass needs PostgreSQL on 127.0.0.1:5432")
    name = f"relais_rq_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Relais:
    """A migrated Relais on the rq backend with one platform (its API key) and a server running."""

    env: dict[str, str]
    base: str
    key: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str) -> subprocess.Popen[bytes]:
        process = start(list(args), self.env)
        self.processes.append(process)
        return process

    def subscribe(self, url: str) -> None:
        hook = urllib.request.Request(
            f"{self.base}/api/v1/webhooks/endpoints",
            data=json.dumps({"url": url, "event_types": ["report.created"]}).encode(),
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(hook, timeout=10) as response:
            assert response.status == 201

    def report(self, platform_report_id: str) -> tuple[int, dict[str, Any]]:
        return send(
            self.base,
            self.key,
            {
                "platform_report_id": platform_report_id,
                "category": "harassment",
                "reporter": {"country": "FR", "language": "fr", "age": 14},
                "content": [{"kind": "message", "text": f"message {platform_report_id}"}],
            },
        )

    def ready(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(f"{self.base}/api/v1/ready", timeout=10) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as error:
            return dict(json.loads(error.read()))


@pytest.fixture
def relais_rq(redis_queue: redis.Redis, database_url: str) -> Iterator[Relais]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RELAIS_TASKS_BACKEND": "rq",
        "RELAIS_REDIS_URL": REDIS_URL,
        "RELAIS_WEBHOOK_LEASE_SECONDS": "7",
        "RELAIS_WEBHOOK_TIMEOUT_SECONDS": "2",
        "RELAIS_LOG_LEVEL": "WARNING",
    }
    for name in ("RELAIS_FAKE_NOW", "DJANGO_ALLOW_ASYNC_UNSAFE", "RELAIS_TEST_DATABASE"):
        env.pop(name, None)
    migrated = subprocess.run([RELAIS, "migrate", "-v0"], env=env, capture_output=True, text=True, check=False)
    assert migrated.returncode == 0, migrated.stderr
    added = subprocess.run([RELAIS, "platform", "add", "Broker Social"], env=env, capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    port = free_port()
    relais = Relais(env=env, base=f"http://127.0.0.1:{port}", key=added.stdout.strip().splitlines()[-1])
    relais.run("serve", "--bind", f"127.0.0.1:{port}", "--workers", "2")
    try:
        wait_up(relais.base)
        yield relais
    finally:
        for process in relais.processes:
            kill(process)


def wait_for(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())


def test_without_a_redis_url_start_up_refuses_the_rq_backend() -> None:
    env = {**os.environ, "RELAIS_TASKS_BACKEND": "rq", "RELAIS_REDIS_URL": ""}
    checked = subprocess.run([RELAIS, "check"], env=env, capture_output=True, text=True, check=False)
    assert checked.returncode != 0
    assert "relais.E104" in checked.stderr
    assert "RELAIS_TASKS_BACKEND=rq without RELAIS_REDIS_URL" in checked.stderr


def test_a_report_event_reaches_the_receiver_through_an_rq_worker(relais_rq: Relais) -> None:
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        relais_rq.subscribe(receiver.url)
        # No worker has ever listened on the queue: readiness says so.
        assert relais_rq.ready()["checks"]["worker"] == "failed"

        status, created = relais_rq.report("first")
        assert status == 201
        relais_rq.run(*WORKER)
        assert wait_for(lambda: created["id"] in receiver.accepted(), 60), receiver.attempts
        assert receiver.accepted() == {created["id"]: [receiver.attempts[0][0]]}
        assert wait_for(lambda: relais_rq.ready()["checks"]["worker"] == "ok", 30), relais_rq.ready()
    finally:
        receiver.shutdown()


def test_a_failing_receiver_gets_delayed_retries_and_the_event_once(relais_rq: Relais) -> None:
    receiver = Receiver(failures=2)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        relais_rq.subscribe(receiver.url)
        relais_rq.run(*WORKER)
        status, created = relais_rq.report("flaky")
        assert status == 201
        flaky = created["id"]
        # Backoff: 10 s then 30 s (jitter adds up to a quarter), each run by rq's scheduler when due.
        assert wait_for(lambda: flaky in receiver.accepted(), 120), receiver.attempts
        time.sleep(2)  # a duplicate would come now, from a leftover job
        with receiver.lock:
            answers = [status for _, report_id, status in receiver.attempts if report_id == flaky]
            ids = {webhook_id for webhook_id, report_id, _ in receiver.attempts if report_id == flaky}
        assert answers == [503, 503, 204]
        assert len(ids) == 1, "the retries carry the same webhook-id"
    finally:
        receiver.shutdown()


REPORTS = 30


def test_killing_the_rq_worker_mid_burst_delivers_every_acknowledged_report_once(relais_rq: Relais) -> None:
    # A slow receiver: the kill is likely to cut an attempt mid-request (its event then comes again, once the
    # lease ends, under the same webhook-id).
    receiver = Receiver(delay=0.3)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        relais_rq.subscribe(receiver.url)
        worker = relais_rq.run(*WORKER)
        acknowledged: dict[str, str] = {}
        killed_after = 0
        for i in range(REPORTS):
            if i == REPORTS // 2:
                # Mid-burst, once it is sending: whatever the worker holds (a job, a lease, the scheduler's
                # lock) dies with it.
                assert wait_for(lambda: len(receiver.accepted()) >= 3, 60), receiver.attempts
                kill(worker)
                killed_after = len(receiver.accepted())
                worker = relais_rq.run(*WORKER)
            report_id = f"burst-{i}"
            while True:  # a platform sends a report again until it gets a 2xx
                try:
                    status, data = relais_rq.report(report_id)
                except (OSError, http.client.HTTPException):
                    status, data = 0, {}
                if 200 <= status < 300:
                    acknowledged[report_id] = data["id"]
                    break
                time.sleep(0.1)

        def all_arrived() -> bool:
            # The recommended cron: it enqueues what is due and has no job (an attempt the kill cut short
            # is due again once its lease ends, as well as by its watchdog job).
            subprocess.run([RELAIS, "webhooks", "sweep"], env=relais_rq.env, capture_output=True, check=False)
            return set(receiver.accepted()) >= set(acknowledged.values())

        assert wait_for(all_arrived, 180), set(acknowledged.values()) - set(receiver.accepted())
        accepted = receiver.accepted()
        assert set(accepted) == set(acknowledged.values())
        assert all(len(ids) == 1 for ids in accepted.values()), "a report's event came under two webhook-ids"
        with receiver.lock:
            received = len(receiver.attempts)
        print(  # noqa: T201 - the figures, as the crash test prints its own
            f"\nrq crash test: {REPORTS} reports acknowledged; worker killed after {killed_after} deliveries and "
            f"restarted; each delivered once after dedup by webhook-id ({received} requests received)"
        )
    finally:
        receiver.shutdown()
