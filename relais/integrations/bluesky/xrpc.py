"""One XRPC call (or a DID document's GET) through the webhooks' egress checks, its JSON answer read.

Every address Relais reaches on the AT Protocol is named by someone else — a DID document's URL by whoever
signed a report, a PDS by a DID document — so each call goes through webhooks/targets.py as a webhook does:
public addresses only in production, the name resolved once and the connection pinned to it, no redirects,
no proxy from the environment, one deadline for the whole exchange, and at most `limit` bytes read.
XRPC errors are JSON `{"error": <name>, "message": …}` (atproto's xrpc-server): the name is kept, since a
client must tell `ExpiredToken` from any other 400.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from relais.webhooks import targets, transport

MAX_ANSWER_BYTES = 65536


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    """None: no HTTP answer (timeout, connection refused, DNS)."""
    data: Any
    """The JSON answer (an error's too), None when there was none or it was not JSON."""
    error: str
    """"" for a 2xx; else what went wrong, naming the XRPC error when the answer gave one."""
    refused: bool = False
    """The address was refused before any connection (a private address in production, a bad URL)."""
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code <= 299 and self.data is not None

    @property
    def error_name(self) -> str:
        """The XRPC error's name (`ExpiredToken`, `MessagesDisabled`, …), "" when the answer named none."""
        name = self.data.get("error") if isinstance(self.data, dict) else None
        return name if isinstance(name, str) else ""


def call(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
    limit: int = MAX_ANSWER_BYTES,
) -> Answer:
    """`GET url` or `POST url` with `body` as JSON; never raises for anything the network or the server does."""
    timeout = settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS
    proxy = settings.RELAIS_WEBHOOK_PROXY or None
    try:
        addresses = targets.addresses_to_connect(url, production=settings.PRODUCTION, resolve=transport.resolver())
    except ValueError as exc:
        refused = "does not resolve" not in str(exc)
        return Answer(None, None, (f"refused: {exc}" if refused else f"DNS: {exc}")[:300], refused=refused)
    sent = {"Accept": "application/json", "User-Agent": "Relais", **(headers or {})}
    content = None
    if body is not None:
        content = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    network = transport.PinnedNetwork(None if proxy else addresses, time.monotonic() + timeout)
    try:
        with (
            httpx.Client(
                transport=transport.PinnedTransport(network, proxy), timeout=timeout, follow_redirects=False
            ) as client,
            client.stream(method, url, content=content, headers=sent) as answer,
        ):
            code = answer.status_code
            chunks, size = [], 0
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if size > limit:
                    return Answer(code, None, f"HTTP {code}: the answer is larger than {limit:,} bytes")
                chunks.append(chunk)
            retry_after = answer.headers.get("retry-after")
    except httpx.TimeoutException:
        return Answer(None, None, f"timeout after {timeout:g} s")
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return Answer(None, None, f"refused: {exc}"[:300], refused=True)
    except httpx.HTTPError as exc:
        if network.past_deadline():
            return Answer(None, None, f"timeout after {timeout:g} s")
        return Answer(None, None, f"connection error ({type(exc).__name__})")
    finally:
        network.close()
    try:
        data = json.loads(b"".join(chunks)) if chunks else None
    except ValueError:
        data = None
    if 200 <= code <= 299:
        return Answer(
            code, data, "" if data is not None else f"HTTP {code}: the answer is not JSON", False, retry_after
        )
    answer_error = Answer(code, data, "", False, retry_after)
    name = answer_error.error_name
    return Answer(code, data, f"HTTP {code} {name}".strip(), False, retry_after)
