"""The reported content in the evidence pack: what the report itself said (the messages' text, author as shown,
times), fingerprinted at intake, shown in the PDF (read back with poppler's pdftotext, as a reader's tools
would), re-checkable from the ZIP with sha256 alone, followed by "what to do with this pack" in the reader's
language; and the reporter's own pack (`reporter_pack_pdf`), logged in the chain of custody."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings

from relais.evidence import reported
from relais.evidence.models import CustodyEvent
from relais.evidence.services import reporter_pack_pdf
from relais.evidence.vault import IntegrityFailure
from relais.reports.models import Report, ReportedContent
from tests.test_api import AT_2259, post, report_body
from tests.test_evidence import AT_2300, upload

INSULT = "T'es vraiment nulle, personne à l'école ne veut de toi — arrête de venir"
THREAT = "Ça va être pire après les vacances, crois-moi : tu vas regretter d'être née 😡"
HANDLE = "@Zoé_la_star"
PROFILE = "https://social.example/@zoe_la_star"
POSTED = "2026-11-25T21:40:00+01:00"

# --- the canonical form (pure, no database) --------------------------------------------------------


def canonical(**overrides: Any) -> bytes:
    values: dict[str, Any] = {
        "kind": "message",
        "content_id": "m-1",
        "url": "",
        "text": INSULT,
        "author_handle": HANDLE,
        "author_profile_url": PROFILE,
        "posted_at": datetime(2026, 11, 25, 21, 40, tzinfo=timezone(timedelta(hours=1))),
    }
    return reported.canonical_content(**{**values, **overrides})


def test_the_canonical_form_is_the_documented_json_byte_for_byte() -> None:
    expected = (
        '{"author_handle":"@Zoé_la_star","author_profile_url":"https://social.example/@zoe_la_star",'
        '"content_id":"m-1","format":"relais-reported-content/1","kind":"message",'
        '"posted_at":"2026-11-25T20:40:00Z",'
        f'"text":"{INSULT}","url":null}}'
    ).encode()
    assert canonical() == expected
    assert reported.content_sha256(expected) == hashlib.sha256(expected).hexdigest()


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        (
            {"posted_at": datetime(2026, 11, 24, 7, 15, 0, 500000, tzinfo=UTC)},
            '"posted_at":"2026-11-24T07:15:00.500000Z"',
        ),
        ({"posted_at": None}, '"posted_at":null'),
        ({"text": ""}, '"text":null'),
        ({"author_handle": "", "author_profile_url": ""}, '"author_handle":null,"author_profile_url":null'),
        ({"text": 'ligne 1\nligne 2\t"citée" \\ fin'}, r'"text":"ligne 1\nligne 2\t\"citée\" \\ fin"'),
        ({"text": "مرحبا 😀"}, '"text":"مرحبا 😀"'),
    ],
    ids=["microseconds", "no time", "no text", "no author", "escapes", "as written"],
)
def test_each_rule_of_the_canonical_form(overrides: dict[str, Any], fragment: str) -> None:
    form = canonical(**overrides)
    assert fragment.encode() in form
    parsed = json.loads(form)
    assert list(parsed) == sorted(parsed)
    assert json.dumps(parsed, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() == form


def test_any_change_to_what_was_said_changes_the_hash() -> None:
    first = reported.content_sha256(canonical())
    for change in ({"text": INSULT + "."}, {"author_handle": "@zoé_la_star"}, {"kind": "comment"}):
        assert reported.content_sha256(canonical(**change)) != first
    later = datetime(2026, 11, 25, 20, 40, 1, tzinfo=UTC)
    assert reported.content_sha256(canonical(posted_at=later)) != first


# --- intake: both paths store the author and the hash ----------------------------------------------

CONTENT = [
    {
        "kind": "message",
        "content_id": "m-1",
        "text": INSULT,
        "author_handle": HANDLE,
        "author_profile_url": PROFILE,
        "posted_at": POSTED,
    },
    {"kind": "comment", "url": "https://social.example/p/9#c2", "text": THREAT, "author_handle": "@anon_92"},
]


def expected_sha256(item: dict[str, Any]) -> str:
    """The hash, recomputed here from the documented rule (ADR 0011), not by calling Relais's function."""
    posted = item.get("posted_at")
    record = {
        "format": "relais-reported-content/1",
        "kind": item["kind"],
        "content_id": item.get("content_id"),
        "url": item.get("url"),
        "text": item.get("text"),
        "author_handle": item.get("author_handle"),
        "author_profile_url": item.get("author_profile_url"),
        "posted_at": datetime.fromisoformat(posted).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if posted else None,
    }
    return hashlib.sha256(
        json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    ).hexdigest()


