"""Recording webhook events: one `Delivery` per subscribed endpoint, in the transaction of the change.

Also what stops or erases them (consent withdrawn, a report purged) and a replay. Sending is `delivery.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import QuerySet

from relais import clock
from relais.tenants.models import Helpline, Platform
from relais.webhooks import event_types
from relais.webhooks.delivery import enqueue
from relais.webhooks.endpoints import Tenant
from relais.webhooks.event_types import iso
from relais.webhooks.models import Delivery, Endpoint


class ReplayRefused(Exception):
    pass


@cache
def _subscriptions_sql(owner: str) -> str:
    """The ORM writes the statement once per process; each event only runs it (compiling it every time
    cost more than running it)."""
    queryset = Endpoint.objects.filter(**{f"{owner}_id": 0}).order_by("created_at", "id")
    sql, _ = queryset.values_list("id", "event_types", "disabled_at").query.sql_with_params()
    return sql


def subscribed(tenant: Tenant, event_type: str) -> list[tuple[Any, bool]]:
    """(id, enabled) of each endpoint of `tenant` subscribed to `event_type`, as committed now.

    Read on every event, in the caller's transaction, and not cached: an endpoint registered a moment ago
    gets the event, a deleted one does not (staleness zero; ADR 0008, "Subscriptions"). A plain cursor
    because through the ORM (compiling, Endpoint objects) the same read cost a fifth of report intake; what
    is left is its round trip, which is also what checking a cache's freshness would cost.
    """
    with connection.cursor() as cursor:
        cursor.execute(_subscriptions_sql("platform" if isinstance(tenant, Platform) else "helpline"), [tenant.pk])
        rows = cursor.fetchall()
    # JSON comes back as text from a plain cursor (jsonb as Django sets psycopg up; TEXT on SQLite).
    return [
        (pk, disabled_at is None)
        for pk, types, disabled_at in rows
        if event_type in (orjson.loads(types) if isinstance(types, str | bytes) else types)
    ]


def envelope(event_type: str, data: dict[str, Any], occurred_at: datetime) -> str:
    """The signed body: a versioned `{"type", "timestamp", "data"}`, the same for every endpoint and attempt."""
    return orjson.dumps(
        {"type": event_type, "timestamp": iso(occurred_at), "data": {**data, "version": event_types.VERSION}}
    ).decode()


def pending_delivery(*, endpoint_id: Any, event_type: str, subject: str, body: str, now: datetime) -> Delivery:
    """A delivery not yet saved: `emit` saves it, and report intake on PostgreSQL takes its values for the
    rows its single statement writes (reports/postgresql.py), so both write the same."""
    return Delivery(
        endpoint_id=endpoint_id,
        message_id=f"msg_{secrets.token_hex(16)}",
        event_type=event_type,
        subject=subject,
        body=body,
        created_at=now,
        next_attempt_at=now,
    )


def send_after_commit(pks: Iterable[int]) -> None:
    """Queue the sending of these deliveries once their transaction commits (at once outside one)."""
    for pk in pks:
        transaction.on_commit(partial(enqueue, pk), robust=True)


def emit(
    *,
    event_type: str,
    subject: str,
    data: dict[str, Any],
    occurred_at: datetime,
    platform: Platform | None = None,
    helpline: Helpline | None = None,
) -> list[Delivery]:
    """Record `event_type` for every endpoint of the tenant subscribed to it. Call it inside the
    transaction of the change: the deliveries commit (or roll back) with it, and are sent after commit.

    `data` must already be cut to what this tenant may see (see events.py); `version` is added here."""
    if event_type not in event_types.SENT:
        raise ValueError(f"{event_type} is not an event Relais sends")
    if (platform is None) == (helpline is None):
        raise ValueError("an event goes to one tenant: a platform or a helpline")
    tenant: Tenant = platform if platform is not None else helpline  # type: ignore[assignment]
    endpoints = subscribed(tenant, event_type)
    if not endpoints:
        return []
    body = envelope(event_type, data, occurred_at)
    now = clock.now()
    created = []
    for endpoint_id, _ in endpoints:
        delivery = pending_delivery(endpoint_id=endpoint_id, event_type=event_type, subject=subject, body=body, now=now)
        delivery.save(force_insert=True)
        created.append(delivery)
    send_after_commit(d.pk for d, (_, enabled) in zip(created, endpoints, strict=True) if enabled)
    return created


@dataclass(frozen=True)
class Erased:
    """What an erasure did: deliveries cancelled before they were sent, and payloads blanked (all of them,
    sent or not; the rows stay, with their status and times, for the delivery log)."""

    cancelled: int
    erased: int


def _cancel_and_erase(deliveries: QuerySet[Delivery], reason: str, now: datetime) -> Erased:
    cancelled = deliveries.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, finished_at=now, last_error=reason[:300], claim="", claimed_until=None
    )
    erased = deliveries.filter(erased_at__isnull=True).update(body="", erased_at=now)
    return Erased(cancelled=cancelled, erased=erased)


def cancel_for_subject(*, helpline: Helpline, subject: str, reason: str, now: datetime) -> int:
    """Stop what is still to be sent to `helpline` about `subject`, and erase what was sent (its
    payloads): used when the reporter withdraws consent. Returns how many were cancelled."""
    mine = Delivery.objects.filter(endpoint__helpline=helpline, subject=subject)
    return _cancel_and_erase(mine, reason, now).cancelled


def erase_about(*, subjects: Iterable[str], reason: str, now: datetime) -> Erased:
    """Cancel every pending delivery about `subjects` (events.report_subject, events.case_subject), to any
    endpoint, and erase the payload of every delivery about them: used when a report is purged, so nothing
    about it is sent afterwards or kept in the log. Call it in the purge's transaction."""
    return _cancel_and_erase(Delivery.objects.filter(subject__in=list(subjects)), reason, now)


@transaction.atomic
def replay(*, delivery: Delivery, now: datetime) -> Delivery:
    """Send a finished delivery again, as a new delivery with the same `webhook-id` (receivers that
    already processed it can recognise it). It is queued behind anything pending for the same object."""
    if delivery.erased_at is not None or not delivery.body:
        raise ReplayRefused("its content was erased (the reporter withdrew consent, or the report was purged)")
    if delivery.status == Delivery.Status.PENDING:
        raise ReplayRefused("it is still being delivered")
    if delivery.status == Delivery.Status.CANCELLED:
        raise ReplayRefused("it was cancelled")
    endpoint = Endpoint.objects.get(pk=delivery.endpoint_id)
    if not endpoint.enabled:
        raise ReplayRefused("its endpoint is disabled: enable it first")
    again = Delivery.objects.create(
        endpoint=endpoint,
        message_id=delivery.message_id,
        event_type=delivery.event_type,
        subject=delivery.subject,
        body=delivery.body,
        created_at=now,
        next_attempt_at=now,
        replay_of=delivery,
    )
    transaction.on_commit(partial(enqueue, again.pk), robust=True)
    return again
