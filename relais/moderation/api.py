"""Moderation API for a platform's own moderation tool: the queue, decisions, statements of reasons, appeals.

Acting calls name `moderator`, the platform's own id for the person acting: it is kept on the record
(who claimed, who decided) and an appeal must be decided by another id than the first decision's
(Art. 20(6) asks for supervision by qualified staff; a second look is the least of it).

Errors: a field of the request that must change is a 422 naming it (`errors[].field`), including every
field of a statement of reasons the Transparency Database would refuse; a request that is valid but comes
at the wrong moment — the notice decided already, claimed by another moderator, its notifier suspended
(Art. 23), the appeal decided, the appeal period over, an appeal from that side already open — is a 409
with `detail`: sending it again unchanged will not help, but nothing in it is wrong.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from relais import clock, figures, replica
from relais.http import json_response, unknown_query
from relais.moderation import access, services, summaries
from relais.moderation import statement_of_reasons as sor
from relais.moderation.models import Appeal, Decision, Notice, PileOn
from relais.moderation.schemas import (
    AppealDecisionIn,
    AppealFilter,
    AppealIn,
    AppealOut,
    BulkDecisionIn,
    DecisionIn,
    DecisionOut,
    FunnelFilter,
    FunnelOut,
    ModeratorIn,
    NoticeOut,
    PileOnOut,
    QueueFilter,
    QueueItemOut,
    StatementFilter,
    StatementsOut,
    iso,
    redress_json,
    statement_errors,
)
from relais.moderation.services import DecisionRefused, ModerationError, ModeratorActor
from relais.reports import figures as reach_figures
from relais.reports import reach
from relais.schemas import ErrorOut, ValidationErrorOut
from relais.tenants.access import PlatformKey
from relais.tenants.models import Platform

router = Router(tags=["moderation"], auth=PlatformKey())

CONFLICTS = frozenset({"notice", "appeal", "case"})
"""ModerationError fields that mean "not now" (409) rather than "not this" (422)."""
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut}


def _platform(request: HttpRequest) -> Platform:
    caller = request.auth  # type: ignore[attr-defined]
    assert isinstance(caller, Platform)  # noqa: S101 - PlatformKey (without help_first) only lets platforms through
    return caller


def refusal(
    exc: ModerationError, *, conflicts: Iterable[str] = CONFLICTS, field: Callable[[str], str] = str
) -> HttpResponse:
    """409 or 422 for a refused request; `field` maps a service's field name to the request's."""
    if isinstance(exc, DecisionRefused):
        errors = statement_errors(exc.problems)
        for error in errors:
            error["field"] = field(error["field"])
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return json_response(422, {"detail": f"The statement of reasons would be refused. {summary}", "errors": errors})
    if exc.field in conflicts:
        return json_response(409, {"detail": str(exc)})
    name = field(exc.field)
    return json_response(
        422,
        {
            "detail": f"{name}: {exc.message}",
            "errors": [{"field": name, "message": exc.message, "type": "value_error"}],
        },
    )


# --- answers ---


def grouped_json(notice: Notice) -> dict[str, Any]:
    return {
        "notice_id": str(notice.id),
        "source": notice.source,
        "helpline": notice.helpline.directory_id if notice.helpline_id and notice.helpline else None,
        "status": notice.status,
        "received_at": iso(notice.received_at),
    }


def queue_item_json(
    notice: Notice,
    now: datetime,
    record: services.TrackRecord | None,
    *,
    grouped: Iterable[Notice] = (),
    snippet: str = "",
    pileon: dict[str, Any] | None = None,
) -> dict[str, Any]:
    undecided = notice.status in services.OPEN_STATUSES
    priority = services.priority_of(notice, now) if undecided else None
    return {
        "id": str(notice.id),
        "source": notice.source,
        "status": notice.status,
        "category": notice.category,
        "danger": "immediate" if notice.danger_immediate else "none",
        "minor": notice.reporter_age is not None and notice.reporter_age < 18,
        "received_at": iso(notice.received_at),
        "report_id": str(notice.report_id) if notice.report_id else None,
        "priority": None
        if priority is None
        else {
            "sla_class": priority.sla_class,
            "due_at": iso(priority.due_at),
            "sla_used": round(priority.sla_used, 4),
            "overdue": priority.overdue,
        },
        "claimed_by": notice.claimed_label or None,
        "claimed_at": iso(notice.claimed_at),
        "helpline": notice.helpline.directory_id if notice.helpline_id and notice.helpline else None,
        "track_record": None
        if record is None
        else {
            "decided": record.decided,
            "unfounded": record.unfounded,
            "warned_at": iso(record.warned_at),
            "suspended_until": iso(record.suspended_until),
        },
        "cursor": services.QueuePosition.of(notice).cursor if undecided else None,
        "grouped": [grouped_json(n) for n in grouped],
        "snippet": snippet or None,
        "pileon": pileon,
    }


def pileon_summary_json(pileon: PileOn, figures: services.PileOnFigures | None) -> dict[str, Any]:
    return {
        "id": str(pileon.id),
        "target_kind": pileon.target_kind,
        "target": pileon.target_label,
        "reports": figures.reports if figures else 0,
        "notices": figures.notices if figures else 0,
        "since": iso(pileon.started_at),
        "last_at": iso(figures.last_at) if figures else None,
        "minor": pileon.minor,
    }


def queue_row_json(item: services.QueueItem, now: datetime) -> dict[str, Any]:
    pileon = pileon_summary_json(item.pileon, item.pileon_figures) if item.pileon is not None else None
    return queue_item_json(
        item.notice, now, item.track_record, grouped=item.grouped, snippet=item.snippet, pileon=pileon
    )


def pileon_json(pileon: PileOn, now: datetime) -> dict[str, Any]:
    figures = services.pileon_figures([pileon.id]).get(pileon.id)
    return {
        **pileon_summary_json(pileon, figures),
        "formed_at": iso(pileon.formed_at),
        "closed_at": iso(pileon.closed_at),
        "members": [
            queue_item_json(m.notice, now, None, snippet=m.snippet) for m in services.pileon_members(pileon, now)
        ],
    }


def decision_json(decision: Decision) -> dict[str, Any]:
    restricted = decision.statement is not None
    language = summaries.notifier_language(decision.notice)
    return {
        "id": str(decision.id),
        "notice_id": str(decision.notice_id),
        "puid": decision.puid,
        "outcome": decision.outcome,
        "current": decision.reversed_by_id is None,
        # In the report's language, as the notifiers read it: the moderation tool sees what they are told.
        "summary": summaries.summary_for(decision, language),
        "summary_language": summaries.summary_language(decision, language),
        "moderator": decision.moderator_label,
        "decided_at": iso(decision.decided_at),
        "informed_at": iso(decision.informed_at),
        "manifestly_unfounded": decision.manifestly_unfounded,
        "redress": redress_json(decision),
        "statement": decision.statement,
        "submission": {
            "submitted_at": iso(decision.submitted_at),
            "attempts": decision.submission_attempts,
            "due_at": iso(decision.submission_due_at),
            "error": decision.submission_error or None,
        }
        if restricted
        else None,
        "on_appeal": str(decision.on_appeal_id) if decision.on_appeal_id else None,
        "reversed_by": str(decision.reversed_by_id) if decision.reversed_by_id else None,
    }


def appeal_json(appeal: Appeal) -> dict[str, Any]:
    replacement = next(iter(appeal.resulting_decisions.all()), None)
    return {
        "id": str(appeal.id),
        "decision_id": str(appeal.decision_id),
        "notice_id": str(appeal.decision.notice_id),
        "appellant": appeal.appellant,
        "reason": appeal.reason,
        "received_at": iso(appeal.received_at),
        "status": appeal.status,
        "decided_by": appeal.decided_by_label or None,
        "decided_at": iso(appeal.decided_at),
        "explanation": appeal.explanation or None,
        "summary": None
        if appeal.status == "open"
        else summaries.appeal_summary_for(appeal, summaries.notifier_language(appeal.decision.notice)),
        "replacement": decision_json(replacement) if replacement else None,
    }


def notice_json(notice: Notice, now: datetime) -> dict[str, Any]:
    platform = notice.platform
    record = services.track_records(platform, [notice.notifier], now).get(notice.notifier)
    report = notice.report
    content = list(report.content.all()) if report is not None else []
    category, keywords, additions = sor.suggest(
        notice.category, minor_involved=notice.reporter_age is not None and notice.reporter_age < 18
    )
    undecided = notice.status in services.OPEN_STATUSES
    grouped = services.group_of(notice).exclude(pk=notice.pk).select_related("helpline") if undecided else []
    pileon = None
    if undecided and notice.pileon_id is not None and notice.pileon is not None:
        pileon = pileon_summary_json(notice.pileon, services.pileon_figures([notice.pileon_id]).get(notice.pileon_id))
    return {
        **queue_item_json(notice, now, record, grouped=grouped, snippet=services.snippet_of(notice), pileon=pileon),
        "ground_kind": notice.ground_kind or None,
        "ground": notice.ground or None,
        "explanation": notice.explanation or None,
        "content_positions": list(notice.content_positions),
        "content": [
            {
                "position": c.position,
                "kind": c.kind,
                "url": c.url or None,
                "content_id": c.content_id or None,
                "text": c.text or None,
                "posted_at": iso(c.posted_at),
            }
            for c in content
        ],
        "suggested": {"category": category, "keywords": list(keywords), "category_additions": list(additions)},
        "decisions": [decision_json(d) for d in access.decisions_on(notice)],
        "appeals": [appeal_json(a) for a in access.appeals_on(notice)],
    }


# --- pile-ons and bulk close (ADR 0034) ---


@router.get(
    "/moderation/pileons/{pileon_id}",
    response={200: PileOnOut, 401: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="A pile-on: many reports about one account or post, its undecided notices in queue order",
)
def get_pileon(request: HttpRequest, pileon_id: str) -> HttpResponse:
    pileon = access.get_pileon(_platform(request), pileon_id)
    return json_response(200, pileon_json(pileon, clock.now()))


@router.post(
    "/moderation/pileons/{pileon_id}/decision",
    response={201: list[DecisionOut], **WRITE_ERRORS, 503: ErrorOut},
    summary="Decide a whole pile-on: every undecided notice of it, each its own decision, in one step",
)
def decide_pileon(request: HttpRequest, pileon_id: str, payload: DecisionIn) -> HttpResponse:
    """Each notice gets its own decision and statement of reasons, and its notifier is told, as when decided
    alone; in one transaction. 409 (nothing decided) when any of them is held by another moderator or every
    one is decided already; a statement the Transparency Database would refuse is a 422 listing every field."""
    platform = _platform(request)
    pileon = access.get_pileon(platform, pileon_id)
    try:
        decisions = services.decide_pileon(
            actor=ModeratorActor.api(platform, payload.moderator),
            pileon=pileon,
            data=payload.to_input(),
            now=clock.now(),
        )
    except ModerationError as exc:
        return refusal(exc, conflicts=CONFLICTS | {"pileon"})
    return json_response(201, [decision_json(d) for d in decisions])


@router.post(
    "/moderation/notices/bulk-decision",
    response={200: list[DecisionOut], **WRITE_ERRORS, 503: ErrorOut},
    summary="Close up to 200 queue rows without action, with one note",
)
def bulk_decision(request: HttpRequest, payload: BulkDecisionIn) -> HttpResponse:
    """Each row is decided "no action" as its own decision would be (its other notices about the same content
    with it), each notifier told in plain words; `note` is kept on every decision and sent to no one. All or
    nothing: an id that is not one of your notices is a 404 naming it, a notice held by another moderator or
    not processed a 409, and nothing is decided. Idempotent: a notice decided already is left as it is and
    its decision in force is in the answer, so sending the request again changes nothing. The answer lists
    the decisions of the notices named, in the order named."""
    platform = _platform(request)
    ids = list(dict.fromkeys(payload.notice_ids))
    notices, missing = access.notices_named(platform, ids)
    if missing:
        return json_response(404, {"detail": f"notice_ids: no such notice {missing[0]}"})
    try:
        decisions = services.bulk_close(
            actor=ModeratorActor.api(platform, payload.moderator), notices=notices, note=payload.note, now=clock.now()
        )
    except ModerationError as exc:
        return refusal(exc)
    return json_response(200, [decision_json(d) for d in decisions])


# --- the queue and one notice ---


def bad_cursor(exc: ValueError) -> HttpResponse:
    return json_response(
        422,
        {"detail": f"cursor: {exc}", "errors": [{"field": "cursor", "message": str(exc), "type": "value_error"}]},
    )


def next_page(request: HttpRequest, cursor: str | None) -> dict[str, str]:
    """Headers naming the next page of a list answer (a JSON array, so the cursor cannot be a field of it):
    `Next-Cursor`, and the same as an RFC 8288 `Link` with the request's other parameters kept."""
    if cursor is None:
        return {}
    query = request.GET.copy()
    query["cursor"] = cursor
    return {"Next-Cursor": cursor, "Link": f'<{request.path}?{query.urlencode()}>; rel="next"'}


