"""Evidence's pure rules, without a database: type sniffing, sealing, retention, PDQ, names and PDF wording."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest

from relais.evidence import crypto, images, manifest, pdq, retention
from relais.evidence.pdf import readable, size_text, when
from relais.evidence.sniff import MediaType, sniff
from tests.test_evidence import EXE_FILE, JPEG, MP4, PDF_FILE, PNG, WEBM, encode, picture, png_header_only

# --- sniffing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (JPEG, MediaType.JPEG),
        (PNG, MediaType.PNG),
        (encode(picture(1, (40, 30)), "GIF"), MediaType.GIF),
        (encode(picture(1, (40, 30)), "WEBP"), MediaType.WEBP),
        (MP4, MediaType.MP4),
        (WEBM, MediaType.WEBM),
        (PDF_FILE, None),
        (EXE_FILE, None),
        (b"", None),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", None),  # an iPhone HEIC photo: not accepted
        (bytes.fromhex("1a45dfa3a34286810142f7810142f2810442f381084282886d6174726f736b61"), None),  # Matroska
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
    ],
)
def test_a_file_is_recognised_by_its_first_bytes_only(head: bytes, expected: MediaType | None) -> None:
    assert sniff(head[:64]) == expected


def test_media_types_know_their_kind_and_extension() -> None:
    assert (MediaType.JPEG.kind, MediaType.JPEG.extension) == ("image", "jpg")
    assert (MediaType.WEBM.kind, MediaType.WEBM.extension) == ("video", "webm")


# --- pictures ----------------------------------------------------------------------------------------


def test_a_whole_picture_passes_and_its_size_is_read() -> None:
    assert images.inspect_image(PNG, MediaType.PNG, max_pixels=10**6) == images.ImageFacts(800, 600)


@pytest.mark.parametrize(
    ("data", "media_type", "error"),
    [
        (png_header_only(100_000, 100_000), MediaType.PNG, images.TooManyPixels),
        (png_header_only(1001, 1000), MediaType.PNG, images.TooManyPixels),
        (JPEG[:300], MediaType.JPEG, images.UnreadableImage),
        (PNG, MediaType.JPEG, images.UnreadableImage),  # the signature said one thing, the decoder another
        (b"\xff\xd8\xff\xe0 not really", MediaType.JPEG, images.UnreadableImage),
    ],
)
def test_a_bomb_or_a_broken_picture_is_refused_before_use(
    data: bytes, media_type: MediaType, error: type[Exception]
) -> None:
    with pytest.raises(error):
        images.inspect_image(data, media_type, max_pixels=1_000_000)


# --- PDQ ---------------------------------------------------------------------------------------------


def test_pdq_matches_a_picture_after_recompression_and_resizing_but_not_another() -> None:
    original = picture(11, (1024, 768))
    base = pdq.pdq_of(encode(original, "PNG"))
    again = pdq.pdq_of(encode(original.resize((512, 384)), "JPEG", quality=60))
    other = pdq.pdq_of(encode(picture(12, (1024, 768)), "PNG"))
    assert re.fullmatch(r"[0-9a-f]{64}", base.hex)
    assert base.quality >= 50
    assert pdq.distance(base.hex, again.hex) <= pdq.REFERENCE_THRESHOLD
    assert pdq.distance(base.hex, other.hex) > 64
    candidates = [("same", again.hex), ("other", other.hex)]
    assert pdq.close_to(base.hex, candidates, max_distance=31) == ["same"]


def test_pdq_distance_counts_differing_bits() -> None:
    assert pdq.distance("0" * 64, "0" * 64) == 0
    assert pdq.distance("0" * 64, "f" + "0" * 63) == 4
    assert pdq.distance("0" * 64, "f" * 64) == 256


# --- sealing -----------------------------------------------------------------------------------------

KEY_A = base64.b64encode(bytes(range(32))).decode()
KEY_B = base64.b64encode(bytes(range(32, 64))).decode()


def test_a_sealed_blob_opens_only_with_its_key_and_its_context() -> None:
    ring = crypto.parse_keys(f"2026a:{KEY_A}")
    blob = crypto.seal(b"the words", ring, context="r1:i1")
    assert b"the words" not in blob
    assert blob.startswith(b"RLVE\x01\x05" + b"2026a")
    assert crypto.key_id_of(blob) == "2026a"
    assert crypto.open_sealed(blob, ring, context="r1:i1") == b"the words"
    with pytest.raises(crypto.SealBroken, match="authentication tag"):
        crypto.open_sealed(blob, ring, context="r1:i2")
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    with pytest.raises(crypto.SealBroken, match="authentication tag"):
        crypto.open_sealed(bytes(tampered), ring, context="r1:i1")
    with pytest.raises(crypto.SealBroken, match="not in RELAIS_EVIDENCE_KEYS"):
        crypto.open_sealed(blob, crypto.parse_keys(f"other:{KEY_B}"), context="r1:i1")
    renamed = blob.replace(b"2026a", b"2026b", 1)  # a header edited to name another key
    with pytest.raises(crypto.SealBroken, match="authentication tag"):
        crypto.open_sealed(renamed, crypto.parse_keys(f"2026b:{KEY_A}"), context="r1:i1")
    with pytest.raises(crypto.SealBroken, match="magic"):
        crypto.open_sealed(b"PK\x03\x04 a zip", ring, context="r1:i1")


def test_after_a_rotation_new_blobs_use_the_first_key_and_old_ones_still_open() -> None:
    old_ring = crypto.parse_keys(f"2026a:{KEY_A}")
    old_blob = crypto.seal(b"before", old_ring, context="c")
    rotated = crypto.parse_keys(f"2026b:{KEY_B}, 2026a:{KEY_A}")
    assert crypto.open_sealed(old_blob, rotated, context="c") == b"before"
    assert crypto.key_id_of(crypto.seal(b"after", rotated, context="c")) == "2026b"
    assert crypto.seal(b"x", rotated, context="c") != crypto.seal(b"x", rotated, context="c")  # fresh nonces


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no key given"),
        ("nokey", "entry 1: expected id:base64key"),
        ("bad id:" + KEY_A, "entry 1: expected id:base64key"),
        ("a:not base64!", "entry 1 (a): the key is not valid base64"),
        ("a:" + base64.b64encode(b"short").decode(), "entry 1 (a): the key is 5 bytes, not 32"),
        (f"a:{KEY_A},a:{KEY_B}", "entry 2: the id a is used twice"),
    ],
)
def test_a_bad_key_setting_is_named(text: str, message: str) -> None:
    with pytest.raises(crypto.KeyConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        crypto.parse_keys(text)


def test_a_new_key_entry_parses_and_is_random() -> None:
    first, second = crypto.new_key_text("2027a"), crypto.new_key_text("2027a")
    assert crypto.parse_keys(first).sealing_id == "2027a"
    assert first != second


# --- retention ---------------------------------------------------------------------------------------

NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)


def life(
    days_ago: float, *, hold: bool = False, open_cases: int = 0, closed_days_ago: float | None = None
) -> retention.ReportLife:
    closed = None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago)
    return retention.ReportLife(f"r{days_ago}", NOW - timedelta(days=days_ago), hold, open_cases, closed)


@pytest.mark.parametrize(
    ("report", "due", "since"),
    [
        (life(365), True, "received"),
        (life(364.9), False, None),
        (life(900, hold=True), False, None),
        (life(900, open_cases=1), False, None),
        (life(900, open_cases=1, closed_days_ago=800), False, None),  # another case is still open
        (life(900, closed_days_ago=400), True, "case_closed"),
        (life(900, closed_days_ago=100), False, None),
        (life(500, closed_days_ago=600), True, "received"),  # a clock never starts before receipt
    ],
)
def test_what_is_due_for_purge(report: retention.ReportLife, due: bool, since: str | None) -> None:
    result = retention.due_for_purge([report], now=NOW, retention_days=365)
    assert bool(result) == due
    if due:
        assert result[0].since == since
        assert result[0].age_days >= 365


def test_due_reports_come_oldest_first_and_now_must_be_aware() -> None:
    due = retention.due_for_purge([life(400), life(800), life(10)], now=NOW, retention_days=365)
    assert [d.age_days for d in due] == [800, 400]
    with pytest.raises(ValueError, match="aware"):
        retention.due_for_purge([], now=NOW.replace(tzinfo=None), retention_days=365)
    assert retention.earliest_receipt_possibly_due(now=NOW, retention_days=365) == NOW - timedelta(days=365)


# --- names, sums and words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\zoé\\capture d'écran.png", "capture d'écran.png"),
        ("evil\x00name\r\n.png", "evil_name_.png"),
        ("...", ""),
        ("a" * 300 + ".png", "a" * 200),
    ],
)
def test_a_clients_file_name_becomes_a_harmless_label(name: str, expected: str) -> None:
    assert manifest.safe_file_name(name) == expected


def test_sha256sums_is_in_the_tools_own_format() -> None:
    assert manifest.sha256sums({"files/01-text.txt": b"abc"}) == (
        b"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  files/01-text.txt\n"
    )


def test_characters_the_fonts_lack_are_named_not_dropped() -> None:
    has = {ord(c) for c in "abc é"}.__contains__
    assert readable("abc é", has) == "abc é"
    assert readable("a漢b", has) == "a\u200e[U+6F22]\u200eb"
    assert readable("a\u200d\ufe0fb", has) == "ab"  # joiners and variation selectors only modify a neighbour
    assert readable("abc\nabc", has) == "abc\nabc"
    assert "[U+" not in readable("Zoé 😀 مرحبا שלום")  # the shipped fonts draw these


def test_times_are_shown_in_the_persons_zone_and_in_utc() -> None:
    instant = datetime(2026, 11, 25, 21, 59, tzinfo=UTC)
    assert when(instant, "Europe/Paris", "fr") == "25/11/2026 22:59:00 (Europe/Paris) · 2026-11-25 21:59:00 UTC"
    assert (
        when(instant, "America/Montreal", "en") == "25 Nov 2026 16:59:00 (America/Montreal) · 2026-11-25 21:59:00 UTC"
    )
    assert when(instant, "UTC", "en") == "2026-11-25 21:59:00 UTC"
    assert when(None, "UTC", "fr") == "non indiqué"


def test_sizes_are_exact_and_readable_in_each_language() -> None:
    assert size_text(512, "en") == "512 bytes"
    assert size_text(2_345_678, "en") == "2.2 MiB (2,345,678 bytes)"
    assert size_text(2_345_678, "fr") == "2,2 Mio (2\u202f345\u202f678 octets)"
