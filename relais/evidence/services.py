"""Evidence use cases: receive it, list it, pack it, hold it, purge it.

Every function that lets someone see or take evidence writes the chain of custody (CustodyEvent) in the same
transaction — and, for a helpline, the case's own access log — so no look goes unrecorded.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import translation
from pydantic import ValidationError

from relais.evidence import images, manifest, reported, retention, sealed_text, vault
from relais.evidence.access import items_of
from relais.evidence.models import CustodyEvent, EvidenceItem, PurgeRecord
from relais.evidence.pdf import render_pdf
from relais.evidence.pdq import Pdq, close_to, pdq_of
from relais.evidence.schemas import EvidenceItemIn
from relais.evidence.sniff import HEAD_BYTES, TEXT, MediaType, sniff
from relais.handoffs import case_codes
from relais.handoffs.forms import CATEGORY_LABELS
from relais.handoffs.models import AccessEvent, Case
from relais.handoffs.services import Actor
from relais.handoffs.workflow import OPEN
from relais.reports.models import Report, ReportedContent
from relais.reports.services import canonical_of
from relais.tenants.models import Platform
from relais.webhooks import emit as webhook_emit
from relais.webhooks import events as webhook_events

logger = logging.getLogger(__name__)
RELAIS = "Relais"
Format = Literal["pdf", "zip"]


class EvidenceRefused(ValueError):
    """An upload that cannot be accepted as sent; `status` is its HTTP answer and `field` names the culprit."""

    def __init__(self, status: int, field: str, message: str, kind: str) -> None:
        super().__init__(f"{field}: {message}")
        self.status = status
        self.field = field
        self.message = message
        self.kind = kind


class WindowClosed(Exception):
    def __init__(self, closed_at: datetime, hours: float) -> None:
        super().__init__(
            f"Evidence for this report was accepted until {closed_at.isoformat()}: "
            f"RELAIS_EVIDENCE_WINDOW_HOURS ({hours:g} h) after it was received."
        )
        self.closed_at = closed_at
        self.hours = hours


@dataclass(frozen=True)
class Checked:
    """One upload item, validated and hashed, not yet stored."""

    spec: EvidenceItemIn
    kind: str
    media_type: str
    data: bytes
    sha256: str
    original_name: str
    pdq: Pdq | None


def window_closes_at(report: Report) -> datetime:
    return report.received_at + timedelta(hours=settings.RELAIS_EVIDENCE_WINDOW_HOURS)


def check_window(report: Report, now: datetime) -> None:
    """Evidence is what was there when the report was made: past the window, it could be anything since."""
    closes = window_closes_at(report)
    if now > closes:
        raise WindowClosed(closes, settings.RELAIS_EVIDENCE_WINDOW_HOURS)


def _custody(
    report: Report,
    action: str,
    now: datetime,
    *,
    actor_label: str,
    party: str,
    item: EvidenceItem | None = None,
    detail: str = "",
) -> None:
    CustodyEvent.objects.create(
        report=report, item=item, at=now, actor_label=actor_label, party=party, action=action, detail=detail[:300]
    )


# --- receiving ---


def _check_media(part: str, index: int, spec: EvidenceItemIn, upload: UploadedFile) -> Checked:
    data = upload.read()
    if not data:
        raise EvidenceRefused(422, part, f"the file of item {index} is empty", "empty_file")
    detected = sniff(data[:HEAD_BYTES])
    if detected is None:
        raise EvidenceRefused(
            415,
            part,
            f"the file of item {index} is not a JPEG, PNG, WebP or GIF picture, nor an MP4 or WebM video "
            "(checked by its content, whatever its name or Content-Type says)",
            "unsupported_media_type",
        )
    if detected.kind != spec.kind:
        raise EvidenceRefused(
            422,
            f"items.{index}.kind",
            f"the file is a {detected.kind} ({detected.value}), not a {spec.kind}",
            "kind_mismatch",
        )
    pdq = None
    if detected.kind == "image":
        try:
            images.inspect_image(data, detected, max_pixels=settings.RELAIS_EVIDENCE_MAX_PIXELS)
        except images.TooManyPixels as exc:
            raise EvidenceRefused(
                422, part, f"the picture of item {index} is too large: {exc}", "too_many_pixels"
            ) from None
        except images.UnreadableImage as exc:
            raise EvidenceRefused(
                422, part, f"the picture of item {index} is damaged: {exc}", "unreadable_image"
            ) from None
        pdq = pdq_of(data)
    return Checked(
        spec=spec,
        kind=detected.kind,
        media_type=detected.value,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=manifest.safe_file_name(upload.name or ""),
        pdq=pdq,
    )


def check_upload(specs: list[EvidenceItemIn], files: Mapping[str, UploadedFile]) -> list[Checked]:
    """Validate every item and file before anything is written: one bad file refuses the whole upload."""
    used: set[str] = set()
    checked = []
    total = sum(upload.size or 0 for upload in files.values())
    if total > settings.RELAIS_EVIDENCE_MAX_BYTES:
        raise EvidenceRefused(
            413, "file", f"{total:,} bytes of files; the limit is {settings.RELAIS_EVIDENCE_MAX_BYTES:,}", "too_large"
        )
    for index, spec in enumerate(specs):
        if spec.kind == "text":
            data = (spec.text or "").encode("utf-8")
            checked.append(
                Checked(spec, "text", TEXT, data, hashlib.sha256(data).hexdigest(), original_name="", pdq=None)
            )
            continue
        part = spec.file or ""
        upload = files.get(part)
        if upload is None:
            raise EvidenceRefused(422, f"items.{index}.file", f"no multipart part is named {part!r}", "missing_file")
        if part in used:
            raise EvidenceRefused(
                422, f"items.{index}.file", f"the part {part!r} is already another item's", "reused_file"
            )
        used.add(part)
        checked.append(_check_media(part, index, spec, upload))
    for part in files:
        if part not in used:
            raise EvidenceRefused(422, part, "this file part is named by no item's `file`", "unreferenced_file")
    return checked


def specs_for_bare_files(files: Mapping[str, UploadedFile]) -> list[EvidenceItemIn]:
    """Without an `items` field, each file part is one item; its kind comes from its content."""
    specs = []
    for part, upload in files.items():
        kind = MediaType(detected).kind if (detected := sniff(upload.read(HEAD_BYTES))) else "image"
        upload.seek(0)
        try:
            specs.append(EvidenceItemIn.model_validate({"kind": kind, "file": part}))
        except ValidationError:
            raise EvidenceRefused(
                422, part, "a file part's name is 1-100 letters, digits or . _ - [ ]", "invalid_part_name"
            ) from None
    return specs


def _repeats(report: Report, checked: Iterable[Checked]) -> dict[str, int]:
    """For each new picture (by sha256), how many *other* reports already carried the same picture by PDQ.

    Only a count leaves this function: the other reports' platforms and ids are never shown to anyone.
    """
    pictures = [c for c in checked if c.pdq is not None]
    if not pictures:
        return {}
    earlier = [
        (str(report_id), pdq)
        for report_id, pdq in EvidenceItem.objects.exclude(pdq="")
        .exclude(report=report)
        .values_list("report_id", "pdq")
    ]
    distance = settings.RELAIS_PDQ_MATCH_DISTANCE
    return {c.sha256: len(set(close_to(c.pdq.hex, earlier, max_distance=distance))) for c in pictures if c.pdq}


def _check_room(stored: Iterable[EvidenceItem], checked: list[Checked]) -> None:
    """A report holds at most RELAIS_EVIDENCE_MAX_REPORT_ITEMS items and _BYTES bytes, all uploads together:
    its packs are built in memory, and one report is not a place to store a platform's archive."""
    held = {item.sha256: item.size for item in stored}
    new = {c.sha256: len(c.data) for c in checked if c.sha256 not in held}
    items, size = len(held) + len(new), sum(held.values()) + sum(new.values())
    if new and items > settings.RELAIS_EVIDENCE_MAX_REPORT_ITEMS:
        raise EvidenceRefused(
            413,
            "items",
            f"the report would hold {items} evidence items; the limit is {settings.RELAIS_EVIDENCE_MAX_REPORT_ITEMS}",
            "report_full",
        )
    if new and size > settings.RELAIS_EVIDENCE_MAX_REPORT_BYTES:
        raise EvidenceRefused(
            413,
            "file",
            f"the report would hold {size:,} bytes of evidence; the limit is "
            f"{settings.RELAIS_EVIDENCE_MAX_REPORT_BYTES:,}",
            "report_full",
        )


