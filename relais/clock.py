"""The one place Relais reads the time, so tests and demos can pin it (RELAIS_FAKE_NOW)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

_UTC = ZoneInfo("UTC")


def as_utc(instant: datetime) -> datetime:
    """An aware instant with a ZoneInfo UTC tzinfo: opening-hours-py refuses fixed-offset tzinfo."""
    if instant.tzinfo is None:
        raise ValueError("the time needs an offset or Z (an aware ISO 8601 date-time)")
    return instant.astimezone(_UTC)


def parse_instant(value: str) -> datetime:
    return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))


def now() -> datetime:
    fake = getattr(settings, "RELAIS_FAKE_NOW", None)
    if fake:
        return parse_instant(fake)
    return datetime.now(UTC).astimezone(_UTC)
