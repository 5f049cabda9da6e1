"""The reporter's page is found by its link's token alone, and wrong tokens are rate-limited per address.

Every request pays the same: one cache read (is this address refused?), one hash, one indexed query. A miss
adds one to the address's count. The refusal is decided *before* the lookup, so a refused address learns
nothing about whether its token was right.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from relais import ratelimit
from relais.handoffs.models import Case
from relais.moderation import access as moderation_access
from relais.moderation.models import Notice
from relais.reporters import page_state as page_state_sql
from relais.reports import links
from relais.reports.models import Report
from relais.tenants.models import Helpline

logger = logging.getLogger(__name__)
SCOPE = "reporter-page-miss"


def _rate() -> ratelimit.Rate | None:
    return ratelimit.parse_rate(settings.RELAIS_REPORTER_PAGE_RATE_LIMIT)


def _key(address: str, rate: ratelimit.Rate, now: float) -> str:
    return f"rl:{SCOPE}:{address}:{int(now // rate.period)}"


def refused_for(request: HttpRequest) -> int | None:
    """Seconds to wait when this address sent too many wrong tokens in the current window, else None."""
    rate = _rate()
    if rate is None:
        return None
    now = time.time()
    try:
        misses = caches[ratelimit.CACHE_ALIAS].get(_key(ratelimit.client_address(request), rate, now), 0)
    except Exception:  # a broken cache never holds the page back (help first)
        logger.exception("reporter-page limit unavailable")
        return None
    if int(misses) < rate.limit:
        return None
    return max(1, int(rate.period - now % rate.period))


def count_miss(request: HttpRequest) -> None:
    rate = _rate()
    if rate is None:
        return
    now = time.time()
    key = _key(ratelimit.client_address(request), rate, now)
    cache = caches[ratelimit.CACHE_ALIAS]
    try:
        if not cache.add(key, 1, timeout=rate.period + 1):
            cache.incr(key)
    except Exception:
        logger.exception("reporter-page limit unavailable")


def report_for(token: str) -> Report | None:
    return links.report_for_token(token)


def page_state(token: str) -> str | None:
    """A fingerprint of every row the reporter's page can show; None when the token opens nothing. The page
    memo's key (page_memo.py), read by one plain statement (page_state.py), no model built."""
    return page_state_sql.fingerprint(links.digest_of(token))


def cases_of(report: Report) -> list[Case]:
    """Every case ever opened about the report, oldest first: the live ones carry a code, all are on the timeline."""
    return list(Case.objects.filter(report=report).select_related("helpline").order_by("created_at"))


def notices_of(report: Report) -> list[Notice]:
    """The report's notices; their decisions and appeals are loaded only once one of them is decided (most
    pages are opened before any decision: two queries fewer)."""
    notices = list(
        Notice.objects.filter(report=report)
        .select_related("helpline", "platform_resolution")
        .order_by("received_at", "source", "id")
    )
    if any(n.decided_at is not None for n in notices):
        return moderation_access.notices_on_report(report)
    return notices


REGISTERED_MEMO_SECONDS = 60.0
_registered: tuple[float, frozenset[str]] = (-REGISTERED_MEMO_SECONDS, frozenset())


def registered_helplines() -> frozenset[str]:
    """Directory ids of the helplines that take shared reports, as this process last read them (at most a
    minute ago): a helpline is registered once, and every page view would otherwise ask again."""
    global _registered
    read_at, ids = _registered
    if time.monotonic() - read_at >= REGISTERED_MEMO_SECONDS:
        ids = frozenset(Helpline.objects.values_list("directory_id", flat=True))
        _registered = (time.monotonic(), ids)
    return ids


def forget_registered_helplines() -> None:
    global _registered
    _registered = (-REGISTERED_MEMO_SECONDS, frozenset())
