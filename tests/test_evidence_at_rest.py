"""The children's words at rest: the reporter's own words and the reported content are sealed in the
database whichever intake path wrote them (the ORM, or the single statement on PostgreSQL), read back as
written, still match the fingerprint taken at intake, and move to a new key with `relais evidence rekey`."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from relais.evidence import crypto, reported
from relais.reports.models import Report, ReportedContent
from relais.reports.services import canonical_of
from tests.test_api import post, report_body

pytestmark = pytest.mark.django_db
WORDS = "Ça dure depuis la rentrée."
SAID = "t'es nul, personne ne t'aime"


def columns() -> list[str]:
    """What a database dump or a read replica shows of those two columns."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM reports_report UNION ALL SELECT text FROM reports_reportedcontent")
        return [value for (value,) in cursor.fetchall() if value]


def test_the_reporters_words_and_the_reported_content_are_sealed_in_the_database(api: Client) -> None:
    response = post(api, report_body())
    assert response.status_code == 201, response.content
    stored = columns()
    assert len(stored) == 2
    assert all(value.startswith("sealed:") for value in stored)
    dump = " ".join(stored)
    for words in (WORDS, SAID, "rentr", "personne"):
        assert words not in dump
    report = Report.objects.get()
    assert report.description == WORDS
    item = ReportedContent.objects.get(report=report, position=0)
    assert item.text == SAID
    assert item.sha256 == reported.content_sha256(canonical_of(item))  # the hash is over the words, not the seal
    assert api.get(f"/api/v1/reports/{report.pk}").json()["description"] == WORDS


def test_rekey_moves_the_words_to_the_new_key_so_the_old_one_can_go(api: Client, settings: Settings) -> None:
    old = f"old:{base64.b64encode(bytes(range(32))).decode()}"
    new = crypto.new_key_text("new")
    settings.RELAIS_EVIDENCE_KEYS = old
    assert post(api, report_body()).status_code == 201
    assert all(value.startswith("sealed:old:") for value in columns())
    settings.RELAIS_EVIDENCE_KEYS = f"{new},{old}"
    out = io.StringIO()
    call_command("evidence", "rekey", stdout=out)
    assert "2 texts (reporters' words, reported content) re-encrypted." in out.getvalue()
    assert all(value.startswith("sealed:new:") for value in columns())
    settings.RELAIS_EVIDENCE_KEYS = new
    assert Report.objects.get().description == WORDS
    assert ReportedContent.objects.get(position=0).text == SAID


def test_words_whose_key_was_dropped_show_sealed_never_as_other_words(api: Client, settings: Settings) -> None:
    assert post(api, report_body()).status_code == 201
    settings.RELAIS_EVIDENCE_KEYS = crypto.new_key_text("other")
    report = Report.objects.get()
    assert report.description.startswith("sealed:")
    assert api.get(f"/api/v1/reports/{report.pk}").status_code == 200
