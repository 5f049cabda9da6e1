"""What the dashboards (and a transparency report) count, as pure rules: the period, the small-cell rule
and the percentiles SQLite cannot compute itself.

The queries live in each app's figures module (relais/moderation/figures.py, relais/handoffs/figures.py);
what they return is made of the types below, so a page, the API and a report print the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SMALL_CELL = 10
"""A count from 1 to 9 could point at a person (the one 13-year-old in Malta who reported sextortion this
week): it is shown as "< 10" on a page and left out (null) in the API. Zero is shown: it names nobody."""

DEFAULT_DAYS = 30
MAX_DAYS = 366


def suppressed(count: int) -> bool:
    return 0 < count < SMALL_CELL


def shown(count: int) -> int | None:
    """The count as it may be published: None for a small cell."""
    return None if suppressed(count) else count


def cell_text(count: int | None) -> str:
    """What a table cell says: the number, or "< 10" for a small cell (None or 1 to 9)."""
    if count is None or suppressed(count):
        return f"< {SMALL_CELL}"
    return str(count)


@dataclass(frozen=True)
class Period:
    """Whole days `first` to `last` (both included) in `zone`: what "from" and "to" mean to a person."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), self.zone)

    @property
    def end(self) -> datetime:
        """Midnight after `last`: the period is start <= t < end."""
        return datetime.combine(self.last + timedelta(days=1), time(0), self.zone)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


class PeriodError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _day(field: str, value: str | None) -> date | None:
    if value is None or value.strip() == "":
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(field, "a date as YYYY-MM-DD, e.g. 2026-11-01") from None


def period(first: str | None, last: str | None, *, now: datetime, zone: ZoneInfo) -> Period:
    """The period a person asked for (`from`, `to`, both optional): by default the last 30 days to today."""
    today = now.astimezone(zone).date()
    end = _day("to", last) or today
    start = _day("from", first) or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise PeriodError("from", "the period starts after it ends")
    if (end - start).days >= MAX_DAYS:
        raise PeriodError("from", f"at most {MAX_DAYS} days at a time")
    return Period(start, end, zone)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's `percentile_cont`: linear between the two nearest ranks; None for no values."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction is between 0 and 1")
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Durations:
    """How long something took for `count` items: median and 90th percentile, in hours."""

    key: tuple[str, ...]
    """What the items have in common: (source, category) for decisions, () for all of them."""
    count: int
    median_hours: float | None
    p90_hours: float | None

    @property
    def published(self) -> bool:
        """Times over fewer than 10 items are not shown: one slow case could be recognised."""
        return not suppressed(self.count)


def durations(key: tuple[str, ...], hours: Sequence[float]) -> Durations:
    """Median and 90th percentile computed here (SQLite, or a few thousand cases of one helpline)."""
    return Durations(key, len(hours), percentile(hours, 0.5), percentile(hours, 0.9))


# --- decision times kept as counts (daily roll-ups, ADR 0040) ---

DURATION_STEPS = ((120, 1), (720, 5), (4320, 15), (43200, 60))
"""(below this many minutes, counted to this many): to the minute under 2 hours, to 5 minutes under 12 hours,
to 15 minutes under 3 days, to the hour under 30 days, to the day beyond. Each step is at most 4.2 % of the
time it applies to (5 minutes at 2 hours), and whole hours are kept exactly: a daily roll-up holds at most
about 1,100 counts per (day, source, category) whatever the number of notices."""
DAY_MINUTES = 1440


def duration_bucket(minutes: int) -> int:
    """The start, in minutes, of the step a duration of `minutes` whole minutes is counted in."""
    minutes = max(minutes, 0)
    for below, step in DURATION_STEPS:
        if minutes < below:
            return minutes - minutes % step
    return minutes - minutes % DAY_MINUTES


def whole_minutes(seconds: float) -> int:
    return max(int(seconds // 60), 0)


def add_counts(total: dict[int, int], more: Mapping[int, int] | Mapping[str, int]) -> None:
    """Add a histogram (as read from JSON, keys as strings, or as built) into `total`."""
    for key, n in more.items():
        bucket = int(key)
        total[bucket] = total.get(bucket, 0) + n


def histogram_percentile(counts: Mapping[int, int], fraction: float) -> float | None:
    """`percentile` over the values `counts` holds (value → how many times): the same linear interpolation
    between the two nearest ranks, without writing the values out one by one."""
    if not 0 <= fraction <= 1:
        raise ValueError("fraction is between 0 and 1")
    total = sum(counts.values())
    if total == 0:
        return None
    rank = fraction * (total - 1)
    low, high = math.floor(rank), math.ceil(rank)
    found: dict[int, float] = {}
    seen = 0
    for value in sorted(counts):
        n = counts[value]
        if n <= 0:
            continue
        for wanted in (low, high):
            if wanted not in found and seen <= wanted < seen + n:
                found[wanted] = value
        seen += n
        if high in found:
            break
    return found[low] + (found[high] - found[low]) * (rank - low)


def durations_counted(key: tuple[str, ...], minutes: Mapping[int, int]) -> Durations:
    """Median and 90th percentile, in hours, of durations counted in steps (`duration_bucket`, minutes)."""
    hours = {value: n for value, n in minutes.items() if n > 0}
    median, p90 = histogram_percentile(hours, 0.5), histogram_percentile(hours, 0.9)
    return Durations(
        key,
        sum(hours.values()),
        None if median is None else median / 60,
        None if p90 is None else p90 / 60,
    )
