"""The process-wide directory holder, wired to the overrides and closures tables.

Each worker polls one row (DirectoryVersion) at most every RELAIS_DIRECTORY_REFRESH_SECONDS, from a background
thread, and reads the overrides and closures only when its counter moved. A card never waits on any of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from relais import clock
from relais.directory.directory import Closure, Override
from relais.directory.holder import DirectoryHolder, Snapshot


def overrides_version() -> object:
    from relais.directory.models import DirectoryVersion

    return DirectoryVersion.objects.filter(id=1).values_list("counter", flat=True).first() or 0


def overrides_from_database() -> tuple[object, list[Override | Closure]]:
    from relais.directory.models import DirectoryOverride, HelplineClosure

    stamp = overrides_version()
    rows = DirectoryOverride.objects.values_list("target", "enabled", "hours")
    found: list[Override | Closure] = [Override(target=t, enabled=e, hours=h or None) for t, e, h in rows]
    # Closures already over change nothing; those still to come or under way are rules evaluated at `now`.
    live = HelplineClosure.objects.filter(ends_at__gt=clock.now()).values_list(
        "target", "starts_at", "ends_at", "reason_en", "reason_fr", "hours"
    )
    for target, starts_at, ends_at, reason_en, reason_fr, hours in live:
        reason = {"en": reason_en, "fr": reason_fr}
        found.append(Closure(target=target, starts_at=starts_at, ends_at=ends_at, reason=reason, hours=hours or None))
    return stamp, found


holder = DirectoryHolder(
    overrides=overrides_from_database,
    stamp=overrides_version,
    refresh_seconds=lambda: float(settings.RELAIS_DIRECTORY_REFRESH_SECONDS),
    # Resolved in the refresh thread: `connection` is per thread, so bind nothing at import time.
    after_background_refresh=lambda: connection.close(),
    poll=True,
)


def current() -> Snapshot:
    return holder.current()
