"""JSON responses rendered with orjson, without a pydantic pass (help cards are the hot path)."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(data, default=str), status=status, content_type="application/json", headers=headers
    )
