"""The directory as open data: `GET /api/v1/directory` (cacheable, with every fact's sources) and an HSDS 3.0
export checked against the fields and rules of Open Referral's schema that it uses."""

from __future__ import annotations

import io
import json
import re
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

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
    assert phone["hours"] == "Mo-Su 09:00-23:00"
    assert phone["public_holidays"] == "unknown"
    assert phone["sources"][0] == {
        "url": "https://solidarites.gouv.fr/node/2219",
        "date": "2025-11-07",
        "verified_at": None,
        "note": "7j/7, de 9h00 à 23h00, par téléphone, par tchat en direct, via Messenger et WhatsApp et sur 3018.fr",
    }
    assert phone["checked_on"] == "2025-11-07"
    assert phone["corroborated"] is False


def test_an_unchanged_directory_answers_304_to_its_etag() -> None:
    etag = Client().get("/api/v1/directory")["ETag"]
    again = Client().get("/api/v1/directory", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert Client().get("/api/v1/directory", headers={"If-None-Match": '"other"'}).status_code == 200


# --- HSDS 3.0 ------------------------------------------------------------------------------------------------
# Required fields and enums as in github.com/openreferral/specification, schema/*.json (the "required" list
# and "enum" of each object); HSDS ids are UUIDs ("format": "uuid").
HSDS_REQUIRED = {
    "service": {"id", "name", "status"},
    "organization": {"id", "name", "description"},
    "phone": {"id", "number"},
    "schedule": {"id"},
    "language": {"id"},
    "service_area": {"id"},
    "service_at_location": {"id", "location_id"},
    "location": {"id", "location_type"},
    "metadata": {
        "id",
        "last_action_date",
        "last_action_type",
        "field_name",
        "previous_value",
        "replacement_value",
        "updated_by",
    },
}
HSDS_FIELDS = {
    "service": {
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "status",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "organization",
        "phones",
        "schedules",
        "languages",
        "service_areas",
        "service_at_locations",
        "metadata",
    },
    "organization": {"id", "name", "description"},
    "phone": {"id", "service_id", "number", "type", "description", "languages", "metadata"},
    "schedule": {"id", "service_id", "description", "notes"},
    "language": {"id", "service_id", "phone_id", "code"},
    "service_area": {"id", "service_id", "name", "description"},
    "service_at_location": {"id", "service_id", "location_id", "location"},
    "location": {"id", "location_type", "url", "name", "metadata"},
    "metadata": HSDS_REQUIRED["metadata"] | {"resource_id", "resource_type"},
}
STATUS = {"active", "inactive", "defunct", "temporarily closed"}
LOCATION_TYPES = {"physical", "postal", "virtual"}
PHONE_TYPES = {"text", "voice", "fax", "cell", "video", "pager", "textphone"}  # RFC 6350, as phone.json says


def _check(kind: str, record: dict[str, Any]) -> None:
    assert HSDS_REQUIRED[kind] <= record.keys(), (kind, record.get("id"))
    assert record.keys() <= HSDS_FIELDS[kind], (kind, record.keys() - HSDS_FIELDS[kind])
    uuid.UUID(record["id"])


def test_the_hsds_export_has_every_helpline_with_the_fields_hsds_requires() -> None:
    out = io.StringIO()
    call_command("directory", "export", "--format", "hsds", stdout=out)
    document = json.loads(out.getvalue())
    assert document["hsds_version"] == "3.0"
    assert "licence" in document
    services = document["services"]
    files, _version = directory_module.read_files()
    assert len(services) == sum(len(f.helplines) for f in files)
    ids = [s["id"] for s in services]
    assert len(set(ids)) == len(ids)
    for service in services:
        _check("service", service)
        assert service["status"] in STATUS
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", service["assured_date"])
        _check("organization", service["organization"])
        assert service["organization_id"] == service["organization"]["id"]
        for phone in service["phones"]:
            _check("phone", phone)
            assert phone["type"] in PHONE_TYPES
            for language in phone["languages"]:
                _check("language", language)
            for meta in phone["metadata"]:
                _check("metadata", meta)
        for schedule in service["schedules"]:
            _check("schedule", schedule)
        for language in service["languages"]:
            _check("language", language)
        for area in service["service_areas"]:
            _check("service_area", area)
        for link in service["service_at_locations"]:
            _check("service_at_location", link)
            _check("location", link["location"])
            assert link["location"]["location_type"] in LOCATION_TYPES
            assert link["location_id"] == link["location"]["id"]
        for meta in service["metadata"]:
            _check("metadata", meta)
        for age in ("minimum_age", "maximum_age"):
            assert isinstance(service.get(age, 0), int)


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
    assert service["metadata"][0]["last_action_type"] == "sourced"


def test_the_admin_flags_facts_to_re_verify(admin_client: Client) -> None:
    page = admin_client.get("/admin/directory/stale/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "fr-3018-phone" in text
    assert "fr.yaml:" in text
    listing = admin_client.get("/admin/directory/directoryoverride/").content.decode()
    assert "directory facts were last read more than 180 days ago" in listing
    assert Client().get("/admin/directory/stale/").status_code == 302  # to the admin's sign-in
