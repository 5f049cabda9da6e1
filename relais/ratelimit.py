"""Rate limits: per API key on the whole API, per client address on the public GET /api/v1/help.

Counters live in Django's cache (RELAIS_CACHE_URL), one fixed window per limit: with Redis, every worker and
machine shares them; with the default local-memory cache, each process counts on its own, so the effective
limit is N per worker (fine for development, not for production: `relais check` warns).

Help first (ADR 0004) still holds when a platform is over its limit: a refused `POST /api/v1/reports` carries
the help card computed as the view computes it, with `stored: false`, like the 503 path; a refused `/help`
still names the emergency numbers of the country asked about. When the cache fails, each process counts on
its own for a few seconds (no request waits on a broken cache).

Fixed windows let a client send up to 2N around a window's edge; that is the price of a counter that can
be added to atomically (sliding logs cost a read-modify-write of a list, and are racy across workers).
See `over_limit` for how counts reach the shared cache in batches. ADR 0009.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from pydantic import ValidationError

from relais import clock
from relais.directory.api import PUBLIC_HEADERS, HelpQuery, help_request_from
from relais.directory.runtime import current
from relais.http import json_response
from relais.idempotency.openapi import add_answer
from relais.reports.api import help_for
from relais.reports.schemas import ReportIn
from relais.tenants.access import tenant_for_key
from relais.tenants.models import Platform, hash_key

logger = logging.getLogger(__name__)

HELP_PATH = "/api/v1/help"
REPORTS_PATH = "/api/v1/reports"
CACHE_ALIAS = "default"
CACHE_PAUSE_SECONDS = 10.0
"""After a cache failure, how long requests pass unlimited before the cache is tried again."""

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int
    """Seconds."""


@lru_cache(maxsize=32)
def parse_rate(text: str) -> Rate | None:
    """`600/minute` → Rate(600, 60); `off` (or empty) → None, no limit."""
    if text.strip().lower() in ("", "off", "none"):
        return None
    match = _RATE.match(text)
    if match is None or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"rate limit {text!r}: expected N/second, N/minute, N/hour or N/day (N ≥ 1), or off")
    return Rate(limit=int(match.group(1)), period=_UNITS[match.group(2).lower()])


SYNC_SECONDS = 1.0
"""A process adds its new hits to the shared counter at least this often (on its next request)…"""
BATCH_SHARE = 100
"""…and whenever it has counted 1/BATCH_SHARE of the limit since: limits under 200 are counted exactly."""
LOCAL_MAX_ENTRIES = 20_000


@dataclass
class _Tally:
    """This process's view of one counter in one window."""

    ends_at: float
    synced_at: float
    pending: int = 0
    """Hits counted here and not yet added to the shared counter."""
    shared: int = 0
    """The shared counter when this process last added to it (its own hits included)."""
    spent: bool = False
    """The shared counter went over the limit: refuse until the window ends, without asking again."""


_tallies: dict[str, _Tally] = {}
_lock = threading.Lock()
_paused_until: dict[str, float] = {}
"""Per cache location: after a failure, each process counts on its own until then."""


def _add_to_shared(key: str, delta: int, timeout: int) -> int:
    """Adds `delta` to the cache's counter `key` (created with `timeout`); returns its new value."""
    cache = caches[CACHE_ALIAS]
    try:
        return int(cache.incr(key, delta))
    except ValueError:  # the window's first hit, or the key was evicted
        if cache.add(key, delta, timeout=timeout):
            return delta
        return int(cache.incr(key, delta))


