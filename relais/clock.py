"""The one place Relais reads the time, so tests and demos can pin it (RELAIS_FAKE_NOW)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

_UTC = ZoneInfo("UTC")


def parse_instant(value: str) -> datetime:
    """An aware ISO 8601 instant, as a ZoneInfo-UTC datetime (opening-hours-py refuses fixed offsets)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("the time needs an offset or Z (an aware ISO 8601 date-time)")
    return parsed.astimezone(_UTC)


def now() -> datetime:
    fake = getattr(settings, "RELAIS_FAKE_NOW", None)
    if fake:
        return parse_instant(fake)
    return datetime.now(UTC).astimezone(_UTC)