def receive_evidence(
    *, platform: Platform, report: Report, checked: list[Checked], now: datetime
) -> tuple[list[EvidenceItem], bool]:
    """Store the checked items of one upload; returns them in the order sent and whether any was new.

    The same content (SHA-256) sent again for the same report is the item already stored, not a second one,
    so a retried upload is harmless. Blobs are written first and deleted again if the rows fail: nothing is
    left half-stored.
    """
    check_window(report, now)
    written: list[str] = []
    try:
        with transaction.atomic():
            Report.objects.select_for_update().filter(pk=report.pk).first()  # one upload at a time per report
            known = {item.sha256: item for item in items_of(report)}
            position = max((item.position for item in known.values()), default=0)
            contents = {c.content_id: c for c in ReportedContent.objects.filter(report=report).exclude(content_id="")}
            _check_room(known.values(), checked)
            repeats = _repeats(report, (c for c in checked if c.sha256 not in known))
            result = []
            created = False
            for n, item_in in enumerate(checked):
                existing = known.get(item_in.sha256)
                if existing is not None:
                    result.append(existing)
                    continue
                spec = item_in.spec
                if spec.content_id and spec.content_id not in contents:
                    raise EvidenceRefused(
                        422,
                        f"items.{n}.content_id",
                        f"the report has no content item with content_id {spec.content_id!r}",
                        "unknown_content",
                    )
                position += 1
                item = EvidenceItem(
                    id=uuid.uuid4(),
                    report=report,
                    position=position,
                    content=contents.get(spec.content_id or ""),
                    kind=item_in.kind,
                    media_type=item_in.media_type,
                    size=len(item_in.data),
                    sha256=item_in.sha256,
                    pdq=item_in.pdq.hex if item_in.pdq else "",
                    pdq_quality=item_in.pdq.quality if item_in.pdq else None,
                    repeat_of_count=repeats.get(item_in.sha256, 0),
                    author_handle=spec.author_handle or "",
                    author_profile_url=spec.author_profile_url or "",
                    posted_at=spec.posted_at,
                    received_at=now,
                    original_name=item_in.original_name,
                )
                vault.write(item, item_in.data)
                written.append(item.storage_name)
                item.save(force_insert=True)
                known[item.sha256] = item
                _custody(
                    report,
                    CustodyEvent.Action.RECEIVED,
                    now,
                    actor_label=platform.name,
                    party=platform.name,
                    item=item,
                    detail=f"{item.kind}, {item.media_type}, {item.size} bytes, sha256 {item.sha256}",
                )
                result.append(item)
                created = True
    except BaseException:
        for name in written:
            vault.delete_quietly(name)
        raise
    return result, created


