"""Managing webhook endpoints: register (the URL checked, the secret shown once), rotate, enable, delete.

A tenant's own change to its endpoints; what is sent to them is `emit.py`, and how, `delivery.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from relais.tenants.models import Helpline, Platform
from relais.webhooks import event_types, signing, targets
from relais.webhooks.delivery import enqueue, heads
from relais.webhooks.models import Delivery, Endpoint
from relais.webhooks.transport import allowed_networks, resolver


class WebhookError(ValueError):
    """A request that cannot be done as asked; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


Tenant = Platform | Helpline


def check_url(url: str) -> str:
    try:
        return targets.check_url(url, production=settings.PRODUCTION, resolve=resolver(), allowed=allowed_networks())
    except ValueError as exc:
        raise WebhookError("url", str(exc)) from None


def _tenant_fields(tenant: Tenant) -> dict[str, Any]:
    return {"platform": tenant} if isinstance(tenant, Platform) else {"helpline": tenant}


@transaction.atomic
def create_endpoint(
    *, tenant: Tenant, url: str, event_types_: list[str], description: str, now: datetime
) -> tuple[Endpoint, str]:
    """Register an endpoint; returns it and its signing secret, which is shown this once."""
    checked = check_url(url)
    try:
        types = event_types.check_event_types(list(event_types_), helpline=isinstance(tenant, Helpline))
    except ValueError as exc:
        raise WebhookError("event_types", str(exc)) from None
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        **_tenant_fields(tenant),
        url=checked,
        event_types=types,
        description=description.strip(),
        secret=secret,
        created_at=now,
    )
    return endpoint, secret


def delete_endpoint(*, endpoint: Endpoint) -> None:
    """Its pending deliveries and its log go with it (a running attempt finds nothing to record)."""
    endpoint.delete()


@transaction.atomic
def rotate_secret(*, endpoint: Endpoint, now: datetime) -> tuple[str, datetime]:
    """A new secret, returned once. The old one keeps signing (beside the new one) for the overlap, so the
    receiver can switch without losing a request; a second rotation within it drops the oldest."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    until = now + timedelta(hours=settings.RELAIS_WEBHOOK_SECRET_OVERLAP_HOURS)
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = until
    locked.secret = signing.new_secret()
    locked.save(update_fields=["previous_secret", "previous_secret_expires_at", "secret"])
    endpoint.refresh_from_db()
    return locked.secret, until


@transaction.atomic
def enable_endpoint(*, endpoint: Endpoint, now: datetime) -> Endpoint:
    """Send again to a disabled endpoint: what was held while it was off goes out now, in order."""
    Endpoint.objects.filter(pk=endpoint.pk).update(disabled_at=None, disabled_reason="", failure_streak=0)
    pending = Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING)
    pending.update(next_attempt_at=now)
    for pk in heads(pending.values_list("pk", "subject")):
        transaction.on_commit(partial(enqueue, pk), robust=True)
    endpoint.refresh_from_db()
    return endpoint
