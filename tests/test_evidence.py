"""Evidence over HTTP: uploads, their refusals, encryption at rest, integrity, the PDF and ZIP packs, tenant
walls and legal holds — against the real database, the real storage (a temporary folder) and real files."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy
import pypdfium2  # type: ignore[import-untyped]
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pytest_django.fixtures import Settings

from relais import clock
from relais.evidence.models import CustodyEvent, EvidenceItem
from relais.handoffs.models import AccessEvent
from relais.reports.models import Report
from relais.tenants.models import Helpline, Platform
from relais.tenants.services import add_helpline, add_platform
from tests.test_api import AT_2259, post, report_body

AT_2300 = "2026-11-25T23:00:00+01:00"
AFTER_WINDOW = "2026-11-28T23:00:00+01:00"
CONSENT = {"given_at": "2026-11-25T22:59:30+01:00", "text_version": "fr-2026-11", "scope": ["report", "content"]}

# --- real files, made here ---------------------------------------------------------------------------


def picture(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A picture with enough structure for PDQ (flat images have no fingerprint worth the name)."""
    image = Image.new("RGB", size, (240, 238, 230))
    draw = ImageDraw.Draw(image)
    state = seed
    for _ in range(24):
        state = (state * 1103515245 + 12345) % 2**31
        x, y = state % size[0], (state // 7) % size[1]
        w, h = 30 + state % 220, 30 + (state // 11) % 200
        colour = (state % 256, (state // 3) % 256, (state // 5) % 256)
        draw.ellipse([x, y, x + w, y + h], fill=colour)
    return image


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels and holds a few bytes: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(1024))) + chunk(b"IEND", b"")
    )


# An MP4's first boxes (ftyp isom, then an empty mdat) and a WebM's EBML header, as encoders write them:
# Relais checks a video's type by its signature and never decodes it.
MP4 = (
    struct.pack(">I", 24)
    + b"ftypisom"
    + struct.pack(">I", 512)
    + b"isomiso2"
    + struct.pack(">I", 16)
    + b"mdat"
    + bytes(8)
)
WEBM = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104428581021853806701")
PDF_FILE = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE_FILE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + bytes(48)
    + b"This program cannot be run in DOS mode."
)

PNG = encode(picture(1), "PNG")
JPEG = encode(picture(2), "JPEG", quality=90)
TEXT = "t'es nul, personne ne t'aime. Signalé à l'école — élève"
HANDLE = "@Zoé_la_star 😀"

# --- fixtures and helpers ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def evidence_store(settings: Settings, tmp_path: Path) -> Path:
    """Each test stores its evidence in its own empty folder, to look at what lands on disk."""
    folder = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def reported(api: Client) -> str:
    with time_machine.travel(AT_2259, tick=False):
        return str(post(api, report_body()).json()["id"])


def upload(
    client: Client,
    report_id: str,
    items: list[dict[str, Any]] | str | None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    **headers: str,
) -> Any:
    data: dict[str, Any] = {}
    if items is not None:
        data["items"] = items if isinstance(items, str) else json.dumps(items)
    for part, (name, content, content_type) in (files or {}).items():
        data[part] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"/api/v1/reports/{report_id}/evidence", data, headers=headers)


def full_upload(client: Client, report_id: str, **headers: str) -> Any:
    """A text, a PNG screenshot and a JPEG photo, the text linked to the report's first content item."""
    items = [
        {
            "kind": "text",
            "text": TEXT,
            "content_id": "m-1",
            "author_handle": HANDLE,
            "author_profile_url": "https://social.example/@zoe",
            "posted_at": "2026-11-25T21:40:00+01:00",
        },
        {"kind": "image", "file": "screenshot", "author_handle": HANDLE},
        {"kind": "image", "file": "photo"},
    ]
    files = {"screenshot": ("capture.png", PNG, "image/png"), "photo": ("../../etc/photo.jpg", JPEG, "image/jpeg")}
    return upload(client, report_id, items, files, **headers)


