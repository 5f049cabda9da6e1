"""When to try a webhook delivery again, and when to stop. Pure: `now` and the random draw are passed in.

Which outcomes retry follows the Standard Webhooks advice: a 2xx is delivered; no answer at all (a
timeout, a refused or reset connection), a 5xx or a 429 is the receiver's passing trouble and is tried
again; any other answer (3xx — we never follow redirects —, 4xx) is the receiver telling us this request
will never be accepted, so repeating it would only add load: it goes to the dead letters at once, where a
person can replay it once the receiver is fixed. `410 Gone` also disables the endpoint (the spec's
"no longer interested").

The schedule is exponential (times 3 from 10 s, capped at 6 h), with jitter that only *adds* up to 25 %: jitter
spreads a burst of retries after an outage, and adding only keeps the schedule's total a floor. With the
default 12 attempts the last one is at least 27 h after the first, so a receiver down for a whole day
still gets everything. A `Retry-After` (seconds or an HTTP date) pushes the next attempt later, never
earlier, and is capped so that one answer cannot park a delivery for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum


class Outcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GIVE_UP = "give_up"


def classify(status_code: int | None) -> Outcome:
    """`None` means no HTTP answer: a timeout or a connection error."""
    if status_code is None:
        return Outcome.RETRY
    if 200 <= status_code <= 299:
        return Outcome.DELIVERED
    if status_code == 429 or 500 <= status_code <= 599:
        return Outcome.RETRY
    return Outcome.GIVE_UP


def disables_endpoint(status_code: int | None) -> bool:
    return status_code == 410


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After: 120` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


@dataclass(frozen=True)
class Schedule:
    first_delay: timedelta = timedelta(seconds=10)
    factor: float = 3.0
    max_delay: timedelta = timedelta(hours=6)
    jitter: float = 0.25
    max_attempts: int = 12
    max_retry_after: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.jitter < 0 or self.factor < 1:
            raise ValueError("jitter must be >= 0 and factor >= 1")

    def base_delay(self, attempts_made: int) -> timedelta:
        """The wait after the `attempts_made`-th attempt failed, before jitter."""
        if attempts_made < 1:
            raise ValueError("attempts_made starts at 1")
        seconds = self.first_delay.total_seconds() * self.factor ** (attempts_made - 1)
        return min(timedelta(seconds=seconds), self.max_delay)

    def delay(self, attempts_made: int, rand: float) -> timedelta:
        """`rand` in [0, 1) is the random draw (random.random()); it lengthens the wait by up to `jitter`."""
        if not 0 <= rand < 1:
            raise ValueError("rand is in [0, 1)")
        return self.base_delay(attempts_made) * (1 + self.jitter * rand)

    def next_attempt(
        self, *, attempts_made: int, now: datetime, rand: float, retry_after: timedelta | None = None
    ) -> datetime | None:
        """When to try again after a retryable failure, or None when no attempt is left (dead letter)."""
        if attempts_made >= self.max_attempts:
            return None
        wait = self.delay(attempts_made, rand)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return now + wait

    def minimum_span(self) -> timedelta:
        """The least time between the first and the last attempt (jitter only adds)."""
        return sum((self.base_delay(n) for n in range(1, self.max_attempts)), timedelta(0))