# --- packs ---


@dataclass(frozen=True)
class Export:
    content: bytes
    file_name: str
    content_type: str


def pack_language(report: Report, asked: str | None) -> str:
    if asked in ("fr", "en"):
        return asked
    return "fr" if report.reporter_language.lower().startswith("fr") else "en"


def reporter_zone(report: Report) -> str:
    """The zone the reporter saw times in: theirs, else the help card's (their country's), else UTC."""
    card_zone = report.help_card.get("timezone") if isinstance(report.help_card, dict) else None
    return report.reporter_timezone or (card_zone if isinstance(card_zone, str) and card_zone else "UTC")


def _record_failure(
    report: Report, failure: vault.IntegrityFailure, now: datetime, *, actor_label: str, party: str
) -> None:
    logger.error("evidence: %s (report %s)", failure, report.pk)
    _custody(
        report,
        CustodyEvent.Action.INTEGRITY_FAILED,
        now,
        actor_label=actor_label,
        party=party,
        item=failure.item,
        detail=failure.reason if failure.item is not None else str(failure),
    )


PREVIEW_MAX_SIDE = 1200
"""A picture in a console is at most this many pixels on its long side: enough to judge it, small to send."""


def picture_preview(*, item: EvidenceItem, actor_label: str, party: str, now: datetime) -> bytes:
    """A picture as a console shows it: checked, re-encoded as a JPEG (so the browser never receives the
    uploaded bytes), and written to the chain of custody as a view, since it left the vault.

    The case page's own look is already in a case's access log (handoffs.services.view_case), so a picture
    on it is not logged there a second time.
    """
    try:
        plaintext = vault.read(item)
    except vault.IntegrityFailure as failure:
        _record_failure(item.report, failure, now, actor_label=actor_label, party=party)
        raise
    out = io.BytesIO()
    images.upright_rgb(plaintext, max_side=PREVIEW_MAX_SIDE).save(out, format="JPEG", quality=85)
    _custody(
        item.report,
        CustodyEvent.Action.VIEWED,
        now,
        actor_label=actor_label,
        party=party,
        item=item,
        detail=f"picture {item.position} shown in the console",
    )
    return out.getvalue()


