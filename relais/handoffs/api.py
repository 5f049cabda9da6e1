"""Handoff API: platforms share and withdraw; helplines' own software pulls and works on cases."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from relais import clock
from relais.directory.runtime import current
from relais.handoffs import access, case_codes, prefill, services
from relais.handoffs.models import Case
from relais.handoffs.schemas import (
    CaseOut,
    CaseSummaryOut,
    LookupIn,
    NoteIn,
    ShareIn,
    ShareOut,
    StatusIn,
    StatusName,
    WithdrawOut,
)
from relais.http import json_response, unknown_query
from relais.moderation import access as moderation_access
from relais.moderation import services as moderation
from relais.moderation.api import bad_cursor, next_page
from relais.moderation.schemas import (
    EscalatedOut,
    EscalationIn,
    StandingFilter,
    StandingOut,
    notifier_notice_json,
)
from relais.reports import access as report_access
from relais.schemas import Category, ErrorOut, ValidationErrorOut
from relais.tenants.access import HelplineKey, PlatformKey
from relais.tenants.models import Helpline, Platform

router = Router(tags=["handoffs"])


def _platform(request: HttpRequest) -> Platform:
    caller = request.auth  # type: ignore[attr-defined]
    assert isinstance(caller, Platform)  # noqa: S101 - PlatformKey (without help_first) only lets platforms through
    return caller


def _error(exc: services.HandoffError, status: int = 422) -> HttpResponse:
    return json_response(
        status, {"detail": str(exc), "errors": [{"field": exc.field, "message": exc.message, "type": "value_error"}]}
    )


def _helpline_channels(directory_id: str, report_card: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The helpline's channels as the reporter saw them on the card, else as the directory has them now."""
    for line in (report_card or {}).get("helplines", []):
        if line.get("id") == directory_id:
            return list(line.get("channels", []))
    found = current().directory.helpline(directory_id)
    return (
        [] if found is None else [{"id": c.id, "kind": c.kind, "uri": c.uri, "hours": c.hours} for c in found.channels]
    )


@router.post(
    "/reports/{report_id}/share",
    response={
        200: ShareOut,
        201: ShareOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
        503: ErrorOut,
    },
    auth=PlatformKey(),
    summary="Share a report with a helpline, on the reporter's consent",
)
def share(request: HttpRequest, report_id: str, payload: ShareIn) -> HttpResponse:
    """Returns the case code the reporter gives the helpline (201; 200 with the same code when already
    shared with that helpline). The helpline sees only what the consent's scope names."""
    platform = _platform(request)
    report = report_access.get_report_for_platform(platform, report_id)
    try:
        case, created = services.share_report(
            platform=platform,
            report=report,
            helpline_id=payload.helpline_id,
            given_at=payload.consent.given_at,
            text_version=payload.consent.text_version,
            scope=list(payload.consent.scope),
            now=clock.now(),
        )
    except services.HandoffError as exc:
        return _error(exc)
    helpline = case.helpline
    code = case_codes.display(case.code)
    channels = _helpline_channels(helpline.directory_id, report.help_card)
    body = {
        "case_code": code,
        "case_code_spoken": case_codes.spoken(case.code, report.reporter_language),
        "expires_at": case.code_expires_at.isoformat(),
        "helpline": {
            "id": helpline.directory_id,
            "name": helpline.name,
            "channels": prefill.channels_with_code(channels, code, report.reporter_language),
        },
    }
    return json_response(201 if created else 200, body)