@pytest.fixture
def report_id(api: Client) -> str:
    with time_machine.travel(AT_2259, tick=False):
        response = post(api, report_body(content=CONTENT))
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


@pytest.mark.django_db
def test_intake_stores_the_author_and_the_hash_and_the_api_shows_them(api: Client, report_id: str) -> None:
    shown = api.get(f"/api/v1/reports/{report_id}").json()["content"]
    assert shown[0] == {
        "url": None,
        "content_id": "m-1",
        "kind": "message",
        "text": INSULT,
        "author_handle": HANDLE,
        "author_profile_url": PROFILE,
        "posted_at": "2026-11-25T20:40:00+00:00",
        "sha256": expected_sha256(CONTENT[0]),
    }
    assert shown[1]["author_handle"] == "@anon_92"
    assert shown[1]["author_profile_url"] is None
    assert shown[1]["sha256"] == expected_sha256(CONTENT[1])
    stored = ReportedContent.objects.get(report_id=report_id, position=0)
    assert (stored.author_handle, stored.author_profile_url) == (HANDLE, PROFILE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("author_handle", "x" * 201), ("author_profile_url", "javascript:alert(1)"), ("author_profile_url", "a" * 3000)],
)
def test_a_bad_author_is_a_422_naming_the_field(api: Client, field: str, value: str) -> None:
    body = report_body(content=[{"kind": "message", "text": "t'es nul", field: value}])
    response = post(api, body)
    assert response.status_code == 422
    assert field in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_openapi_documents_the_new_fields(api: Client) -> None:
    schemas = api.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"author_handle", "author_profile_url"} <= set(schemas["ContentIn"]["properties"])
    assert {"author_handle", "author_profile_url", "sha256"} <= set(schemas["ContentOut"]["properties"])


# --- the pack ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def evidence_store(settings: Settings, tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    return folder


