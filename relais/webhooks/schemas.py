"""The webhook management API's contract."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

EventType = Literal[
    "report.created",
    "report.shared",
    "report.share_withdrawn",
    "case.status_changed",
    "notice.escalated",
    "notice.decided",
    "appeal.decided",
    "pileon.against_minor",
]
DeliveryStatus = Literal["pending", "delivered", "failed", "cancelled"]


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        min_length=1,
        max_length=2048,
        pattern=r"^[!-~]+$",
        description="https:// URL we POST events to (http:// only for 127.0.0.1/localhost outside production).",
    )
    event_types: list[EventType] = Field(min_length=1, max_length=8)
    description: str = Field(default="", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class EndpointOut(Schema):
    id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failure_streak: int
    created_at: datetime
    previous_secret_valid_until: datetime | None = Field(
        description="During a rotation, until when the previous secret also signs."
    )


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="The signing secret (`whsec_…`), shown this once.")


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret, shown this once.")
    previous_secret_valid_until: datetime


class AttemptOut(Schema):
    number: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    outcome: Literal["delivered", "retry", "give_up"]


class DeliveryOut(Schema):
    id: str
    endpoint_id: str
    event_type: str
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt and replay.")
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    finished_at: datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    replay_of: str | None
    attempt_log: list[AttemptOut]


class DeliveryFilter(Schema):
    status: DeliveryStatus | None = None
