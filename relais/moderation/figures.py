"""What a moderation lead sees of the platform's work: in and decided per day, overdue now, how long a
decision takes (by source and category), appeals and reversals. Counted in SQL, over indexed columns.

Each figure is one query over the period's rows (the indexes `notice_received`, `notice_decided` and
`notice_priority`); bench/moderation_queue.py times them at a million notices. On PostgreSQL the median and
90th percentile are `percentile_cont`; SQLite has no ordered-set aggregate, so there the decision times of
the period are read and ranked in Python (relais/figures.py): the same definition, slower, for development.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from relais import figures
from relais.moderation import priority as priorities
from relais.moderation import services
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


def _per_day(platform: Platform, period: figures.Period, field: str, **only: object) -> dict[date, int]:
    rows = (
        Notice.objects.filter(platform=platform, **{f"{field}__gte": period.start, f"{field}__lt": period.end}, **only)
        .annotate(day=TruncDate(field, tzinfo=period.zone))
        .values("day")
        .annotate(n=Count("*"))
        .values_list("day", "n")
    )
    return dict(rows)


def days(platform: Platform, period: figures.Period) -> list[Day]:
    received = _per_day(platform, period, "received_at")
    decided = _per_day(platform, period, "decided_at", status=NoticeStatus.DECIDED)
    return [Day(d, received.get(d, 0), decided.get(d, 0)) for d in period.days]


def ranks_by_sla_class() -> dict[str, list[int]]:
    """Which stored `queue_rank` values fall in each SLA class: the rank folds in every fact the class
    depends on (priority.queue_rank), so "overdue" is a range on `received_at` per class, in the index."""
    classes: dict[str, set[int]] = defaultdict(set)
    for trusted, immediate, minor, category, rank in priorities.queue_ranks():
        facts = priorities.NoticeFacts(priorities.EPOCH, category, trusted, immediate, 12 if minor else None)
        classes[priorities.sla_class(facts)].add(rank)
    return {kind: sorted(ranks) for kind, ranks in classes.items()}


def overdue(platform: Platform, now: datetime) -> dict[str, int]:
    sla = services.sla()
    counts = Notice.objects.filter(platform=platform, status__in=UNDECIDED).aggregate(
        **{
            kind: Count("pk", filter=Q(queue_rank__in=ranks, received_at__lte=now - sla[kind]))
            for kind, ranks in ranks_by_sla_class().items()
        }
    )
    return {kind: counts[kind] for kind in priorities.DEFAULT_SLA}


DECISION_TIMES_SQL = """
SELECT source, category, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - received_at)) / 3600,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - received_at)) / 3600
FROM {table}
WHERE platform_id = %s AND status = 'decided' AND decided_at >= %s AND decided_at < %s
GROUP BY source, category
"""


def decision_times(platform: Platform, period: figures.Period) -> list[figures.Durations]:
    """Time from a notice's receipt to its decision, for the notices decided in the period."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            sql = DECISION_TIMES_SQL.format(table=connection.ops.quote_name(Notice._meta.db_table))
            cursor.execute(sql, [platform.pk, period.start, period.end])
            found = [
                figures.Durations((source, category), n, float(median), float(p90))
                for source, category, n, median, p90 in cursor.fetchall()
            ]
    else:
        hours: dict[tuple[str, str], list[float]] = defaultdict(list)
        rows = Notice.objects.filter(
            platform=platform, status=NoticeStatus.DECIDED, decided_at__gte=period.start, decided_at__lt=period.end
        ).values_list("source", "category", "received_at", "decided_at")
        for source, category, received_at, decided_at in rows.iterator():
            assert decided_at is not None  # noqa: S101 - a decided notice has its time, filtered above
            hours[(source, category)].append((decided_at - received_at).total_seconds() / 3600)
        found = [figures.durations(key, values) for key, values in hours.items()]
    return sorted(found, key=lambda d: (-d.count, d.key))


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
    return LeadFigures(
        period=period,
        days=days(platform, period),
        overdue=overdue(platform, now),
        decision_times=decision_times(platform, period),
        appeals=appeal_figures(platform, period),
    )
