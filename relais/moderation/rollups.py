"""Daily roll-ups of a platform's notices (ADR 0040): what the lead's dashboard reads for the days that are
over, so that its cost grows with the days of the period and not with the notices.

A closed day's counts do not change by themselves: intake stamps `received_at` with the server's clock and a
decision its `decided_at`, so both land in today, which is never rolled up. `relais figures rebuild` counts the
closed days from the notices (idempotent: it replaces what it finds), and a decision dated in a rolled-up day
(a clock set back, a test's `now`) bumps that day in its own transaction (`note_decision`). Neither intake
path writes here: intake stays the one statement that waits on nothing (ADR 0015).

The same functions count the open days live, from the indexes, so a figure is the same whichever way a day
is read; tests/test_figures_rollups.py checks it over generated data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from relais import figures
from relais.moderation.models import Notice, NoticeDay, NoticeStatus, RolledUpDay
from relais.tenants.models import Platform

Cell = tuple[date, str, str]
"""(day in the platform's zone, source, category)."""


@dataclass
class Counts:
    received: int = 0
    decided: int = 0
    minutes: dict[int, int] = field(default_factory=dict)
    """The day's decisions by time taken, in steps (figures.duration_bucket): step start in minutes → count."""


def _bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(0), zone), datetime.combine(last + timedelta(days=1), time(0), zone)


def received_per_day(platform: Platform, first: date, last: date, zone: ZoneInfo) -> dict[date, int]:
    """Notices received per day, live: an index-only range of `notice_received` on PostgreSQL."""
    start, end = _bounds(first, last, zone)
    rows = (
        Notice.objects.filter(platform=platform, received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("*"))
        .values_list("day", "n")
    )
    return dict(rows)