def over_limit(scope: str, who: str, rate: Rate, now: float) -> int | None:
    """Count one request of `who`; the seconds to wait (≥ 1) when that makes it one too many, else None.

    Counting every request in a shared cache costs a round trip each (two with Django's RedisCache, ~0.25 ms
    of CPU: more than the whole help card). So each process counts locally and adds its hits to the shared
    counter in batches: on a counter's first hit nothing is sent (most addresses ask once), then at least
    every SYNC_SECONDS and every limit/BATCH_SHARE hits, and always before refusing, so a refusal is decided
    on the shared count. A client can therefore pass the limit by at most limit/BATCH_SHARE per process.
    """
    window = int(now // rate.period)
    name = f"rl:{scope}:{who}:{window}"
    clock_now = time.monotonic()
    location = str(settings.CACHES[CACHE_ALIAS].get("LOCATION", ""))
    batch = max(1, rate.limit // BATCH_SHARE)
    with _lock:
        tally = _tallies.get(name)
        if tally is None:
            if len(_tallies) >= LOCAL_MAX_ENTRIES:
                _forget_past(now)
            tally = _tallies[name] = _Tally(ends_at=(window + 1) * rate.period, synced_at=clock_now)
        tally.pending += 1
        delta = 0
        if not tally.spent and clock_now >= _paused_until.get(location, 0.0):
            due = tally.pending >= batch or clock_now - tally.synced_at >= SYNC_SECONDS
            if due or tally.shared + tally.pending > rate.limit:
                delta, tally.pending, tally.synced_at = tally.pending, 0, clock_now
    if delta:
        try:
            shared = _add_to_shared(name, delta, rate.period + 1)
        except Exception:  # any cache failure (redis.ConnectionError, timeouts…): count here meanwhile
            logger.exception("rate-limit cache failed; counting per process for %.0f s", CACHE_PAUSE_SECONDS)
            with _lock:
                _paused_until[location] = time.monotonic() + CACHE_PAUSE_SECONDS
                tally.pending += delta
        else:
            with _lock:
                tally.shared = max(tally.shared, shared)
                tally.spent = tally.spent or tally.shared > rate.limit
    if not tally.spent and tally.shared + tally.pending <= rate.limit:
        return None
    return max(1, math.ceil(tally.ends_at - now))


def _forget_past(now: float) -> None:
    """Drops the tallies of windows that have ended (their unsent hits no longer matter), or all of them."""
    for name in [name for name, tally in _tallies.items() if tally.ends_at <= now]:
        del _tallies[name]
    if len(_tallies) >= LOCAL_MAX_ENTRIES:
        _tallies.clear()


def client_address(request: HttpRequest) -> str:
    """Who is asking: the peer, or, behind RELAIS_PROXY_COUNT reverse proxies that each append to
    X-Forwarded-For, the address the outermost one saw (what comes before it is the client's to write, so
    it is never trusted). IPv6 counts per /64, the block a single subscriber usually gets."""
    address = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.RELAIS_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
        if hops:
            address = hops[-proxies] if len(hops) >= proxies else hops[0]
    if ":" in address:
        try:
            return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address) + "/64"
        except ValueError:
            return address
    return address


def _bearer(request: HttpRequest) -> str | None:
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _retry_headers(wait: int) -> dict[str, str]:
    return {"Retry-After": str(wait)}


def help_refused(request: HttpRequest, wait: int) -> HttpResponse:
    body: dict[str, Any] = {
        "detail": f"Too many requests from this address; try again in {wait} s. Emergency numbers are included."
    }
    try:
        params = HelpQuery.model_validate(dict(request.GET.items()))
    except ValidationError:
        return json_response(429, body, {**_retry_headers(wait), **PUBLIC_HEADERS})
    now = clock.as_utc(params.at) if params.at else clock.now()
    body["emergency"] = current().cards.card_json(help_request_from(params), now)["emergency"]
    return json_response(429, body, {**_retry_headers(wait), **PUBLIC_HEADERS})


def report_refused(request: HttpRequest, token: str, wait: int) -> HttpResponse:
    """429 with the help card, as the view would have computed it, and `stored: false`."""
    detail = (
        f"Too many requests for this API key: the report was not stored. Show the help card to the reporter and "
        f"send the same report again in {wait} s (it will not be duplicated)."
    )
    try:
        payload = ReportIn.model_validate_json(request.body)
    except (ValidationError, ValueError):
        return json_response(429, {"stored": False, "detail": detail}, _retry_headers(wait))
    try:
        tenant = tenant_for_key(token)
    except DatabaseError:
        tenant = None
    help_card = help_for(payload, tenant if isinstance(tenant, Platform) else None)
    if help_card is None:  # no country, and the platform has no default: the view would answer 422
        return json_response(429, {"stored": False, "detail": detail}, _retry_headers(wait))
    return json_response(429, {"stored": False, "detail": detail, "help": help_card}, _retry_headers(wait))


class RateLimits:
    """Middleware: answers 429 (with `Retry-After` and a JSON `detail`) before the view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # A typo in a limit stops the worker at start-up, not at the first request.
        parse_rate(settings.RELAIS_RATE_LIMIT)
        parse_rate(settings.RELAIS_HELP_RATE_LIMIT)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/"):
            refused = self.refusal(request, path)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refusal(self, request: HttpRequest, path: str) -> HttpResponse | None:
        if path == HELP_PATH:
            rate = parse_rate(settings.RELAIS_HELP_RATE_LIMIT)
            wait = None if rate is None else over_limit("help", client_address(request), rate, time.time())
            return None if wait is None else help_refused(request, wait)
        token = _bearer(request)
        rate = parse_rate(settings.RELAIS_RATE_LIMIT)
        if token is None or rate is None:
            return None
        wait = over_limit("key", hash_key(token), rate, time.time())
        if wait is None:
            return None
        if request.method == "POST" and path == REPORTS_PATH:
            return report_refused(request, token, wait)
        return json_response(
            429, {"detail": f"Too many requests for this API key; try again in {wait} s."}, _retry_headers(wait)
        )


# --- OpenAPI ---

TOO_MANY = {
    "description": "Over the rate limit: wait `Retry-After` seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait"}},
}


def document_rate_limits(schema: dict[str, Any]) -> None:
    """Adds the 429 answers the middleware gives to the operations it limits."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["HelpRateLimitedOut"] = {
        "title": "HelpRateLimitedOut",
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {"type": "string"},
            "emergency": {
                "type": "array",
                "items": {"type": "object"},
                "description": "The emergency numbers of the card asked for (when the query is valid)",
            },
        },
    }
    components["ReportRateLimitedOut"] = {
        "title": "ReportRateLimitedOut",
        "type": "object",
        "required": ["stored", "detail"],
        "properties": {
            "stored": {"type": "boolean", "const": False},
            "detail": {"type": "string"},
            "help": {
                "$ref": "#/components/schemas/HelpCardOut",
                "description": (
                    "The help card to show (absent only when the body is not a valid report, or gives no country "
                    "and your platform has no default)"
                ),
            },
        },
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if path == HELP_PATH:
                ref = "HelpRateLimitedOut"
            elif operation.get("security"):
                ref = "ReportRateLimitedOut" if (path, method) == (REPORTS_PATH, "post") else "ErrorOut"
            else:
                continue
            add_answer(
                operation.setdefault("responses", {}),
                429,
                {**TOO_MANY, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}},
            )
