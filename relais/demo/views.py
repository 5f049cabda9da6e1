"""The demo social feed: what a platform's front end does with Relais.

The browser talks to this page's own back end (as it would to a real platform's), which calls Relais's
report service as the demo platform. A platform's API key never reaches a browser.
"""

from __future__ import annotations

import logging
import uuid

import orjson
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from relais import clock
from relais.api import field_errors
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.http import json_response
from relais.reports import services
from relais.reports.schemas import ReportIn
from relais.tenants.models import Platform, Presentation

logger = logging.getLogger(__name__)


def demo_platform() -> Platform:
    platform, _ = Platform.objects.get_or_create(
        slug=settings.RELAIS_DEMO_PLATFORM, defaults={"name": "Demo Social", "presentation": Presentation.CALL_BUTTON}
    )
    return platform


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    return render(request, "demo/feed.html", {"now": clock.now()})


@require_POST
def report(request: HttpRequest) -> HttpResponse:
    """Body: the same JSON as POST /api/v1/reports minus `platform_report_id` (the demo makes one up)."""
    try:
        body = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        return json_response(400, {"detail": "The body is not JSON."})
    if not isinstance(body, dict):
        return json_response(400, {"detail": "The body must be a JSON object."})
    body.setdefault("platform_report_id", f"demo-{uuid.uuid4()}")
    try:
        data = ReportIn.model_validate(body)
    except ValidationError as exc:
        errors = field_errors([{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()])
        return json_response(422, {"detail": "Invalid report.", "errors": errors})
    now = clock.now()
    help_request = HelpRequest(
        country=data.reporter.country,
        language=data.reporter.language or translation.get_language() or "fr",
        category=data.category,
        danger=data.danger,
        age=data.reporter.age,
        timezone=data.reporter.timezone,
    )
    card = current().cards.card_json(help_request, now)
    try:
        stored, created = services.receive_report(platform=demo_platform(), data=data, help_card=card, received_at=now)
    except DatabaseError:
        logger.exception("demo report not stored")
        return json_response(503, {"stored": False, "help": card})
    return json_response(201 if created else 200, {"id": str(stored.id), "stored": True, "help": stored.help_card})
