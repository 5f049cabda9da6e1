"""JSON responses rendered with orjson, without a pydantic pass (help cards are the hot path)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(data, default=str), status=status, content_type="application/json", headers=headers
    )


_WHERE = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Pydantic/ninja errors as `{"field": "reporter.country", "message", "type"}`, the field as a client
    names it (no `body`/`payload` prefix)."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in _WHERE:
            loc = loc[2:] if loc[0] == "body" and len(loc) > 1 else loc[1:]
        out.append(
            {"field": ".".join(loc) or "(body)", "message": str(err.get("msg", "")), "type": str(err.get("type", ""))}
        )
    return out


def validation_error_response(errors: list[dict[str, Any]]) -> HttpResponse:
    named = field_errors(errors)
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in named)
    return json_response(422, {"detail": f"Invalid request. {summary}", "errors": named})


def unknown_query(request: HttpRequest, known: Iterable[str]) -> HttpResponse | None:
    """A 422 naming each query parameter the operation does not take (ninja would ignore it silently, and a
    misspelt `?statuss=open` would then list everything), or None."""
    extra = sorted(set(request.GET) - set(known))
    if not extra:
        return None
    return validation_error_response(
        [{"loc": ("query", name), "msg": "unknown query parameter", "type": "extra_forbidden"} for name in extra]
    )
