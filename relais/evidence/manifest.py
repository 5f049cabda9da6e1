"""What an evidence pack holds, and the manifest that lets anyone re-check it without Relais.

The pack is described by plain dataclasses (built by services.py from verified blobs) so that the PDF
(pdf.py) and the ZIP's `manifest.json` and `SHA256SUMS` say the same thing. `sha256sum -c SHA256SUMS`, run
in the unzipped folder, re-checks every file with tools any police lab has.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from relais.evidence import reported

FORMAT = "relais-evidence-manifest/1"


@dataclass(frozen=True)
class PackItem:
    position: int
    kind: str
    """text, image or video."""
    media_type: str
    size: int
    sha256: str
    pdq: str | None
    pdq_quality: int | None
    original_name: str
    content_id: str
    author_handle: str
    author_profile_url: str
    posted_at: datetime | None
    received_at: datetime
    repeat_count: int
    """How many earlier reports carried a picture within the PDQ threshold (no more is ever said)."""
    content: bytes
    """The plaintext, already checked against `sha256`."""

    @property
    def file_name(self) -> str:
        """The item's path inside the ZIP: numbered, never the client's name (which could be `../x`)."""
        extension = "txt" if self.kind == "text" else _EXTENSIONS.get(self.media_type, "bin")
        return f"files/{self.position:02d}-{self.kind}.{extension}"

    @property
    def text(self) -> str:
        return self.content.decode("utf-8") if self.kind == "text" else ""


_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/webm": "webm",
}


@dataclass(frozen=True)
class ReportedItem:
    """One item the report itself described (reports.ReportedContent), checked against its hash at intake."""

    number: int
    """1, 2… in the order the report listed them."""
    kind: str
    """The report's content kind: message, post, comment, profile, image, video, live, other."""
    content_id: str
    url: str
    text: str
    author_handle: str
    author_profile_url: str
    posted_at: datetime | None
    sha256: str | None
    """Taken at intake over `canonical`; None for an item received before Relais recorded it."""
    canonical: bytes
    """The canonical form (reported.py) the hash covers, written to the ZIP as `file_name`."""

    @property
    def file_name(self) -> str:
        return f"reported/{self.number:02d}-{self.kind}.json"


@dataclass(frozen=True)
class NextSteps:
    """What the "what to do with this pack" page needs beyond fixed words: the reporter's country, and the
    help card's numbers for countries whose steps the pack does not spell out."""

    country: str
    """ISO 3166-1 alpha-2, upper case; empty when unknown."""
    helpline: str | None = None
    """The help card's first helpline and how to reach it, e.g. `Child Focus 116 000 (116000)`."""
    police: str | None = None
    emergency: str | None = None


@dataclass(frozen=True)
class PackReport:
    report_id: str
    platform: str
    category: str
    category_label: str
    reported_at: datetime | None
    received_at: datetime
    zone: str
    """The reporter's IANA zone (UTC when unknown): times are shown in it and in UTC."""
    case_code: str | None
    """Only when the pack's reader may see the helpline case (the counsellor, the platform that shared)."""


@dataclass(frozen=True)
class Pack:
    report: PackReport
    items: tuple[PackItem, ...]
    """The uploaded evidence (POST …/evidence), possibly none."""
    generated_at: datetime
    generated_for: str
    language: str
    reported: tuple[ReportedItem, ...] = ()
    """The content as the report described it at intake (always at least one item for a stored report)."""
    next_steps: NextSteps = NextSteps(country="")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def manifest(pack: Pack) -> dict[str, Any]:
    report = pack.report
    return {
        "format": FORMAT,
        "generated_at": _instant(pack.generated_at),
        "generated_for": pack.generated_for,
        "report": {
            "id": report.report_id,
            "platform": report.platform,
            "category": report.category,
            "reported_at": _instant(report.reported_at),
            "received_at": _instant(report.received_at),
            "timezone": report.zone,
            "case_code": report.case_code,
        },
        "hash_algorithm": "SHA-256",
        "reported_content_format": f"{reported.FORMAT}: see reported/README.txt",
        "reported_content": [
            {
                "number": item.number,
                "kind": item.kind,
                "file": item.file_name,
                "sha256_at_intake": item.sha256,
                "content_id": item.content_id or None,
                "url": item.url or None,
                "author_handle": item.author_handle or None,
                "author_profile_url": item.author_profile_url or None,
                "posted_at": _instant(item.posted_at),
            }
            for item in pack.reported
        ],
        "perceptual_hash": "PDQ (Meta), 256 bits as 64 hex digits",
        "items": [
            {
                "position": item.position,
                "kind": item.kind,
                "file": item.file_name,
                "media_type": item.media_type,
                "size": item.size,
                "sha256": item.sha256,
                "pdq": item.pdq,
                "pdq_quality": item.pdq_quality,
                "original_name": item.original_name or None,
                "content_id": item.content_id or None,
                "author_handle": item.author_handle or None,
                "author_profile_url": item.author_profile_url or None,
                "posted_at": _instant(item.posted_at),
                "received_at": _instant(item.received_at),
                "already_reported": item.repeat_count,
            }
            for item in pack.items
        ],
        "how_to_check": "In the unzipped folder: sha256sum -c SHA256SUMS",
    }


def manifest_json(pack: Pack) -> bytes:
    return orjson.dumps(manifest(pack), option=orjson.OPT_INDENT_2) + b"\n"


def sha256sums(files: dict[str, bytes]) -> bytes:
    """The `sha256sum` tool's own format: `<hex>  <path>` per line."""
    return "".join(f"{sha256_hex(data)}  {name}\n" for name, data in files.items()).encode()


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_file_name(name: str, *, limit: int = 200) -> str:
    """The client's file name as a label: its last path part, without control or path characters."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned[:limit]
