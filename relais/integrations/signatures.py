"""Checking an inbound delivery's signature on the raw bytes, before anything reads them. Pure.

Why the raw bytes: re-serialising parsed JSON never gives back the signed bytes (key order, spacing,
escapes), and parsing what an attacker sent before knowing who sent it is work we do not owe them.
"""

from __future__ import annotations

import hashlib
import hmac


def hub_signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature` value a sender holding `secret` puts on `body` (WebSub's form, as Mastodon sends it:
    `sha256=` and the lower-case hex HMAC-SHA256)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hub_signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of `body` under `secret`; compared in constant time, so the answer's
    timing tells nothing about how many characters were right. Upper-case hex is accepted (the spec does not
    fix the case; only the digest matters)."""
    if not header or not secret:
        return False
    method, sep, given = header.strip().partition("=")
    if not sep or method.lower() != "sha256":
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.lower().encode("ascii", "replace"))