def share(client: Client, report_id: str, scope: list[str] | None = None) -> str:
    consent = {**CONSENT, "scope": scope or CONSENT["scope"]}
    response = client.post(
        f"/api/v1/reports/{report_id}/share",
        {"helpline_id": "fr-3018", "consent": consent},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return str(response.json()["case_code"])


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flip_one_byte(path: Path, offset: int = -20) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# --- receiving ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_platform_sends_text_and_pictures_and_gets_their_hashes(
    api: Client, reported: str, evidence_store: Path
) -> None:
    response = full_upload(api, reported)
    assert response.status_code == 201, response.content
    items = response.json()["items"]
    assert [(i["position"], i["kind"], i["media_type"]) for i in items] == [
        (1, "text", "text/plain; charset=utf-8"),
        (2, "image", "image/png"),
        (3, "image", "image/jpeg"),
    ]
    assert [i["sha256"] for i in items] == [
        hashlib.sha256(TEXT.encode()).hexdigest(),
        hashlib.sha256(PNG).hexdigest(),
        hashlib.sha256(JPEG).hexdigest(),
    ]
    assert items[0]["pdq"] is None
    assert all(len(i["pdq"]) == 64 and i["pdq_quality"] >= 50 for i in items[1:])
    assert items[0]["content_id"] == "m-1"
    assert items[0]["author_handle"] == HANDLE
    assert items[0]["posted_at"] == "2026-11-25T20:40:00+00:00"
    assert items[2]["original_name"] == "photo.jpg"  # never a path
    assert items[0]["received_at"] == "2026-11-25T22:00:00+00:00"
    assert len(stored_files(evidence_store)) == 3

    listing = api.get(f"/api/v1/reports/{reported}/evidence").json()
    assert listing["items"] == items
    assert listing["window_closes_at"] == "2026-11-28T21:59:00+00:00"
    assert listing["legal_hold"] == {"legal_hold": False, "reason": None, "set_at": None}
    assert [(e["party"], e["action"], e["item"]) for e in listing["custody"]] == [
        ("Sunny Social", "received", 1),
        ("Sunny Social", "received", 2),
        ("Sunny Social", "received", 3),
    ]


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_videos_and_other_picture_formats_are_recognised_by_their_content(api: Client, reported: str) -> None:
    files = {
        "a": ("clip.bin", MP4, "application/octet-stream"),
        "b": ("clip", WEBM, "video/quicktime"),
        "c": ("anim.gif", encode(picture(3), "GIF"), "image/gif"),
        "d": ("pic.webp", encode(picture(4), "WEBP"), "image/webp"),
    }
    response = upload(api, reported, None, files)  # no `items`: each file is one item
    assert response.status_code == 201, response.content
    assert [(i["kind"], i["media_type"]) for i in response.json()["items"]] == [
        ("video", "video/mp4"),
        ("video", "video/webm"),
        ("image", "image/gif"),
        ("image", "image/webp"),
    ]


