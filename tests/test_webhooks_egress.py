"""Webhook egress against hostile receivers (issue 16): a receiver that trickles its answer, one tenant's
slow endpoint beside another's, and a name whose DNS answer changes between the check and the connection.

Receivers are local: a raw socket server on 127.0.0.1 that sends its answer one byte per second, and the
signature-checking receiver of test_webhooks_delivery.py. Nothing here connects outside this machine
(tests/dns.py refuses it); refusals are proven on what was attempted, never by sending.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from relais.tenants.services import add_platform
from relais.webhooks.models import Attempt, Delivery
from tests import dns
from tests import test_webhooks_delivery as delivery_tests
from tests.test_api import report_body
from tests.test_webhooks_delivery import Receiver, World, register, report, run_worker

# The delivery tests' fixtures, used here by name.
receivers = delivery_tests.receivers
webhook_settings = delivery_tests.webhook_settings
world = delivery_tests.world

DEADLINE = 2.0
SLACK = 0.7  # the worker's own work around the request, on a busy 2-core machine


@dataclass
class Trickler:
    """Accepts connections on 127.0.0.1 and answers `204 No Content` one byte per second: every read of the
    client gets a byte well within any per-phase timeout, so only an overall deadline stops it."""

    answer: bytes = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
    interval: float = 1.0
    opened: list[float] = field(default_factory=list)  # when each connection was accepted (monotonic)
    secrets: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slow"

    def serve(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.opened.append(time.monotonic())
            threading.Thread(target=self.trickle, args=(conn,), daemon=True).start()

    def trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)  # the request (headers and the small body arrive together)
                for byte in self.answer:
                    conn.sendall(bytes([byte]))
                    time.sleep(self.interval)
            except OSError:
                pass  # the client hung up: what a deadline does


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    server = Trickler()
    listener = socket.create_server(("127.0.0.1", 0))
    server.port = listener.getsockname()[1]
    threading.Thread(target=server.serve, args=(listener,), daemon=True).start()
    yield server
    listener.close()


@pytest.fixture
def deadline(webhook_settings: Any) -> float:
    webhook_settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = DEADLINE
    return DEADLINE


@pytest.mark.django_db(transaction=True)
def test_a_trickling_receiver_is_cut_at_the_deadline_recorded_as_a_timeout_and_retried(
    world: World, trickler: Trickler, deadline: float
) -> None:
    register(world.api, trickler, ["report.created"])  # type: ignore[arg-type]  # it has .url and .secrets
    report(world, "rep-slow")
    started = time.monotonic()
    run_worker()
    took = time.monotonic() - started

    [attempt] = Attempt.objects.all()
    assert attempt.error == f"timeout after {deadline:g} s"
    assert deadline * 1000 <= attempt.latency_ms <= (deadline + SLACK) * 1000
    assert took <= deadline + 2 * SLACK  # the worker was free again at once
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.claim) == ("pending", 1, "")
    assert delivery.next_attempt_at is not None
    assert delivery.next_attempt_at > attempt.started_at  # retried later
    assert len(trickler.opened) == 1


@pytest.mark.django_db(transaction=True)
def test_one_tenants_slow_endpoint_does_not_hold_another_tenants_event(
    world: World, trickler: Trickler, receivers: tuple[Receiver, Receiver], deadline: float
) -> None:
    fast, _ = receivers
    register(world.api, trickler, ["report.created"])  # type: ignore[arg-type]  # it has .url and .secrets
    for n in range(3):
        report(world, f"rep-slow-{n}")  # three events queued first, for the slow tenant
    _, key = add_platform(name="Other Social")
    other_api = Client(headers={"Authorization": f"Bearer {key}"})
    register(other_api, fast, ["report.created"])
    response = other_api.post(
        "/api/v1/reports",
        report_body(platform_report_id="rep-other"),
        content_type="application/json",
    )
    assert response.status_code == 201
    heard: list[float] = []
    started = time.monotonic()

    original = fast.next_answer

    def noted() -> tuple[Any, ...]:
        heard.append(time.monotonic())
        return original()

    fast.next_answer = noted  # type: ignore[method-assign]
    run_worker()

    # The other tenant's event went out right after the slow endpoint's first attempt, not behind all three.
    assert len(fast.accepted) == 1
    assert heard[0] - started <= deadline + 2 * SLACK
    assert sum(1 for opened in trickler.opened if opened < heard[0]) == 1
    # The slow endpoint still got one attempt per event, one at a time, each cut at the deadline.
    assert Attempt.objects.filter(delivery__endpoint__platform=world.platform).count() == 3
    assert set(Attempt.objects.filter(status_code=None).values_list("error", flat=True)) == {
        f"timeout after {deadline:g} s"
    }
    assert len(trickler.opened) == 3
    assert all(b - a >= deadline - 0.1 for a, b in zip(trickler.opened, trickler.opened[1:], strict=False))


# --- DNS rebinding ---


@pytest.mark.django_db(transaction=True)
def test_a_request_connects_to_the_address_that_was_checked_not_a_later_answer(
    world: World, receivers: tuple[Receiver, Receiver], webhook_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`localhost` as a rebinding attacker's DNS would serve it: the look-up Relais checks
    (`RELAIS_WEBHOOK_RESOLVER`, tests/dns.py) answers 127.0.0.1; every later look-up — the system's, which
    an HTTP client makes when it connects — answers 127.0.0.2, where a second listener waits. Both answers
    are on this machine: the test never sends outside it."""
    checked, _ = receivers
    rebound = socket.create_server(("127.0.0.2", checked.port))
    rebound.settimeout(0.2)
    real_getaddrinfo = socket.getaddrinfo
    later_lookups: list[Any] = []

    def later_answer(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "localhost":
            later_lookups.append((host, port))
            return real_getaddrinfo("127.0.0.2", port, *args, **kwargs)
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", later_answer)
    try:
        endpoint = world.api.post(
            "/api/v1/webhooks/endpoints",
            {"url": f"http://localhost:{checked.port}/hooks/relais", "event_types": ["report.created"]},
            content_type="application/json",
        ).json()
        checked.secrets.append(endpoint["secret"])
        report(world, "rep-1")
        run_worker()
        with pytest.raises(TimeoutError):
            rebound.accept()  # nobody came to the rebound address
    finally:
        rebound.close()
    [request] = checked.requests
    assert request.accepted
    assert request.verified_by == [True]
    assert request.headers["host"] == f"localhost:{checked.port}"  # the name, as the receiver expects
    assert later_lookups == []  # the client resolved nothing itself
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_a_name_pointed_at_a_private_address_after_registration_is_refused_without_connecting(
    world: World, webhook_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registered while public (tests/dns.py), then rebound to the metadata address: the attempt is refused
    before any connection (tests/dns.py's guard would refuse one anyway; here none is even tried)."""
    webhook_settings.PRODUCTION = True
    # Production seals the reporters' words with its own evidence key (relais.E301): give it one.
    webhook_settings.RELAIS_EVIDENCE_KEYS = "2026a:" + "A" * 43 + "="
    endpoint = world.api.post(
        "/api/v1/webhooks/endpoints",
        {"url": "https://hooks.rebind.test/relais", "event_types": ["report.created"]},
        content_type="application/json",
    )
    assert endpoint.status_code == 201, endpoint.content
    monkeypatch.setitem(dns.NAMES, "hooks.rebind.test", ["169.254.169.254"])
    tried: list[Any] = []

    def record(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        tried.append(address)
        raise ConnectionRefusedError("recorded, not connected")

    monkeypatch.setattr(socket, "create_connection", record)
    report(world, "rep-1")
    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (
        "failed",
        "refused: hooks.rebind.test resolves to a non-public address (not retried)",
    )
    assert tried == []


@pytest.mark.django_db(transaction=True)
def test_with_an_egress_proxy_the_request_goes_through_it(
    world: World, receivers: tuple[Receiver, Receiver], webhook_settings: Any
) -> None:
    """`RELAIS_WEBHOOK_PROXY`: the proxy connects (and filters); Relais connects only to the proxy. The second
    receiver plays the proxy: a plain-HTTP proxy is sent the absolute URL."""
    target, proxy = receivers
    proxy.secrets = target.secrets
    webhook_settings.RELAIS_WEBHOOK_PROXY = f"http://127.0.0.1:{proxy.port}"
    register(world.api, target, ["report.created"])
    report(world, "rep-1")
    run_worker()
    assert target.requests == []
    [request] = proxy.requests
    assert request.path == target.url
    assert request.verified_by == [True]
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_over_tls_the_pinned_connection_still_names_the_host_and_checks_its_certificate(
    world: World, tmp_path: Any
) -> None:
    """The connection goes to the checked address, but TLS is the name's: the server is asked for
    `localhost` (SNI), and a certificate no public authority signed is refused, not skipped."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(  # a throw-away self-signed certificate for localhost, made offline
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    asked_for: list[str] = []

    def note_server_name(_sock: ssl.SSLObject, name: str, _context: ssl.SSLContext) -> None:
        asked_for.append(name)

    context.sni_callback = note_server_name
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True):
                pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        endpoint = world.api.post(
            "/api/v1/webhooks/endpoints",
            {"url": f"https://localhost:{port}/hooks", "event_types": ["report.created"]},
            content_type="application/json",
        )
        assert endpoint.status_code == 201, endpoint.content
        report(world, "rep-1")
        run_worker()
    finally:
        listener.close()
    assert asked_for == ["localhost"]
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"  # a connection error: retried, in case the certificate is renewed
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
