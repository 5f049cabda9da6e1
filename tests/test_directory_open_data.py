"""The directory as open data: `GET /api/v1/directory` (cacheable, with every fact's sources) and an HSDS 3.0
export validated against Open Referral's own HSDS 3.0 schema files (vendored in tests/data/hsds-3.0)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from relais.directory import directory as directory_module

pytestmark = pytest.mark.django_db


def test_the_directory_is_public_cacheable_and_names_its_sources() -> None:
    response = Client().get("/api/v1/directory")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert response["ETag"] == f'"{body["version"]}"'
    assert body["licence"]["url"].startswith("https://")
    fr = next(c for c in body["countries"] if c["country"] == "FR")
    line = next(h for h in fr["helplines"] if h["id"] == "fr-3018")
    phone = next(c for c in line["channels"] if c["id"] == "fr-3018-phone")
    assert phone["hours"] == "Mo-Su,PH 09:00-23:00"
    assert phone["public_holidays"] == "open"  # "7 jours sur 7 de 09h00 à 23h00, 365 jours par an" (Orange)
    assert phone["sources"][0] == {
        "url": "https://solidarites.gouv.fr/node/2219",
        "date": "2025-11-07",
        "verified_at": "2026-12-04",
        "note": "7j/7, de 9h00 à 23h00, par téléphone, par tchat en direct, via Messenger et WhatsApp et sur 3018.fr",
    }
    assert phone["checked_on"] == "2026-12-04"
    assert phone["corroborated"] is True  # solidarites.gouv.fr, then Orange and Villetaneuse


def test_an_unchanged_directory_answers_304_to_its_etag() -> None:
    etag = Client().get("/api/v1/directory")["ETag"]
    again = Client().get("/api/v1/directory", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert Client().get("/api/v1/directory", headers={"If-None-Match": '"other"'}).status_code == 200


# --- HSDS 3.0 ------------------------------------------------------------------------------------------------
# Open Referral's own schema files, tag v3.0, vendored unchanged in tests/data/hsds-3.0 (its README says where
# from and under which licence). They validate types, enums, required fields and formats ("uuid", "uri"); they
# allow fields they do not define, so `_uses_only_defined_fields` checks that we send none.
HSDS_SCHEMAS = Path(__file__).parent / "data" / "hsds-3.0"


def _schema(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((HSDS_SCHEMAS / f"{name}.json").read_text())
    return document


def _hsds_validator() -> Any:
    """service.json names the other objects by relative `$ref`; the retriever answers them from the folder."""
    schema = _schema("service") | {"$id": "https://relais.invalid/hsds-3.0/service.json"}
    return jsonschema_rs.validator_for(
        schema, retriever=lambda uri: _schema(uri.rsplit("/", 1)[-1].removesuffix(".json")), validate_formats=True
    )


def _uses_only_defined_fields(kind: str, record: dict[str, Any]) -> None:
    schema = _schema(kind)
    assert record.keys() <= schema["properties"].keys(), (kind, record.keys() - schema["properties"].keys())
    for field, value in record.items():
        target = schema["properties"][field].get("$ref") or schema["properties"][field].get("items", {}).get("$ref")
        if target:
            for item in value if isinstance(value, list) else [value]:
                _uses_only_defined_fields(target.removesuffix(".json"), item)


def _hsds_export() -> dict[str, Any]:
    out = io.StringIO()
    call_command("directory", "export", "--format", "hsds", stdout=out)
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


def test_the_hsds_export_has_every_helpline_and_is_valid_against_hsds_3_0() -> None:
    document = _hsds_export()
    assert document["hsds_version"] == "3.0"
    assert "licence" in document
    services = document["services"]
    files, _version = directory_module.read_files()
    assert len(services) == sum(len(f.helplines) for f in files)
    ids = [s["id"] for s in services]
    assert len(set(ids)) == len(ids)
    validator = _hsds_validator()
    for service in services:
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(service)]
        assert errors == [], (service["name"], errors)
        _uses_only_defined_fields("service", service)
        assert service["organization_id"] == service["organization"]["id"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", service["assured_date"])
        for link in service["service_at_locations"]:
            assert link["location_id"] == link["location"]["id"]


def test_the_hsds_schema_refuses_what_hsds_forbids() -> None:
    """The vendored schema really bites: the check above would catch a wrong enum, a missing field, a bad id."""
    service = _hsds_export()["services"][0] | {"status": "open", "minimum_age": "twelve"}
    service["phones"] = [{"id": "not-a-uuid"}]
    del service["name"]
    found = {tuple(e.instance_path) for e in _hsds_validator().iter_errors(service)}
    assert found == {(), ("status",), ("minimum_age",), ("phones", 0), ("phones", 0, "id")}


def test_the_hsds_record_of_the_119_keeps_its_ages_hours_and_sources() -> None:
    out = io.StringIO()
    call_command("directory", "export", "--format", "hsds", stdout=out)
    service = next(s for s in json.loads(out.getvalue())["services"] if s["name"].startswith("119"))
    assert service["maximum_age"] == 21
    assert "minimum_age" not in service
    assert [p["number"] for p in service["phones"]] == ["119"]
    assert service["schedules"][0]["description"] == "phone: 24/7 (OpenStreetMap opening_hours, Europe/Paris)"
    assert service["schedules"][0]["notes"] == "Open on public holidays."
    assert service["metadata"][0]["replacement_value"] == "https://solidarites.gouv.fr/node/2219"
    assert service["metadata"][0]["last_action_type"] == "verified"


def test_the_admin_flags_facts_to_re_verify(admin_client: Client, settings: SettingsWrapper) -> None:
    settings.RELAIS_FAKE_NOW = "2027-07-01T12:00:00Z"  # the 3018's sources were read on 2026-12-04: due by then
    page = admin_client.get("/admin/directory/stale/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "fr-3018-phone" in text
    assert "fr.yaml:" in text
    listing = admin_client.get("/admin/directory/directoryoverride/").content.decode()
    assert "directory facts were last read more than 180 days ago" in listing
    assert Client().get("/admin/directory/stale/").status_code == 302  # to the admin's sign-in
