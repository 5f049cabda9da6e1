"""GET /api/v1/help: a help card without storing anything, for widgets, status pages and tests."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, field_validator

from relais import clock
from relais.directory.api_schemas import HelpCardOut
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.http import json_response
from relais.reports.schemas import COUNTRY_PATTERN, LANGUAGE_PATTERN, Category, check_zone

router = Router(tags=["help"])


class HelpQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    country: Annotated[str, Field(pattern=COUNTRY_PATTERN, description="ISO 3166-1 alpha-2")]
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN, max_length=35, description="BCP 47")] = "en"
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    category: Category = "harassment"
    danger: Literal["none", "immediate"] = "none"
    timezone: Annotated[str, Field(max_length=64, description="IANA zone; default: the country's")] | None = None
    presentation: Literal["call_button", "link"] = "call_button"
    at: Annotated[str, Field(max_length=40, description="ISO 8601 instant with offset; default: now")] | None = None

    _zone = field_validator("timezone")(check_zone)

    @field_validator("at")
    @classmethod
    def _aware(cls, value: str | None) -> str | None:
        if value is not None:
            clock.parse_instant(value)
        return value


@router.get(
    "/help",
    response={200: HelpCardOut},
    summary="Help card for a country, language, age and harm",
    auth=None,
    openapi_extra={"responses": {422: {"description": "A parameter is invalid; `errors` names it."}}},
)
def help_card(request: HttpRequest, params: Query[HelpQuery]) -> HttpResponse:
    now = clock.parse_instant(params.at) if params.at else clock.now()
    help_request = HelpRequest(
        country=params.country.upper(),
        language=params.language,
        category=params.category,
        danger=params.danger,
        age=params.age,
        timezone=params.timezone,
        presentation=params.presentation,
    )
    return json_response(200, current().cards.card_json(help_request, now))
