"""API clients get JSON errors everywhere under /api/, including the ones Django answers before ninja; every
answer gets the Permissions-Policy header; every request gets an id, a log line and its place in /metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from relais import metrics
from relais.http import json_response
from relais.logs import request_id

_SANE_REQUEST_ID = re.compile(r"[!-~]{1,128}")
"""A caller's X-Request-Id is kept if it is 1 to 128 printable ASCII characters (no spaces, no controls)."""
UNMATCHED_ROUTE = "[unmatched]"
request_logger = logging.getLogger("relais.request")


class RequestLog:
    """Outermost: one log line and one observation per request, by route pattern, never the path (a path can
    hold a reporter's token or a case code); `X-Request-Id` taken from the caller if sane, else made, and
    returned on every answer, the rate limits' and errors' included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        given = request.headers.get("X-Request-Id", "")
        rid = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        reset = request_id.set(rid)
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_of(request)
            response["X-Request-Id"] = rid
            metrics.observe_request(
                route=route,
                method=request.method or "",
                status=response.status_code,
                seconds=seconds,
                replayed=response.get("Idempotent-Replayed") == "true",
            )
            request_logger.info(
                "%s %s %s %.1f ms",
                request.method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "request_id": rid,
                    "route": route,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            return response
        finally:
            request_id.reset(reset)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that serves the request (`api/v1/helpline/cases/<case_id>`); resolved here when a middleware
    answered before Django did (a 429)."""
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED_ROUTE
    return match.route or UNMATCHED_ROUTE


_MESSAGES = {404: "Not found", 405: "Method not allowed"}


class ApiJsonErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in _MESSAGES
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replaced = json_response(response.status_code, {"detail": _MESSAGES[response.status_code]})
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response


class PermissionsPolicy:
    """Sends settings.RELAIS_PERMISSIONS_POLICY as a Permissions-Policy header (Django has no setting for it):
    `camera=(), microphone=(), …`; a feature given origins reads `feature=(self "https://…")`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(settings.RELAIS_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} → `camera=(), fullscreen=(self)` (origins are quoted)."""

    def allow(origin: str) -> str:
        return origin if origin in ("self", "*") else f'"{origin}"'

    return ", ".join(f"{feature}=({' '.join(allow(o) for o in origins)})" for feature, origins in policy.items())
