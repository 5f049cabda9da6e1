"""The process-wide directory holder, wired to the overrides table."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max

from relais.directory.directory import Override
from relais.directory.holder import DirectoryHolder, Snapshot


def overrides_from_database() -> tuple[object, Iterable[Override]]:
    from relais.directory.models import DirectoryOverride

    stamp = DirectoryOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    rows = DirectoryOverride.objects.values_list("target", "enabled", "hours")
    return (stamp["n"], stamp["last"]), [Override(target=t, enabled=e, hours=h or None) for t, e, h in rows]


holder = DirectoryHolder(
    overrides=overrides_from_database,
    refresh_seconds=lambda: float(settings.RELAIS_DIRECTORY_REFRESH_SECONDS),
    # Resolved in the refresh thread: `connection` is per thread, so bind nothing at import time.
    after_background_refresh=lambda: connection.close(),
)


def current() -> Snapshot:
    return holder.current()
