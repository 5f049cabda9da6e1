"""The `Idempotency-Key` header and its answers, added to every authenticated POST of the OpenAPI document
(the middleware handles them all, so no operation declares them itself)."""

from __future__ import annotations

from typing import Any

from relais.idempotency.keys import HEADER, MAX_LENGTH

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Optional, recommended for retries. A retry with the same key and the same body gets the first answer "
        "again (same status and body, with `Idempotent-Replayed: true`) for 24 hours (RELAIS_IDEMPOTENCY_HOURS); "
        "the same key with another body → 422; while the first request is still running → 409. Keys are "
        "yours alone (per platform or helpline). 5xx answers are not remembered: retry them with the same key."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH + 2, "pattern": "^[ -~]+$"},
    "example": "8e03978e-40d5-43e8-bc93-6894a57f9324",
}


def _answer(description: str, ref: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def add_answer(responses: dict[Any, Any], status: int, answer: dict[str, Any]) -> None:
    """Add `status` unless the operation documents it already. Ninja keys its responses by int, this
    module by str: both are the same key once in JSON, so a second one would silently replace the first."""
    if status not in responses and str(status) not in responses:
        responses[str(status)] = answer


def document_idempotency(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        operation = operations.get("post")
        if operation is None or not operation.get("security"):
            continue
        operation.setdefault("parameters", []).append(PARAMETER)
        responses = operation.setdefault("responses", {})
        add_answer(
            responses,
            409,
            _answer("A request with this Idempotency-Key is still running", "#/components/schemas/ErrorOut"),
        )
        add_answer(
            responses,
            422,
            _answer(
                "Invalid request; also an invalid Idempotency-Key or one reused with another body",
                "#/components/schemas/ValidationErrorOut",
            ),
        )
