"""GET /api/v1/help: a help card without storing anything, for widgets, status pages and tests.
GET /api/v1/directory: the whole directory as open data, with its sources (open_data.py)."""

from __future__ import annotations

import functools
from typing import Annotated, Literal

import orjson
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime, ConfigDict, ValidationError, field_validator

from relais import clock
from relais.directory import open_data, schema
from relais.directory.api_schemas import DirectoryOut, HelpCardOut
from relais.directory.directory import DATA_DIR, read_files
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.http import json_response, validation_error_response
from relais.schemas import (
    COUNTRY_PATTERN,
    LANGUAGE_PATTERN,
    Category,
    LocationCountry,
    Timezone,
    ValidationErrorOut,
    iso_instant_only,
    plausible_instant,
)

router = Router(tags=["help"])

PUBLIC_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
"""Any web page may read a card: `<relais-help-card>` fetches it from the platform's pages. No cookie is read
or sent (credentials are not allowed with `*`), so nothing about a person crosses origins."""


def public(response: HttpResponse) -> HttpResponse:
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


class HelpQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    country: Annotated[str, Field(pattern=COUNTRY_PATTERN, description="ISO 3166-1 alpha-2")]
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN, max_length=35, description="BCP 47")] = "en"
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    category: Category = "harassment"
    danger: Literal["none", "immediate"] = "none"
    timezone: Timezone | None = Field(None, description="IANA zone for the times shown; default: the country's")
    presentation: Literal["call_button", "link"] = "call_button"
    location_country: LocationCountry | None = None
    at: AwareDatetime | None = Field(None, description="ISO 8601 instant with offset; default: now")

    _at = field_validator("at", mode="before")(iso_instant_only)
    _plausible = field_validator("at")(plausible_instant)


_PARSED_MAX = 10_000
_parsed: dict[str, HelpRequest] = {}
"""Query strings already validated (without `at`), so a widget's repeated call skips pydantic entirely."""


def help_request_from(params: HelpQuery) -> HelpRequest:
    return HelpRequest(
        country=params.country.upper(),
        language=params.language,
        category=params.category,
        danger=params.danger,
        age=params.age,
        timezone=params.timezone,
        presentation=params.presentation,
        location_country=params.location_country,
    )


@csrf_exempt  # reads nothing from cookies; lets a wrong method get its 405 rather than a CSRF 403
def help_view(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/help, served ahead of ninja (see relais/urls.py).

    The card itself costs microseconds; turning a query string into a validated schema through ninja cost
    four times as much (docs/benchmarks.md). This view validates with the same `HelpQuery` and answers the
    same 422, but remembers query strings it has already validated. The ninja operation below documents
    the endpoint in OpenAPI and answers the same way.
    """
    if request.method != "GET":
        return public(json_response(405, {"detail": "Method not allowed"}, {"Allow": "GET"}))
    query = request.META.get("QUERY_STRING", "")
    help_request = _parsed.get(query)
    now = None
    if help_request is None:
        try:
            params = HelpQuery.model_validate(dict(request.GET.items()))
        except ValidationError as exc:
            return public(validation_error_response([{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]))
        help_request = help_request_from(params)
        if params.at is not None:
            now = clock.as_utc(params.at)
        else:
            if len(_parsed) >= _PARSED_MAX:
                _parsed.clear()
            _parsed[query] = help_request
    if now is None:
        now = clock.now()
    body = current().cards.card_bytes(help_request, now)
    return HttpResponse(body, content_type="application/json", headers=PUBLIC_HEADERS)


@router.get(
    "/help",
    response={200: HelpCardOut, 422: ValidationErrorOut},
    summary="Help card for a country, language, age and harm",
    auth=None,
)
def get_help_card(request: HttpRequest, params: Query[HelpQuery]) -> HttpResponse:
    now = clock.as_utc(params.at) if params.at else clock.now()
    body = current().cards.card_bytes(help_request_from(params), now)
    return HttpResponse(body, content_type="application/json", headers=PUBLIC_HEADERS)


@functools.cache
def _directory_document() -> tuple[bytes, str]:
    """The open-data document of the bundled files, built once per process (the files do not change at run time)."""
    _files, version = read_files(DATA_DIR)
    parsed = [schema.parse_with_lines(path) for path in schema.iter_country_files(DATA_DIR)]
    return orjson.dumps(open_data.relais_document(parsed, version=version)), f'"{version}"'


@router.get(
    "/directory",
    response={200: DirectoryOut, 304: None},
    summary="The helpline directory as open data, with every fact's sources",
    description=(
        "Every country, emergency number, helpline and channel of the reviewed data files, each with its sources "
        "and the day they were last read. Public and cacheable: send `If-None-Match` with the `ETag` to get a `304` "
        "while nothing changed. Closures set by helplines in their console are not in it (they are live state, shown "
        "on help cards). Licence in `licence`. An HSDS 3.0 export: `relais directory export --format hsds`."
    ),
    auth=None,
)
def get_directory(request: HttpRequest) -> HttpResponse:
    body, etag = _directory_document()
    headers = {**PUBLIC_HEADERS, "ETag": etag, "Cache-Control": "public, max-age=3600"}
    headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(body, content_type="application/json", headers=headers)
