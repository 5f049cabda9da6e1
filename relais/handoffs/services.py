"""Handoff use cases: share with consent, withdraw, find a case by its code, work on it.

Every function that shows or changes a case writes an AccessEvent in the same transaction, so the log
cannot miss a look that happened.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404

from relais.handoffs import access, case_codes
from relais.handoffs.consent import check_scope, mask_pseudonym
from relais.handoffs.models import (
    CASE_QUEUE_ORDER,
    OPEN_FIRST,
    AccessEvent,
    Case,
    CaseNote,
    CodeLookup,
    Consent,
    PileOnAlertHandled,
)
from relais.handoffs.workflow import OPEN, Status, check_transition
from relais.moderation import cursors, keyset
from relais.reports import reach
from relais.reports.models import ReachCount, Report
from relais.tenants.models import Helpline, Platform, StaffMember
from relais.webhooks import events as webhook_events


@dataclass(frozen=True)
class Actor:
    """Who is acting on a case: a helpline's staff member, or a helpline's API key."""

    helpline: Helpline
    label: str
    user: User | None = None
    is_supervisor: bool = False
    throttle_key: str = ""

    @classmethod
    def staff(cls, member: StaffMember) -> Actor:
        user = member.user
        return cls(
            helpline=member.helpline,
            # A name, not a role: the log is stored text, shown in the reader's language.
            label=user.get_full_name() or user.get_username(),
            user=user,
            is_supervisor=member.is_supervisor,
            throttle_key=f"user:{user.pk}",
        )

    @classmethod
    def api_key(cls, helpline: Helpline) -> Actor:
        return cls(helpline=helpline, label=f"API ({helpline.name})", throttle_key=f"helpline:{helpline.pk}")


class HandoffError(ValueError):
    """A request that cannot be done as asked; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class MisreadCode(HandoffError):
    """Typed text that cannot be a case code (`case_codes.misread`): a 4xx naming `code`, not a wrong guess."""

    def __init__(self, misread: case_codes.Misread) -> None:
        super().__init__("code", _MISREAD_MESSAGES[misread.reason].format(digits=misread.digits))
        self.misread = misread


_MISREAD_MESSAGES = {
    "check_digit": "one digit is wrong or two are swapped (the check digit does not match): read the code again",
    "length": f"a case code has {case_codes.LENGTH} digits, not {{digits}}: read the code again",
    "characters": f"a case code has {case_codes.LENGTH} digits and nothing else (older codes have "
    f"{case_codes.LEGACY_LENGTH} letters and digits, like K7QM-4X2P)",
}


