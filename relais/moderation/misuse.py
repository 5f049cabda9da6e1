"""Protection against misuse of notices (DSA Art. 23(2)-(3)).

A notifier (a platform's reporter by pseudonym, or a flagger) who "frequently" submits "manifestly
unfounded" notices may have their notices' processing suspended "for a reasonable period of time and
after having issued a prior warning". Art. 23(3) asks to weigh at least (a) the absolute numbers in a time
frame and (b) their proportion of all notices in it, plus (c) gravity and (d) intention, which need a
person: this module only proposes, from (a) and (b), and never suspends without a prior warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Action(StrEnum):
    NONE = "none"
    WARN = "warn"
    SUSPEND = "suspend"


@dataclass(frozen=True)
class Policy:
    window: timedelta = timedelta(days=90)
    warn_at: int = 5
    suspend_at: int = 10
    min_share: float = 0.5
    """Below this share of unfounded notices, a prolific notifier is not a misuser (most were right)."""
    suspension: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        if not 0 < self.warn_at <= self.suspend_at:
            raise ValueError("0 < warn_at <= suspend_at")
        if not 0 < self.min_share <= 1:
            raise ValueError("0 < min_share <= 1")


@dataclass(frozen=True)
class Record:
    """A notifier's notices in the window, as decided."""

    total: int
    unfounded: int
    warned_at: datetime | None = None
    suspended_until: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    action: Action
    reason: str
    until: datetime | None = None


def assess(record: Record, now: datetime, policy: Policy = Policy()) -> Verdict:
    if record.unfounded > record.total or record.unfounded < 0:
        raise ValueError("unfounded must be between 0 and total")
    if record.suspended_until is not None and record.suspended_until > now:
        return Verdict(Action.SUSPEND, "already suspended", record.suspended_until)
    share = record.unfounded / record.total if record.total else 0.0
    summary = f"{record.unfounded} of {record.total} notices manifestly unfounded"
    if record.unfounded < policy.warn_at or share < policy.min_share:
        return Verdict(Action.NONE, summary)
    warned_recently = record.warned_at is not None and now - record.warned_at <= policy.window
    if record.unfounded >= policy.suspend_at and warned_recently:
        return Verdict(Action.SUSPEND, f"{summary}, after a warning", now + policy.suspension)
    if warned_recently:
        return Verdict(Action.NONE, f"{summary}; warned already")
    return Verdict(Action.WARN, summary)
