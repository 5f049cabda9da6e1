"""Notices as a platform's moderators may see them: their platform's only; anything else is a 404."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from django.db import connections
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from relais.handoffs.models import Case
from relais.moderation import cursors, keyset
from relais.moderation.models import Appeal, Decision, Notice, NoticeStatus, PileOn, TransparencyAccount
from relais.reports.models import Report, ReportedContent
from relais.tenants.models import Helpline, Platform

NOT_FOUND = "No such notice"


def _uuid(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404(NOT_FOUND) from None


def notices_of(platform: Platform) -> QuerySet[Notice]:
    return Notice.objects.filter(platform=platform)


def get_notice(platform: Platform, notice_id: str | uuid.UUID) -> Notice:
    notice = (
        notices_of(platform)
        .select_related("platform", "helpline", "report", "case")
        .filter(id=_uuid(notice_id))
        .first()
    )
    if notice is None:
        raise Http404(NOT_FOUND)
    return notice


def get_pileon(platform: Platform, pileon_id: str | uuid.UUID) -> PileOn:
    """A pile-on of the platform's (ADR 0034); another platform's is a 404 like an unknown one."""
    try:
        wanted = _uuid(pileon_id)
    except Http404:
        raise Http404("No such pile-on") from None
    pileon = PileOn.objects.filter(platform=platform, id=wanted).select_related("platform").first()
    if pileon is None:
        raise Http404("No such pile-on")
    return pileon


def notices_named(platform: Platform, notice_ids: list[uuid.UUID]) -> tuple[list[Notice], list[uuid.UUID]]:
    """The platform's notices among `notice_ids`, in the order asked, and the ids that are not its own (another
    platform's or none): a bulk request names the missing ones rather than deciding the rest."""
    found = {
        n.id: n for n in notices_of(platform).select_related("platform", "helpline", "report").filter(id__in=notice_ids)
    }
    return [found[i] for i in notice_ids if i in found], [i for i in notice_ids if i not in found]


def get_decision(platform: Platform, decision_id: str | uuid.UUID) -> Decision:
    decision = (
        Decision.objects.filter(platform=platform, id=_uuid(decision_id)).select_related("notice", "platform").first()
    )
    if decision is None:
        raise Http404("No such decision")
    return decision


def get_appeal(platform: Platform, appeal_id: str | uuid.UUID) -> Appeal:
    found = (
        Appeal.objects.filter(decision__platform=platform, id=_uuid(appeal_id))
        .select_related("decision__notice", "decision__platform")
        .first()
    )
    if found is None:
        raise Http404("No such appeal")
    return found


def decisions_of(platform: Platform) -> QuerySet[Decision]:
    """The platform's decisions (the statements page, the decided list)."""
    return Decision.objects.filter(platform=platform)


def appeals_of(platform: Platform) -> QuerySet[Appeal]:
    """Appeals against the platform's decisions (the appeals page)."""
    return Appeal.objects.filter(decision__platform=platform)


APPEAL_ORDER = ("received_at", "id")
"""Oldest first (the order they should be decided in), served by the indexes `appeal_order`/`appeal_open_order`."""


def appeals_in_order(
    platform: Platform,
    *,
    status: str | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    using: str = "default",
) -> QuerySet[Appeal]:
    """The platform's appeals, oldest first, those after the keyset position `after` (received_at, id) only:
    the API's list and the console's open appeals, a page at a time (slice it). `using`: the API's list reads
    `replica.reading()`; the console, where a moderator returns right after deciding one, the primary."""
    appeals = appeals_of(platform).using(using)
    if status is not None:
        appeals = appeals.filter(status=status)
    if after is not None:
        appeals = appeals.filter(keyset.after(APPEAL_ORDER, after))
    return appeals.select_related(*APPEAL_RELATED).prefetch_related(*_appeal_prefetches()).order_by(*APPEAL_ORDER)


APPEAL_RELATED = ("decision__notice__report", "decision__platform")
"""What an appeal's answer reads (api.appeal_json, the summary told to the notifier: the notice, its report's
language, the platform's zone), loaded with the page rather than a few queries per appeal."""


def _appeal_prefetches() -> tuple[Prefetch[Any], ...]:
    """The replacement decision of a reversed appeal and the kinds of the items each decision is about, in one
    query each for the page (summaries.facts_of); the items without their sealed text, which no summary reads."""
    kinds = ReportedContent.objects.only("id", "report_id", "position", "kind")
    return (
        Prefetch("decision__notice__report__content", queryset=kinds),
        Prefetch("resulting_decisions", queryset=Decision.objects.select_related("notice__report", "platform")),
        Prefetch("resulting_decisions__notice__report__content", queryset=kinds),
    )


def appeal_cursor(appeal: Appeal) -> str:
    return cursors.encode([appeal.received_at, appeal.id])


