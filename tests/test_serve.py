"""`relais serve`: the production WSGI server (gunicorn) really serves the API and static files."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

RELAIS = str(Path(sys.executable).with_name("relais"))
POSTGRES_URL = os.environ.get("RELAIS_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def serve(env: dict[str, str]) -> Generator[str, None, None]:
    port = free_port()
    migrate = subprocess.run([RELAIS, "migrate", "-v0"], env=env, capture_output=True, text=True, check=False)
    assert migrate.returncode == 0, migrate.stderr
    # The server's log goes to a file, never an undrained pipe: every request writes a line or more (access
    # log, request log), and a full pipe would block the workers mid-request.
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            [RELAIS, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"relais serve exited: {log.read()}")
                try:
                    if get(f"{base}/api/v1/health")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}", "RELAIS_DATA_DIR": str(tmp_path)}
    yield from serve(env)


def test_serve_answers_help_cards_over_http(dev_server: str) -> None:
    status, headers, body = get(f"{dev_server}/api/v1/help?country=FR&language=fr&at=2026-11-25T22:59:00%2B01:00")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert b'"uri":"tel:3018"' in body
    status, _, body = get(f"{dev_server}/api/v1/reports")
    assert status in (401, 405)


def test_serve_in_production_collects_and_serves_static_files(tmp_path: Path) -> None:
    if not postgres_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL must be up under CI")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (it always is under CI)")
    env = {
        **os.environ,
        "RELAIS_ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RELAIS_EVIDENCE_KEYS": "2026a:" + "A" * 43 + "=",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": POSTGRES_URL,
        "RELAIS_DATA_DIR": str(tmp_path),
        "RELAIS_SSL_REDIRECT": "false",
    }
    env.pop("RELAIS_FAKE_NOW", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests in this process; refused in production
    server = serve(env)
    base = next(server)
    try:
        status, headers, _ = get(f"{base}/static/admin/css/base.css")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert (tmp_path / "static" / "staticfiles.json").exists()
        assert get(f"{base}/api/v1/help?country=FR")[0] == 200
        assert get(f"{base}/")[0] == 404  # no demo feed in production
        # Behind the TLS-terminating proxy: HSTS for every subdomain too, and the policies on every answer.
        for path in ("/console/login/", "/api/v1/help?country=FR", "/no/such/page", "/static/admin/css/base.css"):
            status, headers, _ = get(f"{base}{path}", headers={"X-Forwarded-Proto": "https"})
            assert status in (200, 404), path
            assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
            assert "default-src 'none'" in headers["Content-Security-Policy"], path
            assert "camera=()" in headers["Permissions-Policy"], path
    finally:
        server.close()
