"""Notices as a platform's moderators may see them: their platform's only; anything else is a 404."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from relais.handoffs.models import Case
from relais.moderation import cursors, keyset
from relais.moderation.models import Appeal, Decision, Notice, PileOn, TransparencyAccount
from relais.reports.models import Report
from relais.tenants.models import Platform

NOT_FOUND = "No such notice"


def _uuid(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404(NOT_FOUND) from None


def notices_of(platform: Platform) -> QuerySet[Notice]:
    return Notice.objects.filter(platform=platform)


def get_notice(platform: Platform, notice_id: str | uuid.UUID) -> Notice:
    notice = (
        notices_of(platform)
        .select_related("platform", "helpline", "report", "case")
        .filter(id=_uuid(notice_id))
        .first()
    )
    if notice is None:
        raise Http404(NOT_FOUND)
    return notice


def get_pileon(platform: Platform, pileon_id: str | uuid.UUID) -> PileOn:
    """A pile-on of the platform's (ADR 0034); another platform's is a 404 like an unknown one."""
    try:
        wanted = _uuid(pileon_id)
    except Http404:
        raise Http404("No such pile-on") from None
    pileon = PileOn.objects.filter(platform=platform, id=wanted).select_related("platform").first()
    if pileon is None:
        raise Http404("No such pile-on")
    return pileon


def notices_named(platform: Platform, notice_ids: list[uuid.UUID]) -> tuple[list[Notice], list[uuid.UUID]]:
    """The platform's notices among `notice_ids`, in the order asked, and the ids that are not its own (another
    platform's or none): a bulk request names the missing ones rather than deciding the rest."""
    found = {
        n.id: n for n in notices_of(platform).select_related("platform", "helpline", "report").filter(id__in=notice_ids)
    }
    return [found[i] for i in notice_ids if i in found], [i for i in notice_ids if i not in found]


def get_decision(platform: Platform, decision_id: str | uuid.UUID) -> Decision:
    decision = (
        Decision.objects.filter(platform=platform, id=_uuid(decision_id)).select_related("notice", "platform").first()
    )
    if decision is None:
        raise Http404("No such decision")
    return decision


def get_appeal(platform: Platform, appeal_id: str | uuid.UUID) -> Appeal:
    found = (
        Appeal.objects.filter(decision__platform=platform, id=_uuid(appeal_id))
        .select_related("decision__notice", "decision__platform")
        .first()
    )
    if found is None:
        raise Http404("No such appeal")
    return found


def decisions_of(platform: Platform) -> QuerySet[Decision]:
    """The platform's decisions (the statements page, the decided list)."""
    return Decision.objects.filter(platform=platform)


def appeals_of(platform: Platform) -> QuerySet[Appeal]:
    """Appeals against the platform's decisions (the appeals page)."""
    return Appeal.objects.filter(decision__platform=platform)


APPEAL_ORDER = ("received_at", "id")
"""Oldest first (the order they should be decided in), served by the indexes `appeal_order`/`appeal_open_order`."""


def appeals_in_order(
    platform: Platform,
    *,
    status: str | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    using: str = "default",
) -> QuerySet[Appeal]:
    """The platform's appeals, oldest first, those after the keyset position `after` (received_at, id) only:
    the API's list and the console's open appeals, a page at a time (slice it). `using`: the API's list reads
    `replica.reading()`; the console, where a moderator returns right after deciding one, the primary."""
    appeals = appeals_of(platform).using(using)
    if status is not None:
        appeals = appeals.filter(status=status)
    if after is not None:
        appeals = appeals.filter(keyset.after(APPEAL_ORDER, after))
    return appeals.select_related("decision").prefetch_related("resulting_decisions").order_by(*APPEAL_ORDER)


def appeal_cursor(appeal: Appeal) -> str:
    return cursors.encode([appeal.received_at, appeal.id])


def appeal_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    """ValueError for anything `appeal_cursor` did not write."""
    received_at, appeal_id = cursors.decode(cursor, (datetime, uuid.UUID))  # each of its type
    return cast(datetime, received_at), cast(uuid.UUID, appeal_id)


def decisions_on(notice: Notice) -> list[Decision]:
    """A notice's decisions, the one in force first, then the replaced ones from the newest."""
    decisions = list(notice.decisions.order_by("-decided_at", "-puid"))
    return sorted(decisions, key=lambda d: d.reversed_by_id is not None)


def appeals_on(notice: Notice) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(decision__notice=notice)
        .select_related("decision")
        .prefetch_related("resulting_decisions")
        .order_by("received_at", "id")
    )


def _for_notifiers(notices: QuerySet[Notice]) -> list[Notice]:
    return list(
        notices.prefetch_related(
            Prefetch("decisions", queryset=Decision.objects.order_by("-decided_at", "-puid")),
            Prefetch("decisions__appeals", queryset=Appeal.objects.order_by("-received_at", "-id")),
        ).order_by("received_at", "source", "id")  # at the same instant, the reporter's own notice first
    )


def notices_on_report(report: Report) -> list[Notice]:
    """Every notice about a platform's report, with decisions and appeals loaded (for `GET /reports/{id}`)."""
    return _for_notifiers(Notice.objects.filter(report=report))


def notices_on_case(case: Case) -> list[Notice]:
    """What a helpline sees through a case: the reporter's own notice and the helpline's own escalations,
    never another helpline's (the report may have been shared with several)."""
    if case.report_id is None:
        return []
    return _for_notifiers(
        Notice.objects.filter(report_id=case.report_id).filter(Q(helpline__isnull=True) | Q(helpline=case.helpline_id))
    )


def transparency_account_of(platform: Platform) -> TransparencyAccount | None:
    """The platform's active account at the Transparency Database, if it set one."""
    return TransparencyAccount.objects.filter(platform=platform, active=True).first()
