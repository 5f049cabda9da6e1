"""When a channel is open, evaluated by a maintained OSM opening_hours library and cached.

Hours are written in OpenStreetMap `opening_hours` syntax and evaluated by opening-hours-py, which also
knows public holidays by country (`PH`), rather than by hand-written rules: time zones, DST, holidays and
overnight ranges are exactly where hand-written code goes wrong.

A channel's state holds until its next change, so each schedule keeps its last answer with the interval it
is valid for. Most help cards then cost a comparison per channel instead of a parse of the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import opening_hours as oh

ALWAYS = "24/7"
_MAX_HOPS = 16
"""next_change also stops at comment changes; hop over at most this many to find a real state change."""


@dataclass(frozen=True)
class ChannelState:
    """A channel's state over [valid_from, valid_until); valid_until is None when it never changes."""

    open: bool
    valid_from: datetime
    valid_until: datetime | None
    _iso: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def change_iso(self, zone: ZoneInfo) -> str | None:
        """The next change as ISO 8601 in `zone`, memoised: every card shown in that zone reuses it."""
        key = zone.key
        try:
            return self._iso[key]
        except KeyError:
            value = None if self.valid_until is None else self.valid_until.astimezone(zone).isoformat()
            self._iso[key] = value
            return value


class Schedule:
    """One channel's hours in its own zone, answering "open at `now`?" and "until when?"."""

    def __init__(self, hours: str, zone: ZoneInfo, holidays_country: str | None) -> None:
        self.hours = hours
        self.zone = zone
        self._always = hours.strip() == ALWAYS
        self._rule = None if self._always else oh.OpeningHours(hours, timezone=zone, country=holidays_country)
        self._last: ChannelState | None = None

    def state(self, now: datetime) -> ChannelState:
        """The state at `now` (aware). Reuses the last answer while `now` is inside its interval."""
        last = self._last
        if last is not None and last.valid_from <= now and (last.valid_until is None or now < last.valid_until):
            return last
        state = self._evaluate(now)
        self._last = state
        return state

    def _evaluate(self, now: datetime) -> ChannelState:
        if self._rule is None:
            return ChannelState(open=True, valid_from=now, valid_until=None)
        # opening-hours-py needs a ZoneInfo tzinfo (a fixed offset raises TypeError).
        local = now.astimezone(self.zone)
        is_open = self._rule.is_open(local)
        change = self._rule.next_change(local)
        hops = 0
        while change is not None and self._rule.is_open(change) == is_open and hops < _MAX_HOPS:
            change = self._rule.next_change(change)
            hops += 1
        if change is not None and self._rule.is_open(change) == is_open:
            change = None
        return ChannelState(open=is_open, valid_from=now, valid_until=change)
