"""`location_country` and the new harm categories over HTTP: the help and report APIs, against the real data
files and database. Every answer is checked against the OpenAPI document by tests/contract.py."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from relais.reports.models import Report
from tests.test_api import post, report_body

AT_NOON = "2026-11-25T12:00:00+01:00"


def help_card(client: Client, **params: str) -> Any:
    return client.get("/api/v1/help", {"country": "FR", "language": "fr", "age": "14", "at": AT_NOON, **params})


def test_a_french_child_in_japan_gets_japans_emergency_numbers_and_reachable_french_help(client: Client) -> None:
    response = help_card(client, location_country="JP")
    assert response.status_code == 200
    card = response.json()
    assert [e["number"] for e in card["emergency"]] == ["110", "119"]
    assert "libphonenumber" in card["emergency"][0]["source"]
    assert card["location_country"] == "JP"
    assert card["abroad_note"].startswith("Vous êtes à l'étranger")
    channels = [c for h in card["helplines"] for c in h["channels"]]
    assert channels
    assert all(c["reachable_from_abroad"] for c in channels)
    assert {c["abroad_label"] for c in channels} == {"Joignable depuis l'étranger"}
    assert "tel:3018" not in {c["uri"] for c in channels}  # a short number: not dialable from Japan


def test_at_home_the_card_is_as_before(client: Client) -> None:
    card = help_card(client).json()
    assert card["location_country"] is None
    assert card["abroad_note"] is None
    assert "112" in {e["number"] for e in card["emergency"]}


@pytest.mark.parametrize("value", ["ZZ", "XX", "France", "J", "1P"])
def test_a_location_that_is_no_country_is_a_422_naming_the_field(client: Client, value: str) -> None:
    response = help_card(client, location_country=value)
    assert response.status_code == 422
    assert "location_country" in response.content.decode()


def test_an_uncovered_country_gets_its_own_emergency_number_not_112_alone(client: Client) -> None:
    card = client.get("/api/v1/help", {"country": "JP", "language": "en"}).json()
    assert card["fallback"] is True
    assert [e["number"] for e in card["emergency"]] == ["110", "119"]
    assert card["helplines"]


@pytest.mark.parametrize(
    ("country", "category", "wanted"),
    [
        ("US", "child_sexual_abuse_material", {"us-childhelp", "us-ncmec"}),
        ("PL", "child_sexual_abuse_material", {"pl-dyzurnet"}),
        ("CA", "grooming", {"ca-cybertip"}),
    ],
)
def test_the_new_categories_are_part_of_the_help_api(
    client: Client, country: str, category: str, wanted: set[str]
) -> None:
    response = client.get("/api/v1/help", {"country": country, "language": "en", "category": category, "at": AT_NOON})
    assert response.status_code == 200
    assert wanted <= {h["id"] for h in response.json()["helplines"]}


def test_the_openapi_document_lists_the_new_categories_and_location_country(client: Client) -> None:
    document = client.get("/api/openapi.json").content.decode()
    for word in ("grooming", "child_sexual_abuse_material", "location_country", "reachable_from_abroad"):
        assert word in document


@pytest.mark.django_db
@time_machine.travel(AT_NOON, tick=False)
def test_a_report_from_abroad_gets_the_card_for_where_the_reporter_is(api: Client) -> None:
    reporter = {"country": "FR", "language": "fr", "age": 14, "location_country": "jp"}
    response = post(api, report_body(category="grooming", reporter=reporter))
    assert response.status_code == 201
    card = response.json()["help"]
    assert [e["number"] for e in card["emergency"]] == ["110", "119"]
    assert card["location_country"] == "JP"
    report = Report.objects.get()
    assert report.category == "grooming"
    assert report.help_card["location_country"] == "JP"  # kept only in the card as shown, not on the report


@pytest.mark.django_db
def test_a_report_with_a_bad_location_is_refused_and_nothing_is_stored(api: Client) -> None:
    reporter = {"country": "FR", "language": "fr", "location_country": "ZZ"}
    response = post(api, report_body(reporter=reporter))
    assert response.status_code == 422
    assert "reporter.location_country" in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["grooming", "child_sexual_abuse_material"])
def test_the_new_categories_are_accepted_by_report_intake(api: Client, category: str) -> None:
    response = post(api, report_body(category=category))
    assert response.status_code == 201
    assert Report.objects.get().category == category
