"""The counts of a DSA transparency report for one platform and one period, in SQL over indexed columns.

Separate from the dashboards' queries (relais/moderation/figures.py) on purpose: a report counts what the
DSA asks (notices by type and source, actions by ground, complaints, statements), the dashboard what a lead
needs today. Every query is filtered by the platform first: another platform's rows are never read.

* notices: received in the period, index `notice_received` (platform, received_at);
* decisions: first decisions (not those on appeal) made in the period, index `decision_export`
  (platform, decided_at); their ground and category are the statement of reasons' own;
* times: receipt to first decision (the notice's `decided_at`, index `notice_decided`), median with `percentile_cont` on PostgreSQL, in Python on SQLite (the same
  definition, relais.figures.percentile), as the dashboards do;
* complaints (Art. 20 appeals): received in the period, and decided in the period.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT

from relais import figures
from relais.moderation import transparency_report as report
from relais.moderation.models import Appeal, AppealStatus, Decision, Notice, NoticeStatus, Outcome
from relais.tenants.models import Platform

TIME_TO_ACTION_SQL = """
SELECT source, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - received_at)) / 3600
FROM {notice}
WHERE platform_id = %s AND status = 'decided' AND decided_at >= %s AND decided_at < %s
GROUP BY ROLLUP (source)
"""


def _first_decisions(platform: Platform, period: figures.Period) -> QuerySet[Decision]:
    """First decisions (not those on appeal) made in the period: index `decision_export`."""
    return Decision.objects.filter(
        platform=platform, on_appeal__isnull=True, decided_at__gte=period.start, decided_at__lt=period.end
    )


def notices(platform: Platform, period: figures.Period) -> tuple[dict[tuple[str, str], int], int]:
    """(source, category) → notices received; and how many of them were not processed (notifier suspended)."""
    rows = (
        Notice.objects.filter(platform=platform, received_at__gte=period.start, received_at__lt=period.end)
        .values("source", "category")
        .annotate(n=Count("*"), not_processed=Count("pk", filter=Q(status=NoticeStatus.SUSPENDED)))
    )
    found: dict[tuple[str, str], int] = {}
    not_processed = 0
    for row in rows:
        found[(row["source"], row["category"])] = row["n"]
        not_processed += row["not_processed"]
    return found, not_processed


def actions(platform: Platform, period: figures.Period) -> tuple[dict[tuple[str, str], int], int, dict[str, int]]:
    """(ground, statement category) → restrictions; decisions without action; restrictions by automation."""
    rows = (
        _first_decisions(platform, period)
        .values(
            "outcome",
            ground=KT("statement__decision_ground"),
            category=KT("statement__category"),
            automated=KT("statement__automated_decision"),
        )
        .annotate(n=Count("*"))
    )
    by_ground: dict[tuple[str, str], int] = defaultdict(int)
    automated: dict[str, int] = defaultdict(int)
    no_action = 0
    for row in rows:
        if row["outcome"] != Outcome.RESTRICTED:
            no_action += row["n"]
            continue
        by_ground[(row["ground"] or "", row["category"] or "")] += row["n"]
        automated[row["automated"] or ""] += row["n"]
    return dict(by_ground), no_action, {k: n for k, n in automated.items() if k in report.AUTOMATED}


def times_to_action(platform: Platform, period: figures.Period) -> tuple[figures.Durations, list[figures.Durations]]:
    """Receipt of the notice to its first decision, for the notices decided in the period: all, and by source.

    A notice's `decided_at` is its first decision's (services.decide), so this reads the dashboards' index
    `notice_decided` alone (it INCLUDEs received_at and source) instead of joining the decisions."""
    if connection.vendor == "postgresql":
        sql = TIME_TO_ACTION_SQL.format(notice=connection.ops.quote_name(Notice._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql, [platform.pk, period.start, period.end])
            found = {
                source: figures.Durations((source,) if source else (), n, float(median), None)
                for source, n, median in cursor.fetchall()
            }
        total = found.pop(None, report.NO_TIME)
        return total, sorted(found.values(), key=lambda d: d.key)
    hours: dict[str, list[float]] = defaultdict(list)
    rows = Notice.objects.filter(
        platform=platform, status=NoticeStatus.DECIDED, decided_at__gte=period.start, decided_at__lt=period.end
    ).values_list("source", "received_at", "decided_at")
    for source, received_at, decided_at in rows.iterator():
        if decided_at is not None:  # always, for a decided notice: filtered above
            hours[source].append((decided_at - received_at).total_seconds() / 3600)
    total = figures.durations((), [h for values in hours.values() for h in values])
    return total, [figures.durations((s,), hours[s]) for s in sorted(hours)]


def complaints(platform: Platform, period: figures.Period) -> tuple[dict[str, int], dict[str, int], int]:
    """Appeals received in the period by appellant; decided in the period by outcome; still open at its end."""
    mine = Appeal.objects.filter(decision__platform=platform)
    received = dict(
        mine.filter(received_at__gte=period.start, received_at__lt=period.end)
        .values_list("appellant")
        .annotate(n=Count("*"))
        .values_list("appellant", "n")
    )
    decided = mine.filter(decided_at__gte=period.start, decided_at__lt=period.end).aggregate(
        upheld=Count("pk", filter=Q(status=AppealStatus.UPHELD)),
        reversed=Count("pk", filter=Q(status=AppealStatus.REVERSED)),
    )
    still_open = mine.filter(received_at__lt=period.end).filter(
        Q(status=AppealStatus.OPEN) | Q(decided_at__gte=period.end)
    )
    return received, decided, still_open.count()


def complaint_time(platform: Platform, period: figures.Period) -> figures.Durations:
    """Receipt to decision of the complaints decided in the period (few: read and ranked here)."""
    rows = Appeal.objects.filter(
        decision__platform=platform, decided_at__gte=period.start, decided_at__lt=period.end
    ).values_list("received_at", "decided_at")
    return figures.durations((), [(d - r).total_seconds() / 3600 for r, d in rows if d is not None])


def statements(platform: Platform, period: figures.Period) -> report.StatementCounts:
    """The period's restrictions and their statements' standing with the Transparency Database."""
    counts = Decision.objects.filter(
        platform=platform, outcome=Outcome.RESTRICTED, decided_at__gte=period.start, decided_at__lt=period.end
    ).aggregate(
        total=Count("*"),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        waiting=Count("pk", filter=Q(submitted_at__isnull=True, submission_due_at__isnull=False)),
        failed=Count(
            "pk", filter=Q(submitted_at__isnull=True, submission_due_at__isnull=True) & ~Q(submission_error="")
        ),
    )
    return report.StatementCounts(**counts)


def counts(platform: Platform, period: figures.Period) -> report.Counts:
    notice_counts, not_processed = notices(platform, period)
    action_counts, no_action, automated = actions(platform, period)
    total_time, by_source = times_to_action(platform, period)
    received, decided, still_open = complaints(platform, period)
    return report.Counts(
        provider=platform.name,
        first=period.first,
        last=period.last,
        notices=notice_counts,
        not_processed=not_processed,
        actions=action_counts,
        no_action=no_action,
        automated=automated,
        time_to_action=total_time,
        time_to_action_by_source=tuple(by_source),
        complaints=received,
        complaint_decisions=decided,
        complaints_open=still_open,
        complaint_time=complaint_time(platform, period),
        statements=statements(platform, period),
    )
