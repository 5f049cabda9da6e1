"""Types shared by the API's schemas: the contract's vocabularies and formats, stated once.

Formats are expressed in the JSON Schema itself (patterns, enums) rather than only in validators, so the
OpenAPI document tells a client exactly what is accepted, and generated clients validate the same way. The
one exception is a time zone: ~600 names are a named `format` with examples, not an enum (see `Timezone`).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from ninja import Schema
from pydantic import AfterValidator, Field

from relais.directory.schema import CATEGORIES as DIRECTORY_CATEGORIES
from relais.tenants.reporter_defaults import ISO_COUNTRIES

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
    "grooming",
    "child_sexual_abuse_material",
]
# The same words as the directory's data files use; checked here so the two lists cannot drift apart.
assert set(get_args(Category)) == set(DIRECTORY_CATEGORIES)  # noqa: S101

ContentKind = Literal["message", "post", "comment", "profile", "image", "video", "live", "other"]
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
OPAQUE_ID_PATTERN = r"^[!-~]{1,200}$"
"""Printable ASCII without spaces: ids are the platform's, opaque to us, and must not smuggle markup."""


IANA_ZONES: frozenset[str] = frozenset(zoneinfo.available_timezones())


def check_iso_country(value: str) -> str:
    code = value.upper()
    if code not in ISO_COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code (such as FR or JP)")
    return code


LocationCountry = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z]{2}$",
        description=(
            "ISO 3166-1 alpha-2: where the reporter is now, when it differs from `country` (a French child on "
            "holiday in Japan: `country` FR, `location_country` JP). The card then gives the emergency numbers "
            "of where they are and only the services of `country` reachable from there. An assigned code only: "
            "anything else is a 422."
        ),
        examples=["JP"],
    ),
    AfterValidator(check_iso_country),
]


def check_zone(value: str) -> str:
    if value not in IANA_ZONES:
        raise ValueError("not an IANA time zone name (such as Europe/Paris)")
    return value


TIMEZONE_FORMAT = "iana-time-zone"
"""Named in the document instead of listing the ~600 zones as an enum: a list that long, whose names collide as
identifiers (`GMT0`, `GMT-0`, `GMT+0`), made the document 160 KB and broke generated clients."""

Timezone = Annotated[
    str,
    AfterValidator(check_zone),
    Field(
        description="An IANA time zone name, such as Europe/Paris (the tz database's names, as `zoneinfo` knows them)",
        examples=["Europe/Paris", "America/Toronto"],
        json_schema_extra={"format": TIMEZONE_FORMAT},
    ),
]


def iso_string_only(value: Any) -> Any:
    """Pydantic would read a number as a Unix time; the contract says ISO 8601 with an offset."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string with an offset")
    return value


def reject_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true/false")
    return value


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def plausible_instant(value: datetime | None) -> datetime | None:
    """Kept in UTC: the offset a client sent says nothing once the instant is known, and databases
    disagree on which offsets they store (PostgreSQL refuses +23:16)."""
    if value is None:
        return None
    if not EARLIEST <= value < LATEST:
        raise ValueError("must be between 1970 and 2100")
    return value.astimezone(UTC)


def valid_unicode(value: Any) -> Any:
    """JSON may carry lone surrogates (\\udc00) that no database can store: refuse them by name."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("contains invalid Unicode (a lone surrogate)") from None
    return value


_NUMERIC = re.compile(r"^\s*[+-]?\d+(\.\d+)?\s*$")


def iso_instant_only(value: Any) -> Any:
    """Like `iso_string_only`, for query strings, where every value arrives as text."""
    if isinstance(value, str) and _NUMERIC.match(value):
        raise ValueError("must be an ISO 8601 date-time with an offset, not a number")
    return iso_string_only(value)


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str
    message: str
    type: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]
