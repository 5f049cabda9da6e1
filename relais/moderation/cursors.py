"""Keyset cursors: where a page of a list ends, as an opaque token the client sends back unchanged.

A page is `ORDER BY key LIMIT n` and the next one `WHERE key > cursor`, so reading page 1,000 costs what
reading page 1 does (an OFFSET would read and throw away everything before it), and a row added or decided
between two pages neither repeats nor hides another. The token is the last row's key as JSON in
URL-safe base64: opaque to clients, checked on the way back in (a forged or truncated one is a 422).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import datetime

import orjson

INVALID = "is not a cursor this API returned"

Key = Sequence[int | bool | datetime | uuid.UUID | str]


def encode(key: Key) -> str:
    raw = orjson.dumps([v.isoformat() if isinstance(v, datetime) else v for v in key], default=str)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, shape: Sequence[type]) -> tuple[int | bool | datetime | uuid.UUID | str, ...]:
    """The key `encode` wrote, each value of the type in `shape` (int, bool, datetime — aware — uuid.UUID,
    str); ValueError for anything else."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise ValueError(INVALID) from None
    if not isinstance(values, list) or len(values) != len(shape):
        raise ValueError(INVALID)
    return tuple(_typed(value, kind) for value, kind in zip(values, shape, strict=True))


def _typed(value: object, kind: type) -> int | bool | datetime | uuid.UUID | str:
    if kind is bool and isinstance(value, bool):
        return value
    if kind is int and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**15:
        return value
    if kind is str and isinstance(value, str) and len(value) <= 200:
        return value
    if kind is datetime and isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(INVALID) from None
        if instant.tzinfo is not None:
            return instant
    if kind is uuid.UUID and isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            raise ValueError(INVALID) from None
    raise ValueError(INVALID)
