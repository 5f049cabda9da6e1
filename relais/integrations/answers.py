"""What every adapter's endpoint answers when it cannot take a delivery: the same words and codes for every
platform, and the refusal noted on the connection for the admin."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.http import HttpResponse
from pydantic import ValidationError

from relais.http import field_errors, json_response
from relais.integrations import services
from relais.integrations.models import Connection

logger = logging.getLogger(__name__)


def refuse(connection: Connection, status: int, reason: str, now: datetime) -> HttpResponse:
    """`status` with the reason, which names what was wrong (never what was sent), also kept for the admin."""
    services.note_refusal(connection, f"{status}: {reason}", now)
    return json_response(status, {"detail": reason})


def secret_unreadable(platform: str, connection_id: uuid.UUID, now: datetime) -> HttpResponse:
    """The evidence keys were rotated without this connection: nothing can be checked, so nothing is taken; a
    503 makes the platform retry while the operator runs `connect` again."""
    logger.exception("%s connection %s: its secret cannot be opened", platform, connection_id)
    Connection.objects.filter(pk=connection_id).update(
        last_refusal="503: the secret cannot be opened (RELAIS_EVIDENCE_KEYS changed?)", last_refusal_at=now
    )
    return json_response(503, {"detail": "Not ready: ask the Relais operator."}, {"Retry-After": "300"})


def no_country(connection: Connection, now: datetime) -> HttpResponse:
    """The platform has no reporters' country, so no help card can be made: the operator must set one."""
    slug = connection.platform.slug
    return refuse(connection, 422, f"no reporter country: relais platform set {slug} --reporter-country XX", now)


def unreadable(exc: ValidationError) -> str:
    """The schema's errors as `field: message; …`, the fields named as our API names them."""
    named = field_errors([dict(e) for e in exc.errors(include_input=False, include_url=False)])
    return "; ".join(f"{e['field']}: {e['message']}" for e in named)
