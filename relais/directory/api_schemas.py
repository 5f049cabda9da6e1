"""The HelpCard as documented in OpenAPI. Cards are rendered from `routing.HelpCard.as_json()` directly
(validating every response through pydantic would cost more than computing the card); a test checks
that the two agree. Fields added later (a number's `source`, the abroad fields) have defaults: cards stored
with a report before them are still valid HelpCards."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field


class EmergencyOut(Schema):
    id: str
    name: str
    number: str
    uri: str
    kind: Literal["general", "police", "medical", "fire", "text"]
    source: str = Field(
        "",
        description="Where the number was read: the directory file's source, or libphonenumber's short-number "
        "metadata for a country the directory has no file for",
    )
    name_language: str = Field(
        "en",
        description="The language `name` is written in: the card's `language`, or `en` when the directory has no "
        'text in it (show it marked as such, e.g. `lang="en"` and "(in English)")',
    )


class ChannelOut(Schema):
    id: str
    kind: Literal["phone", "sms", "chat", "web", "app", "email", "messaging"]
    label: str
    uri: str
    open_now: bool
    closes_at: str | None
    opens_at: str | None
    hours: str
    free: bool
    notice: str | None = Field(
        None,
        description=(
            "Set while the helpline's own notice applies (a closure or temporary hours set by its supervisor): "
            "why, in the card's language, to show next to the channel. `open_now` and `opens_at` already "
            "account for it."
        ),
    )
    reachable_from_abroad: bool = Field(
        True, description="Usable from another country: web, chat, app, and numbers dialable internationally"
    )
    abroad_label: str | None = Field(
        None, description='"Reachable from abroad" in the card\'s language when the reporter is abroad, else null'
    )
    label_language: str = Field(
        "en",
        description="The language `label` is written in: the card's `language`, or `en` when the directory has no "
        'text in it (show it marked as such, e.g. `lang="en"` and "(in English)")',
    )
    notice_language: str | None = Field(None, description="The language `notice` is written in; null without one")


class AgesOut(Schema):
    min: int | None
    max: int | None


class HelplineOut(Schema):
    id: str
    name: str
    operator: str
    description: str
    languages: list[str]
    topics: list[str]
    ages: AgesOut
    channels: list[ChannelOut]
    description_language: str = Field(
        "en",
        description="The language `description` is written in: the card's `language`, or `en` when the directory has no "
        'text in it (show it marked as such, e.g. `lang="en"` and "(in English)")',
    )


class PrimaryOut(Schema):
    helpline_id: str
    kind: str
    label: str
    uri: str
    emergency: bool
    label_language: str = Field(
        "en",
        description="The language `label` is written in: the card's `language`, or `en` when the directory has no "
        'text in it (show it marked as such, e.g. `lang="en"` and "(in English)")',
    )


class HelpCardOut(Schema):
    country: str
    language: str = Field(
        description="The language of the card's texts: one of fr, en, de, nl, es, it, pt, pl, sv (ADR 0041)"
    )
    requested_language: str = Field(
        "en",
        description="The language the request asked for (its primary subtag). When it differs from `language`, "
        "Relais does not speak it and the card is in English: say so to the reporter",
    )
    timezone: str
    generated_at: str
    danger: Literal["none", "immediate"]
    fallback: bool
    emergency: list[EmergencyOut]
    helplines: list[HelplineOut]
    primary: PrimaryOut | None
    directory_version: str
    location_country: str | None = Field(
        None, description="Where the reporter is, when it is not `country` (the emergency numbers are this country's)"
    )
    abroad_note: str | None = Field(
        None, description="A sentence for the reporter abroad, in the card's language; null when not abroad"
    )
    country_source: Literal["reporter", "platform_default", "unknown"] = Field(
        "reporter",
        description=(
            "Whose country `country` is. `reporter`: the one the report (or the query) gave. `platform_default`: "
            "the report gave none, so this is your platform's default country for its reporters — tell the "
            "reporter the help is for that country and let them say if they are elsewhere. `unknown`: no "
            "country was given and your key could not be checked (only in a `503` or `429`), so the card holds "
            "the general help of the fallback (`country` XX). Absent on `GET /api/v1/help`: `reporter`."
        ),
    )


class SourceOut(Schema):
    url: str
    date: str = Field(description="The date the source speaks of (ISO 8601).")
    verified_at: str | None = Field(description="The day someone read the source for this fact, if recorded.")
    note: str | None


class _FactOut(Schema):
    sources: list[SourceOut] = Field(description="Where the fact was read; the first is the main source.")
    checked_on: str = Field(description="The last day a source was read (`verified_at`), else its newest date.")
    corroborated: bool = Field(description="Two sources from different sites say it.")


class DirectoryChannelOut(_FactOut):
    id: str
    kind: Literal["phone", "sms", "chat", "web", "app", "email", "messaging"]
    uri: str
    hours: str = Field(description="OpenStreetMap opening_hours, in `timezone`.")
    timezone: str
    public_holidays: Literal["off", "open", "unknown"] = Field(
        description="What the hours say of public holidays: closed (`PH off`), open, or not stated by the source."
    )
    free: bool
    languages: list[str]


class DirectoryAgesOut(Schema):
    min: int | None
    max: int | None


class DirectoryHelplineOut(_FactOut):
    id: str
    name: str
    operator: str
    description: dict[str, str]
    languages: list[str]
    topics: list[str]
    ages: DirectoryAgesOut
    channels: list[DirectoryChannelOut]


class DirectoryEmergencyOut(_FactOut):
    id: str
    name: dict[str, str]
    number: str
    kind: Literal["general", "police", "medical", "fire", "text"]


class DirectoryCountryOut(Schema):
    country: str = Field(description="ISO 3166-1 alpha-2; `XX` is the fallback for countries with no file.")
    name: dict[str, str]
    timezone: str
    public_holidays: str | None
    emergency: list[DirectoryEmergencyOut]
    helplines: list[DirectoryHelplineOut]


class LicenceOut(Schema):
    name: str
    url: str
    note: str


class DirectoryOut(Schema):
    version: str = Field(description="Digest of the data files; also the ETag.")
    licence: LicenceOut
    countries: list[DirectoryCountryOut]