def _checked_items(report: Report, now: datetime, *, actor_label: str, party: str) -> list[manifest.PackItem]:
    items = []
    for item in items_of(report).select_related("content"):
        try:
            plaintext = vault.read(item)
        except vault.IntegrityFailure as failure:
            _record_failure(report, failure, now, actor_label=actor_label, party=party)
            raise
        items.append(
            manifest.PackItem(
                position=item.position,
                kind=item.kind,
                media_type=item.media_type,
                size=item.size,
                sha256=item.sha256,
                pdq=item.pdq or None,
                pdq_quality=item.pdq_quality,
                original_name=item.original_name,
                content_id=item.content.content_id if item.content else "",
                author_handle=item.author_handle,
                author_profile_url=item.author_profile_url,
                posted_at=item.posted_at,
                received_at=item.received_at,
                repeat_count=item.repeat_of_count,
                content=plaintext,
            )
        )
    return items


def _reported_items(report: Report, now: datetime, *, actor_label: str, party: str) -> list[manifest.ReportedItem]:
    """The report's own content, each item's canonical form re-made from its row and checked against the hash
    taken at intake: a row changed since (in the database, by a restore or a person) stops the pack."""
    items = []
    for content in ReportedContent.objects.filter(report=report).order_by("position"):
        canonical = canonical_of(content)
        digest = reported.content_sha256(canonical)
        if content.sha256 and digest != content.sha256:
            failure = vault.IntegrityFailure(
                None, f"stored hash {content.sha256} differs from the content's {digest}", content=content
            )
            _record_failure(report, failure, now, actor_label=actor_label, party=party)
            raise failure
        items.append(
            manifest.ReportedItem(
                number=content.position + 1,
                kind=content.kind,
                content_id=content.content_id,
                url=content.url,
                text=content.text,
                author_handle=content.author_handle,
                author_profile_url=content.author_profile_url,
                posted_at=content.posted_at,
                sha256=content.sha256 or None,
                canonical=canonical,
            )
        )
    return items


