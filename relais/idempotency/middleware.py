"""`Idempotency-Key` on every POST of the API, once for all routes.

For a POST under /api/ that carries the header and a platform's or helpline's key:

1. a remembered answer for (tenant, key) is replayed as it was (status, body, headers) with
   `Idempotent-Replayed: true`, or refused with 422 when the key came with another request;
2. otherwise the key is marked in flight in the cache, so a second request with it while the first runs is
   answered 409 instead of running twice (with Redis across every worker and machine; with the local-memory
   cache within a process, where the database still stops a double run: see 3);
3. the view runs inside one transaction that also inserts the answer, under a unique constraint: the work
   and its record are committed together or not at all, and a concurrent twin in another process blocks
   on the key's row, then rolls its own work back and replays the winner's answer;
4. a 5xx answer is rolled back and not remembered: a retry runs again.

Help first (ADR 0004): when the key store cannot be read, the request runs as if it had no key (report
intake stays deduplicated by `platform_report_id` and keeps its 503-with-help path); when the transaction
cannot be committed after the view answered, the answer is a 503 that keeps the help card it held.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from django.core.cache import caches
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from relais import clock
from relais.http import json_response, validation_error_response
from relais.idempotency import keys, services
from relais.tenants.access import tenant_for_key
from relais.tenants.models import Platform

logger = logging.getLogger(__name__)

IN_FLIGHT_SECONDS = 60
"""How long a key stays marked in flight if its worker dies without clearing it: twice gunicorn's timeout."""
PURGE_EVERY_SECONDS = 300.0
_next_purge = 0.0

STILL_RUNNING = (
    "A request with this Idempotency-Key is still being processed; send it again once that one has answered."
)
REUSED = "already used with another request (method, path or body): use a new key for a new request"
NOT_COMMITTED = "The request could not be committed; send it again with the same Idempotency-Key."


def _tenant(request: HttpRequest) -> services.Tenant | None:
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return tenant_for_key(token.strip())
    except DatabaseError:
        return None  # the view answers (for reports: 503 with the help card)


def _key_error(message: str, kind: str = "value_error") -> HttpResponse:
    return validation_error_response([{"loc": ("header", keys.HEADER), "msg": message, "type": kind}])


def _conflict_or_replay(row: services.Remembered, fingerprint: str) -> HttpResponse:
    if row.fingerprint != fingerprint:
        return _key_error(REUSED, "idempotency_key_reused")
    return services.replay(row)


class _InFlight:
    """A cache entry marking (tenant, key) as running. A cache failure lets the request run unmarked: the
    database's unique constraint still keeps it from taking effect twice."""

    def __init__(self, tenant: services.Tenant, key: str) -> None:
        kind = "p" if isinstance(tenant, Platform) else "h"
        self.name = f"idem:{kind}{tenant.pk}:{hashlib.sha256(key.encode()).hexdigest()[:40]}"
        self.held = False

    def acquire(self) -> bool:
        try:
            self.held = bool(caches["default"].add(self.name, 1, timeout=IN_FLIGHT_SECONDS))
        except Exception:  # any cache failure (redis.ConnectionError…): run unmarked
            logger.exception("idempotency: cannot mark a key in flight; running unmarked")
            return True
        return self.held

    def release(self) -> None:
        if self.held:
            try:
                caches["default"].delete(self.name)
            except Exception:  # expires by itself after IN_FLIGHT_SECONDS
                logger.exception("idempotency: cannot clear an in-flight key")


def _not_committed(response: HttpResponse) -> HttpResponse:
    """The view answered but its transaction failed: nothing was stored, whatever the answer said. A help
    card in that answer is kept (help first)."""
    body: dict[str, Any] = {"detail": NOT_COMMITTED}
    try:
        answered = orjson.loads(response.content)
    except (orjson.JSONDecodeError, ValueError):
        answered = None
    if isinstance(answered, dict) and "help" in answered:
        body = {"stored": False, "detail": NOT_COMMITTED, "help": answered["help"]}
    return json_response(503, body, {"Retry-After": "30"})


def _purge_now_and_then() -> None:
    global _next_purge
    if time.monotonic() < _next_purge:
        return
    _next_purge = time.monotonic() + PURGE_EVERY_SECONDS
    try:
        services.purge_expired(now=clock.now())
    except DatabaseError:
        logger.exception("idempotency: purge failed")


class Idempotency:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("HTTP_IDEMPOTENCY_KEY")
        if raw is None or request.method != "POST" or not request.path_info.startswith("/api/"):
            return self.get_response(request)
        tenant = _tenant(request)
        if tenant is None:
            return self.get_response(request)  # a missing or unknown API key: the view's 401
        try:
            key = keys.parse_key(str(raw))
        except keys.InvalidKey as exc:
            return _key_error(str(exc))
        body = request.body
        fingerprint = keys.fingerprint("POST", request.path_info, str(request.META.get("QUERY_STRING", "")), body)
        now = clock.now()
        try:
            _purge_now_and_then()
            row = services.find(tenant=tenant, key=key, now=now)
        except DatabaseError:
            logger.exception("idempotency: key store unavailable; running the request without it")
            return self.get_response(request)
        if row is not None:
            return _conflict_or_replay(row, fingerprint)
        in_flight = _InFlight(tenant, key)
        if not in_flight.acquire():
            return json_response(409, {"detail": STILL_RUNNING}, {"Retry-After": "1"})
        try:
            return self.run(request, tenant, key, fingerprint, now)
        finally:
            in_flight.release()

    def run(
        self, request: HttpRequest, tenant: services.Tenant, key: str, fingerprint: str, now: datetime
    ) -> HttpResponse:
        response: HttpResponse | None = None
        lost_race = False
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.streaming or response.status_code >= 500:
                    transaction.set_rollback(True)  # not final: a retry runs again
                    return response
                try:
                    # No savepoint (two round trips saved): a failure here rolls the whole request back anyway.
                    with transaction.atomic(savepoint=False):
                        services.remember(tenant=tenant, key=key, fingerprint=fingerprint, response=response, now=now)
                except IntegrityError:
                    lost_race = True  # a twin in another process committed first: undo ours, answer as it did
        except DatabaseError:
            if response is None:  # the transaction could not even start: run as if without a key
                logger.exception("idempotency: cannot open a transaction; running the request without a key")
                return self.get_response(request)
            logger.exception("idempotency: request with a key not committed")
            return _not_committed(response)
        if lost_race:
            try:
                row = services.find(tenant=tenant, key=key, now=now)
            except DatabaseError:
                row = None
            if row is None:
                return json_response(409, {"detail": STILL_RUNNING}, {"Retry-After": "1"})
            return _conflict_or_replay(row, fingerprint)
        return response
