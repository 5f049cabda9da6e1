"""API clients get JSON errors everywhere under /api/, including the ones Django answers before ninja."""

from __future__ import annotations

from collections.abc import Callable

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