def next_steps(report: Report) -> manifest.NextSteps:
    """The reporter's country and, from the help card they were given, a helpline and the police and emergency
    numbers, for the pack's "what to do" page (the card is in the reporter's language; names and numbers
    read the same in any)."""
    card = report.help_card if isinstance(report.help_card, dict) else {}
    helplines = [h for h in card.get("helplines") or [] if isinstance(h, dict)]
    primary = card.get("primary") if isinstance(card.get("primary"), dict) else None
    chosen = next((h for h in helplines if primary and h.get("id") == primary.get("helpline_id")), None)
    chosen = chosen or (helplines[0] if helplines else None)
    helpline = None
    if chosen is not None:
        channel = next((c for c in chosen.get("channels") or [] if isinstance(c, dict)), None)
        reach = str(channel.get("uri", "")).removeprefix("tel:").removeprefix("mailto:") if channel else ""
        helpline = f"{chosen.get('name', '')} ({reach})" if reach else str(chosen.get("name", "")) or None
    emergency = [e for e in card.get("emergency") or [] if isinstance(e, dict)]

    def number(kind: str) -> str | None:
        return next((str(e.get("number")) for e in emergency if e.get("kind") == kind and e.get("number")), None)

    country = report.reporter_country or str(card.get("country") or "")
    return manifest.NextSteps(
        country=country.upper(), helpline=helpline, police=number("police"), emergency=number("general")
    )


def build_pack(
    report: Report,
    *,
    language: str,
    case_code: str | None,
    generated_for: str,
    now: datetime,
    actor_label: str,
    party: str | None = None,
) -> manifest.Pack:
    """Every item read back and checked — the report's own content against its hash at intake, then every
    upload's blob; raises vault.IntegrityFailure (and records it, for `party`, by default the reader named
    by `generated_for`) on the first bad one."""
    with translation.override(language):
        category_label = str(CATEGORY_LABELS.get(report.category, report.category))
    party = party or generated_for
    reported_items = _reported_items(report, now, actor_label=actor_label, party=party)
    return manifest.Pack(
        report=manifest.PackReport(
            report_id=str(report.pk),
            platform=report.platform.name,
            category=report.category,
            category_label=category_label,
            reported_at=report.reported_at,
            received_at=report.received_at,
            zone=reporter_zone(report),
            case_code=case_code,
        ),
        items=tuple(_checked_items(report, now, actor_label=actor_label, party=party)),
        generated_at=now,
        generated_for=generated_for,
        language=language,
        reported=tuple(reported_items),
        next_steps=next_steps(report),
    )


def render(pack: manifest.Pack, fmt: Format) -> Export:
    stem = f"relais-evidence-{pack.report.report_id[:8]}"
    pdf = render_pdf(pack)
    if fmt == "pdf":
        return Export(pdf, f"{stem}.pdf", "application/pdf")
    files = {item.file_name: item.canonical for item in pack.reported}
    if pack.reported:
        files["reported/README.txt"] = reported.README.encode()
    files.update({item.file_name: item.content for item in pack.items})
    files["evidence-pack.pdf"] = pdf
    files["manifest.json"] = manifest.manifest_json(pack)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            # Pictures and videos are compressed already; text, JSON and the PDF's streams gain a little.
            method = (
                zipfile.ZIP_STORED if name.startswith("files/") and not name.endswith(".txt") else zipfile.ZIP_DEFLATED
            )
            archive.writestr(zipfile.ZipInfo(f"{stem}/{name}", date_time=_zip_time(pack.generated_at)), data, method)
        archive.writestr(
            zipfile.ZipInfo(f"{stem}/SHA256SUMS", date_time=_zip_time(pack.generated_at)),
            manifest.sha256sums(files),
            zipfile.ZIP_DEFLATED,
        )
    return Export(out.getvalue(), f"{stem}.zip", "application/zip")


def _zip_time(instant: datetime) -> tuple[int, int, int, int, int, int]:
    """ZIP entries carry a local time without zone: UTC is written, as the manifest says."""
    utc = instant.astimezone(UTC)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def shared_case_codes(report: Report) -> str | None:
    """The codes of the report's live cases: the platform got each from its own share call."""
    codes = (
        Case.objects.filter(report=report, withdrawn_at__isnull=True)
        .order_by("created_at")
        .values_list("code", flat=True)
    )
    return ", ".join(case_codes.display(code) for code in codes) or None


