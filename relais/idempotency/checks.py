"""Start-up checks for what idempotency and rate limits need from the configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.caches)
def rate_limits_and_cache(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from relais.ratelimit import parse_rate

    messages: list[checks.CheckMessage] = []
    for name in ("RELAIS_RATE_LIMIT", "RELAIS_HELP_RATE_LIMIT"):
        try:
            parse_rate(getattr(settings, name))
        except ImproperlyConfigured as exc:
            messages.append(checks.Error(f"{name}: {exc}", hint="For example 600/minute, or off.", id="relais.E101"))
    if settings.RELAIS_IDEMPOTENCY_HOURS <= 0:
        messages.append(checks.Error("RELAIS_IDEMPOTENCY_HOURS must be positive.", id="relais.E102"))
    if settings.PRODUCTION and settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        messages.append(
            checks.Warning(
                "RELAIS_CACHE_URL is unset: rate limits and in-flight Idempotency-Keys are counted per process.",
                hint="Set RELAIS_CACHE_URL=redis://host:6379/0 so every worker and machine shares them.",
                id="relais.W101",
            )
        )
    return messages
