"""Standard Webhooks signatures (symmetric, `v1`): what a receiver checks to trust one of our requests.

Pure: no Django, no clock. The spec (standardwebhooks.com, v1.0.0) signs `{msg_id}.{timestamp}.{body}`
with HMAC-SHA256, keyed with the base64-decoded part of a `whsec_` secret, and sends the base64 digest as
`v1,<sig>` in `webhook-signature`. The header is a space-separated *list* so that, while a secret is
being rotated, a request carries one signature per valid secret and the receiver accepts any that matches:
a receiver that still holds the old secret and one that already has the new one both keep working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from secrets import token_bytes

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix the spec gives secrets, not a secret
SECRET_BYTES = 32
"""The spec asks for 24 to 64 random bytes; 32 is what HMAC-SHA256 can use in full."""
MIN_SECRET_BYTES = 24
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
"""The spec's receivers refuse a timestamp more than five minutes off, so a captured request cannot be
replayed later; we sign each attempt with its own time for the same reason."""


class VerificationError(ValueError):
    """The request is not one we (or the holder of the secret) signed, or not now."""


def new_secret(random_bytes: bytes | None = None) -> str:
    raw = token_bytes(SECRET_BYTES) if random_bytes is None else random_bytes
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(f"a secret needs at least {MIN_SECRET_BYTES} random bytes")
    return SECRET_PREFIX + base64.b64encode(raw).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key inside a `whsec_` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"a signing secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a signing secret is base64 after its prefix") from None
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"a signing secret holds at least {MIN_SECRET_BYTES} bytes")
    return key


def _check_id(msg_id: str) -> None:
    # The signed content is dot-delimited: an id with a dot could be shifted into the timestamp.
    if not msg_id or "." in msg_id or any(c.isspace() for c in msg_id):
        raise ValueError("a message id is non-empty, without dots or spaces")


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature."""
    _check_id(msg_id)
    signed = b"%s.%d.%s" % (msg_id.encode("ascii"), timestamp, body)
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{SCHEME},{base64.b64encode(digest).decode('ascii')}"


def signature_header(*, secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """Every valid secret's signature, newest first, space-separated (the spec's rotation scheme)."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    return " ".join(sign(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets)


def headers(*, secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets=secrets, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def verify(
    *,
    secrets: Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise VerificationError unless one `v1` signature matches one of `secrets` and the timestamp is
    within `tolerance` seconds of `now`. Header names are matched case-insensitively."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id", "")
    raw_timestamp = lower.get("webhook-timestamp", "")
    header = lower.get("webhook-signature", "")
    if not (msg_id and raw_timestamp and header):
        raise VerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(raw_timestamp)
    except ValueError:
        raise VerificationError("webhook-timestamp is not an integer") from None
    if abs(now - timestamp) > tolerance:
        raise VerificationError("webhook-timestamp is too old or too new")
    try:
        expected = [sign(secret=s, msg_id=msg_id, timestamp=timestamp, body=body) for s in secrets]
    except ValueError as exc:
        raise VerificationError(str(exc)) from None
    for candidate in header.split(" "):
        if not candidate.startswith(f"{SCHEME},"):
            continue  # another scheme (v1a, a future v2): not ours to check
        if any(hmac.compare_digest(candidate.encode(), e.encode()) for e in expected):
            return
    raise VerificationError("no signature matches")
