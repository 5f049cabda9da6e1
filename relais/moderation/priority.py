"""The moderation queue's order: who waits least, and why.

DSA Art. 22(1) requires that notices from trusted flaggers "are given priority and are processed and
decided upon without undue delay"; Recital 52 asks for action without delay where a notice involves a
threat to life or safety. So the order is, first key first:

1. trusted flagger (a helpline acting within its area of expertise);
2. danger to the reporter is immediate;
3. the reporter is a minor;
4. the gravity of the harm (table below);
5. how much of its service-level time the notice has already used (the most overdue first).

Each class of notice has its own service-level time (SLA); `Priority.due_at` is when it runs out.

The first four keys never change once a notice is received, and they decide its SLA class, so within one
value of them every notice has the same SLA time and "the most of its time used" is "received first".
`queue_rank` folds those four keys into one small integer that is stored on the notice and indexed: the
queue is then `ORDER BY queue_rank, received_at, id` in SQL, the same order as sorting by `queue_key`
here (tests/test_queue_order.py checks it on generated notices, ties included; ADR 0014).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product

SEVERITY: Mapping[str, int] = {
    "self_harm": 5,
    "sextortion": 5,
    "non_consensual_intimate_imagery": 5,
    "child_sexual_abuse_material": 5,
    "grooming": 5,
    "threat": 4,
    "doxxing": 4,
    "hate": 3,
    "harassment": 3,
    "cyberbullying": 3,
    "impersonation": 2,
    "other": 1,
}
"""Gravity of the harm reported: irreversible spread of images and risks to life first."""

DEFAULT_SLA: Mapping[str, timedelta] = {
    "immediate": timedelta(hours=1),
    "trusted_flagger": timedelta(hours=24),
    "minor": timedelta(hours=24),
    "standard": timedelta(hours=72),
}
"""Defaults; a platform's own commitments replace them (they are arguments, not constants in the code)."""


MOST_SEVERE = max(SEVERITY.values())
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NoticeFacts:
    received_at: datetime
    category: str
    trusted_flagger: bool = False
    danger_immediate: bool = False
    reporter_age: int | None = None

    @property
    def minor(self) -> bool:
        return self.reporter_age is not None and self.reporter_age < 18


@dataclass(frozen=True)
class Priority:
    sla_class: str
    due_at: datetime
    sla_used: float
    """Share of the SLA already used at `now`: 0.5 is half-way, above 1 is overdue."""
    rank: tuple[bool, bool, bool, int, float]
    """Sort ascending: the first notice is the one to handle first."""

    @property
    def overdue(self) -> bool:
        return self.sla_used >= 1


def sla_class(facts: NoticeFacts) -> str:
    if facts.danger_immediate:
        return "immediate"
    if facts.trusted_flagger:
        return "trusted_flagger"
    if facts.minor:
        return "minor"
    return "standard"


def priority(facts: NoticeFacts, now: datetime, sla: Mapping[str, timedelta] = DEFAULT_SLA) -> Priority:
    """Where a notice stands in the queue at `now` (aware)."""
    if now.tzinfo is None or facts.received_at.tzinfo is None:
        raise ValueError("times must be aware")
    kind = sla_class(facts)
    allowed = sla[kind]
    waited = max(now - facts.received_at, timedelta(0))
    used = waited / allowed
    rank = (
        not facts.trusted_flagger,
        not facts.danger_immediate,
        not facts.minor,
        -SEVERITY.get(facts.category, 1),
        -used,
    )
    return Priority(sla_class=kind, due_at=facts.received_at + allowed, sla_used=used, rank=rank)


def queue_rank(facts: NoticeFacts) -> int:
    """The first four keys of `Priority.rank` as one integer, smallest first (0 to 47 with today's table).

    Stored on the notice when it is created (`Notice.queue_rank`); a change to `SEVERITY` or to the order
    of the keys needs a migration that writes it again for the undecided notices."""
    group = (not facts.trusted_flagger) * 4 + (not facts.danger_immediate) * 2 + (not facts.minor)
    return group * (MOST_SEVERE + 1) + MOST_SEVERE - SEVERITY.get(facts.category, 1)


def queue_key(
    facts: NoticeFacts, tiebreak: str, now: datetime, sla: Mapping[str, timedelta] = DEFAULT_SLA
) -> tuple[tuple[bool, bool, bool, int, float], datetime, str]:
    """The queue's full order in Python: `Priority.rank`, then the first received, then `tiebreak` (the
    notice's id as text), so that two notices never compare equal and every page boundary is exact."""
    return priority(facts, now, sla).rank, facts.received_at, tiebreak


def queue_ranks(categories: Iterable[str] = SEVERITY) -> list[tuple[bool, bool, bool, str, int]]:
    """`queue_rank` for every (trusted flagger, immediate danger, minor, category): the table a migration or a
    data generator writes in SQL, so the rule is still evaluated here and only here."""
    return [
        (
            trusted,
            immediate,
            minor,
            category,
            queue_rank(NoticeFacts(EPOCH, category, trusted, immediate, 12 if minor else None)),
        )
        for trusted, immediate, minor, category in product((True, False), (True, False), (True, False), categories)
    ]
