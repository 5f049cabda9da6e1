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
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


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
