"""Report intake: record the report and answer with the help card in the same round trip."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from ninja import Router

from relais import clock
from relais.directory.directory import FALLBACK_COUNTRY
from relais.directory.runtime import current
from relais.http import json_response, validation_error_response
from relais.moderation import access as moderation_access
from relais.moderation.schemas import notifier_notice_json
from relais.reports import access, links, reach, services
from relais.reports.models import ReachCount, Report
from relais.reports.schemas import (
    ReachEventIn,
    ReachEventOut,
    ReportCreatedOut,
    ReporterUrlOut,
    ReportIn,
    ReportNotStoredOut,
    ReportOut,
)
from relais.schemas import ErrorOut, ValidationErrorOut
from relais.tenants.access import PlatformKey, Unverified
from relais.tenants.models import Platform, Presentation

logger = logging.getLogger(__name__)
router = Router(tags=["reports"])

NOT_STORED = (
    "The report could not be stored right now; show the help card to the reporter and send the same "
    "report again later (it will not be duplicated)."
)


NO_COUNTRY = (
    "the help card needs the reporter's country: send it when you know it (ISO 3166-1 alpha-2, e.g. FR), or "
    "have the Relais operator set your platform's default once: `relais platform set {slug} --reporter-country FR`"
)


def help_for(data: ReportIn, platform: Platform | None) -> dict[str, Any] | None:
    """The card intake answers with, computed before anything is stored (help first), saying whose country
    it is for (`country_source`). None when neither the report nor its platform names a country.

    `platform` None: the key could not be checked (database down), so the platform's presentation and
    defaults are unknown; a report without a country then gets the general fallback help, `"unknown"`.
    """
    reporter = data.reporter
    if reporter.country is not None:
        country, source = reporter.country, "reporter"
    elif platform is None:
        country, source = FALLBACK_COUNTRY, "unknown"
    elif platform.reporter_country:
        country, source = platform.reporter_country, "platform_default"
    else:
        return None
    help_request = services.help_request(
        platform=platform,
        country=country,
        language=reporter.language,
        category=data.category,
        danger=data.danger,
        age=reporter.age,
        timezone=reporter.timezone,
        presentation=Presentation.CALL_BUTTON if platform is None else platform.presentation,
        location_country=reporter.location_country,
    )
    card = current().cards.card_json(help_request, clock.now())
    card["country_source"] = source  # card_json's top level is this call's own copy, not the cache's
    return card


def country_required(platform: Platform) -> HttpResponse:
    """The 422 for a report with no country from a platform with no default: nothing is stored, and the
    platform engineer reads what to send or to set."""
    error = {"loc": ("body", "payload", "reporter", "country"), "msg": NO_COUNTRY.format(slug=platform.slug)}
    return validation_error_response([{**error, "type": "missing"}])


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
                "author_handle": c.author_handle or None,
                "author_profile_url": c.author_profile_url or None,
                "posted_at": c.posted_at.isoformat() if c.posted_at else None,
                "sha256": c.sha256 or None,
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
    503 with the help card and `stored: false` when storage failed (help first: never a bare error);
    422 naming `reporter.country` when the report has none and your platform no default country."""
    caller: Platform | Unverified = request.auth  # type: ignore[attr-defined]
    platform = None if isinstance(caller, Unverified) else caller
    help_card = help_for(payload, platform)
    if help_card is None:
        assert platform is not None  # noqa: S101 - an unknown platform gets the fallback card; a guard for mypy
        return country_required(platform)
    if isinstance(caller, Unverified):
        return json_response(503, {"stored": False, "detail": NOT_STORED, "help": help_card}, {"Retry-After": "30"})
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


def _field_error(field: str, message: str, kind: str = "value_error") -> HttpResponse:
    return validation_error_response([{"loc": ("body", "payload", field), "msg": message, "type": kind}])


@router.post(
    "/reports/{report_id}/events",
    response={201: ReachEventOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=PlatformKey(),
    summary="Count what the reporter did with the help card (the reach funnel)",
)
def report_event(request: HttpRequest, report_id: str, payload: ReachEventIn) -> HttpResponse:
    """Adds one to a count per (your platform, the reporter's country, helpline, ISO week, step); nothing
    about the reporter is stored. Send an `Idempotency-Key`: a retry with it is not counted twice. Shares,
    escalations and decisions are counted by Relais itself, as they happen (docs/dashboards.md)."""
    caller: Platform = request.auth  # type: ignore[attr-defined]
    report = access.get_report_for_platform(caller, report_id)
    step = reach.EVENT_STEPS[payload.type]
    if step == reach.TAPPED:
        if payload.channel_id is None:
            return _field_error("channel_id", "which channel was tapped: its id on the report's card", "missing")
        helpline = reach.helpline_of_channel(report.help_card, payload.channel_id)
        if helpline is None:
            return _field_error("channel_id", "the report's help card showed no channel with this id")
        helplines = [helpline]
    else:
        if payload.channel_id is not None:
            return _field_error("channel_id", "only for help.tapped: help.shown counts the whole card")
        helplines = reach.helplines_on_card(report.help_card)
    now = clock.now()
    ReachCount.record(platform=caller, country=report.reporter_country, helplines=helplines, step=step, at=now)
    week = reach.iso_week(reach.week_of(now, reach.zone_named(caller.zone)))
    return json_response(201, {"type": payload.type, "week": week, "helplines": sorted(set(helplines))})
