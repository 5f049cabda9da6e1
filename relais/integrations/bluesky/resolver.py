"""The DID document of a report's issuer, fetched as packages/identity/src/did/*-resolver.ts fetch it and
remembered a short while in this process.

`did:plc:…` from the connection's PLC directory (`GET <plc>/<did>`), `did:web:host` from
`https://host/.well-known/did.json` (atproto supports no path; a `localhost` did:web is fetched over http,
as atproto does, outside production only). Every fetch goes through the webhooks' egress checks
(webhooks/targets.py: public addresses only, the name resolved once and the connection pinned to it; in
development and tests 127.0.0.1/localhost/[::1] too), without redirects, 64 KiB at most.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote, unquote

from django.conf import settings

from relais.integrations.bluesky import xrpc
from relais.integrations.bluesky.adapter import AuthRefused

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
    answer = xrpc.call(
        "GET", url, headers={"Accept": "application/did+ld+json,application/json"}, limit=MAX_DOCUMENT_BYTES
    )
    if answer.status_code is None:
        raise AuthRefused("BadJwtIss", f"the issuer's DID document cannot be fetched: {answer.error}")
    if answer.status_code != 200:
        raise AuthRefused("BadJwtIss", f"the issuer's DID document: HTTP {answer.status_code}")
    if answer.data is None:
        too_large = "larger than" in answer.error
        raise AuthRefused("BadJwtIss", f"the issuer's DID document is {'too large' if too_large else 'not JSON'}")
    return answer.data


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
