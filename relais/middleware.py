"""API clients get JSON errors everywhere under /api/, including the ones Django answers before ninja; every
answer gets the Permissions-Policy header."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from relais.http import json_response

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