def export_for_platform(*, platform: Platform, report: Report, fmt: Format, language: str, now: datetime) -> Export:
    pack = build_pack(
        report,
        language=language,
        case_code=shared_case_codes(report),
        generated_for=platform.name,
        now=now,
        actor_label=platform.name,
    )
    export = render(pack, fmt)
    _custody(
        report,
        CustodyEvent.Action.EXPORTED,
        now,
        actor_label=platform.name,
        party=platform.name,
        detail=f"{pack_summary(pack, fmt)} through the API",
    )
    return export


REPORTER = "reporter"
"""The chain of custody's party (and actor) when the person who reported takes their own pack."""
_FOR_REPORTER = {"fr": "la personne qui a fait le signalement", "en": "the person who reported"}


def reporter_pack_pdf(report: Report, *, language: str, now: datetime) -> bytes:
    """The reporter's own evidence pack (their private page's "download my evidence pack"): the PDF, with the
    content as the report described it, any uploads, the case code of a live share (the reporter gave that
    consent and sees the code on their page) and what to do with the pack in France or elsewhere.

    Checked like every read (raises vault.IntegrityFailure, recorded, when anything no longer matches its
    hash) and logged in the chain of custody as an export by the party `reporter`.
    """
    words = "fr" if language.lower().startswith("fr") else "en"
    pack = build_pack(
        report,
        language=words,
        case_code=shared_case_codes(report),
        generated_for=_FOR_REPORTER[words],
        now=now,
        actor_label=REPORTER,
        party=REPORTER,
    )
    pdf = render_pdf(pack)
    _custody(
        report,
        CustodyEvent.Action.EXPORTED,
        now,
        actor_label=REPORTER,
        party=REPORTER,
        detail=f"{pack_summary(pack, 'pdf')} for the reporter",
    )
    return pdf


def pack_summary(pack: manifest.Pack, fmt: Format) -> str:
    """What a pack held, for the chain of custody: counts only, never content."""
    return f"{fmt.upper()} pack of {len(pack.items)} items and {len(pack.reported)} reported items"


def export_for_case(*, actor: Actor, case: Case, fmt: Format, language: str, inline: bool, now: datetime) -> Export:
    """A counsellor's pack: shown (`inline`, logged as a view) or downloaded (logged as an export), written to
    both the chain of custody and the case's access log."""
    report = case.report
    assert report is not None  # noqa: S101 - access.py never returns a withdrawn case
    helpline = actor.helpline.name
    who = f"{actor.label} ({helpline})"
    pack = build_pack(
        report,
        language=language,
        case_code=case_codes.display(case.code),
        generated_for=helpline,
        now=now,
        actor_label=who,
    )
    export = render(pack, fmt)
    detail = pack_summary(pack, fmt)
    with transaction.atomic():
        _custody(
            report,
            CustodyEvent.Action.VIEWED if inline else CustodyEvent.Action.EXPORTED,
            now,
            actor_label=who,
            party=helpline,
            detail=detail,
        )
        AccessEvent.objects.create(
            case=case,
            at=now,
            actor=actor.user,
            actor_label=actor.label,
            action=AccessEvent.Action.EVIDENCE_VIEWED if inline else AccessEvent.Action.EVIDENCE_EXPORTED,
            detail=detail,
        )
    return export


# --- legal hold ---


@transaction.atomic
def set_legal_hold(*, report: Report, reason: str, actor_label: str, party: str, now: datetime) -> Report:
    report.legal_hold = True
    report.legal_hold_reason = reason.strip()
    report.legal_hold_set_at = now
    report.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_set_at"])
    _custody(report, CustodyEvent.Action.LEGAL_HOLD_SET, now, actor_label=actor_label, party=party, detail=reason)
    return report