@router.get(
    "/moderation/queue",
    response={200: list[QueueItemOut], 401: ErrorOut, 422: ValidationErrorOut, 503: ErrorOut},
    summary="Your undecided notices, one item per reported content, in the order to handle them (trusted flaggers "
    "first)",
)
def get_queue(request: HttpRequest, filters: Query[QueueFilter]) -> HttpResponse:
    """Order (relais/moderation/priority.py): trusted flagger, immediate danger, minor, gravity of the harm,
    then the share of its service-level time a notice has used. Notices whose notifier is suspended
    (Art. 23) are not in it.

    Paged by keyset: a full page answers with `Next-Cursor` (and `Link: <…>; rel="next"`); send it back as
    `?cursor=` for the notices after this page. Each item's `cursor` is the same for the page ending at it.
    A notice decided meanwhile leaves the queue without shifting the pages after it.

    Notices about the same reported content (the reporter's own and helplines' escalations of one report)
    are one item, led by the group's notice of highest priority; the others are its `grouped` (ADR 0027)."""
    if (unknown := unknown_query(request, QueueFilter.model_fields)) is not None:
        return unknown
    try:
        after = services.QueuePosition.from_cursor(filters.cursor) if filters.cursor is not None else None
    except ValueError as exc:
        return bad_cursor(exc)
    now = clock.now()
    items = services.queue(_platform(request), now, limit=filters.limit, after=after)
    full = len(items) == filters.limit
    following = services.QueuePosition.of(items[-1].notice).cursor if full and items else None
    return json_response(200, [queue_row_json(i, now) for i in items], headers=next_page(request, following))


