"""The public contract of evidence: what a platform sends with its files, and what it gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field, TypeAdapter, ValidationError, field_validator, model_validator

from relais.reports.schemas import AuthorHandle, StrictSchema, WebUrl
from relais.schemas import OPAQUE_ID_PATTERN, iso_string_only, plausible_instant

MAX_ITEMS = 20
PART_NAME_PATTERN = r"^[A-Za-z0-9_.\[\]-]{1,100}$"


class EvidenceItemIn(StrictSchema):
    """One item of the `items` form field. A picture or video names the multipart part holding its file."""

    kind: Literal["text", "image", "video"]
    file: (
        Annotated[str, Field(pattern=PART_NAME_PATTERN, description="The multipart part with this item's file")] | None
    ) = None
    text: Annotated[str, Field(min_length=1, max_length=10000, description="A text item's words, as shown")] | None = (
        None
    )
    content_id: (
        Annotated[
            str, Field(pattern=OPAQUE_ID_PATTERN, description="The report's `content[].content_id` this preserves")
        ]
        | None
    ) = None
    author_handle: AuthorHandle | None = None
    author_profile_url: WebUrl | None = None
    posted_at: AwareDatetime | None = None

    _iso = field_validator("posted_at", mode="before")(iso_string_only)
    _plausible = field_validator("posted_at")(plausible_instant)

    @model_validator(mode="after")
    def _text_or_file(self) -> EvidenceItemIn:
        if self.kind == "text":
            if self.text is None:
                raise ValueError("a text item needs `text`")
            if self.file is not None:
                raise ValueError("a text item has no `file`: send a picture or video as its own item")
        elif self.file is None:
            raise ValueError(f"an {self.kind} item needs `file`, the name of the multipart part holding it")
        elif self.text is not None:
            raise ValueError("only text items have `text`: send the words as a text item of their own")
        return self


_ITEMS = TypeAdapter(Annotated[list[EvidenceItemIn], Field(min_length=1, max_length=MAX_ITEMS)])


class ItemsInvalid(ValueError):
    """The `items` field is not valid; `errors` are pydantic-style, located under `items`."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid items")
        self.errors = errors


def parse_items(raw: str) -> list[EvidenceItemIn]:
    try:
        return _ITEMS.validate_json(raw)
    except ValidationError as exc:
        raise ItemsInvalid(
            [{"loc": ("form", "items", *err["loc"]), "msg": err["msg"], "type": err["type"]} for err in exc.errors()]
        ) from None


ITEMS_DESCRIPTION = (
    "A JSON array (1 to 20 objects), one per item: `kind` (`text`, `image` or `video`); for a text item its "
    "`text`; for a picture or video, `file`, the name of the multipart part holding it. Optional on every "
    "item: `content_id` (the report's `content[].content_id` it preserves), `author_handle` and "
    "`author_profile_url` as shown, `posted_at` (ISO 8601 with an offset). Without `items`, each file part "
    "becomes one item with no details."
)

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "items": {"type": "string", "description": ITEMS_DESCRIPTION},
                        "file": {"type": "string", "format": "binary", "description": "A picture or video"},
                    },
                    "additionalProperties": {
                        "type": "string",
                        "format": "binary",
                        "description": "More files, each in a part named by an item's `file`",
                    },
                },
                "encoding": {"items": {"contentType": "application/json"}},
                "example": {
                    "items": '[{"kind": "text", "text": "t\'es nul", "content_id": "m-88", "author_handle": '
                    '"@bully", "posted_at": "2026-11-25T21:40:00+01:00"}, {"kind": "image", "file": "shot"}]',
                },
            }
        },
    }
}


class RepeatOut(Schema):
    already_reported: int = Field(description="Earlier reports, on any platform, of the same picture (PDQ)")


class EvidenceItemOut(Schema):
    id: str
    position: int
    kind: str
    media_type: str
    size: int
    sha256: str
    pdq: str | None
    pdq_quality: int | None
    already_reported: int
    content_id: str | None
    author_handle: str | None
    author_profile_url: str | None
    posted_at: datetime | None
    received_at: datetime
    original_name: str | None


class EvidenceReceivedOut(Schema):
    items: list[EvidenceItemOut]


class LegalHoldOut(Schema):
    legal_hold: bool
    reason: str | None
    set_at: datetime | None


class CustodyOut(Schema):
    at: datetime
    party: str
    action: str
    item: int | None
    detail: str | None


class EvidenceListOut(Schema):
    report_id: str
    window_closes_at: datetime
    legal_hold: LegalHoldOut
    items: list[EvidenceItemOut]
    custody: list[CustodyOut]


class LegalHoldIn(StrictSchema):
    reason: Annotated[str, Field(min_length=1, max_length=500, description="Why: e.g. a police request's reference")]


class IntegrityErrorOut(Schema):
    detail: str
    item: int | None = Field(description="The uploaded evidence item (its `position`) that failed, if one did")
    reported_content: int | None = Field(
        description="The reported content item (1 for the report's first `content` entry) that failed, if one did"
    )
