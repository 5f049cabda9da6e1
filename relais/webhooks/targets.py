"""Which URLs a tenant may register as a webhook endpoint. Pure: the DNS resolver is passed in.

A webhook URL is chosen by someone outside Relais and then called from inside it, which is the textbook
server-side request forgery. In production an endpoint must be HTTPS and must not point at a loopback,
private, link-local or otherwise non-public address — neither as a literal nor through its DNS name —
and the name is resolved again before every attempt (a name can be changed after registration). In
development `http://` is allowed for this machine only (127.0.0.1, localhost, [::1]), which is what the
tests' local receiver uses.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")

Resolver = Callable[[str], Iterable[str]]


def system_resolver(host: str) -> list[str]:
    """Every address `host` resolves to (A and AAAA)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


def public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def check_url(url: str, *, production: bool, resolve: Resolver | None = None) -> str:
    """The URL as it will be called; ValueError with a reason a client can act on otherwise."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"must be at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("is not a valid URL") from None
    if parts.scheme not in ("https", "http"):
        raise ValueError("must start with https://")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("needs a host name")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain a user name or password (the signature authenticates us)")
    if parts.fragment:
        raise ValueError("must not contain a #fragment")
    if port == 0:
        raise ValueError("needs a valid port")
    if not production:
        if parts.scheme == "http" and host not in LOCAL_HOSTS:
            raise ValueError("must start with https:// (http:// is allowed only for 127.0.0.1 or localhost)")
        return url
    if parts.scheme != "https":
        raise ValueError("must start with https://")
    check_host(host, resolve=resolve or system_resolver)
    return url


def check_host(host: str, *, resolve: Resolver) -> None:
    """ValueError unless `host` is, or resolves only to, public addresses."""
    if host in LOCAL_HOSTS or host.endswith(INTERNAL_SUFFIXES) or "." not in host.strip("[]").replace(":", "."):
        raise ValueError("must not point at a local or internal host")
    literal = host.strip("[]")
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        pass
    else:
        if not public_address(literal):
            raise ValueError("must not point at a private, loopback or reserved address")
        return
    try:
        addresses = list(resolve(host))
    except OSError:
        raise ValueError(f"host {host} does not resolve") from None
    if not addresses:
        raise ValueError(f"host {host} does not resolve")
    if not all(public_address(a) for a in addresses):
        raise ValueError("must not point at a private, loopback or reserved address")
