"""Report intake: record the report and answer with the help card in the same round trip."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import Router

from relais import clock
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.http import json_response
from relais.moderation import access as moderation_access
from relais.moderation.schemas import notifier_notice_json
from relais.reports import access, links, services
from relais.reports.models import Report
from relais.reports.schemas import ReportCreatedOut, ReporterUrlOut, ReportIn, ReportNotStoredOut, ReportOut
from relais.schemas import ErrorOut, ValidationErrorOut
from relais.tenants.access import PlatformKey, Unverified
from relais.tenants.models import Platform, Presentation

logger = logging.getLogger(__name__)
router = Router(tags=["reports"])

NOT_STORED = (
    "The report could not be stored right now; show the help card to the reporter and send the same "
    "report again later (it will not be duplicated)."
)


def help_for(data: ReportIn, presentation: str) -> dict[str, Any]:
    help_request = HelpRequest(
        country=data.reporter.country,
        language=data.reporter.language,
        category=data.category,
        danger=data.danger,
        age=data.reporter.age,
        timezone=data.reporter.timezone,
        presentation="link" if presentation == Presentation.LINK else "call_button",
    )
    return current().cards.card_json(help_request, clock.now())


def report_json(report: Report, request: HttpRequest | None = None) -> dict[str, Any]:
    return {
        "id": str(report.id),
        "platform_report_id": report.platform_report_id,
        "category": report.category,
        "danger": report.danger,
        "reporter": {
            "country": report.reporter_country,
            "language": report.reporter_language,
            "age": report.reporter_age,
            "timezone": report.reporter_timezone or None,
            "pseudonym": report.reporter_pseudonym or None,
        },
        "content": [
            {
                "url": c.url or None,
                "content_id": c.content_id or None,
                "kind": c.kind,
                "text": c.text or None,
                "posted_at": c.posted_at.isoformat() if c.posted_at else None,
            }
            for c in report.content.all()
        ],
        "description": report.description or None,
        "reported_at": report.reported_at.isoformat() if report.reported_at else None,
        "received_at": report.received_at.isoformat(),
        "help": report.help_card,
        "reporter_url": links.reporter_url(report, request),
        "notices": [notifier_notice_json(n) for n in moderation_access.notices_on_report(report)],
    }


@router.post(
    "/reports",
    response={
        200: ReportCreatedOut,
        201: ReportCreatedOut,
        400: ErrorOut,
        401: ErrorOut,
        422: ValidationErrorOut,
        503: ReportNotStoredOut,
    },
    auth=PlatformKey(help_first=True),
    summary="Report harassment and get the help card",
)
def create_report(request: HttpRequest, payload: ReportIn) -> HttpResponse:
    """201 for a new report; 200 with the same id when `platform_report_id` was already received;
    503 with the help card and `stored: false` when storage failed (help first: never a bare error)."""
    caller: Platform | Unverified = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, Unverified):
        help_card = help_for(payload, Presentation.CALL_BUTTON)
        return json_response(503, {"stored": False, "detail": NOT_STORED, "help": help_card}, {"Retry-After": "30"})
    help_card = help_for(payload, caller.presentation)
    try:
        report, created = services.receive_report(
            platform=caller, data=payload, help_card=help_card, received_at=clock.now()
        )
    except DatabaseError:
        logger.exception("report %s from %s not stored", payload.platform_report_id, caller.slug)
        return json_response(503, {"stored": False, "detail": NOT_STORED, "help": help_card}, {"Retry-After": "30"})
    body = {
        "id": str(report.id),
        "received_at": report.received_at.isoformat(),
        "stored": True,
        "help": report.help_card,
        "reporter_url": links.reporter_url(report, request),
    }
    return json_response(201 if created else 200, body)


@router.get(
    "/reports/{report_id}",
    response={200: ReportOut, 401: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    auth=PlatformKey(),
    summary="A report you sent",
)
def get_report(request: HttpRequest, report_id: str) -> HttpResponse:
    caller: Platform = request.auth  # type: ignore[attr-defined]
    return json_response(200, report_json(access.get_report_for_platform(caller, report_id), request))


@router.post(
    "/reports/{report_id}/reporter-url",
    response={200: ReporterUrlOut, 201: ReporterUrlOut, 401: ErrorOut, 404: ErrorOut},
    auth=PlatformKey(),
    summary="Issue the reporter's private link again",
)
def issue_reporter_url(request: HttpRequest, report_id: str) -> HttpResponse:
    """After a revocation, a new link (201; the old one stays dead); while a link is live, that link (200)."""
    caller: Platform = request.auth  # type: ignore[attr-defined]
    report, created = links.reissue(access.get_report_for_platform(caller, report_id))
    return json_response(201 if created else 200, {"reporter_url": links.reporter_url(report, request)})


@router.delete(
    "/reports/{report_id}/reporter-url",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    auth=PlatformKey(),
    summary="Revoke the reporter's private link",
)
def revoke_reporter_url(request: HttpRequest, report_id: str) -> HttpResponse:
    """The page stops opening at once, for everyone holding the link (a lost phone, a link sent to the wrong
    person). The report and everything about it stay; `POST` issues a new link."""
    caller: Platform = request.auth  # type: ignore[attr-defined]
    links.revoke(access.get_report_for_platform(caller, report_id))
    return HttpResponse(status=204)
