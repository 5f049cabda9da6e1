"""The DID document of a report's issuer, fetched as packages/identity/src/did/*-resolver.ts fetch it and
remembered a short while in this process.

`did:plc:…` from the connection's PLC directory (`GET <plc>/<did>`), `did:web:host` from
`https://host/.well-known/did.json` (atproto supports no path; a `localhost` did:web is fetched over http,
as atproto does, outside production only). Every fetch goes through the webhooks' egress checks
(webhooks/targets.py: public addresses only, the name resolved once and the connection pinned to it; in
development and tests 127.0.0.1/localhost/[::1] too), without redirects, 64 KiB at most.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote, unquote

import httpx
from django.conf import settings

from relais.integrations.bluesky.adapter import AuthRefused
from relais.webhooks import services as webhook_services
from relais.webhooks import targets, transport

MAX_DOCUMENT_BYTES = 65536

_documents: dict[tuple[str, str], tuple[float, Any]] = {}


def forget_documents() -> None:
    _documents.clear()


def document_url(did: str, plc_url: str) -> str:
    if did.startswith("did:plc:"):
        return f"{plc_url.rstrip('/')}/{quote(did, safe=':')}"
    host = unquote(did.removeprefix("did:web:"))
    scheme = "http" if not settings.PRODUCTION and host.split(":")[0] == "localhost" else "https"
    return f"{scheme}://{host}/.well-known/did.json"


def _fetch(url: str) -> Any:
    timeout = settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS
    proxy = settings.RELAIS_WEBHOOK_PROXY or None
    try:
        addresses = targets.addresses_to_connect(
            url, production=settings.PRODUCTION, resolve=webhook_services.resolver()
        )
    except ValueError as exc:
        raise AuthRefused("BadJwtIss", f"the issuer's DID document cannot be fetched: {exc}") from None
    network = transport.PinnedNetwork(None if proxy else addresses, time.monotonic() + timeout)
    try:
        with (
            httpx.Client(
                transport=transport.PinnedTransport(network, proxy), timeout=timeout, follow_redirects=False
            ) as client,
            client.stream(
                "GET", url, headers={"Accept": "application/did+ld+json,application/json", "User-Agent": "Relais"}
            ) as answer,
        ):
            if answer.status_code != 200:
                raise AuthRefused("BadJwtIss", f"the issuer's DID document: HTTP {answer.status_code}")
            chunks, size = [], 0
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if size > MAX_DOCUMENT_BYTES:
                    raise AuthRefused("BadJwtIss", "the issuer's DID document is too large")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise AuthRefused("BadJwtIss", f"the issuer's DID document cannot be fetched ({type(exc).__name__})") from None
    finally:
        network.close()
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        raise AuthRefused("BadJwtIss", "the issuer's DID document is not JSON") from None


def did_document(did: str, *, plc_url: str, fresh: bool = False) -> Any:
    """The document (remembered RELAIS_BLUESKY_DID_CACHE_SECONDS); `fresh` fetches it again, for a signature
    that fails with the remembered key (the reporter may have rotated it). Raises AuthRefused."""
    key = (plc_url, did)
    remembered = _documents.get(key)
    if not fresh and remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    document = _fetch(document_url(did, plc_url))
    _documents[key] = (time.monotonic() + settings.RELAIS_BLUESKY_DID_CACHE_SECONDS, document)
    return document
