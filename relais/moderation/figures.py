"""What a moderation lead sees of the platform's work: in and decided per day, overdue now, how long a
decision takes (by source and category), appeals and reversals. Counted in SQL, over indexed columns.

The per-day counts and the decision times of the days that are over come from daily roll-ups
(relais/moderation/rollups.py, ADR 0040), today's from the indexes `notice_received` and `notice_decided`;
overdue now is a count over `notice_priority`, the undecided notices alone. Decision times are counted in
steps (relais.figures.duration_bucket) so that a day's can be kept as counts; the median and 90th percentile
are then `percentile_cont`'s definition over those counts (relais.figures.histogram_percentile).
bench/moderation_queue.py times the page at a million notices.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q

from relais import figures
from relais.moderation import priority as priorities
from relais.moderation import rollups, services
from relais.moderation.models import Appeal, AppealStatus, Notice, NoticeStatus
from relais.tenants.models import Platform

UNDECIDED = (NoticeStatus.OPEN, NoticeStatus.CLAIMED)


@dataclass(frozen=True)
class Day:
    day: date
    received: int
    decided: int


@dataclass(frozen=True)
class AppealFigures:
    received: int
    waiting: int
    upheld: int
    reversed: int


@dataclass(frozen=True)
class LeadFigures:
    period: figures.Period
    days: list[Day]
    overdue: dict[str, int]
    """Undecided notices past their service-level time now, by SLA class (priority.py's)."""
    decision_times: list[figures.Durations]
    """By (source, category), most decided first."""
    appeals: AppealFigures

    @property
    def received(self) -> int:
        return sum(d.received for d in self.days)

    @property
    def decided(self) -> int:
        return sum(d.decided for d in self.days)

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


@dataclass(frozen=True)
class Counted:
    """A period's notices counted: per day, and the decisions' times in steps by (source, category)."""

    days: list[Day]
    minutes: dict[tuple[str, str], dict[int, int]]


def counted(platform: Platform, period: figures.Period) -> Counted:
    """The rolled-up days of the period from their roll-ups (ADR 0040); the others (today, days not built
    yet) counted live over the indexes, one range per unbroken stretch. The same counts either way."""
    sealed = rollups.rolled_up_days(platform, period.first, period.last, period.zone)
    stored = rollups.read_rolled_up(platform, sealed)
    received, decided = dict(stored.received), dict(stored.decided)
    minutes: dict[tuple[str, str], dict[int, int]] = defaultdict(dict, stored.minutes)
    for first, last in rollups.runs(period.days, sealed):
        received.update(rollups.received_per_day(platform, first, last, period.zone))
        for (day, source, category), counts in rollups.decided_cells(platform, first, last, period.zone).items():
            decided[day] = decided.get(day, 0) + sum(counts.values())
            figures.add_counts(minutes[(source, category)], counts)
    return Counted([Day(d, received.get(d, 0), decided.get(d, 0)) for d in period.days], minutes)


def days(platform: Platform, period: figures.Period) -> list[Day]:
    """Received and decided per day."""
    return counted(platform, period).days


def _times(found: Counted) -> list[figures.Durations]:
    times = [figures.durations_counted(key, counts) for key, counts in found.minutes.items()]
    return sorted(times, key=lambda d: (-d.count, d.key))


def ranks_by_sla_class() -> dict[str, list[int]]:
    """Which stored `queue_rank` values fall in each SLA class: the rank folds in every fact the class
    depends on (priority.queue_rank), so "overdue" is a range on `received_at` per class, in the index."""
    classes: dict[str, set[int]] = defaultdict(set)
    for trusted, immediate, minor, category, rank in priorities.queue_ranks():
        facts = priorities.NoticeFacts(priorities.EPOCH, category, trusted, immediate, 12 if minor else None)
        classes[priorities.sla_class(facts)].add(rank)
    return {kind: sorted(ranks) for kind, ranks in classes.items()}


def overdue(platform: Platform, now: datetime) -> dict[str, int]:
    """One count per SLA class, each a range of `notice_priority` (platform, queue_rank, received_at), the
    partial index of undecided notices: index-only on PostgreSQL, and it reads only the overdue entries. (A
    single query with a FILTER per class reads every undecided notice instead: PostgreSQL cannot bound a
    scan by a condition that is only in a FILTER.)"""
    sla = services.sla()
    ranks = ranks_by_sla_class()
    undecided = Notice.objects.filter(platform=platform, status__in=UNDECIDED)
    return {
        kind: undecided.filter(queue_rank__in=ranks.get(kind, []), received_at__lte=now - sla[kind]).count()
        for kind in priorities.DEFAULT_SLA
    }


def decision_times(platform: Platform, period: figures.Period) -> list[figures.Durations]:
    """Time from a notice's receipt to its decision, for the notices decided in the period, counted in steps
    (relais.figures.duration_bucket: to the minute under 2 hours, whole hours exactly), most decided first."""
    return _times(counted(platform, period))


def appeal_figures(platform: Platform, period: figures.Period) -> AppealFigures:
    counts = Appeal.objects.filter(
        decision__platform=platform, received_at__gte=period.start, received_at__lt=period.end
    ).aggregate(
        received=Count("*"),
        waiting=Count("pk", filter=Q(status=AppealStatus.OPEN)),
        upheld=Count("pk", filter=Q(status=AppealStatus.UPHELD)),
        reversed=Count("pk", filter=Q(status=AppealStatus.REVERSED)),
    )
    return AppealFigures(**counts)


def lead_figures(platform: Platform, period: figures.Period, now: datetime) -> LeadFigures:
    found = counted(platform, period)
    return LeadFigures(
        period=period,
        days=found.days,
        overdue=overdue(platform, now),
        decision_times=_times(found),
        appeals=appeal_figures(platform, period),
    )
