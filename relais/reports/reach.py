"""The reach funnel's rules: its steps, the week a step is counted in, and what a help card offers.

Pure: the model (`ReachCount`) stores counts under these names; the API and the dashboards read them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SHOWN, TAPPED, SHARED, ESCALATED, DECIDED = "shown", "tapped", "shared", "escalated", "decided"
STEPS = (SHOWN, TAPPED, SHARED, ESCALATED, DECIDED)
"""In the order a reporter goes through them: the card was shown, a channel tapped, the report shared with
the helpline on consent, the helpline escalated it to the platform, the platform decided that notice."""

EVENT_STEPS: Mapping[str, str] = {"help.shown": SHOWN, "help.tapped": TAPPED}
"""What a platform reports through `POST /reports/{id}/events`; the later steps Relais sees happen itself."""


def zone_named(name: str) -> ZoneInfo:
    """The platform's zone; a zone the server lacks counts in UTC rather than failing the act it counts."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def week_of(at: datetime, zone: ZoneInfo) -> date:
    """Monday of the ISO week `at` (aware) falls in, in `zone`: the platform's week, not the server's."""
    if at.tzinfo is None:
        raise ValueError("at must be aware")
    day = at.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def iso_week(monday: date) -> str:
    """`2026-W48`: the ISO 8601 week a funnel row is about."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def helplines_on_card(card: Mapping[str, Any] | None) -> list[str]:
    """The directory ids of the helplines a help card listed, in its order."""
    return [str(line["id"]) for line in (card or {}).get("helplines", []) if line.get("id")]


def helpline_of_channel(card: Mapping[str, Any] | None, channel_id: str) -> str | None:
    """Which helpline on the card offered `channel_id`; None when the card showed no such channel."""
    for line in (card or {}).get("helplines", []):
        for channel in line.get("channels", []):
            if channel.get("id") == channel_id and line.get("id"):
                return str(line["id"])
    return None