@router.delete(
    "/reports/{report_id}/share",
    response={200: WithdrawOut, 401: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    auth=PlatformKey(),
    summary="Withdraw the reporter's consent: helplines lose access at once",
)
def withdraw(request: HttpRequest, report_id: str) -> HttpResponse:
    platform = _platform(request)
    report = report_access.get_report_for_platform(platform, report_id)
    return json_response(
        200, {"withdrawn": services.withdraw_consent(platform=platform, report=report, now=clock.now())}
    )


# --- helplines ---


def _helpline(request: HttpRequest) -> Helpline:
    caller = request.auth  # type: ignore[attr-defined]
    assert isinstance(caller, Helpline)  # noqa: S101 - HelplineKey only lets helplines through
    return caller


def summary_json(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "code": case_codes.display(case.code),
        "status": case.status,
        "category": case.category,
        "urgent": case.urgent,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "follow_up_on": case.follow_up_on.isoformat() if case.follow_up_on else None,
        "assigned_to": case.assigned_to.get_username() if case.assigned_to else None,
    }


def case_json(view: services.CaseView) -> dict[str, Any]:
    def iso(value: Any) -> Any:
        return value.isoformat() if hasattr(value, "isoformat") else value

    return {
        **summary_json(view.case),
        "scope": sorted(view.scope),
        "report": {k: iso(v) for k, v in view.report.items()},
        "content": None if view.content is None else [{k: iso(v) for k, v in c.items()} for c in view.content],
        "description": view.description,
        "help_card": view.help_card,
        "help_shown_at": iso(view.help_shown_at),
        "pseudonym": view.pseudonym,
        "pseudonym_masked": view.pseudonym_masked,
        "notes": [
            {"author": n.author_label, "text": n.text, "created_at": n.created_at.isoformat()} for n in view.notes
        ],
        "access_log": [
            {"at": e.at.isoformat(), "who": e.actor_label, "action": e.action, "detail": e.detail}
            for e in view.access_log
        ],
        "notices": [notifier_notice_json(n) for n in moderation_access.notices_on_case(view.case)],
    }


class CaseFilter(Schema):
    status: StatusName | None = None
    category: Category | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 500
    cursor: Annotated[str, Field(max_length=300)] | None = Field(
        default=None, description="`Next-Cursor` of the previous page: the cases after it"
    )


@router.get(
    "/helpline/cases",
    response={200: list[CaseSummaryOut], 401: ErrorOut, 422: ValidationErrorOut},
    auth=HelplineKey(),
    summary="Cases shared with your helpline: open first, urgent first, newest first",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> HttpResponse:
    """Paged by keyset: a full page (`limit`, 500 by default) answers with `Next-Cursor` (and `Link`), sent
    back as `?cursor=` for the cases after it."""
    try:
        after = services.position_of_cursor(filters.cursor) if filters.cursor is not None else None
    except ValueError as exc:
        return bad_cursor(exc)
    cases = list(
        services.queue(_helpline(request), status=filters.status, category=filters.category, after=after)[
            : filters.limit
        ]
    )
    following = services.case_cursor(cases[-1]) if len(cases) == filters.limit else None
    return json_response(200, [summary_json(c) for c in cases], headers=next_page(request, following))


def _case(request: HttpRequest, case_id: uuid.UUID) -> tuple[services.Actor, Case]:
    """The case by its opaque id: another helpline's, a withdrawn one and none at all are the same 404."""
    helpline = _helpline(request)
    return services.Actor.api_key(helpline), access.get_case(helpline, case_id)


# The look-up comes before `/helpline/cases/{case_id}`: Django tries the routes in order, and `lookup` would
# otherwise be read as a (malformed) case id.
@router.post(
    "/helpline/cases/lookup",
    response={200: CaseOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    auth=HelplineKey(),
    summary="Find a case by the code the reporter gave (logged in the case's access log)",
)
def look_up_case(request: HttpRequest, payload: LookupIn) -> HttpResponse:
    """`{"code": ...}` in the body, never in the path, so the code stays out of every access log (ADR 0030).
    The answer carries the case's `id`: every later call about the case names it, not the code.

    `code` as typed: `4821-093-755-1627`, spaces or none (or a legacy `K7QM-4X2P`). Text that cannot be a
    code — a check digit that does not match, a digit missing — is a 422 naming `code` and is not counted;
    a code that finds no open case is a 404 and is counted, then 429 with `Retry-After`."""
    helpline = _helpline(request)
    actor = services.Actor.api_key(helpline)
    now = clock.now()
    try:
        case = services.find_by_code(actor=actor, typed=payload.code, now=now)
    except services.TooManyLookups as exc:
        return json_response(429, {"detail": str(exc)}, {"Retry-After": str(exc.retry_after)})
    except services.MisreadCode as exc:
        return _error(exc)
    return json_response(200, case_json(services.view_case(actor=actor, case=case, now=now)))


@router.get(
    "/helpline/cases/{case_id}",
    response={200: CaseOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=HelplineKey(),
    summary="One case, by its id (logged in the case's access log)",
)
def get_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """`case_id` is the `id` a look-up or the list answered with; a case of another helpline, or whose
    reporter withdrew their consent, is a 404."""
    actor, case = _case(request, case_id)
    return json_response(200, case_json(services.view_case(actor=actor, case=case, now=clock.now())))


@router.post(
    "/helpline/cases/{case_id}/notes",
    response={201: CaseOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=HelplineKey(),
    summary="Add a note to a case",
)
def add_note(request: HttpRequest, case_id: uuid.UUID, payload: NoteIn) -> HttpResponse:
    actor, case = _case(request, case_id)
    now = clock.now()
    try:
        services.add_note(actor=actor, case=case, text=payload.text, now=now)
    except services.HandoffError as exc:
        return _error(exc)
    return json_response(201, case_json(services.view_case(actor=actor, case=case, now=now)))


@router.post(
    "/helpline/cases/{case_id}/status",
    response={200: CaseOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=HelplineKey(),
    summary="Change a case's status and/or follow-up date",
)
def change_status(request: HttpRequest, case_id: uuid.UUID, payload: StatusIn) -> HttpResponse:
    actor, case = _case(request, case_id)
    now = clock.now()
    try:
        if payload.status is not None:
            services.set_status(actor=actor, case=case, status=payload.status, now=now)
        if "follow_up_on" in payload.model_fields_set:
            services.set_follow_up(actor=actor, case=case, on=payload.follow_up_on, now=now)
    except services.HandoffError as exc:
        return _error(exc)
    return json_response(200, case_json(services.view_case(actor=actor, case=case, now=now)))


# --- escalation to the platform (the trusted-flagger loop, relais/moderation) ---


@router.get(
    "/helpline/cases/{case_id}/escalation",
    response={200: StandingOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=HelplineKey(),
    summary="Before escalating: would the notice go as a trusted flagger's (Art. 22), and why",
)
def escalation_preview(request: HttpRequest, case_id: uuid.UUID, filters: Query[StandingFilter]) -> HttpResponse:
    if (unknown := unknown_query(request, StandingFilter.model_fields)) is not None:
        return unknown
    _, case = _case(request, case_id)
    category = filters.category or case.category
    standing = moderation.flagger_standing(case, category, clock.now())
    return json_response(
        200,
        {
            "trusted": standing.trusted,
            "source_type": "trusted_flagger" if standing.trusted else "other_notification",
            "reason": standing.reason,
            "authority": standing.authority,
            "category": category,
        },
    )


@router.post(
    "/helpline/cases/{case_id}/escalate",
    response={201: EscalatedOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut},
    auth=HelplineKey(),
    summary="Escalate the case to the platform as a notice (a trusted flagger's where the status holds)",
)
def escalate(request: HttpRequest, case_id: uuid.UUID, payload: EscalationIn) -> HttpResponse:
    """The platform sees it in its moderation queue and decides; the outcome comes back on the case
    (`notices`) and as `notice.decided`. 409 while an earlier escalation of the case awaits its decision or
    when the case cannot move to escalated (closed); 422 names a field to fix."""
    actor, case = _case(request, case_id)
    now = clock.now()
    standing = moderation.flagger_standing(case, payload.category, now)
    try:
        notice = moderation.escalate(actor=actor, case=case, escalation=payload.to_escalation(), now=now)
    except moderation.ModerationError as exc:
        if exc.field == "case":
            return json_response(409, {"detail": str(exc)})
        return _error(services.HandoffError(exc.field, exc.message))
    return json_response(
        201,
        {
            "id": str(notice.id),
            "source_type": notice.source,
            "trusted_flagger_reason": standing.reason,
            "status": notice.status,
            "received_at": notice.received_at.isoformat(),
        },
    )
