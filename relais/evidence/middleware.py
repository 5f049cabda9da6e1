"""Request-size limits, checked on Content-Length before a byte of the body is read.

Evidence uploads may be up to RELAIS_EVIDENCE_MAX_BYTES (20 MB by default), and an upload sent with an
Idempotency-Key is read whole by that middleware to fingerprint it, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE
is raised to fit one (settings.py). This middleware, placed before the idempotency one, gives that room to
evidence uploads only and keeps every other request at Django's usual 2.5 MiB. A refusal is a 413 — JSON
under /api/, naming the limit — instead of Django's bare 400 (RequestDataTooBig).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from relais.http import json_response
from relais.idempotency.openapi import add_answer

EVIDENCE_UPLOAD = re.compile(r"^/api/v1/reports/[^/]+/evidence/?$")
FORM_FIELDS_BYTES = 256 * 1024
"""Room for the multipart framing and the `items` field on top of the files themselves."""


def limit_for(path: str, method: str) -> int:
    if method == "POST" and EVIDENCE_UPLOAD.match(path):
        return int(settings.RELAIS_EVIDENCE_MAX_BYTES) + FORM_FIELDS_BYTES
    return int(settings.REQUEST_BODY_MAX_BYTES)


class UploadLimits:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body without a valid length
        limit = limit_for(request.path_info, request.method or "GET")
        if length <= limit:
            return self.get_response(request)
        if not request.path_info.startswith("/api/"):
            return HttpResponse("Request body too large.", status=413, content_type="text/plain")
        if limit > settings.REQUEST_BODY_MAX_BYTES:
            field = "file"
            message = (
                f"the upload is {length:,} bytes; evidence uploads are limited to "
                f"{settings.RELAIS_EVIDENCE_MAX_BYTES:,} bytes of files per request (send large files one "
                "request each)"
            )
        else:
            field = "(body)"
            message = f"the body is {length:,} bytes; the limit is {limit:,}"
        return json_response(
            413,
            {
                "detail": f"Request too large: {message}.",
                "errors": [{"field": field, "message": message, "type": "too_large"}],
            },
        )


def document_upload_limits(schema: dict[str, Any]) -> None:
    """Adds the 413 this middleware answers to every operation that takes a body (relais/api.py calls it), in
    the shape of a validation error; found missing by the contract check of the tests (tests/contract.py)."""
    answer = {
        "description": "The body is larger than the limit (named in `detail` and `errors`)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrorOut"}}},
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation:
                add_answer(operation.setdefault("responses", {}), 413, answer)
