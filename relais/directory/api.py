"""GET /api/v1/help: a help card without storing anything, for widgets, status pages and tests."""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime, ConfigDict, field_validator

from relais import clock
from relais.directory.api_schemas import HelpCardOut
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.http import json_response
from relais.schemas import (
    COUNTRY_PATTERN,
    LANGUAGE_PATTERN,
    Category,
    Timezone,
    ValidationErrorOut,
    iso_instant_only,
    plausible_instant,
)

router = Router(tags=["help"])


class HelpQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    country: Annotated[str, Field(pattern=COUNTRY_PATTERN, description="ISO 3166-1 alpha-2")]
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN, max_length=35, description="BCP 47")] = "en"
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    category: Category = "harassment"
    danger: Literal["none", "immediate"] = "none"
    timezone: Timezone | None = Field(None, description="IANA zone for the times shown; default: the country's")
    presentation: Literal["call_button", "link"] = "call_button"
    at: AwareDatetime | None = Field(None, description="ISO 8601 instant with offset; default: now")

    _at = field_validator("at", mode="before")(iso_instant_only)
    _plausible = field_validator("at")(plausible_instant)


@router.get(
    "/help",
    response={200: HelpCardOut, 422: ValidationErrorOut},
    summary="Help card for a country, language, age and harm",
    auth=None,
)
def help_card(request: HttpRequest, params: Query[HelpQuery]) -> HttpResponse:
    now = clock.as_utc(params.at) if params.at else clock.now()
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
