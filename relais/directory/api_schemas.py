"""The HelpCard as documented in OpenAPI. Cards are rendered from `routing.HelpCard.as_json()` directly
(validating every response through pydantic would cost more than computing the card); a test checks
that the two agree."""

from __future__ import annotations

from typing import Literal

from ninja import Schema


class EmergencyOut(Schema):
    id: str
    name: str
    number: str
    uri: str
    kind: Literal["general", "police", "medical", "fire", "text"]


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


class PrimaryOut(Schema):
    helpline_id: str
    kind: str
    label: str
    uri: str
    emergency: bool


class HelpCardOut(Schema):
    country: str
    language: str
    timezone: str
    generated_at: str
    danger: Literal["none", "immediate"]
    fallback: bool
    emergency: list[EmergencyOut]
    helplines: list[HelplineOut]
    primary: PrimaryOut | None
    directory_version: str