def _received_cells(platform: Platform, first: date, last: date, zone: ZoneInfo) -> Iterator[tuple[Cell, int]]:
    start, end = _bounds(first, last, zone)
    rows = (
        Notice.objects.filter(platform=platform, received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day", "source", "category")
        .annotate(n=Count("*"))
        .values_list("day", "source", "category", "n")
    )
    for day, source, category, n in rows:
        yield (day, source, category), n


DECIDED_MINUTES_SQL = """
SELECT (decided_at AT TIME ZONE %s)::date, source, category,
       GREATEST(floor(EXTRACT(EPOCH FROM decided_at - received_at) / 60), 0)::int, count(*)
FROM {table}
WHERE platform_id = %s AND status = 'decided' AND decided_at >= %s AND decided_at < %s
GROUP BY 1, 2, 3, 4
"""


def decided_cells(platform: Platform, first: date, last: date, zone: ZoneInfo) -> dict[Cell, dict[int, int]]:
    """The notices decided per (day, source, category), by time taken in steps: an index-only range of
    `notice_decided` on PostgreSQL, grouped by whole minutes there; read row by row on SQLite."""
    start, end = _bounds(first, last, zone)
    cells: dict[Cell, dict[int, int]] = defaultdict(dict)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            sql = DECIDED_MINUTES_SQL.format(table=connection.ops.quote_name(Notice._meta.db_table))
            cursor.execute(sql, [str(zone), platform.pk, start, end])
            for day, source, category, minutes, n in cursor.fetchall():
                figures.add_counts(cells[(day, source, category)], {figures.duration_bucket(minutes): n})
        return cells
    rows = Notice.objects.filter(
        platform=platform, status=NoticeStatus.DECIDED, decided_at__gte=start, decided_at__lt=end
    ).values_list("source", "category", "received_at", "decided_at")
    for source, category, received_at, decided_at in rows.iterator():
        assert decided_at is not None  # noqa: S101 - a decided notice has its time, filtered above
        minutes = figures.whole_minutes((decided_at - received_at).total_seconds())
        cell = (decided_at.astimezone(zone).date(), source, category)
        figures.add_counts(cells[cell], {figures.duration_bucket(minutes): 1})
    return cells


def count_days(platform: Platform, first: date, last: date, zone: ZoneInfo) -> dict[Cell, Counts]:
    """Every (day, source, category) of `first`..`last` with notices, counted from the notices."""
    found: dict[Cell, Counts] = defaultdict(Counts)
    for cell, n in _received_cells(platform, first, last, zone):
        found[cell].received = n
    for cell, minutes in decided_cells(platform, first, last, zone).items():
        found[cell].decided = sum(minutes.values())
        found[cell].minutes = minutes
    return found


def rolled_up_days(platform: Platform, first: date, last: date, zone: ZoneInfo) -> set[date]:
    """The days of `first`..`last` whose roll-ups were built in `zone` (the platform's zone now)."""
    return set(
        RolledUpDay.objects.filter(platform=platform, day__gte=first, day__lte=last, zone=str(zone)).values_list(
            "day", flat=True
        )
    )


def runs(days: Iterable[date], skip: set[date]) -> list[tuple[date, date]]:
    """The unbroken stretches of `days` (in order) not in `skip`: the ranges to count live."""
    stretches: list[tuple[date, date]] = []
    for day in days:
        if day in skip:
            continue
        if stretches and stretches[-1][1] + timedelta(days=1) == day:
            stretches[-1] = (stretches[-1][0], day)
        else:
            stretches.append((day, day))
    return stretches


@dataclass(frozen=True)
class Summary:
    days: int
    cells: int


def last_closed_day(platform_zone: ZoneInfo, now: datetime) -> date:
    return now.astimezone(platform_zone).date() - timedelta(days=1)


def rebuild(platform: Platform, first: date, last: date, *, zone: ZoneInfo, now: datetime) -> Summary:
    """Count `first`..`last` again from the notices and mark them rolled up, replacing what was there. Days
    not over yet in the platform's zone (today, the future) are left live: something may still happen in
    them. Safe to run twice, or over days already built."""
    last = min(last, last_closed_day(zone, now))
    if last < first:
        return Summary(0, 0)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    with transaction.atomic():
        # Lock the days built before against a decision bumping them meanwhile: note_decision waits, then
        # finds the row still there (updated, not replaced) and bumps what this rebuild could not see.
        built = set(
            RolledUpDay.objects.select_for_update()
            .filter(platform=platform, day__gte=first, day__lte=last)
            .values_list("day", flat=True)
        )
        counted = count_days(platform, first, last, zone)
        NoticeDay.objects.filter(platform=platform, day__gte=first, day__lte=last).delete()
        NoticeDay.objects.bulk_create(
            [
                NoticeDay(
                    platform=platform,
                    day=day,
                    source=source,
                    category=category,
                    received=c.received,
                    decided=c.decided,
                    decision_minutes={str(k): v for k, v in sorted(c.minutes.items())},
                )
                for (day, source, category), c in sorted(counted.items())
            ],
            batch_size=1000,
        )
        RolledUpDay.objects.filter(platform=platform, day__gte=first, day__lte=last).update(
            zone=str(zone), built_at=now
        )
        RolledUpDay.objects.bulk_create(
            [RolledUpDay(platform=platform, day=day, zone=str(zone), built_at=now) for day in days if day not in built],
            batch_size=1000,
        )
    return Summary(len(days), len(counted))


def note_decision(notice: Notice, zone: ZoneInfo) -> None:
    """In a decision's transaction: if the day it is dated in is rolled up already, count it there too.
    Decisions are dated now, so this is a no-op except when a clock was set back."""
    assert notice.decided_at is not None  # noqa: S101 - called once the notice is decided
    day = notice.decided_at.astimezone(zone).date()
    if not RolledUpDay.objects.select_for_update().filter(platform=notice.platform, day=day, zone=str(zone)).exists():
        return
    minutes = figures.whole_minutes((notice.decided_at - notice.received_at).total_seconds())
    row, _ = NoticeDay.objects.select_for_update().get_or_create(
        platform=notice.platform, day=day, source=notice.source, category=notice.category
    )
    counts: dict[int, int] = {}
    figures.add_counts(counts, row.decision_minutes)
    figures.add_counts(counts, {figures.duration_bucket(minutes): 1})
    row.decided += 1
    row.decision_minutes = {str(k): v for k, v in sorted(counts.items())}
    row.save(update_fields=["decided", "decision_minutes"])


@dataclass(frozen=True)
class RolledUp:
    """What the rolled-up days of a period hold, summed."""

    received: dict[date, int]
    decided: dict[date, int]
    minutes: dict[tuple[str, str], dict[int, int]]
    """By (source, category): the decisions' times in steps."""


def read_rolled_up(platform: Platform, days: set[date]) -> RolledUp:
    """Sum the roll-ups of `days`: one pass over at most (days x sources x categories) rows."""
    if not days:
        return RolledUp({}, {}, {})
    rows = NoticeDay.objects.filter(platform=platform, day__gte=min(days), day__lte=max(days))
    per_day = rows.values("day").annotate(r=Sum("received"), d=Sum("decided")).values_list("day", "r", "d")
    received: dict[date, int] = {}
    decided: dict[date, int] = {}
    for day, r, d in per_day:
        if day in days:
            received[day], decided[day] = r, d
    minutes: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for day, source, category, counts in rows.filter(decided__gt=0).values_list(
        "day", "source", "category", "decision_minutes"
    ):
        if day in days:
            figures.add_counts(minutes[(source, category)], counts)
    return RolledUp(received, decided, minutes)
