"""`relais serve` in development mode (the default) serves this machine only: DEBUG, the public development
secret key (from which the evidence key is derived) and the demo must not be reachable from a network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from relais.management.commands.serve import loopback_bind

RELAIS = str(Path(sys.executable).with_name("relais"))


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "[::]:8000", "192.168.1.20:8000", "relais.example:80"])
def test_development_mode_refuses_to_serve_a_network_and_says_what_to_set(bind: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("RELAIS_ENVIRONMENT", "RELAIS_BIND")}
    done = subprocess.run(
        [RELAIS, "serve", "--bind", bind], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert f"Refusing to serve development mode on {bind}" in done.stderr
    assert "RELAIS_ENVIRONMENT=production" in done.stderr
    assert "127.0.0.1" in done.stderr
    assert "Listening" not in done.stdout + done.stderr  # gunicorn never started


@pytest.mark.parametrize(
    ("bind", "local"),
    [
        ("127.0.0.1:8000", True),
        ("[::1]:8000", True),
        ("localhost:8000", True),
        ("127.0.0.1", True),
        ("0.0.0.0:8000", False),
        ("10.0.0.2:80", False),
        ("unix:/run/relais.sock", False),
    ],
)
def test_which_binds_are_this_machine(bind: str, local: bool) -> None:
    assert loopback_bind(bind) is local
