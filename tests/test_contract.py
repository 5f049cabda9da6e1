"""The contract check of tests/contract.py, which tests/conftest.py runs on every `/api/` answer: it must fail
an answer the document does not describe, or the whole suite would pass as a contract test without being one."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from relais.http import json_response
from tests.contract import ContractError, served_contract


def test_a_documented_answer_passes() -> None:
    served_contract().check("GET", "/api/v1/health", json_response(200, {"status": "ok"}))


def test_a_body_that_does_not_match_its_schema_fails_naming_the_field() -> None:
    with pytest.raises(ContractError, match=r"(?s)/api/v1/health → 200.*at /status"):
        served_contract().check("GET", "/api/v1/health", json_response(200, {"status": 1}))


def test_an_undocumented_status_fails() -> None:
    with pytest.raises(ContractError, match="status not documented"):
        served_contract().check("GET", "/api/v1/health", json_response(418, {"detail": "teapot"}))


def test_a_missing_required_field_fails_through_a_component_reference() -> None:
    with pytest.raises(ContractError, match=r"at /: .*detail"):
        served_contract().check("GET", "/api/v1/reports/1", json_response(404, {"error": "gone"}))


def test_a_file_answer_is_checked_for_its_content_type_only() -> None:
    contract = served_contract()
    pdf = HttpResponse(b"%PDF-1.7", content_type="application/pdf")
    contract.check("GET", "/api/v1/reports/1/evidence.pdf", pdf)
    with pytest.raises(ContractError, match="answered text/html"):
        contract.check("GET", "/api/v1/reports/1/evidence.pdf", HttpResponse(b"<p>", content_type="text/html"))


def test_a_literal_path_is_matched_before_a_template() -> None:
    contract = served_contract()
    for operation in contract.operations:
        path = operation.template.replace("{", "").replace("}", "")
        matched, _ = contract.match(operation.method, path)
        assert matched is not None
        assert matched.pattern.fullmatch(path)
    # A parameter never spans segments.
    assert contract.match("GET", "/api/v1/reports/1/2") == (None, False)


def test_a_literal_path_asked_with_another_method_is_that_paths_405_not_a_templates() -> None:
    """`GET /helpline/cases/lookup` is the look-up asked with GET (the router answers 405), not a case whose id
    is "lookup"; schemathesis sends exactly this when it fills `{case_id}` with a string."""
    contract = served_contract()
    assert contract.match("GET", "/api/v1/helpline/cases/lookup") == (None, True)
    contract.check("GET", "/api/v1/helpline/cases/lookup", json_response(405, {"detail": "Method not allowed"}))


def test_paths_outside_the_operations_are_left_alone() -> None:
    served_contract().check("GET", "/api/openapi.json", HttpResponse(b"{}", content_type="application/json"))
    served_contract().check("GET", "/api/v1/nowhere", HttpResponse(b"<h1>Not Found</h1>", status=404))


@pytest.mark.django_db
def test_every_test_client_answer_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook really runs: an operation whose document says less than it answers fails the test's request."""
    contract = served_contract()
    responses = next(op for op in contract.operations if op.template == "/api/v1/health").responses
    monkeypatch.setitem(responses, "200", {"description": "OK"})  # as if documented without a body
    with pytest.raises(ContractError, match="documented without a body"):
        Client().get("/api/v1/health")


@pytest.mark.undocumented_answer
def test_the_opt_out_marker_skips_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    responses = next(op for op in served_contract().operations if op.template == "/api/v1/health").responses
    monkeypatch.setitem(responses, "200", {"description": "OK"})
    assert Client().get("/api/v1/health").status_code == 200