def appeal_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    """ValueError for anything `appeal_cursor` did not write."""
    received_at, appeal_id = cursors.decode(cursor, (datetime, uuid.UUID))  # each of its type
    return cast(datetime, received_at), cast(uuid.UUID, appeal_id)


def decisions_on(notice: Notice) -> list[Decision]:
    """A notice's decisions, the one in force first, then the replaced ones from the newest."""
    decisions = list(notice.decisions.order_by("-decided_at", "-puid"))
    return sorted(decisions, key=lambda d: d.reversed_by_id is not None)


def appeals_on(notice: Notice) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(decision__notice=notice)
        .select_related("decision")
        .prefetch_related("resulting_decisions")
        .order_by("received_at", "id")
    )


def _for_notifiers(notices: QuerySet[Notice]) -> list[Notice]:
    return list(
        notices.prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("-decided_at", "-puid")),
            Prefetch("decisions__appeals", queryset=Appeal.objects.order_by("-received_at", "-id")),
        ).order_by("received_at", "source", "id")  # at the same instant, the reporter's own notice first
    )


def notices_on_report(report: Report) -> list[Notice]:
    """Every notice about a platform's report, with decisions and appeals loaded (for `GET /reports/{id}`)."""
    return _for_notifiers(Notice.objects.filter(report=report))


def notices_on_case(case: Case) -> list[Notice]:
    """What a helpline sees through a case: the reporter's own notice and the helpline's own escalations,
    never another helpline's (the report may have been shared with several)."""
    if case.report_id is None:
        return []
    return _for_notifiers(
        Notice.objects.filter(report_id=case.report_id).filter(Q(helpline__isnull=True) | Q(helpline=case.helpline_id))
    )


def transparency_account_of(platform: Platform) -> TransparencyAccount | None:
    """The platform's active account at the Transparency Database, if it set one."""
    return TransparencyAccount.objects.filter(platform=platform, active=True).first()


# --- the queue's page, in hand-written SQL (ADR 0014, addendum of 2026-12-04) ---

QUEUE_COLUMNS = (
    "id",
    "platform_id",
    "report_id",
    "case_id",
    "helpline_id",
    "source",
    "notifier",
    "category",
    "danger_immediate",
    "reporter_age",
    "received_at",
    "status",
    "claimed_by_id",
    "claimed_label",
    "claimed_at",
    "queue_rank",
    "content_positions",
    "pileon_id",
)
"""What a queue row shows (never the explanation, the report or its help card: a page stays small)."""


@dataclass(frozen=True)
class QueuePage:
    """A page of queue rows as read: the leading notices in queue order, and each one's group (the other
    undecided notices about the same report, in queue order), by report."""

    leaders: list[Notice]
    grouped: dict[uuid.UUID, list[Notice]]


@cache
def _queue_sql(vendor: str, keyed: bool, limit: int) -> str:
    """The page's leaders and their groups in one statement; see `queue_page` for why it is hand-written.

    `page` is the queue proper: the platform's undecided notices with none ahead of them in their report's
    group (ADR 0027) or their pile-on (ADR 0034), after the keyset position, in the order of the partial
    index `notice_priority`, cut at the page's size. The outer part reads those notices and the other
    undecided notices of their reports (by the `report_id` index), with the escalating helpline's name.
    `(a, b, c) > (x, y, z)` is a row comparison on both databases (SQLite since 3.15): PostgreSQL reads it
    as the start of an index range (relais/moderation/keyset.py).

    The page's size is written into the statement, not passed as a parameter: psycopg prepares a statement
    it runs often, and PostgreSQL then plans it once for any parameters. With `LIMIT $n` that generic plan
    guessed the page at some 50,000 rows and read the groups by a scan of every undecided notice (160 ms at
    1,000,000, measured); with the literal it reads them by the `report_id` index (2 ms). A page's size is a
    small validated integer, so there are few distinct statements to cache."""
    notice, helpline = Notice._meta.db_table, Helpline._meta.db_table
    undecided = f"('{NoticeStatus.OPEN.value}', '{NoticeStatus.CLAIMED.value}')"
    ahead = (
        "(u.queue_rank < n.queue_rank OR (u.queue_rank = n.queue_rank AND u.received_at < n.received_at) "
        "OR (u.queue_rank = n.queue_rank AND u.received_at = n.received_at AND u.id < n.id))"
    )
    columns = ", ".join(f"m.{c}" for c in QUEUE_COLUMNS)
    after = "AND (n.queue_rank, n.received_at, n.id) > (%s, %s, %s) " if keyed else ""
    order = ", ".join(str(QUEUE_COLUMNS.index(c) + 1) for c in ("queue_rank", "received_at", "id"))
    true, false = ("TRUE", "FALSE") if vendor == "postgresql" else ("1", "0")
    return (
        f"WITH page AS (SELECT n.id, n.report_id FROM {notice} n "  # noqa: S608 - names and constants only
        f"WHERE n.platform_id = %s AND n.status IN {undecided} {after}"
        f"AND NOT EXISTS (SELECT 1 FROM {notice} u WHERE u.platform_id = n.platform_id "
        f"AND u.report_id = n.report_id AND u.status IN {undecided} AND {ahead}) "
        f"AND NOT EXISTS (SELECT 1 FROM {notice} u WHERE u.pileon_id = n.pileon_id "
        f"AND u.status IN {undecided} AND {ahead}) "
        f"ORDER BY n.queue_rank, n.received_at, n.id LIMIT {int(limit)}) "
        f"SELECT {columns}, h.name AS helpline_name, h.directory_id AS helpline_directory_id, {true} AS leads "
        f"FROM page JOIN {notice} m ON m.id = page.id LEFT JOIN {helpline} h ON h.id = m.helpline_id "
        "UNION ALL "
        f"SELECT {columns}, h.name, h.directory_id, {false} FROM {notice} m "
        f"LEFT JOIN {helpline} h ON h.id = m.helpline_id "
        f"WHERE m.platform_id = %s AND m.status IN {undecided} "
        "AND m.report_id IN (SELECT report_id FROM page) AND m.id NOT IN (SELECT id FROM page) "
        f"ORDER BY {order}"  # by position: SQLite matches no name in a compound SELECT's ORDER BY
    )


