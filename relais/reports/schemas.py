"""The public contract of report intake. Field names are fixed: platforms integrate against them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from relais.directory.api_schemas import HelpCardOut
from relais.moderation.schemas import NotifierNoticeOut
from relais.schemas import (
    COUNTRY_PATTERN,
    LANGUAGE_PATTERN,
    OPAQUE_ID_PATTERN,
    Category,
    ContentKind,
    LocationCountry,
    Timezone,
    iso_string_only,
    plausible_instant,
    reject_bool,
    valid_unicode,
)


class StrictSchema(BaseModel):
    """What a client sends: unknown fields refused. A plain pydantic model, not ninja's `Schema`, which exists to
    read ORM objects and, with `extra="forbid"`, validates every nested object twice (a tenth of report intake)."""

    model_config = ConfigDict(extra="forbid")

    _unicode = field_validator("*", mode="after")(valid_unicode)


class ReporterIn(StrictSchema):
    country: Annotated[str, Field(pattern=COUNTRY_PATTERN)] | None = Field(
        None,
        description=(
            "ISO 3166-1 alpha-2, e.g. FR: where the reporter is, when you know it. Left out, your platform's "
            "default country is used (the Relais operator sets it: `relais platform set SLUG --reporter-country "
            "FR`) and the card says so (`help.country_source`); with neither, a 422. Never derive it from an IP "
            "address."
        ),
    )
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN, max_length=35, description="BCP 47, e.g. fr or fr-BE")]
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    timezone: Timezone | None = Field(
        None,
        description=(
            "IANA zone of the reporter, e.g. Europe/Paris, for the times on the card. Left out: your platform's "
            "default zone (for reporters of its default country), else the country's own"
        ),
    )
    pseudonym: Annotated[str, Field(pattern=OPAQUE_ID_PATTERN, description="The platform's opaque id")] | None = None
    location_country: LocationCountry | None = Field(
        None,
        description=(
            "ISO 3166-1 alpha-2: where the reporter is now, if not in `country` (e.g. on holiday). The card "
            "then holds the emergency numbers of where they are and only the services of `country` reachable "
            "from there. Used for the card intake answers with and kept only in that card, not on the report."
        ),
    )

    _age = field_validator("age", mode="before")(reject_bool)

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return None if value is None else value.upper()


WebUrl = Annotated[str, Field(pattern=r"^https?://[!-~]+$", max_length=2048)]
AuthorHandle = Annotated[str, Field(max_length=200, description="The author's name as shown, e.g. @someone")]
"""The author as the platform showed them; evidence items (evidence.schemas) take the same two fields."""


class ContentIn(StrictSchema):
    url: WebUrl | None = None
    content_id: Annotated[str, Field(pattern=OPAQUE_ID_PATTERN)] | None = None
    kind: ContentKind
    text: Annotated[str, Field(max_length=10000)] | None = None
    author_handle: AuthorHandle | None = None
    author_profile_url: WebUrl | None = None
    posted_at: AwareDatetime | None = None

    _iso = field_validator("posted_at", mode="before")(iso_string_only)
    _plausible = field_validator("posted_at")(plausible_instant)


class ReportIn(StrictSchema):
    platform_report_id: Annotated[str, Field(pattern=OPAQUE_ID_PATTERN, description="Your own id; unique per platform")]
    category: Category
    danger: Literal["none", "immediate"] = "none"
    reporter: ReporterIn
    content: Annotated[list[ContentIn], Field(min_length=1, max_length=50)]
    description: Annotated[str, Field(max_length=5000)] | None = None
    reported_at: AwareDatetime | None = None

    _iso = field_validator("reported_at", mode="before")(iso_string_only)
    _plausible = field_validator("reported_at")(plausible_instant)


class ReporterOut(Schema):
    country: str
    language: str
    age: int | None
    timezone: str | None
    pseudonym: str | None


class ContentOut(Schema):
    url: str | None
    content_id: str | None
    kind: str
    text: str | None
    author_handle: str | None
    author_profile_url: str | None
    posted_at: datetime | None
    sha256: str | None = Field(
        description="SHA-256 of the item's canonical form, taken at intake (ADR 0011): re-checkable without Relais"
    )


REPORTER_URL_DESCRIPTION = (
    "The reporter's private page (help now, sharing with a helpline, what became of the report, the evidence "
    "pack): send it to the reporter by any channel. Secret: do not log it. null once revoked."
)


class ReportCreatedOut(Schema):
    id: str
    received_at: datetime
    stored: bool = True
    help: HelpCardOut
    reporter_url: str | None = Field(description=REPORTER_URL_DESCRIPTION)


class ReporterUrlOut(Schema):
    reporter_url: str = Field(description=REPORTER_URL_DESCRIPTION)


class ReportNotStoredOut(Schema):
    stored: Literal[False] = False
    detail: str
    help: HelpCardOut


class ReportOut(Schema):
    id: str
    platform_report_id: str
    category: str
    danger: str
    reporter: ReporterOut
    content: list[ContentOut]
    description: str | None
    reported_at: datetime | None
    received_at: datetime
    help: HelpCardOut
    reporter_url: str | None = Field(description=REPORTER_URL_DESCRIPTION)
    notices: list[NotifierNoticeOut] = Field(
        description="DSA notices about the report (yours, and helplines' escalations): outcome and redress to show"
    )


def strip_control(value: str) -> str:
    """Free text is stored as sent but for control characters other than line breaks and tabs."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)


class ReachEventIn(StrictSchema):
    """What the reporter did with the help card, as the platform saw it: counted, never stored per person."""

    type: Literal["help.shown", "help.tapped"] = Field(
        description=(
            "`help.shown`: the card was on the reporter's screen (counted for every helpline it listed); "
            "`help.tapped`: the reporter tapped one of its channels (`channel_id`)."
        )
    )
    channel_id: Annotated[str, Field(pattern=OPAQUE_ID_PATTERN, max_length=200)] | None = Field(
        None, description="For `help.tapped`: the `id` of the channel tapped, as on the report's card (`help`)."
    )


class ReachEventOut(Schema):
    type: str
    week: str = Field(description="The ISO week it was counted in, in your platform's zone, e.g. 2026-W48")
    helplines: list[str] = Field(description="The helplines (directory ids) whose count went up")