@router.get(
    "/moderation/notices/{notice_id}",
    response={200: NoticeOut, 401: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="One notice: what is alleged, the reported items, the decisions (in force first) and appeals",
)
def get_notice(request: HttpRequest, notice_id: str) -> HttpResponse:
    notice = access.get_notice(_platform(request), notice_id)
    return json_response(200, notice_json(notice, clock.now()))


@router.post(
    "/moderation/notices/{notice_id}/claim",
    response={200: NoticeOut, **WRITE_ERRORS, 503: ErrorOut},
    summary="Take a notice: others see who works on it and cannot decide it",
)
def claim_notice(request: HttpRequest, notice_id: str, payload: ModeratorIn) -> HttpResponse:
    """409 when another moderator holds it, or when it is decided or not processed (notifier suspended)."""
    platform = _platform(request)
    notice = access.get_notice(platform, notice_id)
    now = clock.now()
    try:
        services.claim(actor=ModeratorActor.api(platform, payload.moderator), notice=notice, now=now)
    except ModerationError as exc:
        return refusal(exc)
    return json_response(200, notice_json(access.get_notice(platform, notice_id), now))


@router.post(
    "/moderation/notices/{notice_id}/release",
    response={200: NoticeOut, **WRITE_ERRORS, 503: ErrorOut},
    summary="Give a notice back to the queue (only its holder can; otherwise nothing changes)",
)
def release_notice(request: HttpRequest, notice_id: str, payload: ModeratorIn) -> HttpResponse:
    platform = _platform(request)
    notice = access.get_notice(platform, notice_id)
    services.release(actor=ModeratorActor.api(platform, payload.moderator), notice=notice)
    return json_response(200, notice_json(access.get_notice(platform, notice_id), clock.now()))


@router.post(
    "/moderation/notices/{notice_id}/decision",
    response={201: DecisionOut, **WRITE_ERRORS, 503: ErrorOut},
    summary="Decide a notice; a restriction carries its statement of reasons (DSA Art. 17)",
)
def decide_notice(request: HttpRequest, notice_id: str, payload: DecisionIn) -> HttpResponse:
    """The notifiers are told at once (webhooks `notice.decided`, the helpline's case) and the appeal
    period starts. The notice's `grouped` notices (the others about the same content) are decided with it,
    in the same transaction, each with its own decision and `notice.decided` event; the answer is this
    notice's decision. A statement the Transparency Database would refuse is a 422 listing every field;
    409 when the notice is decided already (appeal instead), held by another moderator, or not processed."""
    platform = _platform(request)
    notice = access.get_notice(platform, notice_id)
    try:
        decision, *_ = services.decide_group(
            actor=ModeratorActor.api(platform, payload.moderator),
            notice=notice,
            data=payload.to_input(),
            now=clock.now(),
        )
    except ModerationError as exc:
        return refusal(exc)
    return json_response(201, decision_json(decision))


# --- statements of reasons ---


def encode_cursor(decision: Decision) -> str:
    raw = orjson.dumps([decision.decided_at.isoformat(), decision.puid])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """ValueError for anything `encode_cursor` did not write."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, puid = orjson.loads(raw)
        instant = datetime.fromisoformat(at)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise ValueError("is not a cursor this API returned") from None
    if instant.tzinfo is None or not isinstance(puid, str) or not sor.PUID.match(puid):
        raise ValueError("is not a cursor this API returned")
    return instant, puid


@router.get(
    "/moderation/statements",
    response={200: StatementsOut, 401: ErrorOut, 422: ValidationErrorOut, 503: ErrorOut},
    summary="Your statements of reasons, ready for the Transparency Database, in decision order",
)
def list_statements(request: HttpRequest, filters: Query[StatementFilter]) -> HttpResponse:
    """Each page is a valid `{"statements": [...]}` batch for the database's `POST /api/v1/statements`
    (at most 100, unique `puid`s). Only restrictions have a statement (Art. 17: a decision not to act has
    none). A decision later reversed on appeal is still listed: it was applied, and the reversal is a new
    decision with its own statement when it restricts."""
    if (unknown := unknown_query(request, StatementFilter.model_fields)) is not None:
        return unknown
    after: tuple[datetime, str] | None = None
    if filters.cursor is not None:
        try:
            after = decode_cursor(filters.cursor)
        except ValueError as exc:
            return json_response(
                422,
                {
                    "detail": f"cursor: {exc}",
                    "errors": [{"field": "cursor", "message": str(exc), "type": "value_error"}],
                },
            )
    elif filters.since is not None:
        after = (filters.since, "")
    page = services.statements(_platform(request), after=after, limit=filters.limit)
    full = len(page) == filters.limit
    return json_response(
        200,
        {
            "statements": [d.statement for d in page],
            "next_cursor": encode_cursor(page[-1]) if full and page else None,
        },
    )


# --- appeals (Art. 20) ---


@router.post(
    "/moderation/decisions/{decision_id}/appeals",
    response={201: AppealOut, **WRITE_ERRORS, 503: ErrorOut},
    summary="Record an appeal by the reporter or the affected user (Art. 20)",
)
def create_appeal(request: HttpRequest, decision_id: str, payload: AppealIn) -> HttpResponse:
    """409 after the appeal period (the date is in `detail`), on a decision replaced on appeal, or while an
    appeal from the same side is open."""
    decision = access.get_decision(_platform(request), decision_id)
    try:
        created = services.appeal(
            decision=decision, appellant=payload.appellant, reason=payload.reason, now=clock.now()
        )
    except ModerationError as exc:
        return refusal(exc, conflicts=CONFLICTS | {"decision", "appellant"})
    return json_response(201, appeal_json(created))


@router.get(
    "/moderation/appeals",
    response={200: list[AppealOut], 401: ErrorOut, 422: ValidationErrorOut, 503: ErrorOut},
    summary="Your appeals, oldest first (`?status=open` for those to decide)",
)
def list_appeals(request: HttpRequest, filters: Query[AppealFilter]) -> HttpResponse:
    """Paged by keyset as the queue is: a full page answers with `Next-Cursor` (and `Link`), sent back as
    `?cursor=` for the appeals after it (`limit` up to 500, the default)."""
    if (unknown := unknown_query(request, AppealFilter.model_fields)) is not None:
        return unknown
    try:
        after = access.appeal_position(filters.cursor) if filters.cursor is not None else None
    except ValueError as exc:
        return bad_cursor(exc)
    # The long list reads from the replica when there is one (relais/replica.py): seconds of lag are harmless
    # to a tool that pages through appeals; deciding one reads and writes the primary.
    listed = access.appeals_in_order(_platform(request), status=filters.status, after=after, using=replica.reading())
    appeals = list(listed[: filters.limit])
    following = access.appeal_cursor(appeals[-1]) if len(appeals) == filters.limit else None
    return json_response(200, [appeal_json(a) for a in appeals], headers=next_page(request, following))


NESTED = frozenset({"outcome", "facts"})
"""Errors about the replacement decision of an appeal, named inside the request's `decision`."""


@router.post(
    "/moderation/appeals/{appeal_id}/decision",
    response={200: AppealOut, **WRITE_ERRORS, 503: ErrorOut},
    summary="Decide an appeal: uphold, or reverse with a new decision (both are kept)",
)
def decide_appeal(request: HttpRequest, appeal_id: str, payload: AppealDecisionIn) -> HttpResponse:
    """`moderator` must differ from the first decision's (422 naming `moderator`). Reversing a restriction
    without `decision` lifts it (no action); reversing a decision not to act needs the restriction in
    `decision`. 409 when the appeal is decided already."""
    platform = _platform(request)
    appeal = access.get_appeal(platform, appeal_id)
    try:
        services.decide_appeal(
            actor=ModeratorActor.api(platform, payload.moderator),
            appeal_=appeal,
            reverse=payload.reverse,
            explanation=payload.explanation,
            now=clock.now(),
            new_decision=payload.decision.to_input() if payload.decision is not None else None,
        )
    except DecisionRefused as exc:
        return refusal(exc, field=lambda name: f"decision.{name}")
    except ModerationError as exc:
        return refusal(exc, field=lambda name: f"decision.{name}" if name in NESTED else name)
    return json_response(200, appeal_json(access.get_appeal(platform, appeal_id)))


# --- figures (ADR 0038) ---


@router.get(
    "/moderation/figures/funnel",
    response={200: FunnelOut, 401: ErrorOut, 422: ValidationErrorOut, 503: ErrorOut},
    summary="The reach funnel: help shown, tapped, shared, escalated, decided, by week, country and helpline",
)
def get_funnel(request: HttpRequest, filters: Query[FunnelFilter]) -> HttpResponse:
    """Counts for the ISO weeks the period touches (`from`/`to`, days in your platform's zone; by default
    the last 30 days). A count from 1 to 9 is `null`: with so few reporters a figure could point at one."""
    if (unknown := unknown_query(request, ("from", "to"))) is not None:
        return unknown
    platform = _platform(request)
    try:
        period = figures.period(filters.first, filters.last, now=clock.now(), zone=reach.zone_named(platform.zone))
    except figures.PeriodError as exc:
        return json_response(
            422,
            {
                "detail": f"Invalid request. {exc.field}: {exc.message}",
                "errors": [{"field": exc.field, "message": exc.message, "type": "value_error"}],
            },
        )
    rows = [
        {
            "week": row.iso_week,
            "country": row.country,
            "helpline": row.helpline,
            **{step: figures.shown(row.counts[step]) for step in reach.STEPS},
        }
        for row in reach_figures.platform_funnel(platform.pk, period)
    ]
    body = {"from": period.first.isoformat(), "to": period.last.isoformat(), "small_cell": figures.SMALL_CELL}
    return json_response(200, {**body, "rows": rows})
