"""Start-up refuses task and webhook settings that would lose or stall deliveries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from relais.webhooks import targets


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
    errors.extend(allowed_networks_errors(settings.RELAIS_WEBHOOK_ALLOWED_NETWORKS))
    return errors


def allowed_networks_errors(text: str) -> list[checks.CheckMessage]:
    """RELAIS_WEBHOOK_ALLOWED_NETWORKS must be CIDRs, and none may hold a cloud metadata address: such a
    list is almost always `0.0.0.0/0` or `169.254.0.0/16` typed to make an error go away (ADR 0035)."""
    try:
        networks = targets.parse_networks(text)
    except ValueError as exc:
        return [
            checks.Error(
                f"RELAIS_WEBHOOK_ALLOWED_NETWORKS: {exc}.",
                hint="List networks in CIDR form, separated by commas: 10.20.0.0/16, fd12:3456::/48.",
                id="relais.E105",
            )
        ]
    overlap = targets.metadata_overlap(networks)
    if overlap:
        return [
            checks.Error(
                f"RELAIS_WEBHOOK_ALLOWED_NETWORKS contains a cloud metadata address: {', '.join(overlap)}.",
                hint="169.254.169.254 and fd00:ec2::254 hand out the machine's credentials: list only the "
                "networks of your own receivers (for example 10.20.30.0/24), never 0.0.0.0/0 or 169.254.0.0/16.",
                id="relais.E105",
            )
        ]
    return []
