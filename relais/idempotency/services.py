"""Reading, writing and purging remembered answers. The middleware owns the transaction they run in.

`find` and `remember` run on every POST that carries a key, so they are two plain SQL statements rather
than ORM queries: building the ORM's SQL cost ~0.45 ms of CPU each, more than the rest of the key's
handling together (docs/benchmarks.md, "Report intake"). The columns are the model's; the purge, which
runs rarely, stays in the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from django.conf import settings
from django.db import connection
from django.http import HttpResponse

from relais.idempotency.models import IdempotencyKey
from relais.tenants.models import Helpline, Platform

Tenant = Platform | Helpline
_NOT_REPLAYED = frozenset({"content-length", "set-cookie", "date", "server", "connection"})
_TABLE = IdempotencyKey._meta.db_table


@dataclass(frozen=True)
class Remembered:
    pk: int
    fingerprint: str
    created_at: datetime
    status: int
    headers: dict[str, str]
    body: bytes


def _aware(value: datetime | str) -> datetime:
    """PostgreSQL returns an aware instant; SQLite, where Django keeps instants as naive UTC, a naive one."""
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _owner(tenant: Tenant) -> str:
    return "platform_id" if isinstance(tenant, Platform) else "helpline_id"


def expired_before(now: datetime) -> datetime:
    return now - timedelta(hours=settings.RELAIS_IDEMPOTENCY_HOURS)


def find(*, tenant: Tenant, key: str, now: datetime) -> Remembered | None:
    """The remembered answer for this tenant's key, or None; an expired one is deleted and forgotten."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, fingerprint, created_at, status, headers, body FROM {_TABLE} "  # noqa: S608 - names are ours
            f"WHERE {_owner(tenant)} = %s AND key = %s",
            [tenant.pk, key],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    pk, fingerprint, created_at, status, headers, body = found
    created_at = _aware(created_at)
    if created_at < expired_before(now):
        IdempotencyKey.objects.filter(pk=pk, created_at=created_at).delete()
        return None
    return Remembered(pk, fingerprint, created_at, status, orjson.loads(headers), bytes(body))


def remember(*, tenant: Tenant, key: str, fingerprint: str, response: HttpResponse, now: datetime) -> None:
    """Raises IntegrityError when a concurrent request with the same key committed first."""
    headers = {name: value for name, value in response.items() if name.lower() not in _NOT_REPLAYED}
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} ({_owner(tenant)}, key, fingerprint, created_at, status, headers, body) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                tenant.pk,
                key,
                fingerprint,
                connection.ops.adapt_datetimefield_value(now),
                response.status_code,
                orjson.dumps(headers).decode(),
                response.content,
            ],
        )


def replay(row: Remembered) -> HttpResponse:
    response = HttpResponse(row.body, status=row.status, headers=row.headers)
    response["Idempotent-Replayed"] = "true"
    return response


def purge_expired(*, now: datetime) -> int:
    """Deletes every answer older than RELAIS_IDEMPOTENCY_HOURS; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expired_before(now)).delete()
    return deleted
