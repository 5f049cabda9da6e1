"""The handoff contract: consent to share (platforms) and cases (helplines' own software)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from relais.handoffs.consent import SCOPES, TEXT_VERSION_PATTERN
from relais.moderation.schemas import NotifierNoticeOut
from relais.schemas import iso_string_only, plausible_instant

Scope = Literal["report", "content", "description", "help_card", "pseudonym"]
assert set(Scope.__args__) == set(SCOPES)  # type: ignore[attr-defined]  # noqa: S101 - one vocabulary
StatusName = Literal["new", "in_progress", "escalated", "closed"]


class ConsentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    given_at: AwareDatetime = Field(description="When the reporter agreed, on the platform")
    text_version: Annotated[str, Field(pattern=TEXT_VERSION_PATTERN, description="Which consent wording was shown")]
    scope: Annotated[list[Scope], Field(min_length=1, description="What the helpline may see; must include report")]

    _iso = field_validator("given_at", mode="before")(iso_string_only)
    _plausible = field_validator("given_at")(plausible_instant)


class ShareIn(Schema):
    model_config = ConfigDict(extra="forbid")

    helpline_id: Annotated[str, Field(pattern=r"^[a-z]{2}-[a-z0-9][a-z0-9-]*$", max_length=100, examples=["fr-3018"])]
    consent: ConsentIn


class SharedHelplineOut(Schema):
    id: str
    name: str
    channels: list[dict[str, Any]]


class ShareOut(Schema):
    case_code: str = Field(examples=["4821-093-755-1627"])
    case_code_spoken: str = Field(
        description="The code as words in the reporter's language, digit by digit, to read out on the phone",
        examples=["quatre, huit, deux, un — zéro, neuf, trois — sept, cinq, cinq — un, six, deux, sept"],
    )
    expires_at: datetime
    helpline: SharedHelplineOut


class WithdrawOut(Schema):
    withdrawn: int


class LookupIn(Schema):
    """The code the reporter gave, in the body: a path would put it in every access log (ADR 0030)."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            description="As typed: `4821-093-755-1627`, spaces or none (or a legacy `K7QM-4X2P`)",
        ),
    ]


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=10000)]


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: StatusName | None = None
    follow_up_on: date | None = None


class NoteOut(Schema):
    author: str
    text: str
    created_at: datetime


class AccessEventOut(Schema):
    at: datetime
    who: str
    action: str
    detail: str


class CaseSummaryOut(Schema):
    id: uuid.UUID = Field(description="The case's opaque id: the path of every call about the case")
    code: str
    status: StatusName
    category: str
    urgent: bool
    created_at: datetime
    updated_at: datetime
    follow_up_on: date | None
    assigned_to: str | None


class CaseOut(CaseSummaryOut):
    scope: list[str]
    report: dict[str, Any]
    content: list[dict[str, Any]] | None
    description: str | None
    help_card: dict[str, Any] | None
    help_shown_at: datetime | None
    pseudonym: str
    pseudonym_masked: bool
    notes: list[NoteOut]
    access_log: list[AccessEventOut]
    notices: list[NotifierNoticeOut] = Field(
        description="Notices about the case's report (the reporter's own and your escalations), with outcome and redress"
    )