@pytest.mark.django_db
def test_a_retried_upload_returns_the_same_items_and_stores_nothing_twice(
    api: Client, reported: str, evidence_store: Path
) -> None:
    with time_machine.travel(AT_2300, tick=False):
        first = full_upload(api, reported)
    with time_machine.travel("2026-11-26T08:00:00+01:00", tick=False):
        again = full_upload(api, reported)
        more = upload(api, reported, [{"kind": "image", "file": "f"}], {"f": ("x.jpg", JPEG, "image/jpeg")})
    assert (first.status_code, again.status_code, more.status_code) == (201, 200, 200)
    assert again.json() == first.json()
    assert more.json()["items"] == [first.json()["items"][2]]
    assert EvidenceItem.objects.count() == 3
    assert len(stored_files(evidence_store)) == 3
    assert CustodyEvent.objects.filter(action="received").count() == 3


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
@pytest.mark.parametrize(
    ("limit", "field"), [("RELAIS_EVIDENCE_MAX_REPORT_ITEMS", "items"), ("RELAIS_EVIDENCE_MAX_REPORT_BYTES", "file")]
)
def test_a_report_full_of_evidence_refuses_more_naming_the_limit_and_keeps_what_it_holds(
    api: Client, reported: str, evidence_store: Path, settings: Settings, limit: str, field: str
) -> None:
    """Packs are built in memory: a report holds a bounded amount, counted over all its uploads."""
    setattr(settings, limit, 3 if field == "items" else len(TEXT.encode()) + len(PNG) + len(JPEG))
    assert full_upload(api, reported).status_code == 201  # exactly at the limit
    assert full_upload(api, reported).status_code == 200  # the same items again: nothing new, still fine
    more = upload(api, reported, [{"kind": "image", "file": "f"}], {"f": ("other.png", encode(picture(7), "PNG"), "")})
    assert more.status_code == 413, more.content
    error = more.json()["errors"][0]
    assert (error["field"], error["type"]) == (field, "report_full")
    assert "the limit is" in error["message"]
    assert EvidenceItem.objects.count() == 3
    assert len(stored_files(evidence_store)) == 3


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_an_upload_with_an_idempotency_key_is_replayed_from_its_raw_body(api: Client, reported: str) -> None:
    first = full_upload(api, reported, **{"Idempotency-Key": "ev-1"})
    # The test client writes the same multipart boundary each time: the same bytes, the same answer.
    again = full_upload(api, reported, **{"Idempotency-Key": "ev-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert EvidenceItem.objects.count() == 3


@pytest.mark.django_db
def test_evidence_after_the_window_is_a_409_naming_it(api: Client, reported: str, evidence_store: Path) -> None:
    with time_machine.travel(AFTER_WINDOW, tick=False):
        response = full_upload(api, reported)
    assert response.status_code == 409
    body = response.json()
    assert body["window_hours"] == 72
    assert body["window_closed_at"] == "2026-11-28T21:59:00+00:00"
    assert "RELAIS_EVIDENCE_WINDOW_HOURS" in body["detail"]
    assert not stored_files(evidence_store)


# --- refusals: nothing half-stored -------------------------------------------------------------------

TRUNCATED_JPEG = JPEG[: len(JPEG) // 2]
CORRUPTED_PNG = PNG[:200] + bytes(b ^ 0x5A for b in PNG[200:400]) + PNG[400:]

BAD_UPLOADS = {
    "empty file": ([{"kind": "image", "file": "f"}], {"f": ("a.jpg", b"", "image/jpeg")}, 422, "f", "empty_file"),
    "a PDF renamed .jpg": (
        [{"kind": "image", "file": "f"}],
        {"f": ("photo.jpg", PDF_FILE, "image/jpeg")},
        415,
        "f",
        "unsupported_media_type",
    ),
    "a program renamed .png": (
        [{"kind": "image", "file": "f"}],
        {"f": ("cute.png", EXE_FILE, "image/png")},
        415,
        "f",
        "unsupported_media_type",
    ),
    "a pixel bomb": (
        [{"kind": "image", "file": "f"}],
        {"f": ("bomb.png", png_header_only(60_000, 60_000), "image/png")},
        422,
        "f",
        "too_many_pixels",
    ),
    "more pixels than the limit": (
        [{"kind": "image", "file": "f"}],
        {"f": ("big.png", png_header_only(7_000, 6_000), "image/png")},
        422,
        "f",
        "too_many_pixels",
    ),
    "a truncated JPEG": (
        [{"kind": "image", "file": "f"}],
        {"f": ("cut.jpg", TRUNCATED_JPEG, "image/jpeg")},
        422,
        "f",
        "unreadable_image",
    ),
    "a corrupted PNG": (
        [{"kind": "image", "file": "f"}],
        {"f": ("bad.png", CORRUPTED_PNG, "image/png")},
        422,
        "f",
        "unreadable_image",
    ),
    "a picture sent as a video": (
        [{"kind": "video", "file": "f"}],
        {"f": ("a.mp4", PNG, "video/mp4")},
        422,
        "items.0.kind",
        "kind_mismatch",
    ),
    "a missing part": ([{"kind": "image", "file": "nope"}], {}, 422, "items.0.file", "missing_file"),
    "a part no item names": (
        [{"kind": "text", "text": "hi"}],
        {"extra": ("a.png", PNG, "image/png")},
        422,
        "extra",
        "unreferenced_file",
    ),
    "a text item without text": ([{"kind": "text"}], {}, 422, "items.0", "value_error"),
    "an unknown field in an item": (
        [{"kind": "text", "text": "x", "colour": "red"}],
        {},
        422,
        "items.0.colour",
        "extra_forbidden",
    ),
    "items that are not JSON": ("[{kind:", {}, 422, "items", "json_invalid"),
    "no item at all": ([], {}, 422, "items", "too_short"),
    "an unknown content_id, after a good item": (
        [{"kind": "image", "file": "f"}, {"kind": "text", "text": "x", "content_id": "m-404"}],
        {"f": ("a.png", PNG, "image/png")},
        422,
        "items.1.content_id",
        "unknown_content",
    ),
    "a bad second file after a good one": (
        [{"kind": "image", "file": "f"}, {"kind": "image", "file": "g"}],
        {"f": ("a.png", PNG, "image/png"), "g": ("b.png", TRUNCATED_JPEG, "image/png")},
        422,
        "g",
        "unreadable_image",
    ),
}


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
@pytest.mark.parametrize("case", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_a_bad_upload_is_refused_naming_the_part_and_nothing_is_stored(
    api: Client, reported: str, evidence_store: Path, case: tuple[Any, ...]
) -> None:
    items, files, status, field, kind = case
    response = upload(api, reported, items, files)
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert (errors[0]["field"], errors[0]["type"]) == (field, kind)
    assert EvidenceItem.objects.count() == 0
    assert CustodyEvent.objects.count() == 0
    assert not stored_files(evidence_store)


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_body_that_is_not_multipart_is_a_415(api: Client, reported: str) -> None:
    response = api.post(f"/api/v1/reports/{reported}/evidence", {"items": []}, content_type="application/json")
    assert response.status_code == 415
    assert response.json()["errors"][0]["field"] == "Content-Type"


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
@pytest.mark.parametrize("key", [None, "big-1"], ids=["plain", "with an Idempotency-Key"])
def test_a_huge_upload_is_a_413_before_it_is_read(
    api: Client, reported: str, evidence_store: Path, settings: Settings, key: str | None
) -> None:
    huge = JPEG + bytes(settings.RELAIS_EVIDENCE_MAX_BYTES + 2**20)  # a real JPEG start, 21 MiB behind it
    headers = {"Idempotency-Key": key} if key else {}
    response = upload(
        api, reported, [{"kind": "image", "file": "f"}], {"f": ("huge.jpg", huge, "image/jpeg")}, **headers
    )
    assert response.status_code == 413, response.content
    assert response.json()["errors"][0] == {
        "field": "file",
        "message": response.json()["errors"][0]["message"],
        "type": "too_large",
    }
    assert "20,971,520 bytes" in response.json()["detail"]
    assert EvidenceItem.objects.count() == 0
    assert not stored_files(evidence_store)


@pytest.mark.django_db
def test_other_api_bodies_keep_djangos_usual_limit_and_are_told_so_in_json(api: Client) -> None:
    body = json.dumps(report_body(description="x" * 3_000_000))
    response = api.post("/api/v1/reports", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "(body)"
    assert Report.objects.count() == 0


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_file_part_with_an_unusable_name_is_a_422(api: Client, reported: str) -> None:
    response = upload(api, reported, None, {"my photo!": ("a.png", PNG, "image/png")})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "my photo!"


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_when_the_storage_refuses_a_write_the_upload_is_a_503_and_nothing_is_kept(
    api: Client, reported: str, settings: Settings, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "full-disk"
    not_a_folder.write_bytes(b"")  # a file where the storage wants a folder: every write fails for real
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {**settings.STORAGES["evidence"], "OPTIONS": {"location": str(not_a_folder)}},
    }
    response = full_upload(api, reported)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert EvidenceItem.objects.count() == 0
    assert CustodyEvent.objects.count() == 0


# --- at rest -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_stored_files_are_encrypted_and_name_nothing_but_ids(api: Client, reported: str, evidence_store: Path) -> None:
    assert full_upload(api, reported).status_code == 201
    blobs = stored_files(evidence_store)
    assert len(blobs) == 3
    for blob in blobs:
        sealed = blob.read_bytes()
        assert sealed.startswith(b"RLVE\x01")
        for plaintext in (TEXT.encode(), PNG[:64], JPEG[:64], b"\x89PNG", b"JFIF", "Signalé".encode()):
            assert plaintext not in sealed
        assert blob.parent.name == reported
        assert blob.stem in {str(pk) for pk in EvidenceItem.objects.values_list("pk", flat=True)}
        assert blob.stat().st_size < 30 + max(len(PNG), len(JPEG), len(TEXT.encode())) + 16


# --- packs -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_the_pdf_pack_holds_the_hashes_the_case_code_and_the_french_words(
    api: Client, reported: str, helpline: Helpline
) -> None:
    code = share(api, reported)
    full_upload(api, reported)
    response = api.get(f"/api/v1/reports/{reported}/evidence.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="relais-evidence-{reported[:8]}.pdf"'
    text = pdf_text(response.content)
    for words in (
        "Dossier de preuves",
        "Signalé sur Sunny Social",
        "Harcèlement",
        code,
        "Élément 1 sur 3",
        "Reçu par Relais le",
        "personne ne t'aime. Signalé à l'école — élève",
        "@Zoé_la_star",
        "25/11/2026 22:59:00 (Europe/Paris)",
        "2026-11-25 21:59:00 UTC",
        "sha256sum -c SHA256SUMS",
    ):
        assert words in text, words
    for item in EvidenceItem.objects.all():
        assert item.sha256 in text
        if item.pdq:
            assert item.pdq in text
    english = pdf_text(api.get(f"/api/v1/reports/{reported}/evidence.pdf?lang=en").content)
    assert "Evidence pack" in english
    assert "Reported on Sunny Social" in english
    assert "Harassment" in english
    assert api.get(f"/api/v1/reports/{reported}/evidence.pdf?lang=de").status_code == 422


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_pdf_pages_are_drawn_not_blank_with_the_picture_on_its_page(api: Client, reported: str) -> None:
    banner = Image.new("RGB", (600, 400), (250, 250, 250))
    ImageDraw.Draw(banner).rectangle([50, 50, 550, 350], fill=(220, 20, 20))
    picture_bytes = encode(banner, "PNG")
    upload(api, reported, [{"kind": "image", "file": "f"}], {"f": ("red.png", picture_bytes, "image/png")})
    document = pypdfium2.PdfDocument(api.get(f"/api/v1/reports/{reported}/evidence.pdf").content)
    assert len(document) == 5  # cover, the reported content, the picture, the manifest, what to do
    pages = [numpy.asarray(document[i].render(scale=1).to_pil().convert("RGB"), dtype=numpy.int16) for i in range(5)]
    for number, pixels in enumerate(pages, start=1):
        inked = (pixels != 255).any(axis=2).mean()
        assert inked > 0.005, f"page {number} is blank"
    red, green, blue = pages[2][..., 0], pages[2][..., 1], pages[2][..., 2]
    assert ((red > 180) & (green < 80) & (blue < 80)).mean() > 0.1  # the picture itself, not only its caption


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_right_to_left_text_and_unknown_glyphs_stay_readable(api: Client, reported: str) -> None:
    words = "مرحبا يا صديقي · שלום · 漢字 🥹"
    upload(api, reported, [{"kind": "text", "text": words, "author_handle": "ناصر_٢٠٠٩"}])
    text = pdf_text(api.get(f"/api/v1/reports/{reported}/evidence.pdf").content).replace("\u200e", "")
    assert "[U+6F22][U+5B57]" in text  # no CJK glyph in the fonts: named, not dropped
    assert "[U+1F979]" in text
    for hebrew in "שלום":
        assert hebrew in text
    assert sum(1 for char in text if "\u0600" <= char <= "\u06ff" or "\ufe70" <= char <= "\ufeff") >= 10


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_the_zip_holds_the_original_files_a_manifest_and_checkable_sums(api: Client, reported: str) -> None:
    full_upload(api, reported)
    response = api.get(f"/api/v1/reports/{reported}/evidence.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    stem = f"relais-evidence-{reported[:8]}"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(
        f"{stem}/{name}"
        for name in (
            "reported/01-message.json",
            "reported/02-profile.json",
            "reported/README.txt",
            "files/01-text.txt",
            "files/02-image.png",
            "files/03-image.jpg",
            "evidence-pack.pdf",
            "manifest.json",
            "SHA256SUMS",
        )
    )
    assert archive.read(f"{stem}/files/02-image.png") == PNG
    assert archive.read(f"{stem}/files/03-image.jpg") == JPEG
    assert archive.read(f"{stem}/files/01-text.txt").decode() == TEXT
    manifest = json.loads(archive.read(f"{stem}/manifest.json"))
    assert manifest["format"] == "relais-evidence-manifest/1"
    assert manifest["report"]["id"] == reported
    assert [item["sha256"] for item in manifest["items"]] == [
        hashlib.sha256(archive.read(f"{stem}/{item['file']}")).hexdigest() for item in manifest["items"]
    ]
    for line in archive.read(f"{stem}/SHA256SUMS").decode().splitlines():  # what `sha256sum -c` does
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(f"{stem}/{name}")).hexdigest() == digest
    assert pdf_text(archive.read(f"{stem}/evidence-pack.pdf")).count("SHA-256") >= 3
    exports = CustodyEvent.objects.filter(action="exported").values_list("party", "detail")
    assert list(exports) == [("Sunny Social", "ZIP pack of 3 items and 2 reported items through the API")]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "zip"])
def test_a_changed_byte_on_disk_stops_the_pack_with_an_integrity_error(
    api: Client, reported: str, evidence_store: Path, fmt: str
) -> None:
    with time_machine.travel(AT_2300, tick=False):
        full_upload(api, reported)
    photo = EvidenceItem.objects.get(position=3)
    flip_one_byte(evidence_store / photo.storage_name)
    response = api.get(f"/api/v1/reports/{reported}/evidence.{fmt}")
    assert response.status_code == 409
    body = response.json()
    assert body["item"] == 3
    assert body["detail"].startswith("evidence item 3 failed its integrity check")
    failed = CustodyEvent.objects.get(action="integrity_failed")
    assert (failed.item, failed.party) == (photo, "Sunny Social")
    assert not CustodyEvent.objects.filter(action="exported").exists()


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_blob_moved_onto_another_item_does_not_open(api: Client, reported: str, evidence_store: Path) -> None:
    """The seal is bound to its item: even a valid blob of the same report is refused in another's place."""
    full_upload(api, reported)
    screenshot, photo = EvidenceItem.objects.get(position=2), EvidenceItem.objects.get(position=3)
    (evidence_store / photo.storage_name).write_bytes((evidence_store / screenshot.storage_name).read_bytes())
    response = api.get(f"/api/v1/reports/{reported}/evidence.pdf")
    assert response.status_code == 409
    assert "authentication tag" in response.json()["detail"]


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_hash_changed_in_the_database_is_caught_too(api: Client, reported: str) -> None:
    full_upload(api, reported)
    EvidenceItem.objects.filter(position=1).update(sha256="0" * 64)
    response = api.get(f"/api/v1/reports/{reported}/evidence.pdf")
    assert response.status_code == 409
    assert f"stored hash {'0' * 64} differs" in response.json()["detail"]


# --- walls -------------------------------------------------------------------------------------------


@pytest.fixture
def helpline(db: None) -> Helpline:
    return add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")[0]


EVERY_ENDPOINT = [
    ("post", "/evidence"),
    ("get", "/evidence"),
    ("get", "/evidence.pdf"),
    ("get", "/evidence.zip"),
    ("post", "/legal-hold"),
    ("delete", "/legal-hold"),
]


def call(client: Client, method: str, report_id: str, suffix: str) -> Any:
    path = f"/api/v1/reports/{report_id}{suffix}"
    if method == "post" and suffix == "/evidence":
        return upload(client, report_id, [{"kind": "image", "file": "f"}], {"f": ("a.png", PNG, "image/png")})
    if method == "post":
        return client.post(path, {"reason": "police"}, content_type="application/json")
    return getattr(client, method)(path)


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
@pytest.mark.parametrize(("method", "suffix"), EVERY_ENDPOINT)
def test_another_platform_finds_no_evidence_anywhere(
    api: Client, reported: str, evidence_store: Path, method: str, suffix: str
) -> None:
    full_upload(api, reported)
    _, other_key = add_platform(name="Other Social")
    other = Client(headers={"Authorization": f"Bearer {other_key}"})
    assert call(other, method, reported, suffix).status_code == 404
    assert call(other, method, "not-a-uuid", suffix).status_code == 404
    helpline_key = add_helpline(name="119", directory_id="fr-119")[1]
    assert (
        call(Client(headers={"Authorization": f"Bearer {helpline_key}"}), method, reported, suffix).status_code == 401
    )
    assert call(Client(), method, reported, suffix).status_code == 401
    assert EvidenceItem.objects.count() == 3
    assert not CustodyEvent.objects.exclude(action="received").exists()
    assert not Report.objects.filter(legal_hold=True).exists()


# --- legal hold --------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_legal_hold_is_set_and_lifted_with_its_reason_in_the_custody_log(api: Client, reported: str) -> None:
    url = f"/api/v1/reports/{reported}/legal-hold"
    assert api.post(url, {"reason": ""}, content_type="application/json").status_code == 422
    held = api.post(url, {"reason": "Réquisition PV 2026/1234"}, content_type="application/json")
    assert held.status_code == 200
    assert held.json() == {
        "legal_hold": True,
        "reason": "Réquisition PV 2026/1234",
        "set_at": "2026-11-25T22:00:00+00:00",
    }
    assert api.get(f"/api/v1/reports/{reported}/evidence").json()["legal_hold"]["legal_hold"] is True
    lifted = api.delete(url)
    assert lifted.json() == {"legal_hold": False, "reason": None, "set_at": None}
    log = CustodyEvent.objects.values_list("action", "detail")
    assert list(log) == [("legal_hold_set", "Réquisition PV 2026/1234"), ("legal_hold_lifted", "")]


# --- the same picture, reported again ----------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_a_picture_already_reported_elsewhere_is_flagged_without_saying_where(api: Client, reported: str) -> None:
    original = picture(7, (1200, 900))
    upload(api, reported, [{"kind": "image", "file": "f"}], {"f": ("a.png", encode(original, "PNG"), "image/png")})
    _, rival_key = add_platform(name="Rival Network")
    rival_api = Client(headers={"Authorization": f"Bearer {rival_key}"})
    second = str(post(rival_api, report_body(platform_report_id="r-9")).json()["id"])
    reencoded = encode(original.resize((600, 450)), "JPEG", quality=60)
    different = encode(picture(8, (1200, 900)), "JPEG", quality=60)
    response = upload(
        rival_api,
        second,
        [{"kind": "image", "file": "same"}, {"kind": "image", "file": "other"}],
        {"same": ("s.jpg", reencoded, "image/jpeg"), "other": ("o.jpg", different, "image/jpeg")},
    )
    items = response.json()["items"]
    assert [i["already_reported"] for i in items] == [1, 0]
    listing = rival_api.get(f"/api/v1/reports/{second}/evidence")
    assert [i["already_reported"] for i in listing.json()["items"]] == [1, 0]
    for body in (response.content, listing.content):
        assert reported.encode() not in body
        assert b"Sunny Social" not in body
    text = pdf_text(rival_api.get(f"/api/v1/reports/{second}/evidence.pdf?lang=en").content)
    assert text.count("This image was already reported 1 times") == 1
    assert "Sunny Social" not in text


@pytest.mark.django_db
@time_machine.travel(AT_2300, tick=False)
def test_the_platform_sees_helpline_exports_by_organisation_never_by_person(
    api: Client, reported: str, helpline: Helpline
) -> None:
    from relais.evidence import services
    from relais.handoffs.models import Case
    from relais.handoffs.services import Actor
    from relais.tenants.services import add_staff

    share(api, reported)
    full_upload(api, reported)
    member, _ = add_staff(username="camille", helpline=helpline, password="a long counsellor passphrase")
    member.user.first_name = "Camille"
    member.user.save()
    case = Case.objects.select_related("report", "consent").get()
    services.export_for_case(
        actor=Actor.staff(member), case=case, fmt="pdf", language="fr", inline=False, now=clock.now()
    )
    custody = api.get(f"/api/v1/reports/{reported}/evidence").json()["custody"]
    assert custody[-1] == {
        "at": "2026-11-25T22:00:00+00:00",
        "party": "3018 (e-Enfance)",
        "action": "exported",
        "item": None,
        "detail": "PDF pack of 3 items and 2 reported items",
    }
    assert "Camille" not in json.dumps(custody)
    assert CustodyEvent.objects.filter(action="exported").get().actor_label == "Camille (3018 (e-Enfance))"
    assert AccessEvent.objects.filter(action="evidence_exported").get().actor_label == "Camille"


def platform_of(report_id: str) -> Platform:
    return Report.objects.select_related("platform").get(pk=report_id).platform
