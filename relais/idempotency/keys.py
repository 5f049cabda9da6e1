"""The `Idempotency-Key` request header (IETF draft-ietf-httpapi-idempotency-key-header): what a valid key is,
and the fingerprint that tells a retry from another request sent with the same key. Pure: no Django."""

from __future__ import annotations

import hashlib
import re

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
_PRINTABLE = re.compile(r"[\x20-\x7e]{1,255}")
RULE = "must be 1 to 255 printable ASCII characters (a UUID is a good key)"


class InvalidKey(ValueError):
    pass


def parse_key(raw: str) -> str:
    """The key as the draft writes it, an sf-string (`"8e03…"`, with `\\"` and `\\\\` escapes), or bare
    (`8e03…`), as Stripe's clients and most others send it. Raises InvalidKey."""
    value = raw.strip(" \t")
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        value = _unquote(value[1:-1])
    if not _PRINTABLE.fullmatch(value):
        raise InvalidKey(RULE)
    return value


def _unquote(inner: str) -> str:
    out: list[str] = []
    chars = iter(inner)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in ('"', "\\"):
                raise InvalidKey('a quoted key may escape only " and \\')
            out.append(escaped)
        elif char == '"':
            raise InvalidKey('a quoted key must escape " as \\"')
        else:
            out.append(char)
    return "".join(out)


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 of what makes the request: method, path, query and the body byte for byte (a client that
    re-serialises its JSON differently is sending another request)."""
    digest = hashlib.sha256(f"{method} {path}?{query}\n".encode())
    digest.update(body)
    return digest.hexdigest()
