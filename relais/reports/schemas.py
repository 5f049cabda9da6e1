"""The public contract of report intake. Field names are fixed: platforms integrate against them."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from relais.directory.api_schemas import HelpCardOut

Category = Literal[
    "harassment",
    "cyberbullying",
    "threat",
    "hate",
    "sextortion",
    "non_consensual_intimate_imagery",
    "impersonation",
    "doxxing",
    "self_harm",
    "other",
]
ContentKind = Literal["message", "post", "comment", "profile", "image", "video", "live", "other"]
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
OPAQUE_ID_PATTERN = r"^[!-~]{1,200}$"
"""Printable ASCII without spaces: ids are the platform's, opaque to us, and must not smuggle markup."""


@lru_cache(maxsize=1)
def iana_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_zone(value: str | None) -> str | None:
    if value is not None and value not in iana_zones():
        raise ValueError("not an IANA time zone name (such as Europe/Paris)")
    return value


def iso_string_only(value: Any) -> Any:
    """Pydantic would read a number as a Unix time; the contract says ISO 8601 with an offset."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string with an offset")
    return value


def reject_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true/false")
    return value


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ReporterIn(StrictSchema):
    country: Annotated[str, Field(pattern=COUNTRY_PATTERN, description="ISO 3166-1 alpha-2, e.g. FR")]
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN, max_length=35, description="BCP 47, e.g. fr or fr-BE")]
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    timezone: Annotated[str, Field(max_length=64, description="IANA zone, e.g. Europe/Paris")] | None = None
    pseudonym: Annotated[str, Field(pattern=OPAQUE_ID_PATTERN, description="The platform's opaque id")] | None = None

    _age = field_validator("age", mode="before")(reject_bool)
    _zone = field_validator("timezone")(check_zone)

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class ContentIn(StrictSchema):
    url: Annotated[str, Field(pattern=r"^https?://[!-~]+$", max_length=2048)] | None = None
    content_id: Annotated[str, Field(pattern=OPAQUE_ID_PATTERN)] | None = None
    kind: ContentKind
    text: Annotated[str, Field(max_length=10000)] | None = None
    posted_at: AwareDatetime | None = None

    _iso = field_validator("posted_at", mode="before")(iso_string_only)


class ReportIn(StrictSchema):
    platform_report_id: Annotated[str, Field(pattern=OPAQUE_ID_PATTERN, description="Your own id; unique per platform")]
    category: Category
    danger: Literal["none", "immediate"] = "none"
    reporter: ReporterIn
    content: Annotated[list[ContentIn], Field(min_length=1, max_length=50)]
    description: Annotated[str, Field(max_length=5000)] | None = None
    reported_at: AwareDatetime | None = None

    _iso = field_validator("reported_at", mode="before")(iso_string_only)


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
    posted_at: datetime | None


class ReportCreatedOut(Schema):
    id: str
    received_at: datetime
    stored: bool = True
    help: HelpCardOut


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


def strip_control(value: str) -> str:
    """Free text is stored as sent but for control characters other than line breaks and tabs."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)
