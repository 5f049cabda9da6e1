"""Report intake on PostgreSQL as one statement (ADR 0015).

Through the ORM a report is eight round trips (the health check, BEGIN, four INSERTs or SELECTs for the
report, its content, the notifier's standing and its Art. 16 notice, the webhook subscriptions, COMMIT), and
compiling them cost more CPU than anything else in the request (docs/benchmarks.md §3). Here the same rows
go in one `WITH … INSERT` statement, which is its own transaction: the report, its content, its notice and
its `report.created` deliveries are written all together or not at all, exactly as before.

The rows cannot drift from the ORM path's: the values come from the same unsaved model instances
(`services.new_report`, `moderation.services.article_16_notice`, `webhooks.emit.pending_delivery`), passed
as JSON records whose columns are the models' fields, so a field added to a model is written here too. Only
four things are said in SQL, each mirroring one Python function: the notifier's suspension
(`moderation.services._suspended`), the subscribed endpoints (`webhooks.emit.subscribed`), a delivery's
fresh ids, and the duplicate check (`ON CONFLICT` on the unique constraint instead of catching the
violation). tests/test_intake_statement.py compares the rows of both paths, column by column. A new side
effect of receiving a report (another table) goes here as well as in `services.receive_report_with_orm`.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from django.db import DatabaseError, connection, transaction
from django.db.models import AutoField, Field, Model

from relais import clock
from relais.evidence.sealed_text import SealedTextField
from relais.moderation.models import Notice, NoticeStatus, NotifierStanding
from relais.moderation.services import article_16_notice, note_target
from relais.reports import services
from relais.reports.models import Report, ReportedContent
from relais.reports.schemas import ReportIn
from relais.tenants.models import Platform
from relais.webhooks import event_types
from relais.webhooks import events as webhook_events
from relais.webhooks.emit import envelope, pending_delivery, send_after_commit
from relais.webhooks.models import Delivery, Endpoint


def receive_report(
    *, platform: Platform, data: ReportIn, help_card: dict[str, Any], received_at: datetime
) -> tuple[Report, bool]:
    """As `services.receive_report`: (report, created); DatabaseError when storage fails."""
    report = services.new_report(platform=platform, data=data, help_card=help_card, received_at=received_at)
    delivery = pending_delivery(
        endpoint_id=None,  # one row per subscribed endpoint, said in SQL
        event_type=event_types.REPORT_CREATED,
        subject=webhook_events.report_subject(report),
        body=envelope(event_types.REPORT_CREATED, webhook_events.report_created_data(report), received_at),
        now=clock.now(),
    )
    content = services.new_content(report, data)
    notice = article_16_notice(report, suspended=False, content=content)
    values: dict[str, Any] = {
        "report": _record(report),
        "content": "[" + ",".join(_record(item) for item in content) + "]",
        "notice": _record(notice),
        "delivery": _record(delivery),
        "suspended": NoticeStatus.SUSPENDED.value,
    }
    # Inside a caller's transaction (the idempotency middleware holds one) a failure must roll back only this
    # statement; alone, the statement is its own transaction and BEGIN/COMMIT would be two more round trips.
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        with connection.cursor() as cursor:
            cursor.execute(_statement(), values)
            stored, deliveries = cursor.fetchone()
        if stored is not None:
            send_after_commit(deliveries)
    if stored is None:
        # A retry, or a concurrent twin: ON CONFLICT waited for the twin's transaction, so the first is there.
        existing = services.first_received(platform, data.platform_report_id)
        if existing is None:
            raise DatabaseError(f"report {data.platform_report_id!r} conflicted but cannot be found")
        return existing, False
    report._state.adding = False
    report._state.db = connection.alias
    # As services.receive_report_with_orm: the pile-on check, after the report is stored (ADR 0034). The
    # statement may have written the notice as suspended; note_target reads only undecided notices.
    note_target(notice=notice, content=content)
    return report, True


@cache
def _columns(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    return tuple(f for f in model._meta.concrete_fields if not isinstance(f, AutoField))


@cache
def _attributes(model: type[Model]) -> tuple[tuple[str, str], ...]:
    return tuple((f.column, f.attname) for f in _columns(model))


@cache
def _sealed(model: type[Model]) -> tuple[tuple[str, SealedTextField], ...]:
    return tuple((f.column, f) for f in _columns(model) if isinstance(f, SealedTextField))


def _record(instance: Model) -> str:
    """A row as JSON for `jsonb_populate_record`: each column's value as the instance holds it (orjson writes
    uuids, aware datetimes with their offset and JSON fields' values in the forms PostgreSQL reads), sealed
    columns sealed as the ORM's save seals them (evidence/sealed_text.py)."""
    row = {column: getattr(instance, name) for column, name in _attributes(type(instance))}
    for column, field in _sealed(type(instance)):
        row[column] = field.get_prep_value(row[column])
    return orjson.dumps(row).decode()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(meta: Any, name: str) -> str:
    field: Any = meta.get_field(name)
    return _q(field.column)