def queue_page(
    platform: Platform, *, limit: int, after: tuple[int, datetime, uuid.UUID] | None, using: str = "default"
) -> QueuePage:
    """One page of the platform's queue: `limit` leading notices after the keyset position `after`
    (queue_rank, received_at, id), and their groups.

    Hand-written SQL, one statement, rather than the two ORM querysets it replaces: the SQL takes well under
    a millisecond at a million notices, but Django spent about 3 ms of CPU per request building and
    compiling the querysets (two correlated EXISTS, a keyset row comparison, the group's `IN`), more than
    everything else the next item costs (docs/benchmarks.md, the queue). The rows still become `Notice`
    instances through the ORM's own loading (`raw()`: each field's database converters, deferred fields for
    the columns not read), so templates and schemas see what `.only()` gave them; the helpline is set from
    the joined columns, so no row costs a query of its own."""
    connection = connections[using]
    fields = {f.attname: f for f in Notice._meta.concrete_fields}
    params: list[Any] = [platform.pk]
    if after is not None:
        rank, received_at, notice_id = after
        params += [
            rank,
            fields["received_at"].get_db_prep_value(received_at, connection),
            fields["id"].get_db_prep_value(notice_id, connection),
        ]
    params.append(platform.pk)
    rows = Notice.objects.using(using).raw(_queue_sql(connection.vendor, after is not None, limit), params)
    leaders: list[Notice] = []
    grouped: dict[uuid.UUID, list[Notice]] = {}
    for notice in rows:
        extra = cast(Any, notice)
        if notice.helpline_id is not None:
            notice.helpline = Helpline.from_db(
                using,
                ["id", "name", "directory_id"],
                [notice.helpline_id, extra.helpline_name, extra.helpline_directory_id],
            )
        if extra.leads:
            leaders.append(notice)
        else:
            grouped.setdefault(cast(uuid.UUID, notice.report_id), []).append(notice)
    return QueuePage(leaders=leaders, grouped=grouped)


def first_items(notices: Sequence[Notice], using: str = "default") -> dict[uuid.UUID, str]:
    """The reported text each notice's row starts with, by report: the first item the notice is about (the
    report's first for a reporter's own notice, which names none). Only these items are read, so only they
    are unsealed; hand-written for the reason `queue_page` is (an OR of subqueries the ORM is slow to build),
    and read through `raw()` so the sealed text is opened by its field."""
    connection = connections[using]
    report = ReportedContent._meta.get_field("report").target_field
    table = ReportedContent._meta.db_table
    wanted, params = [], []
    for notice in notices:
        if notice.report_id is None:
            continue
        key = report.get_db_prep_value(notice.report_id, connection)
        if notice.content_positions:
            wanted.append("(c.report_id = %s AND c.position = %s)")
            params += [key, min(notice.content_positions)]
        else:
            first = f"(SELECT MIN(f.position) FROM {table} f WHERE f.report_id = %s)"  # noqa: S608 - a table name
            wanted.append(f"(c.report_id = %s AND c.position = {first})")
            params += [key, key]
    if not wanted:
        return {}
    sql = f"SELECT c.id, c.report_id, c.text FROM {table} c WHERE {' OR '.join(wanted)}"  # noqa: S608 - placeholders only
    return {item.report_id: item.text for item in ReportedContent.objects.using(using).raw(sql, params)}
