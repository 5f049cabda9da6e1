"""Notices as a platform's moderators may see them: their platform's only; anything else is a 404."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from relais.moderation.models import Appeal, Decision, Notice
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