class TooManyLookups(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many wrong codes; try again later")
        self.retry_after = retry_after


def _log(
    case: Case | None,
    actor_label: str,
    action: str,
    now: datetime,
    *,
    user: Any = None,
    detail: str = "",
    helpline: Helpline | None = None,
) -> None:
    """One row of the access log: about a case, or (`case` None) about the helpline itself."""
    AccessEvent.objects.create(
        case=case, helpline=helpline, at=now, actor=user, actor_label=actor_label, action=action, detail=detail
    )


# --- the platform's side ---


def share_report(
    *,
    platform: Platform,
    report: Report,
    helpline_id: str,
    given_at: datetime,
    text_version: str,
    scope: list[str],
    now: datetime,
) -> tuple[Case, bool]:
    """Share `report` with a helpline on the reporter's consent; a repeat returns the same case."""
    helpline = Helpline.objects.filter(directory_id=helpline_id).first()
    if helpline is None:
        raise HandoffError("helpline_id", f"{helpline_id} does not take shared reports through Relais")
    try:
        scopes = check_scope(scope)
    except ValueError as exc:
        raise HandoffError("consent.scope", str(exc)) from None
    existing = Case.objects.filter(consent__report=report, helpline=helpline, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing, False
    for _ in range(5):
        try:
            with transaction.atomic():
                consent = Consent.objects.create(
                    report=report,
                    helpline=helpline,
                    given_at=given_at,
                    text_version=text_version,
                    scope=sorted(scopes),
                    recorded_at=now,
                )
                case = Case.objects.create(
                    code=case_codes.generate(),
                    helpline=helpline,
                    report=report,
                    consent=consent,
                    urgent=report.danger == "immediate",
                    category=report.category,
                    created_at=now,
                    updated_at=now,
                    code_expires_at=now + timedelta(days=settings.RELAIS_CASE_CODE_DAYS),
                )
                _log(
                    case,
                    platform.name,
                    AccessEvent.Action.SHARED,
                    now,
                    detail=f"scope: {', '.join(sorted(scopes))}",
                )
                webhook_events.report_shared(case=case, report=report, now=now)
                ReachCount.record(
                    platform=platform,
                    country=report.reporter_country,
                    helplines=[helpline.directory_id],
                    step=reach.SHARED,
                    at=now,
                )
                return case, True
        except IntegrityError:
            # A code collision (1 in 9·10^12 per live code) or a concurrent share of the same report: look again.
            existing = Case.objects.filter(consent__report=report, helpline=helpline, withdrawn_at__isnull=True).first()
            if existing is not None:
                return existing, False
    raise RuntimeError("could not allocate a case code")  # pragma: no cover - needs five collisions in a row


@transaction.atomic
def withdraw_consent(*, platform: Platform, report: Report, now: datetime) -> int:
    """Withdraw every active consent on `report`: the helplines lose access at once. Returns how many."""
    withdrawn = 0
    for case in Case.objects.select_for_update().filter(report=report, withdrawn_at__isnull=True):
        Consent.objects.filter(pk=case.consent_id).update(withdrawn_at=now)
        case.withdrawn_at = now
        case.report = None
        case.status = Status.CLOSED
        case.updated_at = now
        case.save(update_fields=["withdrawn_at", "report", "status", "updated_at"])
        _log(case, platform.name, AccessEvent.Action.WITHDRAWN, now)
        webhook_events.share_withdrawn(case=case, report=report, now=now)
        withdrawn += 1
    return withdrawn


# --- the helpline's side ---


CasePosition = tuple[int, bool, datetime, uuid.UUID]
"""Where a page of the helpline's queue ends: the last case's (open, urgent, created_at, id)."""


def queue(
    helpline: Helpline,
    *,
    status: str | None = None,
    category: str | None = None,
    after: CasePosition | None = None,
) -> QuerySet[Case]:
    """Open cases first, urgent ones first among them, newest first otherwise; those after `after` only
    (slice it for a page). Ordered by the index `case_queue_order`."""
    cases = access.cases_visible_to(helpline).select_related("assigned_to")
    if status:
        cases = cases.filter(status=status)
    if category:
        cases = cases.filter(category=category)
    cases = cases.alias(open_first=OPEN_FIRST)
    if after is not None:
        cases = cases.filter(keyset.before(("open_first", "urgent", "created_at", "id"), after))
    return cases.order_by(*(key.desc() for key in CASE_QUEUE_ORDER))


def case_position(case: Case) -> CasePosition:
    return (1 if case.status in OPEN else 0, case.urgent, case.created_at, case.id)


def case_cursor(case: Case) -> str:
    return cursors.encode(case_position(case))


def position_of_cursor(cursor: str) -> CasePosition:
    """ValueError for anything `case_cursor` did not write."""
    open_first, urgent, created_at, case_id = cursors.decode(cursor, (int, bool, datetime, uuid.UUID))
    return cast(int, open_first), cast(bool, urgent), cast(datetime, created_at), cast(uuid.UUID, case_id)


def find_by_code(*, actor: Actor, typed: str, now: datetime) -> Case:
    """The case a reporter quoted. Wrong codes are counted per person or key; past the limit, refused.

    Raises MisreadCode (not counted) for text that cannot be a code, Http404 (counted) for a code that
    finds no open case of this helpline, TooManyLookups past the limit, whatever was typed.
    """
    window = timedelta(seconds=settings.RELAIS_CODE_LOOKUP_WINDOW_SECONDS)
    recent = CodeLookup.objects.filter(who=actor.throttle_key, at__gt=now - window)
    if recent.count() >= settings.RELAIS_CODE_LOOKUP_LIMIT:
        oldest = recent.order_by("at").values_list("at", flat=True).first()
        retry = int(((oldest or now) + window - now).total_seconds()) + 1
        raise TooManyLookups(retry_after=max(retry, 1))
    code = case_codes.read(typed)
    if isinstance(code, case_codes.Misread):
        # Not counted: whether typed text can be a code is arithmetic anyone can do, and tells nothing about
        # which codes exist; a counsellor who mishears a digit should not lose a try for it (ADR 0016).
        raise MisreadCode(code)
    case = access.cases_visible_to(actor.helpline).filter(code=code, code_expires_at__gt=now).first()
    if case is None:
        CodeLookup.objects.filter(who=actor.throttle_key, at__lte=now - window).delete()
        CodeLookup.objects.create(who=actor.throttle_key, at=now)
        raise Http404(access.NOT_FOUND)
    _log(case, actor.label, AccessEvent.Action.LOOKED_UP, now, user=actor.user)
    return case


@dataclass(frozen=True)
class CaseView:
    """A case as the helpline may see it, cut to the reporter's consent."""

    case: Case
    scope: frozenset[str]
    report: dict[str, Any]
    content: list[dict[str, Any]] | None
    description: str | None
    help_card: dict[str, Any] | None
    help_shown_at: datetime | None
    pseudonym: str
    pseudonym_masked: bool
    notes: list[CaseNote]
    access_log: list[AccessEvent]


def view_case(*, actor: Actor, case: Case, now: datetime) -> CaseView:
    _log(case, actor.label, AccessEvent.Action.VIEWED, now, user=actor.user)
    return _view(case)


def _view(case: Case) -> CaseView:
    report = case.report
    assert report is not None  # noqa: S101 - access.py never returns a withdrawn case
    scope = frozenset(case.consent.scope)
    full_pseudonym = "pseudonym" in scope
    return CaseView(
        case=case,
        scope=scope,
        report={
            "category": report.category,
            "danger": report.danger,
            "country": report.reporter_country,
            "language": report.reporter_language,
            "age": report.reporter_age,
            "timezone": report.reporter_timezone or None,
            "reported_at": report.reported_at,
            "received_at": report.received_at,
        },
        content=[
            {
                "kind": c.kind,
                "url": c.url or None,
                "content_id": c.content_id or None,
                "text": c.text or None,
                "posted_at": c.posted_at,
            }
            for c in report.content.all()
        ]
        if "content" in scope
        else None,
        description=(report.description or None) if "description" in scope else None,
        help_card=report.help_card if "help_card" in scope else None,
        help_shown_at=report.received_at if "help_card" in scope else None,
        pseudonym=report.reporter_pseudonym if full_pseudonym else mask_pseudonym(report.reporter_pseudonym),
        pseudonym_masked=not full_pseudonym,
        notes=list(case.notes.select_related("author")),
        access_log=list(case.access_log.all()),
    )


@transaction.atomic
def add_note(*, actor: Actor, case: Case, text: str, now: datetime) -> CaseNote:
    text = text.strip()
    if not text:
        raise HandoffError("text", "a note cannot be empty")
    if len(text) > 10000:
        raise HandoffError("text", "a note is at most 10,000 characters")
    note = CaseNote.objects.create(case=case, author=actor.user, author_label=actor.label, text=text, created_at=now)
    _touch(case, now)
    _log(case, actor.label, AccessEvent.Action.NOTE_ADDED, now, user=actor.user)
    return note


@transaction.atomic
def set_status(*, actor: Actor, case: Case, status: str, now: datetime) -> Case:
    try:
        wanted = Status(status)
    except ValueError:
        raise HandoffError(
            "status", f"unknown status {status!r} (known: {', '.join(s.value for s in Status)})"
        ) from None
    try:
        new = check_transition(case.status, wanted)
    except ValueError as exc:
        raise HandoffError("status", str(exc)) from None
    if new != case.status:
        before = case.status
        case.status = new
        _touch(case, now, "status")
        _log(case, actor.label, AccessEvent.Action.STATUS_CHANGED, now, user=actor.user, detail=f"{before} → {new}")
        webhook_events.case_status_changed(case=case, before=before, now=now)
    return case


@transaction.atomic
def set_follow_up(*, actor: Actor, case: Case, on: date | None, now: datetime) -> Case:
    case.follow_up_on = on
    _touch(case, now, "follow_up_on")
    _log(
        case,
        actor.label,
        AccessEvent.Action.FOLLOW_UP_SET,
        now,
        user=actor.user,
        detail=on.isoformat() if on else "none",
    )
    return case


@transaction.atomic
def assign(*, actor: Actor, case: Case, to: StaffMember | None, now: datetime) -> Case:
    """Supervisors reassign cases, only to staff of their own helpline."""
    if not actor.is_supervisor:
        raise HandoffError("assigned_to", "only a supervisor can reassign a case")
    if to is not None and to.helpline_id != actor.helpline.pk:
        raise HandoffError("assigned_to", "not a member of this helpline")
    case.assigned_to = None if to is None else to.user
    _touch(case, now, "assigned_to")
    who = "nobody" if to is None else to.user.get_username()
    _log(case, actor.label, AccessEvent.Action.ASSIGNED, now, user=actor.user, detail=f"to {who}")
    return case


def _touch(case: Case, now: datetime, *fields: str) -> None:
    case.updated_at = now
    case.save(update_fields=["updated_at", *fields])


# --- pile-on alerts (ADR 0034, addendum) ---


@transaction.atomic
def mark_pileon_alert_handled(*, actor: Actor, pileon_id: uuid.UUID | str, now: datetime) -> PileOnAlertHandled:
    """A counsellor has seen a pile-on alert and done what the helpline does about it: it leaves the
    helpline's panel. Written once, with the helpline's access-log row; a second click (another tab, a
    colleague at the same moment) returns the first mark and logs nothing more. A foreign id is a 404."""
    pileon = access.get_pileon_alert(actor.helpline, pileon_id)
    done = PileOnAlertHandled.objects.filter(helpline=actor.helpline, pileon=pileon).first()
    if done is not None:
        return done
    try:
        with transaction.atomic():
            done = PileOnAlertHandled.objects.create(
                helpline=actor.helpline,
                pileon=pileon,
                handled_at=now,
                handled_by=actor.user,
                handled_by_label=actor.label,
            )
    except IntegrityError:  # marked by a colleague between the read and the write
        return PileOnAlertHandled.objects.get(helpline=actor.helpline, pileon=pileon)
    _log(
        None,
        actor.label,
        AccessEvent.Action.PILEON_ALERT_HANDLED,
        now,
        user=actor.user,
        detail=f"pile-on {pileon.pk} on {pileon.platform.name}"[:300],
        helpline=actor.helpline,
    )
    return done
