"""Evidence over the API, for the platform that sent the report: upload, list, the PDF and ZIP packs, holds.

The upload's multipart body is read by this view itself rather than declared as ninja `File` parameters: the
parts are named by the `items` field (so each file is tied to its details), and the size limit is enforced
on Content-Length before the body is parsed (middleware.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Router

from relais import clock
from relais.evidence import access, schemas, services
from relais.evidence.models import EvidenceItem
from relais.evidence.vault import IntegrityFailure, StorageUnavailable
from relais.http import json_response, validation_error_response
from relais.reports.models import Report
from relais.schemas import ErrorOut, ValidationErrorOut
from relais.tenants.access import PlatformKey
from relais.tenants.models import Platform

router = Router(tags=["evidence"])


def item_json(item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": str(item.pk),
        "position": item.position,
        "kind": item.kind,
        "media_type": item.media_type,
        "size": item.size,
        "sha256": item.sha256,
        "pdq": item.pdq or None,
        "pdq_quality": item.pdq_quality,
        "already_reported": item.repeat_of_count,
        "content_id": item.content.content_id if item.content_id and item.content else None,
        "author_handle": item.author_handle or None,
        "author_profile_url": item.author_profile_url or None,
        "posted_at": item.posted_at.isoformat() if item.posted_at else None,
        "received_at": item.received_at.isoformat(),
        "original_name": item.original_name or None,
    }


def integrity_json(failure: IntegrityFailure) -> dict[str, Any]:
    """The 409 naming what failed: an uploaded item by its `position`, or a reported content item by its number."""
    return {
        "detail": str(failure),
        "item": failure.item.position if failure.item is not None else None,
        "reported_content": failure.reported_number,
    }


def hold_json(report: Report) -> dict[str, Any]:
    return {
        "legal_hold": report.legal_hold,
        "reason": report.legal_hold_reason or None,
        "set_at": report.legal_hold_set_at.isoformat() if report.legal_hold_set_at else None,
    }


def _refused(status: int, field: str, message: str, kind: str) -> HttpResponse:
    return json_response(
        status, {"detail": f"{field}: {message}", "errors": [{"field": field, "message": message, "type": kind}]}
    )


def _files(request: HttpRequest) -> dict[str, UploadedFile]:
    """Each file part by its name; a name sent several times is numbered `name[0]`, `name[1]`…"""
    named: dict[str, UploadedFile] = {}
    for name, uploads in request.FILES.lists():
        if len(uploads) == 1:
            named[name] = uploads[0]
        else:
            named.update({f"{name}[{i}]": upload for i, upload in enumerate(uploads)})
    return named


@router.post(
    "/reports/{report_id}/evidence",
    response={
        200: schemas.EvidenceReceivedOut,
        201: schemas.EvidenceReceivedOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        413: ValidationErrorOut,
        415: ValidationErrorOut,
        422: ValidationErrorOut,
        503: ErrorOut,
    },
    auth=PlatformKey(),
    openapi_extra=schemas.UPLOAD_BODY,
    summary="Send the reported items' content: texts, pictures, short videos",
)
def upload_evidence(request: HttpRequest, report_id: str) -> HttpResponse:
    """201 with the items stored; 200 when every item was already stored (same SHA-256: a retry).
    Within RELAIS_EVIDENCE_WINDOW_HOURS of the report (else 409). Files are checked by their content:
    413 too large, 415 not an accepted type, 422 empty, damaged, too many pixels, or not matching `items`."""
    caller: Platform = request.auth  # type: ignore[attr-defined]
    report = access.report_for_platform(caller, report_id)
    now = clock.now()
    try:
        services.check_window(report, now)  # before the body is parsed: a late upload is refused at once
        if request.content_type != "multipart/form-data":
            raise services.EvidenceRefused(
                415, "Content-Type", "send multipart/form-data (an `items` field and the files)", "media_type"
            )
        try:
            form, files = request.POST, _files(request)
        except (MultiPartParserError, SuspiciousOperation) as exc:  # a broken body, too many parts or fields
            return json_response(400, {"detail": f"The multipart body cannot be read: {exc}"})
        unknown = sorted(set(form) - {"items"})
        if unknown:
            raise services.EvidenceRefused(
                422, unknown[0], "unknown form field (expected `items` and file parts)", "extra_forbidden"
            )
        specs = schemas.parse_items(form["items"]) if "items" in form else services.specs_for_bare_files(files)
        if not specs:
            raise services.EvidenceRefused(422, "items", "send an `items` field or at least one file part", "missing")
        checked = services.check_upload(specs, files)
        items, created = services.receive_evidence(platform=caller, report=report, checked=checked, now=now)
    except services.WindowClosed as exc:
        return json_response(
            409, {"detail": str(exc), "window_hours": exc.hours, "window_closed_at": exc.closed_at.isoformat()}
        )
    except schemas.ItemsInvalid as exc:
        return validation_error_response(exc.errors)
    except services.EvidenceRefused as exc:
        return _refused(exc.status, exc.field, exc.message, exc.kind)
    except StorageUnavailable:
        return json_response(
            503, {"detail": "The evidence could not be stored right now; send it again later."}, {"Retry-After": "30"}
        )
    return json_response(201 if created else 200, {"items": [item_json(item) for item in items]})


@router.get(
    "/reports/{report_id}/evidence",
    response={200: schemas.EvidenceListOut, 401: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    auth=PlatformKey(),
    summary="The evidence of a report: items, hashes, repeats, legal hold and chain of custody",
)
def list_evidence(request: HttpRequest, report_id: str) -> HttpResponse:
    caller: Platform = request.auth  # type: ignore[attr-defined]
    report = access.report_for_platform(caller, report_id)
    items = list(access.items_of(report).select_related("content"))
    positions = {item.pk: item.position for item in items}
    custody = access.custody_of(report)
    return json_response(
        200,
        {
            "report_id": str(report.pk),
            "window_closes_at": services.window_closes_at(report).isoformat(),
            "legal_hold": hold_json(report),
            "items": [item_json(item) for item in items],
            # The organisation only: a counsellor's name is the helpline's business, not the platform's.
            "custody": [
                {
                    "at": event.at.isoformat(),
                    "party": event.party,
                    "action": event.action,
                    "item": positions.get(event.item_id) if event.item_id else None,
                    "detail": event.detail or None,
                }
                for event in custody
            ],
        },
    )


_PACK_LANG = "lang"
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def _pack_response(request: HttpRequest, report_id: str, fmt: services.Format) -> HttpResponse:
    caller: Platform = request.auth  # type: ignore[attr-defined]
    report = access.report_for_platform(caller, report_id)
    asked = request.GET.get(_PACK_LANG)
    if asked is not None and asked not in ("fr", "en"):
        return _refused(422, _PACK_LANG, "expected fr or en", "enum")
    language = services.pack_language(report, asked)
    try:
        export = services.export_for_platform(
            platform=caller, report=report, fmt=fmt, language=language, now=clock.now()
        )
    except IntegrityFailure as failure:
        return json_response(409, integrity_json(failure))
    return HttpResponse(
        export.content,
        content_type=export.content_type,
        headers={"Content-Disposition": f'attachment; filename="{export.file_name}"', "Cache-Control": "no-store"},
    )


def _pack_doc(media_type: str, what: str) -> dict[str, Any]:
    return {
        "parameters": [
            {
                "name": _PACK_LANG,
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["fr", "en"]},
                "description": "The pack's language; by default the reporter's (French for fr, else English)",
            }
        ],
        "responses": {200: {"description": what, "content": {media_type: _BINARY}}},
    }


PACK_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    404: ErrorOut,
    409: schemas.IntegrityErrorOut,
    422: ValidationErrorOut,
    503: ErrorOut,
}


@router.get(
    "/reports/{report_id}/evidence.pdf",
    response=PACK_ERRORS,
    auth=PlatformKey(),
    openapi_extra=_pack_doc("application/pdf", "The evidence pack as a PDF"),
    summary="The evidence pack as a PDF, to offer the reporter (for the police or a lawyer)",
)
def get_evidence_pdf(request: HttpRequest, report_id: str) -> HttpResponse:
    """Cover page, every item with its text or picture, both time zones, hashes and a manifest. A stored item
    that no longer matches its hash stops the pack: 409 naming the item, never a pack with a changed item."""
    return _pack_response(request, report_id, "pdf")


@router.get(
    "/reports/{report_id}/evidence.zip",
    response=PACK_ERRORS,
    auth=PlatformKey(),
    openapi_extra=_pack_doc("application/zip", "The original files, manifest.json, SHA256SUMS and the PDF"),
    summary="The evidence pack as a ZIP: the original files, manifest.json, SHA256SUMS and the PDF",
)
def get_evidence_zip(request: HttpRequest, report_id: str) -> HttpResponse:
    return _pack_response(request, report_id, "zip")


@router.post(
    "/reports/{report_id}/legal-hold",
    response={
        200: schemas.LegalHoldOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
        503: ErrorOut,
    },
    auth=PlatformKey(),
    summary="Keep a report and its evidence past retention (a police or court request)",
)
def place_legal_hold(request: HttpRequest, report_id: str, payload: schemas.LegalHoldIn) -> HttpResponse:
    caller: Platform = request.auth  # type: ignore[attr-defined]
    report = access.report_for_platform(caller, report_id)
    services.set_legal_hold(
        report=report, reason=payload.reason, actor_label=caller.name, party=caller.name, now=clock.now()
    )
    return json_response(200, hold_json(report))


@router.delete(
    "/reports/{report_id}/legal-hold",
    response={200: schemas.LegalHoldOut, 401: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    auth=PlatformKey(),
    summary="Lift a legal hold: the report is purged on the usual schedule again",
)
def release_legal_hold(request: HttpRequest, report_id: str) -> HttpResponse:
    caller: Platform = request.auth  # type: ignore[attr-defined]
    report = access.report_for_platform(caller, report_id)
    services.lift_legal_hold(report=report, actor_label=caller.name, party=caller.name, now=clock.now())
    return json_response(200, hold_json(report))
