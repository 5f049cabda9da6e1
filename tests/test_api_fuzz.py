"""Schemathesis generates requests from our own OpenAPI document: whatever a client sends, the answer is
documented and never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from relais.schemas import IANA_ZONES, TIMEZONE_FORMAT
from relais.wsgi import application

# The document names the format of a time zone instead of listing every zone (relais/schemas.py): generate real ones.
schemathesis.openapi.format(TIMEZONE_FORMAT, st.sampled_from(sorted(IANA_ZONES)))
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def key(platform_key: tuple[Any, str]) -> str:
    return platform_key[1]


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_documented(case: Any, key: str) -> None:
    # Refusing schema-valid data is allowed for the two limits JSON Schema cannot state (instants between 1970
    # and 2100, strings without lone surrogates); test_api.py checks each of those 422s by name.
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=[positive_data_acceptance])
