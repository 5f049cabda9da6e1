"""A production layout that runs on one machine: PostgreSQL (a fresh database), Redis, gunicorn with several
workers and two `relais db_worker`s, all with RELAIS_ENVIRONMENT=production and the settings its start-up
checks demand. Used by bench/prod_smoke.py and bench/soak.py.

HTTPS is assumed in front (a proxy ends TLS), so RELAIS_SSL_REDIRECT=false and the load speaks plain HTTP to
127.0.0.1. Production refuses webhook targets on private and loopback addresses (webhooks/targets.py); the
layout lists 127.0.0.0/8 in RELAIS_WEBHOOK_ALLOWED_NETWORKS (ADR 0035), as an operator lists the network of
their own receivers, so `Receiver` (a signature-checking HTTP server on 127.0.0.1) gets the webhooks.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import psycopg
from http_help import free_port, relais_command, server_env, wait_until_up

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")  # not db 0: the machine's Redis is shared


@dataclass
class Layout:
    port: int
    env: dict[str, str]
    database_url: str
    metrics_token: str
    server: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def relais(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*relais_command(), *args], env=self.env, input=stdin, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"relais {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def web_pids(self) -> list[int]:
        """gunicorn's workers (the master's children)."""
        out = subprocess.run(["pgrep", "-P", str(self.server.pid)], capture_output=True, text=True, check=False)
        return [int(p) for p in out.stdout.split()]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def production_env(database_url: str, port: int, metrics_token: str) -> dict[str, str]:
    env = server_env(database_url)
    for name in ("DEBUG", "RELAIS_FAKE_NOW", "DJANGO_ALLOW_ASYNC_UNSAFE", "RELAIS_SECURE_COOKIES"):
        env.pop(name, None)
    env.update(
        {
            "RELAIS_ENVIRONMENT": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "RELAIS_EVIDENCE_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "RELAIS_PUBLIC_URL": f"https://relais.soak.test:{port}",
            "RELAIS_METRICS_TOKEN": metrics_token,
            "RELAIS_CACHE_URL": REDIS_URL,
            "RELAIS_TASKS_BACKEND": "database",
            # The receiver is on this machine: the operator's own network, listed (ADR 0035).
            "RELAIS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "RELAIS_SSL_REDIRECT": "false",
            "RELAIS_LOG_LEVEL": "WARNING",
            "RELAIS_DATA_DIR": str(Path(os.environ.get("BENCH_DATA_DIR", "/tmp/relais-soak"))),  # noqa: S108 (a benchmark's scratch folder)
        }
    )
    return env


def signature_valid(secret: str, headers: dict[str, str], body: bytes, now: float) -> bool:
    """Standard Webhooks (https://www.standardwebhooks.com), checked as a receiver would, independently of
    relais.webhooks.signing: HMAC-SHA256 over "{id}.{timestamp}.{body}" keyed with the base64 part of
    `whsec_…`, any `v1,` entry of the space-separated header, a timestamp within 5 minutes."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not msg_id or not stamp.isdigit() or abs(now - int(stamp)) > 300:
        return False
    digest = hmac.new(key, msg_id.encode() + b"." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    return any(
        e.startswith("v1,") and hmac.compare_digest(e[3:], expected)
        for e in headers.get("webhook-signature", "").split(" ")
    )


@dataclass
class Received:
    message_id: str
    event_type: str
    valid: bool


@dataclass
class Receiver:
    """A platform's webhook receiver on 127.0.0.1: answers 204 and records each request's `webhook-id`, its
    event type and whether its signature verified with `secret`."""

    secret: str = ""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/relais"

    def by_id(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for r in self.received:
                counts[r.message_id] = counts.get(r.message_id, 0) + 1
            return counts


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        valid = signature_valid(receiver.secret, headers, body, time.time()) if receiver.secret else False
        kind = ""
        with contextlib.suppress(ValueError, KeyError, TypeError):
            kind = str(orjson.loads(body)["type"])
        with receiver.lock:
            receiver.received.append(Received(headers.get("webhook-id", ""), kind, valid))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.receiver = receiver  # type: ignore[attr-defined]
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def production_layout(
    database: str = "soak_prod",
    web_workers: int = 3,
    log_dir: Path = Path("/tmp"),  # noqa: S108
) -> Iterator[Layout]:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    port = free_port()
    token = secrets.token_urlsafe(24)
    env = production_env(database_url, port, token)
    Path(env["RELAIS_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    migrated = subprocess.run([*relais_command(), "migrate", "-v0"], env=env, capture_output=True, text=True)
    if migrated.returncode != 0:
        raise RuntimeError(migrated.stderr)
    log = (log_dir / f"{database}.log").open("ab")

    def start(*args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*relais_command(), *args], env=env, stdout=log, stderr=log, start_new_session=True)

    server = start("serve", "--bind", f"127.0.0.1:{port}", "--workers", str(web_workers))
    layout = Layout(port, env, database_url, token, server)
    layout.workers = [start("db_worker", "--worker-id", f"soak-{n}", "--interval", "0.5") for n in "ab"]
    try:
        wait_until_up(port, server, timeout=120)
        yield layout
    finally:
        for process in [server, *layout.workers]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in [server, *layout.workers]:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
