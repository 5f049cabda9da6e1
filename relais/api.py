"""The JSON API: one NinjaAPI, versioned under /api/v1/, OpenAPI at /api/openapi.json.

Every error is JSON with a `detail`; validation errors also list each offending field by its dotted path
(`reporter.country`), so a platform engineer sees what to fix without reading our code.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import BaseRenderer

from relais.directory.api import router as help_router
from relais.http import json_response, validation_error_response
from relais.reports.api import router as reports_router


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str)


api = NinjaAPI(
    title="Relais API",
    version="1.0.0",
    description=(
        "Report harassment and get, in the same round trip, the help card to show the reporter: the helplines "
        "for their country, language, age and harm, with the channels open right now. Authenticate with "
        "`Authorization: Bearer <key>` (`relais platform add NAME` prints a key)."
    ),
    renderer=OrjsonRenderer(),
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return validation_error_response(list(exc.errors))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return json_response(
        401,
        {"detail": "Missing or invalid API key: send `Authorization: Bearer <key>`."},
        headers={"WWW-Authenticate": 'Bearer realm="relais"'},
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return json_response(404, {"detail": str(exc) or "Not found"})


@api.get("/v1/health", auth=None, tags=["operations"], summary="Liveness: answers without touching the database")
def health(request: HttpRequest) -> HttpResponse:
    """Also the no-op baseline that bench/http_help.py compares /api/v1/help against."""
    return json_response(200, {"status": "ok"})


api.add_router("/v1/", help_router)
api.add_router("/v1/", reports_router)
