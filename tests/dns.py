"""A stand-in for DNS in the tests (`RELAIS_WEBHOOK_RESOLVER`), and a guard that keeps test traffic on this
machine.

Webhook hosts are resolved in every mode now (ADR 0008), so the tests' made-up receivers need answers that
do not depend on the network. They get example.com's old public address: registering passes the filter,
and nothing is ever sent there, because `guard_connections` (installed by conftest.py) refuses any TCP
connection outside loopback before it is made — the house rule "tests send traffic only to 127.0.0.1/::1",
enforced.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

PUBLIC = "93.184.216.34"
NAMES = {"localhost": ["127.0.0.1"]}


def resolve(host: str) -> list[str]:
    """Names under the reserved `.example`/`.test` domains (and example.org's) answer a public address;
    localhost is loopback; anything else does not resolve."""
    if host in NAMES:
        return NAMES[host]
    if host.endswith((".example", ".test", "example.org", "example.com")):
        return [PUBLIC]
    raise OSError(f"{host}: Name or service not known (tests.dns)")


_create_connection = socket.create_connection


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def guarded_create_connection(address: tuple[str | None, int], *args: Any, **kwargs: Any) -> socket.socket:
    if not _loopback(str(address[0])):
        raise ConnectionRefusedError(f"tests connect only to this machine, not to {address[0]} (tests/dns.py)")
    return _create_connection(address, *args, **kwargs)


def guard_connections() -> None:
    socket.create_connection = guarded_create_connection
