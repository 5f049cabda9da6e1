"""The endpoint Mastodon's admin webhook posts to: a plain Django view, outside our strict API.

Order matters: find the connection by the URL's opaque id, check the signature on the raw bytes, and only
then parse. Nothing slow happens here (no call to the instance): the help message goes after commit, on the
worker, so Mastodon's delivery worker gets its answer at once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import orjson
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from relais import clock
from relais.evidence import crypto
from relais.http import json_response
from relais.integrations import access, answers, services
from relais.integrations.mastodon import adapter
from relais.integrations.models import Kind
from relais.integrations.signatures import hub_signature_valid
from relais.reports.api import help_for
from relais.reports.schemas import ReportIn

logger = logging.getLogger(__name__)


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, connection_id: uuid.UUID) -> HttpResponse:
    """200 with the report's id (stored, or already stored: Mastodon's retries dedupe); 202 for an event
    that is not a report's; 401 bad or missing signature; 400 not JSON; 422 a report we cannot read;
    503 storage failed (Mastodon retries)."""
    now = clock.now()
    try:
        known = access.connection_for(connection_id, Kind.MASTODON)
    except crypto.SealBroken:
        return answers.secret_unreadable("mastodon", connection_id, now)
    if known is None:
        return json_response(404, {"detail": "No such connection."})
    connection, secret, body = known.connection, known.secret, request.body
    if not hub_signature_valid(secret, body, request.headers.get("X-Hub-Signature")):
        return answers.refuse(
            connection, 401, "X-Hub-Signature missing or wrong: check the secret in Mastodon's form", now
        )
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return answers.refuse(connection, 400, "the body is not JSON", now)
    event = payload.get("event") if isinstance(payload, dict) else None
    if isinstance(payload, dict) and isinstance(event, str) and event not in adapter.REPORT_EVENTS:
        return json_response(202, {"ignored": event[:100]})
    defaults = adapter.Defaults(
        instance_host=adapter.host_of(connection.instance_url),
        category_map=connection.category_map,
        language_fallback=connection.language_fallback,
    )
    try:
        read = adapter.read(payload, defaults)
        data = ReportIn.model_validate(read.report)
    except adapter.Unmappable as exc:
        return answers.refuse(connection, 422, str(exc), now)
    except ValidationError as exc:
        return answers.refuse(connection, 422, f"cannot read the report: {answers.unreadable(exc)}", now)
    help_card = help_for(data, connection.platform)
    if help_card is None:
        return answers.no_country(connection, now)
    resolved_at = (_instant(read.action_taken_at) or now) if read.action_taken else None
    try:
        received = services.take_in(
            connection=connection,
            data=data,
            help_card=help_card,
            help_to=read.reporter.username if read.reporter.local else None,
            resolved_at=resolved_at,
            now=now,
            media=read.media,
        )
    except DatabaseError:
        logger.exception("mastodon report from connection %s not stored", connection.pk)
        return json_response(503, {"stored": False}, {"Retry-After": "30"})
    return json_response(200, {"id": str(received.report.id), "created": received.created})