@cache
def _statement() -> str:
    """Built once per process from the models; the parameters are the rows as JSON (see receive_report)."""

    def insert(model: type[Model], source: str, sql: dict[str, str] | None = None) -> str:
        """INSERT … SELECT, each column from the JSON record `p` unless `sql` says otherwise."""
        columns = _columns(model)
        sql = sql or {}
        selected = ", ".join(sql.get(f.attname, f"p.{_q(f.column)}") for f in columns)
        table = _q(model._meta.db_table)
        names = ", ".join(_q(f.column) for f in columns)
        return f"INSERT INTO {table} ({names}) SELECT {selected} FROM {source}"  # noqa: S608 - names from the models

    def record(model: type[Model], name: str, function: str = "jsonb_populate_record") -> str:
        return f"{function}(NULL::{_q(model._meta.db_table)}, %({name})s::jsonb) p"

    unique = ", ".join(_column(Report._meta, name) for name in ("platform", "platform_report_id"))
    platform = _column(Report._meta, "platform")
    returning = f"RETURNING {_q('id')}, {platform}"
    report = f"{insert(Report, record(Report, 'report'))} ON CONFLICT ({unique}) DO NOTHING {returning}"
    content = insert(ReportedContent, f"r, {record(ReportedContent, 'content', 'jsonb_populate_recordset')}")

    # The notice, suspended when its notifier is (as moderation.services._suspended decides).
    standing = NotifierStanding._meta

    notifier = f"p.{_column(Notice._meta, 'notifier')}"
    status = (
        f"CASE WHEN {notifier} <> '' AND EXISTS (SELECT 1 FROM {_q(standing.db_table)} s "  # noqa: S608 - as above
        f"WHERE s.{_column(standing, 'platform')} = p.{_column(Notice._meta, 'platform')} "
        f"AND s.{_column(standing, 'notifier')} = {notifier} "
        f"AND s.{_column(standing, 'suspended_until')} > p.{_column(Notice._meta, 'received_at')}) "
        f"THEN %(suspended)s ELSE p.{_column(Notice._meta, 'status')} END"
    )
    notice = insert(Notice, f"r, {record(Notice, 'notice')}", {"report_id": "r.id", "status": status})

    # A delivery per endpoint of the platform subscribed to report.created (webhooks.emit.subscribed).
    endpoint = Endpoint._meta
    fresh = "replace(gen_random_uuid()::text, '-', '')"
    subscribed = (
        f"JOIN {_q(endpoint.db_table)} e ON e.{_column(endpoint, 'platform')} = r.{platform} "
        f"AND e.{_column(endpoint, 'event_types')} @> jsonb_build_array(p.{_column(Delivery._meta, 'event_type')})"
    )
    delivery = insert(
        Delivery,
        f"r CROSS JOIN {record(Delivery, 'delivery')} {subscribed}",
        {"uid": "gen_random_uuid()", "endpoint_id": "e.id", "message_id": f"'msg_' || {fresh}"},
    )
    endpoint_of = _column(Delivery._meta, "endpoint")
    return (
        f"WITH r AS ({report}), c AS ({content}), n AS ({notice}), "  # noqa: S608 - as above
        f"d AS ({delivery} RETURNING {_q('id')}, {endpoint_of}) "
        f"SELECT (SELECT id FROM r), ARRAY(SELECT d.id FROM d JOIN {_q(endpoint.db_table)} e "
        f"ON e.id = d.{endpoint_of} WHERE e.{_column(endpoint, 'disabled_at')} IS NULL ORDER BY d.id)"
    )
