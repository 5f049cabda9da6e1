"""Start-up refuses task and webhook settings that would lose or stall deliveries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility)
def webhook_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    backend = str(settings.TASKS["default"]["BACKEND"])
    if settings.PRODUCTION and backend.endswith("ImmediateBackend"):
        errors.append(
            checks.Error(
                "RELAIS_TASKS_BACKEND=immediate in production.",
                hint="The immediate backend sends webhooks inside the request and cannot schedule retries: "
                "use RELAIS_TASKS_BACKEND=database and run `relais db_worker`.",
                id="relais.E101",
            )
        )
    if settings.RELAIS_WEBHOOK_LEASE_SECONDS <= settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS:
        errors.append(
            checks.Error(
                "RELAIS_WEBHOOK_LEASE_SECONDS is not longer than RELAIS_WEBHOOK_TIMEOUT_SECONDS.",
                hint="A delivery could be sent twice at once: make the lease longer than the timeout.",
                id="relais.E102",
            )
        )
    if settings.RELAIS_WEBHOOK_MAX_ATTEMPTS < 1 or settings.RELAIS_WEBHOOK_DISABLE_AFTER_FAILURES < 1:
        errors.append(
            checks.Error(
                "RELAIS_WEBHOOK_MAX_ATTEMPTS and RELAIS_WEBHOOK_DISABLE_AFTER_FAILURES must be at least 1.",
                id="relais.E103",
            )
        )
    if settings.RELAIS_TASKS_BACKEND == "rq" and not settings.RELAIS_REDIS_URL:
        errors.append(
            checks.Error(
                "RELAIS_TASKS_BACKEND=rq without RELAIS_REDIS_URL: tasks would have no queue.",
                hint="Set RELAIS_REDIS_URL=redis://host:6379/1 (the Redis the rq workers read), "
                "or RELAIS_TASKS_BACKEND=database.",
                id="relais.E104",
            )
        )
    return errors
