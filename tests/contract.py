"""Every `/api/` answer a test receives, checked against the served OpenAPI document (issue #18).

The model is Zulip's `ZulipTestCase.validate_api_response_openapi` (zerver/lib/test_classes.py), which every
`client_get`/`client_post` of its suite calls, and which hands the body to `validate_against_openapi_schema`
(zerver/openapi/openapi.py): the suite's coverage of corner cases then doubles as a check that each corner case
is documented. Here the hook sits on Django's `BaseHandler.get_response` (tests/conftest.py), which the test
client, live servers and the WSGI application all go through, so no test has to ask.

Why this matters for Relais: many answers are built by hand (`*_json` functions sent through
`relais.http.json_response`) and skip ninja's response checking, so without this check the `…Out` schemas that
generated clients are built from could drift from what the API really answers.

What is checked, for a request whose path matches an operation of the document:
- the status is one the operation documents (an undocumented status fails the test, as in Zulip);
- a JSON answer validates against that status's schema (JSON Schema 2020-12, which OpenAPI 3.1 uses, formats
  included), with `jsonschema_rs`;
- any other answer (PDF, ZIP, empty 204) only has the documented content type, or no body where none is
  documented.
Paths the document does not describe (the document itself, the Swagger page, Django's own 404 for an unknown
URL) are not operations and are left alone; a documented path answered for an undocumented method fails unless
the answer is the router's 404/405.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema_rs
import orjson
from django.http import HttpResponse, HttpResponseBase

_JSON = "application/json"
_PARAMETER = re.compile(r"\{[^}/]+\}")


class ContractError(AssertionError):
    """An answer the OpenAPI document does not describe."""


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]
    parameters: int


@dataclass
class Contract:
    """The served document, its operations matched by path template, its response schemas compiled on first use."""

    document: dict[str, Any]
    operations: list[Operation] = field(init=False)
    _validators: dict[tuple[str, str, str], jsonschema_rs.Validator] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        operations = []
        for template, item in self.document.get("paths", {}).items():
            regex = "".join(
                "[^/]+" if _PARAMETER.fullmatch(part) else re.escape(part)
                for part in re.split(r"(\{[^}/]+\})", template)
            )
            for method, operation in item.items():
                if method in {"get", "post", "put", "patch", "delete", "head", "options"}:
                    operations.append(
                        Operation(
                            method=method.upper(),
                            template=template,
                            pattern=re.compile(regex),
                            responses={str(k): v for k, v in operation.get("responses", {}).items()},
                            parameters=len(_PARAMETER.findall(template)),
                        )
                    )
        # A literal segment wins over a parameter (`/cases/lookup` before `/cases/{case_id}`), as in the router.
        self.operations = sorted(operations, key=lambda op: op.parameters)

    def match(self, method: str, path: str) -> tuple[Operation | None, bool]:
        """The operation for this request, and whether the path is documented at all (for any method).

        The path's resource is the most literal template that matches it, as in the router: `GET
        /cases/lookup` is the look-up's path asked with a method it does not take (a 405), not a case whose
        id is "lookup"."""
        resource = next((op.template for op in self.operations if op.pattern.fullmatch(path)), None)
        if resource is None:
            return None, False
        found = (op for op in self.operations if op.template == resource and op.method == method)
        return next(found, None), True

    def check(self, method: str, path: str, response: HttpResponseBase) -> None:
        """Raise ContractError when the document does not describe this answer."""
        method = method.upper()
        operation, documented = self.match(method, path)
        if operation is None:
            if documented and response.status_code not in {404, 405}:
                raise ContractError(f"{method} {path} answered {response.status_code}: no such operation documented")
            return
        where = f"{method} {operation.template} → {response.status_code}"
        described = operation.responses.get(str(response.status_code))
        if described is None:
            documented_statuses = ", ".join(sorted(operation.responses))
            raise ContractError(f"{where}: status not documented (the operation documents {documented_statuses})")
        content: dict[str, Any] = described.get("content") or {}
        read = response.content if isinstance(response, HttpResponse) else None  # None: streamed (a file)
        media_type = (response.get("Content-Type") or "").split(";")[0].strip()
        if not content:
            if read:
                raise ContractError(f"{where}: documented without a body, answered {media_type or 'a body'}")
            return
        if media_type not in content:
            raise ContractError(f"{where}: answered {media_type or 'no content type'}, documented {sorted(content)}")
        if media_type != _JSON or read is None:
            return
        schema = content[_JSON].get("schema")
        if schema is None:
            return
        try:
            body = orjson.loads(read)
        except orjson.JSONDecodeError as error:
            raise ContractError(f"{where}: the body is not JSON ({error})") from error
        validator = self._validator(operation, str(response.status_code), schema)
        problems = [
            f"  at /{'/'.join(str(p) for p in error.instance_path)}: {error.message}"
            for error in validator.iter_errors(body)
        ]
        if problems:
            shown = "\n".join(problems[:10]) + (f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else "")
            raise ContractError(f"{where}: the answer does not match its documented schema:\n{shown}")

    def _validator(self, operation: Operation, status: str, schema: dict[str, Any]) -> jsonschema_rs.Validator:
        key = (operation.method, operation.template, status)
        if key not in self._validators:
            # `#/components/schemas/…` references resolve against the schema's root, so the components go with it.
            rooted = {**schema, "components": self.document.get("components", {})}
            self._validators[key] = jsonschema_rs.Draft202012Validator(rooted, validate_formats=True)
        return self._validators[key]


@cache
def served_contract() -> Contract:
    """The document /api/openapi.json serves, built once per test session (JSON round-trip: status keys as text)."""
    from relais.api import api

    return Contract(orjson.loads(orjson.dumps(api.get_openapi_schema(), default=str, option=orjson.OPT_NON_STR_KEYS)))
