"""The JSON API: one NinjaAPI, versioned under /api/v1/, OpenAPI at /api/openapi.json.

Every error is JSON with a `detail`; validation errors also list each offending field by its dotted path
(`reporter.country`), so a platform engineer sees what to fix without reading our code.
"""

from __future__ import annotations

from typing import Any, Literal

import orjson
from csp.constants import SELF
from csp.decorators import csp_update
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.renderers import BaseRenderer

from relais.directory.api import router as help_router
from relais.evidence.api import router as evidence_router
from relais.evidence.middleware import document_upload_limits
from relais.handoffs.api import router as handoffs_router
from relais.http import json_response, validation_error_response
from relais.idempotency.openapi import add_answer, document_idempotency
from relais.moderation.api import router as moderation_router
from relais.ratelimit import document_rate_limits
from relais.readiness import readiness
from relais.reports.api import router as reports_router
from relais.tenants.access import ServiceUnavailable
from relais.webhooks.api import router as webhooks_router


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data, default=str)


class RelaisAPI(NinjaAPI):
    """Adds to the OpenAPI document what middleware and the key check answer for every operation
    (relais/ratelimit.py, relais/idempotency/middleware.py, relais/tenants/access.py): 429s, the Idempotency-Key
    header with its 409/422 on POSTs, the 401/503 of any operation that takes a key, and the 413 of any that
    takes a body (relais/evidence/middleware.py)."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The view function's own name (`create_report`, `decide_notice`): generated clients name their methods
        after it, so it is short, stable across refactors of modules, and unique (docs/api.md;
        tests/test_generated_client.py checks all three)."""
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_rate_limits(schema)
        document_idempotency(schema)
        document_key_check(schema)
        document_upload_limits(schema)
        return schema


def document_key_check(schema: dict[str, Any]) -> None:
    """Every operation with a key can answer 401 (no such key: `on_authentication_error`) and 503 (the key could
    not be checked: `on_service_unavailable`), whatever its own `response=` lists; the contract check of the tests
    (tests/contract.py) found the 503 missing where an operation did not list it by hand."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if operation.get("security"):
                responses = operation.setdefault("responses", {})
                add_answer(responses, 401, {"description": "Missing or invalid API key", "content": error})
                add_answer(
                    responses,
                    503,
                    {
                        "description": "The key could not be checked (database unavailable); retry later",
                        "content": error,
                    },
                )


api = RelaisAPI(
    title="Relais API",
    version="1.0.0",
    description=(
        "Report harassment and get, in the same round trip, the help card to show the reporter: the helplines "
        "for their country, language, age and harm, with the channels open right now. Authenticate with "
        "`Authorization: Bearer <key>` (`relais platform add NAME` prints a key)."
    ),
    renderer=OrjsonRenderer(),
    urls_namespace="api",
    # Swagger UI is served from django-ninja's own static files (no CDN); its stylesheet draws icons as
    # `data:` images, the one source the docs page adds to the site's policy (ADR 0024).
    docs_decorator=csp_update({"img-src": [SELF, "data:"]}),
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


@api.exception_handler(ServiceUnavailable)
def on_service_unavailable(request: HttpRequest, exc: ServiceUnavailable) -> HttpResponse:
    return json_response(503, {"detail": "Not available right now; try again later."}, headers={"Retry-After": "30"})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return json_response(404, {"detail": str(exc) or "Not found"})


class HealthOut(Schema):
    status: Literal["ok"]


@api.get(
    "/v1/health",
    auth=None,
    tags=["operations"],
    response={200: HealthOut},
    summary="Liveness: answers without touching the database",
)
def get_health(request: HttpRequest) -> HttpResponse:
    """Also the no-op baseline that bench/http_help.py compares /api/v1/help against."""
    return json_response(200, {"status": "ok"})


class ReadyOut(Schema):
    status: Literal["ready", "not ready"]
    checks: dict[str, Literal["ok", "failed"]] = Field(
        description="`database`, `cache` and `worker` (a task has waited long with no worker running: ADR 0026)"
    )
    detail: str | None = Field(default=None, description="What failed, in words (503 only)")


@api.get(
    "/v1/ready",
    auth=None,
    tags=["operations"],
    response={200: ReadyOut, 503: ReadyOut},
    summary="Readiness: the database, the cache and the task worker answer",
)
def get_readiness(request: HttpRequest) -> HttpResponse:
    """200 when every check passes; 503 naming each one that failed. For a load balancer's readiness probe
    (liveness is /api/v1/health, which touches nothing)."""
    checks = readiness()
    failed = [name for name, outcome in checks.items() if outcome != "ok"]
    if not failed:
        return json_response(200, {"status": "ready", "checks": checks})
    detail = f"Not ready: {', '.join(failed)} failed."
    return json_response(503, {"status": "not ready", "checks": checks, "detail": detail}, {"Retry-After": "10"})


api.add_router("/v1/", help_router)
api.add_router("/v1/", reports_router)
api.add_router("/v1/", handoffs_router)
api.add_router("/v1/", webhooks_router)
api.add_router("/v1/", moderation_router)
api.add_router("/v1/", evidence_router)
