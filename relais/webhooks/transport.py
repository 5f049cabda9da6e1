"""How one webhook request reaches the network: to the address that was checked, within one deadline.

Two gaps of a plain `httpx.Client` that the service cannot close from outside (issue 16, ADR 0008):
- **DNS rebinding.** httpx resolves the host itself when it connects, so the address checked a moment
  before (`targets.addresses_to_connect`) need not be the one it reaches: a name with a short TTL can
  answer a public address to the check and 169.254.169.254 to the connection. `PinnedNetwork` is an
  httpcore network backend that ignores the host it is given and connects to the checked addresses; httpcore
  still uses the URL's host name for TLS (SNI and certificate check) and httpx for the `Host` header, so the
  receiver sees a normal request.
- **No overall deadline.** httpx's timeouts are per phase and per socket operation: a receiver sending one
  byte every 1.5 s never trips a 10 s read timeout, and held a worker 99.7 s. Every operation here gets at
  most the time left until the attempt's deadline, and a timer shuts the socket at the deadline (which also
  ends a TLS handshake that is being trickled, where the socket timeout is per read).

`post` is the one way Relais sends an outbound request to a URL someone else chose (webhooks, and the
platform adapters' help messages): the address filter (`targets.py`) decides before any connection, in
every mode, and the connection goes to the checked address within one deadline.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpcore
import httpx
from django.conf import settings
from django.utils.module_loading import import_string

from relais.webhooks import targets


class PastDeadline(httpcore.TimeoutException):
    """The attempt's wall-clock deadline passed (whatever phase it was in)."""


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, network: PinnedNetwork) -> None:
        self._inner = inner
        self._network = network

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._network.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._network.left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, self._network.left(timeout))
        return DeadlineStream(tls, self._network)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class PinnedNetwork(httpcore.NetworkBackend):
    """Connects only to `addresses` (in order, the next on a refused connection), and ends everything at
    `deadline` (a `time.monotonic()` instant). `connected` records where it connected, for the log."""

    def __init__(self, addresses: Iterable[str] | None, deadline: float) -> None:
        self._addresses = list(addresses) if addresses is not None else None
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()
        self._timers: list[threading.Timer] = []
        self.connected: list[tuple[str, int]] = []

    def left(self, timeout: float | None) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise PastDeadline("the attempt's deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception = httpcore.ConnectError(f"no address to connect to for {host}")
        for address in self._addresses if self._addresses is not None else [host]:
            try:
                stream = self._inner.connect_tcp(
                    address, port, self.left(timeout), local_address=local_address, socket_options=socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            self.connected.append((address, port))
            self._shut_at_deadline(stream.get_extra_info("socket"))
            return DeadlineStream(stream, self)
        raise error

    def _shut_at_deadline(self, sock: socket.socket | None) -> None:
        if sock is None:
            return

        def shut() -> None:
            with contextlib.suppress(OSError):  # already closed: the request ended first
                sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(max(self._deadline - time.monotonic(), 0), shut)
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def past_deadline(self) -> bool:
        return time.monotonic() >= self._deadline

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webhooks are sent over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport (its request and error mapping), on a connection pool that uses `network`;
    through `proxy` when one is set (then `network` pins nothing: the proxy resolves and filters)."""

    def __init__(self, network: PinnedNetwork, proxy: str | None = None) -> None:
        super().__init__(trust_env=False)
        context = httpx.create_ssl_context(trust_env=False)
        # httpx builds its pool without a way to pass a network backend: rebuild it with ours (httpx is
        # pinned in requirements.txt; the delivery tests fail if this stops connecting through ours).
        self._pool: httpcore.ConnectionPool = (
            httpcore.HTTPProxy(proxy_url=proxy, ssl_context=context, network_backend=network, max_connections=1)
            if proxy
            else httpcore.ConnectionPool(ssl_context=context, network_backend=network, max_connections=1)
        )


@dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str
    latency_ms: int
    retry_after: str | None = None
    refused: bool = False


def resolver() -> targets.Resolver:
    """DNS, as `RELAIS_WEBHOOK_RESOLVER` names it (the system's by default; tests put a stand-in there)."""
    return import_string(settings.RELAIS_WEBHOOK_RESOLVER)  # type: ignore[no-any-return]


def allowed_networks() -> targets.Networks:
    """`RELAIS_WEBHOOK_ALLOWED_NETWORKS` (ADR 0035). Parsed on each use, which costs microseconds beside a
    request, so a test's settings override is honoured; a bad value was refused at start-up (relais.E105),
    and one that slipped past allows nothing rather than everything."""
    try:
        return _parsed_networks(settings.RELAIS_WEBHOOK_ALLOWED_NETWORKS)
    except ValueError:
        return ()


@cache
def _parsed_networks(text: str) -> targets.Networks:
    networks = targets.parse_networks(text)
    return () if targets.metadata_overlap(networks) else networks


def post(url: str, body: bytes, headers: dict[str, str], *, method: str = "POST") -> Response:
    """One POST (or `method`: Synapse's idempotent server notice is a PUT) within one wall-clock deadline (connect to the last byte of the answer's headers), to an
    address checked just before — in every mode, the name being resolved once and the connection made to
    that address (transport.py) — or through `RELAIS_WEBHOOK_PROXY`. No redirects, no proxy from the
    environment. A refusal is decided before any connection is opened."""
    timeout = settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS
    proxy = settings.RELAIS_WEBHOOK_PROXY or None
    try:
        addresses = targets.addresses_to_connect(
            url, production=settings.PRODUCTION, resolve=resolver(), allowed=allowed_networks()
        )
    except ValueError as exc:
        refused = "does not resolve" not in str(exc)
        return Response(None, (f"refused: {exc}" if refused else f"DNS: {exc}")[:300], 0, refused=refused)
    started = time.perf_counter()
    network = PinnedNetwork(None if proxy else addresses, time.monotonic() + timeout)

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        with (
            httpx.Client(transport=PinnedTransport(network, proxy), timeout=timeout, follow_redirects=False) as client,
            client.stream(method, url, content=body, headers=headers) as answer,
        ):
            code = answer.status_code
            error = "" if 200 <= code <= 299 else f"HTTP {code}"
            return Response(code, error, elapsed(), answer.headers.get("retry-after"))
    except httpx.TimeoutException:
        return Response(None, f"timeout after {timeout:g} s", elapsed())
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return Response(None, f"refused: {exc}"[:300], elapsed(), refused=True)
    except httpx.HTTPError as exc:
        if network.past_deadline():  # the deadline's timer shut the socket mid-read
            return Response(None, f"timeout after {timeout:g} s", elapsed())
        return Response(None, f"connection error: {type(exc).__name__}: {exc}"[:300], elapsed())
    finally:
        network.close()
