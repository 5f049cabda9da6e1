"""`POST /xrpc/com.atproto.moderation.createReport`: Relais as a Bluesky moderation service.

Order matters: the JWT first (its claims, the connection its `aud` names, the signature with the key of
the issuer's DID document), then the body. Nothing is stored unless all of it holds. Errors are XRPC's:
`{"error": …, "message": …}`, 401 for authentication, 400 for input. ADR 0033.
"""

from __future__ import annotations

import logging
import re

import orjson
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError

from relais import clock
from relais.http import json_response
from relais.integrations import access, answers, services
from relais.integrations.bluesky import adapter, resolver
from relais.reports.api import help_for
from relais.reports.schemas import ReportIn

logger = logging.getLogger(__name__)

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _error(status: int, error: str, message: str) -> HttpResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="relais"'} if status == 401 else None
    return json_response(status, {"error": error, "message": message}, headers)


def _language(request: HttpRequest, fallback: str) -> str:
    """The first language of Accept-Language when the request carries one (the PDS's createReport handler
    forwards its service-auth headers alone), else the connection's fallback."""
    first = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()
    return first if _LANGUAGE.match(first) and len(first) <= 35 else fallback


@csrf_exempt
def create_report(request: HttpRequest) -> HttpResponse:
    """200 with the lexicon's output (the same for a replay or a retry: the report is stored once);
    401 bad or missing JWT; 400 input the lexicon refuses; 503 storage failed, or the platform has no
    reporters' country yet (no help card can be made: `relais platform set SLUG --reporter-country XX`)."""
    if request.method != "POST":
        return _error(405, "InvalidRequest", "createReport is a procedure: POST")
    now = clock.now()
    try:
        token = adapter.read_token(adapter.bearer(request.headers.get("Authorization")), now=now)
    except adapter.AuthRefused as exc:
        return _error(401, exc.error, exc.message)
    connection = access.bluesky_connection_for(token.audience)
    if connection is None:
        return _error(401, "BadJwtAudience", "jwt audience does not match service did")
    try:
        document = resolver.did_document(token.issuer, plc_url=connection.plc_url)
        valid = adapter.signature_valid(token, adapter.atproto_key(document, token.issuer))
        if not valid:  # the key may have been rotated since it was remembered
            fresh = resolver.did_document(token.issuer, plc_url=connection.plc_url, fresh=True)
            valid = fresh != document and adapter.signature_valid(token, adapter.atproto_key(fresh, token.issuer))
    except adapter.AuthRefused as exc:
        services.note_refusal(connection, f"401: {exc.message}", now)
        return _error(401, exc.error, exc.message)
    if not valid:
        services.note_refusal(connection, "401: jwt signature does not match jwt issuer", now)
        return _error(401, "BadJwtSignature", "jwt signature does not match jwt issuer")
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return _error(400, "InvalidRequest", "the body is not JSON")
    defaults = adapter.Defaults(
        service_did=connection.service_did,
        category_map=connection.category_map,
        language=_language(request, connection.language_fallback),
    )
    try:
        mapped = adapter.read_input(body, reporter=token.issuer, defaults=defaults, now=now)
        data = ReportIn.model_validate(mapped.report)
    except adapter.Invalid as exc:
        return _error(400, "InvalidRequest", str(exc))
    except ValidationError as exc:
        return _error(400, "InvalidRequest", f"cannot read the report: {answers.unreadable(exc)}")
    help_card = help_for(data, connection.platform)
    if help_card is None:
        answers.no_country(connection, now)  # the command to run, for the admin; not for the reporter's app
        return _error(503, "NotConfigured", "this moderation service is not set up yet: try again later")
    try:
        received = services.take_in(
            connection=connection, data=data, help_card=help_card, help_to=token.issuer, resolved_at=None, now=now
        )
    except DatabaseError:
        logger.exception("bluesky report for connection %s not stored", connection.pk)
        return json_response(503, {"error": "InternalServerError", "message": "not stored"}, {"Retry-After": "30"})
    report = received.report
    return json_response(
        200,
        adapter.output(mapped, report_id=str(report.id), reporter=token.issuer, created_at=report.received_at),
    )
