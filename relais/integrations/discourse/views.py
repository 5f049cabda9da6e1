"""The endpoint Discourse's webhook posts to (event "Reviewable Events", content type application/json).

Same order as Mastodon's: the connection by the URL's opaque id, the signature on the raw bytes, then the
event headers, then the body. Nothing slow here: the call to the forum's API and the help message run on
the worker after commit, so Discourse's delivery job gets its answer at once.
"""

from __future__ import annotations

import logging
import uuid

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
from relais.integrations.discourse import adapter
from relais.integrations.models import Kind
from relais.integrations.signatures import hub_signature_valid
from relais.reports.api import help_for
from relais.reports.schemas import ReportIn

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, connection_id: uuid.UUID) -> HttpResponse:
    """200 with the report's id (stored, or already stored: redeliveries dedupe); 202 for another event or a
    reviewable that is not a flagged post; 401 bad or missing signature; 400 not JSON; 422 a flag we cannot
    read; 503 storage failed (Discourse retries)."""
    now = clock.now()
    try:
        known = access.connection_for(connection_id, Kind.DISCOURSE)
    except crypto.SealBroken:
        return answers.secret_unreadable("discourse", connection_id, now)
    if known is None:
        return json_response(404, {"detail": "No such connection."})
    connection, secret, body = known.connection, known.secret, request.body
    # Discourse's signature has the WebSub form: sha256=<hex HMAC-SHA256 of the body under the secret>.
    if not hub_signature_valid(secret, body, request.headers.get("X-Discourse-Event-Signature")):
        return answers.refuse(
            connection, 401, "X-Discourse-Event-Signature missing or wrong: check the secret in the webhook", now
        )
    event = request.headers.get("X-Discourse-Event", "")
    event_type = request.headers.get("X-Discourse-Event-Type", "")
    if event_type != adapter.EVENT_TYPE or event not in adapter.REVIEWABLE_EVENTS:
        return json_response(202, {"ignored": (event or event_type or "no X-Discourse-Event")[:100]})
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return answers.refuse(connection, 400, "the body is not JSON (content type application/json?)", now)
    try:
        flag = adapter.read_flag(payload, services.discourse_defaults(connection))
        if flag is None:
            return json_response(202, {"ignored": "not a flagged post"})
        data = ReportIn.model_validate(flag.report)
    except adapter.Unmappable as exc:
        return answers.refuse(connection, 422, str(exc), now)
    except ValidationError as exc:
        return answers.refuse(connection, 422, f"cannot read the flag: {answers.unreadable(exc)}", now)
    help_card = help_for(data, connection.platform)
    if help_card is None:
        return answers.no_country(connection, now)
    try:
        received = services.take_in_flag(connection=connection, data=data, help_card=help_card, flag=flag, now=now)
    except DatabaseError:
        logger.exception("discourse flag from connection %s not stored", connection.pk)
        return json_response(503, {"stored": False}, {"Retry-After": "30"})
    return json_response(200, {"id": str(received.report.id), "created": received.created})
