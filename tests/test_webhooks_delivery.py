"""Webhook delivery end to end: real requests to a real local receiver, through outages.

The receiver is a threading `http.server` on 127.0.0.1 (random port). It checks every request with its own
implementation of the Standard Webhooks signature (hmac/hashlib/base64 here, not relais.webhooks.signing)
and answers from a script: 5xx, 429 with Retry-After, a sleep past the client's timeout, 4xx, or 204.
Deliveries run on the database task backend through `db_worker --batch`; time_machine moves the clock to
each next retry, so a day of retries takes a second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from relais.tenants.models import Helpline, Platform
from relais.tenants.services import add_helpline, add_platform
from relais.webhooks import emit, endpoints
from relais.webhooks.delivery import _claim
from relais.webhooks.models import Attempt, Delivery, Endpoint
from relais.webhooks.tasks import deliver
from tests.test_api import report_body

T0 = datetime.fromisoformat("2026-11-25T22:59:00+01:00")
CONSENT = {"given_at": "2026-11-25T22:58:30+01:00", "text_version": "fr-2026-11", "scope": ["report", "content"]}
PLATFORM_EVENTS = ["report.created", "report.shared", "report.share_withdrawn", "case.status_changed"]
HELPLINE_EVENTS = ["report.shared", "report.share_withdrawn", "case.status_changed"]
CLIENT_TIMEOUT = 2.0  # the whole attempt's deadline: room for a loaded machine to answer a local 204


# --- an independent Standard Webhooks verifier (deliberately not relais.webhooks.signing) ---


def standard_webhooks_valid(secret: str, headers: dict[str, str], body: bytes, now: float) -> bool:
    """https://www.standardwebhooks.com: HMAC-SHA256 over "{id}.{timestamp}.{body}" keyed with the
    base64-decoded secret after `whsec_`; any `v1,` entry of the space-separated header may match."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not msg_id or not stamp.isdigit() or abs(now - int(stamp)) > 300:
        return False
    digest = hmac.new(key, msg_id.encode() + b"." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    entries = headers.get("webhook-signature", "").split(" ")
    return any(e.startswith("v1,") and hmac.compare_digest(e[3:], expected) for e in entries)


# --- the receiver ---


@dataclass
class Request:
    headers: dict[str, str]
    body: bytes
    answer: int | str
    verified_by: list[bool]
    path: str = ""

    @property
    def accepted(self) -> bool:
        return isinstance(self.answer, int) and 200 <= self.answer <= 299

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    script: deque[tuple[Any, ...]] = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/relais"

    def then(self, *answers: tuple[Any, ...]) -> None:
        """Queue answers: ("status", 500), ("status", 429, {"Retry-After": "120"}), ("sleep", 1.0); a fourth
        item is the answer's body: ("status", 422, {"Content-Type": "application/json"}, b'{...}')."""
        self.script.extend(answers)

    def always(self, status: int, count: int = 200) -> None:
        self.then(*[("status", status)] * count)

    def next_answer(self) -> tuple[Any, ...]:
        with self.lock:
            return self.script.popleft() if self.script else ("status", 204)

    @property
    def accepted(self) -> list[Request]:
        return [r for r in self.requests if r.accepted]


class Handler(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = receiver.next_answer()
        now = time.time()
        verified = [standard_webhooks_valid(s, headers, body, now) for s in receiver.secrets]
        status = 503 if answer[0] == "sleep" else int(answer[1])
        with receiver.lock:
            receiver.requests.append(
                Request(headers, body, "timeout" if answer[0] == "sleep" else status, verified, self.path)
            )
        if answer[0] == "sleep":
            time.sleep(float(answer[1]))
        try:
            self.send_response(status)
            for name, value in (answer[2] if len(answer) > 2 else {}).items():
                self.send_header(name, value)
            payload = answer[3] if len(answer) > 3 else b""
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the sender gave up waiting (the timeout case)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.receiver = receiver  # type: ignore[attr-defined]
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return receiver, server


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    first, server1 = start_receiver()
    second, server2 = start_receiver()
    yield first, second
    for server in (server1, server2):
        server.shutdown()
        server.server_close()


# --- Relais side ---


@pytest.fixture
def webhook_settings(settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = CLIENT_TIMEOUT
    settings.RELAIS_WEBHOOK_LEASE_SECONDS = 30
    return settings


@dataclass
class World:
    platform: Platform
    api: Client
    helpline: Helpline
    console: Client
    traveller: Any


@pytest.fixture
def world(webhook_settings: Any, transactional_db: None) -> Iterator[World]:
    with time_machine.travel(T0, tick=False) as traveller:
        platform, key = add_platform(name="Sunny Social")
        helpline, hkey = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
        yield World(
            platform,
            Client(headers={"Authorization": f"Bearer {key}"}),
            helpline,
            Client(headers={"Authorization": f"Bearer {hkey}"}),
            traveller,
        )


def register(client: Client, receiver: Receiver, event_types: list[str]) -> dict[str, Any]:
    response = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": receiver.url, "event_types": event_types},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    receiver.secrets.append(data["secret"])
    return data


def report(world: World, platform_report_id: str, **changes: Any) -> str:
    response = world.api.post(
        "/api/v1/reports",
        report_body(platform_report_id=platform_report_id, **changes),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def share(world: World, report_id: str, scope: list[str] | None = None) -> str:
    """Shared with the 3018, whose software looks the code up: the case's path, by its id."""
    consent = {**CONSENT, "scope": scope or CONSENT["scope"]}
    response = world.api.post(
        f"/api/v1/reports/{report_id}/share",
        {"helpline_id": "fr-3018", "consent": consent},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    found = world.console.post(
        "/api/v1/helpline/cases/lookup", {"code": response.json()["case_code"]}, content_type="application/json"
    )
    assert found.status_code == 200, found.content
    return f"/api/v1/helpline/cases/{found.json()['id']}"


def set_status(world: World, case: str, status: str) -> None:
    response = world.console.post(f"{case}/status", {"status": status}, content_type="application/json")
    assert response.status_code == 200, response.content


def withdraw(world: World, report_id: str) -> None:
    assert world.api.delete(f"/api/v1/reports/{report_id}/share").json() == {"withdrawn": 1}


def run_worker() -> None:
    """`relais db_worker --batch`: run every task that is ready now, then return."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def drain(traveller: Any, *, max_rounds: int = 60) -> int:
    """Run the worker, move the clock to when the next queued task is due, again, until nothing is
    pending. Failing here means a delivery was left pending with no task to send it: a lost event."""
    for rounds in range(max_rounds):
        run_worker()
        pending = Delivery.objects.filter(status=Delivery.Status.PENDING, endpoint__disabled_at__isnull=True)
        if not pending.exists():
            return rounds
        queued = DBTaskResult.objects.filter(status="READY", run_after__lt=datetime(9999, 1, 1, tzinfo=UTC))
        later = queued.order_by("run_after").values_list("run_after", flat=True).first()
        assert later is not None, f"pending with no task: {list(pending.values('event_type', 'attempts'))}"
        traveller.move_to(later)
    raise AssertionError(f"still pending after {max_rounds} rounds: {list(pending.values('event_type', 'attempts'))}")


def assert_in_order_per_object(receiver: Receiver, endpoint_id: str) -> None:
    """No request about an object arrives before every earlier event about it was accepted."""
    order: dict[str, list[str]] = {}
    for d in Delivery.objects.filter(endpoint_id=endpoint_id).order_by("id"):
        order.setdefault(d.subject, []).append(d.message_id)
    subject_of = {m: s for s, ids in order.items() for m in ids}
    accepted: set[str] = set()
    for request in receiver.requests:
        ids = order[subject_of[request.message_id]]
        earlier = ids[: ids.index(request.message_id)]
        assert set(earlier) <= accepted, f"{request.event['type']} sent before an earlier event was accepted"
        if request.accepted:
            accepted.add(request.message_id)


# --- the tests ---


@pytest.mark.django_db(transaction=True)
def test_every_event_arrives_signed_and_in_order_through_errors_timeouts_and_rate_limits(
    world: World, receivers: tuple[Receiver, Receiver]
) -> None:
    to_platform, to_helpline = receivers
    platform_endpoint = register(world.api, to_platform, PLATFORM_EVENTS)
    helpline_endpoint = register(world.console, to_helpline, HELPLINE_EVENTS)
    to_platform.then(
        ("status", 500),
        ("status", 500),
        ("sleep", CLIENT_TIMEOUT * 2),
        ("status", 429, {"Retry-After": "60"}),
        ("status", 503),
    )
    to_helpline.then(("status", 502), ("sleep", CLIENT_TIMEOUT * 2))

    a = report(world, "rep-a")
    report(world, "rep-b")
    case = share(world, a)
    set_status(world, case, "in_progress")
    set_status(world, case, "escalated")
    report(world, "rep-c")
    assert not to_platform.requests  # nothing is sent inside the requests: the worker sends
    rounds = drain(world.traveller)
    withdraw(world, a)
    rounds += drain(world.traveller)

    # Every event arrived, none twice as accepted, each verified by the receiver's own implementation.
    sent = {
        e: list(Delivery.objects.filter(endpoint_id=e).values_list("message_id", flat=True))
        for e in (
            platform_endpoint["id"],
            helpline_endpoint["id"],
        )
    }
    assert len(sent[platform_endpoint["id"]]) == 7  # 3 created, shared, 2 status changes, withdrawn
    assert len(sent[helpline_endpoint["id"]]) == 4  # shared, 2 status changes, withdrawn
    assert sorted(r.message_id for r in to_platform.accepted) == sorted(sent[platform_endpoint["id"]])
    assert sorted(r.message_id for r in to_helpline.accepted) == sorted(sent[helpline_endpoint["id"]])
    assert all(r.verified_by == [True] for r in to_platform.requests + to_helpline.requests)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    # 7 + 5 scripted failures, 4 + 2: each failure was retried exactly once more.
    assert (len(to_platform.requests), len(to_helpline.requests)) == (12, 6)
    assert Attempt.objects.count() == 18, list(Attempt.objects.values_list("delivery__event_type", "error"))
    assert Attempt.objects.filter(outcome="retry").count() == 7
    assert rounds >= 4

    assert_in_order_per_object(to_platform, platform_endpoint["id"])
    assert_in_order_per_object(to_helpline, helpline_endpoint["id"])
    about_a = [r.event for r in to_platform.accepted if r.event["data"]["report_id"] == a]
    assert [(e["type"], e["data"].get("status")) for e in about_a] == [
        ("report.created", None),
        ("report.shared", None),
        ("case.status_changed", "in_progress"),
        ("case.status_changed", "escalated"),
        ("report.share_withdrawn", None),
    ]
    assert [r.event["type"] for r in to_helpline.accepted] == [
        "report.shared",
        "case.status_changed",
        "case.status_changed",
        "report.share_withdrawn",
    ]

    # The attempt after the 429 waited at least its Retry-After; the timeout is logged as such.
    limited = Attempt.objects.get(status_code=429)
    following = Attempt.objects.get(delivery=limited.delivery, number=limited.number + 1)
    assert following.started_at - limited.started_at >= timedelta(seconds=60)
    assert Attempt.objects.filter(error=f"timeout after {CLIENT_TIMEOUT:g} s").count() == 2

    # The platform's delivery log shows status, attempts and latency.
    log = world.api.get(f"/api/v1/webhooks/endpoints/{platform_endpoint['id']}/deliveries").json()
    assert len(log) == 7
    assert sum(d["attempts"] for d in log) == 12
    assert all(d["status"] == "delivered" and d["last_latency_ms"] is not None for d in log)
    assert all(len(d["attempt_log"]) == d["attempts"] for d in log)


@pytest.mark.django_db(transaction=True)
def test_envelopes_carry_only_what_each_recipient_may_see(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, to_helpline = receivers
    register(world.api, to_platform, PLATFORM_EVENTS)
    register(world.console, to_helpline, HELPLINE_EVENTS)
    masked = report(world, "rep-1")
    named = report(world, "rep-2")
    case = share(world, masked, ["report", "content", "description"])
    share(world, named, ["report", "pseudonym"])
    response = world.console.post(
        f"{case}/notes",
        {"text": "Mère rappelée, très inquiète"},
        content_type="application/json",
    )
    assert response.status_code == 201
    set_status(world, case, "in_progress")
    drain(world.traveller)

    platform_events = [r.event for r in to_platform.accepted]
    helpline_events = [r.event for r in to_helpline.accepted]
    keys = {(e["type"], tuple(sorted(e["data"]))) for e in platform_events + helpline_events}
    assert keys == {
        ("report.created", ("category", "danger", "platform_report_id", "received_at", "report_id", "version")),
        (
            "report.shared",
            ("case_code", "helpline_id", "platform_report_id", "report_id", "scope", "shared_at", "version"),
        ),
        ("case.status_changed", ("helpline_id", "platform_report_id", "report_id", "status", "version")),
        (
            "report.shared",
            (
                "case_code",
                "case_id",
                "category",
                "code_expires_at",
                "scope",
                "shared_at",
                "status",
                "urgent",
                "version",
            ),
        ),
        (
            "report.shared",  # only where the reporter consented to share the pseudonym
            (
                "case_code",
                "case_id",
                "category",
                "code_expires_at",
                "pseudonym",
                "scope",
                "shared_at",
                "status",
                "urgent",
                "version",
            ),
        ),
        ("case.status_changed", ("case_code", "case_id", "changed_at", "previous_status", "status", "version")),
    }
    for event in platform_events + helpline_events:
        assert set(event) == {"type", "timestamp", "data"}
        assert event["data"]["version"] == 1
        assert event["timestamp"].endswith("Z")
    helpline_text = " ".join(r.body.decode() for r in to_helpline.requests)
    platform_text = " ".join(r.body.decode() for r in to_platform.requests)
    assert "report.created" not in helpline_text
    assert "u-7f3a" in helpline_text  # the consented share
    assert sum("u-7f3a" in r.body.decode() for r in to_helpline.requests) == 1
    for private in ("personne ne t'aime", "Ça dure depuis la rentrée", "social.example/@bully", "rep-1", "rep-2"):
        assert private not in helpline_text  # content is read through the API, where each look is logged
    for helpline_side in ("Mère rappelée", "previous_status", "assigned_to", "follow_up_on"):
        assert helpline_side not in platform_text
    assert "u-7f3a" not in platform_text


@pytest.mark.django_db(transaction=True)
def test_withdrawing_consent_cancels_and_erases_what_the_helpline_had_not_received(
    world: World, receivers: tuple[Receiver, Receiver]
) -> None:
    to_platform, to_helpline = receivers
    register(world.api, to_platform, PLATFORM_EVENTS)
    helpline_endpoint = register(world.console, to_helpline, HELPLINE_EVENTS)
    report_id = report(world, "rep-1")
    case = share(world, report_id, ["report", "pseudonym"])
    set_status(world, case, "in_progress")
    withdraw(world, report_id)  # before any worker ran: the helpline never got the share
    drain(world.traveller)

    assert [r.event["type"] for r in to_helpline.requests] == ["report.share_withdrawn"]
    assert [r.event["type"] for r in to_platform.accepted] == [
        "report.created",
        "report.shared",
        "case.status_changed",
        "report.share_withdrawn",
    ]
    cancelled = Delivery.objects.filter(endpoint_id=helpline_endpoint["id"], status="cancelled")
    assert cancelled.count() == 2
    assert all(d.body == "" and d.erased_at is not None for d in cancelled)
    assert "u-7f3a" not in "".join(Delivery.objects.values_list("body", flat=True))
    refused = world.console.post(f"/api/v1/webhooks/deliveries/{cancelled[0].uid}/replay")
    assert refused.status_code == 409
    assert "withdrew consent" in refused.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_4xx_is_not_retried_goes_to_the_dead_letters_and_can_be_replayed(
    world: World, receivers: tuple[Receiver, Receiver]
) -> None:
    to_platform, _ = receivers
    endpoint = register(world.api, to_platform, ["report.created"])
    to_platform.then(("status", 400))
    report(world, "rep-1")
    drain(world.traveller)
    world.traveller.shift(timedelta(days=3))
    drain(world.traveller)
    assert len(to_platform.requests) == 1

    dead = world.api.get("/api/v1/webhooks/dead-letters").json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in dead] == [("failed", 1, 400)]
    assert dead[0]["last_error"] == "HTTP 400 (not retried)"

    replayed = world.api.post(f"/api/v1/webhooks/deliveries/{dead[0]['id']}/replay")
    assert replayed.status_code == 202
    assert replayed.json()["replay_of"] == dead[0]["id"]
    drain(world.traveller)
    assert [r.answer for r in to_platform.requests] == [400, 204]
    assert to_platform.requests[0].message_id == to_platform.requests[1].message_id == dead[0]["message_id"]
    log = world.api.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}/deliveries").json()
    assert [d["status"] for d in log] == ["delivered", "failed"]
    again = world.api.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/replay")  # a delivered one, too
    assert again.status_code == 202


@pytest.mark.django_db(transaction=True)
def test_an_operator_replays_a_dead_letter_from_the_admin(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    to_platform.then(("status", 404))
    report(world, "rep-1")
    drain(world.traveller)
    failed = Delivery.objects.get(status="failed")
    ops = Client()
    ops.force_login(User.objects.create_superuser("ops", "ops@example.org", "a long admin password"))
    page = ops.get("/admin/webhooks/delivery/?status__exact=failed")
    assert page.status_code == 200
    assert str(failed.uid) in page.content.decode()
    response = ops.post("/admin/webhooks/delivery/", {"action": "replay", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    drain(world.traveller)
    assert [r.answer for r in to_platform.requests] == [404, 204]
    assert Delivery.objects.get(replay_of=failed).status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_retry_after_is_honoured_to_the_second(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    to_platform.then(("status", 429, {"Retry-After": "120"}))
    report(world, "rep-1")
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at == T0 + timedelta(seconds=120)  # the schedule alone says 10 to 12.5 s
    world.traveller.move_to(T0 + timedelta(seconds=119))
    run_worker()
    assert len(to_platform.requests) == 1
    world.traveller.move_to(T0 + timedelta(seconds=120))
    run_worker()
    assert [r.answer for r in to_platform.requests] == [429, 204]


@pytest.mark.django_db(transaction=True)
def test_an_endpoint_failing_too_often_is_disabled_holds_its_events_and_resumes_in_order(
    world: World, receivers: tuple[Receiver, Receiver], webhook_settings: Any
) -> None:
    webhook_settings.RELAIS_WEBHOOK_DISABLE_AFTER_FAILURES = 3
    to_platform, _ = receivers
    endpoint = register(world.api, to_platform, ["report.created", "report.shared"])
    to_platform.always(500, count=3)
    first = report(world, "rep-1")
    drain(world.traveller)  # stops once the endpoint is disabled: nothing pending is still sendable
    state = world.api.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").json()
    assert state["enabled"] is False
    assert state["disabled_reason"].startswith("3 failed attempts in a row")
    assert state["disabled_reason"].endswith("HTTP 500")
    share(world, first)
    report(world, "rep-2")
    world.traveller.shift(timedelta(days=2))
    run_worker()
    assert len(to_platform.requests) == 3  # held: nothing sent while disabled
    assert Delivery.objects.filter(status="pending").count() == 3

    enabled = world.api.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/enable")
    assert enabled.json()["enabled"] is True
    drain(world.traveller)
    assert [r.answer for r in to_platform.requests] == [500, 500, 500, 204, 204, 204]
    about_first = [r.event["type"] for r in to_platform.accepted if r.event["data"]["report_id"] == first]
    assert about_first == ["report.created", "report.shared"]


@pytest.mark.django_db(transaction=True)
def test_410_gone_disables_the_endpoint_at_once(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, _ = receivers
    endpoint = register(world.api, to_platform, ["report.created"])
    to_platform.then(("status", 410))
    report(world, "rep-1")
    run_worker()
    state = world.api.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").json()
    assert state["enabled"] is False
    assert "410 Gone" in state["disabled_reason"]


@pytest.mark.django_db(transaction=True)
def test_during_a_rotation_requests_carry_both_signatures_then_only_the_new(
    world: World, receivers: tuple[Receiver, Receiver]
) -> None:
    to_platform, _ = receivers
    endpoint = register(world.api, to_platform, ["report.created"])
    old_secret = to_platform.secrets[0]
    rotated = world.api.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/rotate-secret").json()
    new_secret = rotated["secret"]
    assert new_secret != old_secret
    assert rotated["previous_secret_valid_until"].startswith("2026-11-26T21:59:00")
    to_platform.secrets.append(new_secret)

    report(world, "rep-1")
    run_worker()
    during = to_platform.requests[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verified_by == [True, True]  # a receiver holding either secret accepts it
    assert standard_webhooks_valid(old_secret, during.headers, during.body, time.time())
    assert standard_webhooks_valid(new_secret, during.headers, during.body, time.time())

    world.traveller.shift(timedelta(hours=24, seconds=1))
    report(world, "rep-2")
    run_worker()
    after = to_platform.requests[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert after.verified_by == [False, True]
    listed = world.api.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").json()
    assert listed["previous_secret_valid_until"] is None


@pytest.mark.django_db(transaction=True)
def test_running_a_delivery_task_twice_sends_once(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    report(world, "rep-1")
    delivery = Delivery.objects.get()
    deliver.enqueue(delivery.pk)  # a duplicate task, as a sweep or a redelivered job would make
    run_worker()
    assert deliver.call(delivery.pk) == "already delivered"
    assert len(to_platform.requests) == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_dying_mid_delivery_delays_it_but_does_not_lose_it(
    world: World, receivers: tuple[Receiver, Receiver]
) -> None:
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    report(world, "rep-1")
    delivery = Delivery.objects.get()
    DBTaskResult.objects.all().delete()
    # A worker claims the delivery and dies before recording anything (the claim commits, then nothing).
    claim = _claim(delivery.pk, T0)
    assert not isinstance(claim, str)
    run_worker()
    assert not to_platform.requests  # the lease still holds it
    world.traveller.shift(timedelta(seconds=31))
    run_worker()  # the watchdog task enqueued with the claim runs at the lease's end
    assert len(to_platform.requests) == 1
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_a_delivery_that_kills_every_worker_ends_as_a_dead_letter(
    world: World, receivers: tuple[Receiver, Receiver], webhook_settings: Any
) -> None:
    webhook_settings.RELAIS_WEBHOOK_MAX_ATTEMPTS = 2
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    first, second = report(world, "rep-1"), report(world, "rep-1b")
    doomed = Delivery.objects.get(body__contains=first)
    for _ in range(2):  # two workers claim it and die
        assert not isinstance(_claim(doomed.pk, datetime.now(UTC)), str)
        world.traveller.shift(timedelta(seconds=31))
    drain(world.traveller)
    doomed.refresh_from_db()
    assert (doomed.status, doomed.last_error) == ("failed", "gave up after 2 attempts that could not complete")
    assert [r.event["data"]["report_id"] for r in to_platform.requests] == [second]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_recovers_a_delivery_whose_task_was_lost(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    report(world, "rep-1")
    DBTaskResult.objects.all().delete()  # the enqueue after commit never happened (a crash in between)
    run_worker()
    assert not to_platform.requests
    call_command("webhooks", "sweep", verbosity=0)
    run_worker()
    assert len(to_platform.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_rolls_back_with_its_change(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])

    @transaction.atomic
    def a_change_that_fails() -> None:
        emit.emit(
            event_type="report.created",
            subject="report:x",
            data={"report_id": "x"},
            occurred_at=T0,
            platform=world.platform,
        )
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        a_change_that_fails()
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_immediate_backend_the_event_is_sent_right_after_commit(
    world: World, receivers: tuple[Receiver, Receiver], webhook_settings: Any
) -> None:
    webhook_settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    to_platform.then(("status", 503))
    report(world, "rep-1")
    assert [r.answer for r in to_platform.requests] == [503]  # sent before the API answered
    assert Delivery.objects.get().status == "pending"  # retries cannot be deferred here: the sweep drives them
    world.traveller.shift(timedelta(seconds=13))
    call_command("webhooks", "sweep", verbosity=0)
    assert [r.answer for r in to_platform.requests] == [503, 204]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_relais_db_worker_processes_share_the_queue_and_send_each_event_once(
    webhook_settings: Any, receivers: tuple[Receiver, Receiver]
) -> None:
    to_platform, _ = receivers
    platform, _key = add_platform(name="Sunny Social")
    endpoint, secret = endpoints.create_endpoint(
        tenant=platform, url=to_platform.url, event_types_=["report.created"], description="", now=T0
    )
    to_platform.secrets.append(secret)
    for n in range(20):
        with transaction.atomic():
            emit.emit(
                event_type="report.created",
                subject=f"report:{n}",
                data={"report_id": str(n)},
                occurred_at=T0,
                platform=platform,
            )
    relais = Path(sys.executable).with_name("relais")
    command = [str(relais)] if relais.exists() else [sys.executable, "-m", "relais.cli"]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "RELAIS_TASKS_BACKEND": "database",
        "RELAIS_WEBHOOK_TIMEOUT_SECONDS": "5",
        "DEBUG": "false",
    }
    env.pop("RELAIS_FAKE_NOW", None)
    workers = [
        subprocess.Popen(
            [*command, "db_worker", "--batch", "--no-startup-delay", "--worker-id", f"w{i}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in range(2)
    ]
    outputs = [w.communicate(timeout=120)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert len(to_platform.requests) == 20
    assert len({r.message_id for r in to_platform.accepted}) == 20
    assert all(r.verified_by == [True] for r in to_platform.requests)
    assert Delivery.objects.filter(endpoint=endpoint, status="delivered").count() == 20
    # Each task ran on one worker only. There are more than 20: one endpoint takes one attempt at a time,
    # so a worker that finds it busy returns, and the end of each attempt enqueues the endpoint's next.
    ran_by = [ids for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) if ids]  # not watchdogs
    assert all(len(ids) == 1 for ids in ran_by)
    assert {w for ids in ran_by for w in ids} <= {"w0", "w1"}
    assert Endpoint.objects.get().failure_streak == 0
