"""When a channel is open, evaluated by a maintained OSM opening_hours library and cached.

Hours are written in OpenStreetMap `opening_hours` syntax and evaluated by opening-hours-py, which also
knows public holidays by country (`PH`), rather than by hand-written rules: time zones, DST, holidays and
overnight ranges are exactly where hand-written code goes wrong.

A channel's state holds until its next change, so each schedule keeps its last answer with the interval it
is valid for. Most help cards then cost a comparison per channel instead of a parse of the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    notice: Mapping[str, str] | None = None
    """Why the usual hours do not hold now (a closure or temporary hours set by the helpline), by language."""
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


@dataclass(frozen=True)
class Window:
    """A stretch of time [starts_at, ends_at) when a channel's usual hours give way: closed (`hours` None) or
    open on temporary `hours`. It ends by itself: it is a rule evaluated at `now`, not a job that undoes it."""

    starts_at: datetime
    ends_at: datetime
    notice: Mapping[str, str]
    hours: str | None = None


class _Rule:
    """An opening_hours rule evaluated without memo: open at `now`, and until when."""

    def __init__(self, hours: str, zone: ZoneInfo, holidays_country: str | None) -> None:
        self.zone = zone
        self._always = hours.strip() == ALWAYS
        self._rule = None if self._always else oh.OpeningHours(hours, timezone=zone, country=holidays_country)

    def evaluate(self, now: datetime) -> ChannelState:
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


def _earliest(*instants: datetime | None) -> datetime | None:
    known = [i for i in instants if i is not None]
    return min(known) if known else None


class Schedule:
    """One channel's hours in its own zone, answering "open at `now`?" and "until when?".

    `windows` (closures, temporary hours) take precedence over the usual hours while they last; a state's
    `valid_until` never crosses a window's start or end, so the memo below stays exact.
    """

    def __init__(
        self, hours: str, zone: ZoneInfo, holidays_country: str | None, windows: tuple[Window, ...] = ()
    ) -> None:
        self.hours = hours
        self.zone = zone
        self._rule = _Rule(hours, zone, holidays_country)
        self._windows = tuple(sorted(windows, key=lambda w: w.starts_at))
        self._window_rules = {
            i: _Rule(w.hours, zone, holidays_country) for i, w in enumerate(self._windows) if w.hours is not None
        }
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
        if not self._windows:
            return self._rule.evaluate(now)
        active = next(((i, w) for i, w in enumerate(self._windows) if w.starts_at <= now < w.ends_at), None)
        next_start = next((w.starts_at for w in self._windows if w.starts_at > now), None)
        if active is None:
            base = self._rule.evaluate(now)
            return ChannelState(base.open, now, _earliest(base.valid_until, next_start))
        index, window = active
        rule = self._window_rules.get(index)
        if rule is not None:
            inner = rule.evaluate(now)
            return ChannelState(
                inner.open, now, _earliest(inner.valid_until, window.ends_at, next_start), window.notice
            )
        # Closed: shown with its reason until the end, or, if the usual hours are closed then too, until they open.
        until: datetime | None = window.ends_at
        after = self._rule.evaluate(window.ends_at)
        if not after.open:
            until = after.valid_until
        return ChannelState(False, now, _earliest(until, next_start) if until else next_start, window.notice)