@transaction.atomic
def lift_legal_hold(*, report: Report, actor_label: str, party: str, now: datetime) -> Report:
    if report.legal_hold:
        report.legal_hold = False
        report.legal_hold_reason = ""
        report.legal_hold_set_at = None
        report.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_set_at"])
        _custody(report, CustodyEvent.Action.LEGAL_HOLD_LIFTED, now, actor_label=actor_label, party=party)
    return report


# --- retention ---


@dataclass(frozen=True)
class PurgeLine:
    """One report that is (or would be) purged, with what goes with it: counts and ages, never content."""

    due: retention.Due
    evidence_items: int
    evidence_bytes: int
    cases: int


@dataclass(frozen=True)
class PurgeResult:
    lines: list[PurgeLine]
    record: PurgeRecord | None


def _lives(now: datetime) -> list[retention.ReportLife]:
    cutoff = retention.earliest_receipt_possibly_due(now=now, retention_days=settings.RELAIS_RETENTION_DAYS)
    open_statuses = [s.value for s in OPEN]
    case_open = Q(consents__case__withdrawn_at__isnull=True, consents__case__status__in=open_statuses)
    case_closed = Q(consents__case__isnull=False) & ~case_open
    rows = (
        Report.objects.filter(received_at__lte=cutoff, legal_hold=False)
        .annotate(
            open_cases=Count("consents__case", filter=case_open),
            last_closed=Max("consents__case__updated_at", filter=case_closed),
        )
        .values_list("pk", "received_at", "legal_hold", "open_cases", "last_closed")
    )
    return [
        retention.ReportLife(str(pk), received, hold, opened, closed) for pk, received, hold, opened, closed in rows
    ]


def purge_plan(*, now: datetime) -> list[PurgeLine]:
    due = retention.due_for_purge(_lives(now), now=now, retention_days=settings.RELAIS_RETENTION_DAYS)
    ids = [d.report_id for d in due]
    evidence = {
        str(row["report_id"]): row
        for row in EvidenceItem.objects.filter(report_id__in=ids)
        .values("report_id")
        .annotate(n=Count("id"), size=Sum("size"))
    }
    cases = {
        str(row["consent__report_id"]): row["n"]
        for row in Case.objects.filter(consent__report_id__in=ids).values("consent__report_id").annotate(n=Count("id"))
    }
    return [
        PurgeLine(
            due=d,
            evidence_items=evidence.get(d.report_id, {}).get("n", 0),
            evidence_bytes=evidence.get(d.report_id, {}).get("size", 0) or 0,
            cases=cases.get(d.report_id, 0),
        )
        for d in due
    ]


@dataclass(frozen=True)
class _Purged:
    blob_names: list[str]
    erased: webhook_emit.Erased


