"""When a report and its evidence are deleted: the rule, without the database, `now` passed in.

A report is kept while anyone may still need it and for RELAIS_RETENTION_DAYS after that:

- never while it is on legal hold (a police or court request: someone must lift the hold first);
- never while a helpline case about it is open (new, in progress, escalated): the counsellor is working;
- otherwise the clock starts at the last of: the report's receipt, and the closing (or withdrawal) of each
  case about it. A report never shared is therefore kept RETENTION_DAYS after it was received; a shared one,
  RETENTION_DAYS after its last case was closed.

Deleting a report deletes its evidence (rows and stored files), its reported content, and the closed cases
of helplines about it with their notes and access log; what was purged is counted in a PurgeRecord, which
holds no content and no id of a person or a report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ReportLife:
    """What retention needs to know about one report."""

    report_id: str
    received_at: datetime
    legal_hold: bool
    open_cases: int
    last_case_closed_at: datetime | None


@dataclass(frozen=True)
class Due:
    report_id: str
    kept_since: datetime
    """When the retention clock started."""
    since: str
    """`received` or `case_closed`: which event started it."""
    age_days: int
    """Whole days since `kept_since`."""


def clock_start(life: ReportLife) -> tuple[datetime, str]:
    closed = life.last_case_closed_at
    if closed is not None and closed > life.received_at:
        return closed, "case_closed"
    return life.received_at, "received"


def due_for_purge(lives: Iterable[ReportLife], *, now: datetime, retention_days: int) -> list[Due]:
    """The reports whose retention has run out at `now`, oldest first."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    keep = timedelta(days=retention_days)
    due = []
    for life in lives:
        if life.legal_hold or life.open_cases:
            continue
        start, since = clock_start(life)
        if now - start >= keep:
            due.append(Due(life.report_id, start, since, (now - start).days))
    return sorted(due, key=lambda d: (d.kept_since, d.report_id))


def earliest_receipt_possibly_due(*, now: datetime, retention_days: int) -> datetime:
    """Reports received after this instant cannot be due (the clock never starts before receipt): the
    database can skip them before the rule is applied."""
    return now - timedelta(days=retention_days)