def pdftotext(data: bytes) -> str:
    """The PDF's text as poppler reads it, whitespace folded (a long quote may wrap onto two lines)."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: apt-get install poppler-utils"
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").replace("\u200e", "").split())


FRENCH_STEPS = (
    "Que faire de ce dossier ?",
    "Garde ce dossier tel quel",
    "Ne modifie pas les fichiers",
    "Porter plainte",
    "commissariat de police ou à la brigade de gendarmerie",
    "procureur de la République",
    "La pré-plainte en ligne",
    "https://www.pre-plainte-en-ligne.gouv.fr/",
    "PHAROS",
    "https://www.internet-signalement.gouv.fr/",
    "Le 3018 peut t'aider",
    "Gratuit, anonyme et confidentiel, 7 jours sur 7 de 9 h à 23 h",
)
ENGLISH_STEPS = (
    "What to do with this pack",
    "Keep this pack as it is",
    "Do not edit the files",
    "File a complaint (porter plainte)",
    "public prosecutor (procureur de la République)",
    "Pre-complaint online (pré-plainte en ligne)",
    "https://www.pre-plainte-en-ligne.gouv.fr/",
    "https://www.internet-signalement.gouv.fr/",
    "The 3018 can help",
    "every day from 9:00 to 23:00",
)


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_report_without_uploads_gets_a_pdf_with_its_content_and_what_to_do(api: Client, report_id: str) -> None:
    response = api.get(f"/api/v1/reports/{report_id}/evidence.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdftotext(response.content)
    for words in (
        "Contenu signalé, tel que la plateforme l'a transmis",
        "Élément signalé 1 sur 2 · message",
        INSULT,
        THREAT.removesuffix(" 😡"),
        HANDLE,
        PROFILE,
        "@anon_92",
        "25/11/2026 21:40:00 (Europe/Paris) · 2026-11-25 20:40:00 UTC",  # posted: the reporter's zone and UTC
        "https://social.example/p/9#c2",
        "m-1",
        expected_sha256(CONTENT[0]),
        expected_sha256(CONTENT[1]),
        "reported/01-message.json",
        "La plateforme n'a envoyé aucun fichier",
        *FRENCH_STEPS,
    ):
        assert words in text, words
    # The content comes before the manifest, and the last page says what to do.
    assert text.index(INSULT) < text.index("Manifeste") < text.index("Que faire de ce dossier ?")
    english = pdftotext(api.get(f"/api/v1/reports/{report_id}/evidence.pdf?lang=en").content)
    for words in (
        "Reported content, as the platform sent it",
        "Reported item 2 of 2 · comment",
        INSULT,
        *ENGLISH_STEPS,
    ):
        assert words in english, words
    assert "Que faire" not in english


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_the_zips_reported_items_re_check_with_sha256_alone(api: Client, report_id: str) -> None:
    upload(api, report_id, [{"kind": "text", "text": "capture du message", "content_id": "m-1"}])
    archive = zipfile.ZipFile(io.BytesIO(api.get(f"/api/v1/reports/{report_id}/evidence.zip").content))
    stem = f"relais-evidence-{report_id[:8]}"
    manifest = json.loads(archive.read(f"{stem}/manifest.json"))
    intake = [item["sha256"] for item in api.get(f"/api/v1/reports/{report_id}").json()["content"]]
    listed = manifest["reported_content"]
    assert [item["file"] for item in listed] == ["reported/01-message.json", "reported/02-comment.json"]
    for item, at_intake, sent in zip(listed, intake, CONTENT, strict=True):
        data = archive.read(f"{stem}/{item['file']}")
        assert hashlib.sha256(data).hexdigest() == item["sha256_at_intake"] == at_intake == expected_sha256(sent)
        assert json.loads(data)["text"] == sent["text"]
    assert listed[0]["author_handle"] == HANDLE
    sums = {
        name: digest
        for digest, name in (line.split("  ", 1) for line in archive.read(f"{stem}/SHA256SUMS").decode().splitlines())
    }
    assert sums["reported/01-message.json"] == intake[0]
    assert "reported/README.txt" in sums
    assert "sha256sum" in archive.read(f"{stem}/reported/README.txt").decode()
    assert [item["file"] for item in manifest["items"]] == ["files/01-text.txt"]  # the upload follows


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_reported_item_changed_in_the_database_stops_the_pack(api: Client, report_id: str) -> None:
    ReportedContent.objects.filter(report_id=report_id, position=1).update(text="rien de méchant")
    response = api.get(f"/api/v1/reports/{report_id}/evidence.pdf")
    assert response.status_code == 409
    body = response.json()
    assert (body["item"], body["reported_content"]) == (None, 2)
    assert body["detail"].startswith("reported content item 2 failed its integrity check")
    failed = CustodyEvent.objects.get(action="integrity_failed")
    assert (failed.item, failed.party) == (None, "Sunny Social")
    assert not CustodyEvent.objects.filter(action="exported").exists()


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_outside_france_the_pack_points_to_the_police_and_the_help_cards_helpline(api: Client) -> None:
    reporter = {"country": "BE", "language": "en", "age": 14, "timezone": "Europe/Brussels"}
    with time_machine.travel(AT_2259, tick=False):
        rtl = {"kind": "message", "text": "مرحبا يا صديقي · שלום", "author_handle": "ناصر_٢٠٠٩"}
        created = post(api, report_body(reporter=reporter, content=[CONTENT[0], rtl])).json()
    text = pdftotext(api.get(f"/api/v1/reports/{created['id']}/evidence.pdf").content)
    for hebrew in "שלום":  # right-to-left text, drawn with the bundled fonts
        assert hebrew in text
    assert sum(1 for char in text if "\u0600" <= char <= "\u06ff" or "\ufe70" <= char <= "\ufeff") >= 10
    assert "What to do with this pack" in text
    assert "Keep this pack as it is" in text
    assert "You can tell the police (on 101) or at a police station" in text
    assert "Child Focus 116 000 (116000), the helpline on your help card" in text
    assert "If you are in danger now, call 112." in text
    assert "pre-plainte" not in text
    assert "25 Nov 2026 21:40:00 (Europe/Brussels)" in text  # the reader's language, the reporter's zone


# --- the reporter's own pack ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reporters_pack_holds_their_report_and_is_logged_as_theirs(report_id: str) -> None:
    report = Report.objects.get(pk=report_id)
    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    text = pdftotext(reporter_pack_pdf(report, language="fr", now=now))
    for words in (INSULT, HANDLE, "25/11/2026 21:40:00 (Europe/Paris)", "pour la personne qui a fait le signalement"):
        assert words in text, words
    for words in FRENCH_STEPS:
        assert words in text, words
    english = pdftotext(reporter_pack_pdf(report, language="en-GB", now=now))
    assert "for the person who reported" in english
    assert "The 3018 can help" in english
    exports = CustodyEvent.objects.filter(report=report, action="exported").values_list(
        "party", "actor_label", "at", "detail"
    )
    assert (
        list(exports)
        == [
            ("reporter", "reporter", now, "PDF pack of 0 items and 2 reported items for the reporter"),
        ]
        * 2
    )


@pytest.mark.django_db
def test_the_reporters_pack_is_refused_when_a_check_fails_and_the_failure_is_theirs(report_id: str) -> None:
    ReportedContent.objects.filter(report_id=report_id, position=0).update(author_handle="@quelqu_un_d_autre")
    report = Report.objects.get(pk=report_id)
    with pytest.raises(IntegrityFailure, match="reported content item 1 failed its integrity check"):
        reporter_pack_pdf(report, language="fr", now=datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    assert list(CustodyEvent.objects.values_list("action", "party")) == [("integrity_failed", "reporter")]