def _purge_one(report_id: str, now: datetime) -> _Purged | None:
    """Delete one due report and what hangs on it, and cancel and erase the webhook deliveries about it and
    its cases; returns its blobs' names and what was erased, or None when it is no longer due (a hold or a
    case reopened since the plan was made)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            return None
        lives = [life for life in _lives(now) if life.report_id == report_id]
        if not retention.due_for_purge(lives, now=now, retention_days=settings.RELAIS_RETENTION_DAYS):
            return None
        names = list(EvidenceItem.objects.filter(report=report).values_list("storage_name", flat=True))
        # Cases hold their consent with PROTECT; a purged report takes its closed cases, notes and logs along.
        cases = Case.objects.filter(consent__report=report)
        subjects = [webhook_events.report_subject(report), *map(webhook_events.case_subject, cases)]
        erased = webhook_emit.erase_about(subjects=subjects, reason="report purged (retention)", now=now)
        cases.delete()
        # Its pending help message and media fetches (relais/integrations) go with it (CASCADE): their
        # queued tasks find nothing and send nothing.
        report.delete()
        return _Purged(names, erased)


def purge(*, now: datetime, trigger: str) -> PurgeResult:
    """Delete every report whose retention has run out (retention.py), with its evidence, its folder in a
    file-system storage, and the payloads of the webhook deliveries about it; record the purge."""
    lines = purge_plan(now=now)
    done: list[PurgeLine] = []
    blobs_left = cancelled = erased = 0
    for line in lines:
        outcome = _purge_one(line.due.report_id, now)
        if outcome is None:
            continue
        blobs_left += sum(not vault.delete_quietly(name) for name in outcome.blob_names)
        vault.remove_empty_folder(line.due.report_id)
        cancelled += outcome.erased.cancelled
        erased += outcome.erased.erased
        done.append(line)
    if not done:
        return PurgeResult(lines=[], record=None)
    record = PurgeRecord.objects.create(
        at=now,
        reason=f"retention: {settings.RELAIS_RETENTION_DAYS} days after receipt or after the last case closed",
        trigger=trigger,
        reports=len(done),
        evidence_items=sum(line.evidence_items for line in done),
        evidence_bytes=sum(line.evidence_bytes for line in done),
        cases=sum(line.cases for line in done),
        oldest_days=max(line.due.age_days for line in done),
        blobs_left=blobs_left,
        deliveries_cancelled=cancelled,
        deliveries_erased=erased,
    )
    return PurgeResult(lines=done, record=record)


# --- operations ---


def reseal_all(*, now: datetime) -> tuple[int, list[vault.IntegrityFailure]]:
    """Re-encrypt every item sealed with a key other than the first of RELAIS_EVIDENCE_KEYS."""
    current = vault.keyring().sealing_id
    done, failures = 0, []
    for item in EvidenceItem.objects.exclude(key_id=current).select_related("report").iterator():
        try:
            with transaction.atomic():
                if vault.reseal(item):
                    _custody(
                        item.report,
                        CustodyEvent.Action.RESEALED,
                        now,
                        actor_label="relais evidence rekey",
                        party=RELAIS,
                        item=item,
                        detail=f"now under key {current}",
                    )
                    done += 1
        except vault.IntegrityFailure as failure:
            failures.append(failure)
    return done, failures


def reseal_texts() -> int:
    """Re-seal under the first key every SealedTextField column of every model (the reporter's words, the
    reported content, the webhook endpoints' signing secrets, …) that an older key sealed, or that was written
    before sealing; `relais evidence rekey` runs it with the blobs. The columns are found from the models, so
    a new sealed field is rotated without being listed here."""
    current = sealed_text.sealed_under(vault.keyring().sealing_id)
    done = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, sealed_text.SealedTextField):
                continue
            name = field.name
            stale = model._default_manager.exclude(**{name: ""}).exclude(**{f"{name}__startswith": current})
            for pk, text in stale.values_list("pk", name).iterator():
                # values_list opens the old seal; update() seals under the first key (SealedTextField).
                done += model._default_manager.filter(pk=pk).update(**{name: text})
    return done


def verify_all() -> tuple[int, list[vault.IntegrityFailure]]:
    checked, failures = 0, []
    for item in EvidenceItem.objects.iterator():
        try:
            vault.read(item)
        except vault.IntegrityFailure as failure:
            failures.append(failure)
        checked += 1
    return checked, failures


def sweep_orphans(*, now: datetime, older_than: timedelta, dry_run: bool) -> list[str]:
    """Stored blobs no item points to (left by a crash or a failed delete), older than `older_than`."""
    store = vault.storage()
    known = set(EvidenceItem.objects.values_list("storage_name", flat=True))
    orphans = []
    try:
        folders, _ = store.listdir("")
    except FileNotFoundError:
        return []
    for folder in folders:
        for name in store.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if path in known or now - store.get_modified_time(path) < older_than:
                continue
            orphans.append(path)
            if not dry_run:
                vault.delete_quietly(path)
        if not dry_run:
            vault.remove_empty_folder(folder)  # a purge whose blob deletion failed left it
    return orphans
