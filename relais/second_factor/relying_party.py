"""Which site a passkey belongs to (its RP ID) and which page addresses may use it (its origins).

A passkey is bound to a host name: one made on `relais.example.org` is never offered on any other site, which is
what defeats phishing. So the name must not move: it comes from RELAIS_PASSKEY_RP_ID, else from the host of
RELAIS_PUBLIC_URL, else (development, tests) from the host the request came to, which ALLOWED_HOSTS vetted.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origins: tuple[str, ...]


def origin_of(url: str) -> str:
    """`https://relais.example.org/console/` → `https://relais.example.org` (scheme, host and port only)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def relying_party(*, rp_id: str, origins: list[str], public_url: str, request_origin: str) -> RelyingParty:
    """The configured values first, then RELAIS_PUBLIC_URL's, then the request's own."""
    fallback = public_url or request_origin
    chosen_id = rp_id or (urlsplit(fallback).hostname or "")
    chosen_origins = tuple(origin_of(origin) for origin in origins) or (origin_of(fallback),)
    return RelyingParty(id=chosen_id, origins=chosen_origins)
