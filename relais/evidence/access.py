"""Evidence as each tenant may see it.

A platform sees the evidence of its own reports (reports/access.py: a foreign id is a 404). A helpline sees
a case's evidence only while the case is visible to it (handoffs/access.py) *and* the reporter's consent
includes `content`: without it, the evidence pages are the same 404 as a missing case.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from relais.evidence.models import CustodyEvent, EvidenceItem
from relais.handoffs import access as handoff_access
from relais.handoffs.models import Case
from relais.reports.access import get_report_for_platform
from relais.reports.models import Report
from relais.tenants.models import Helpline, Platform

CONTENT_SCOPE = "content"


def report_for_platform(platform: Platform, report_id: str) -> Report:
    return get_report_for_platform(platform, report_id)


def may_see_evidence(case: Case) -> bool:
    return CONTENT_SCOPE in (case.consent.scope or [])


def case_with_evidence(helpline: Helpline, case_id: str | uuid.UUID) -> Case:
    case = handoff_access.get_case(helpline, case_id)
    if not may_see_evidence(case):
        raise Http404(handoff_access.NOT_FOUND)
    return case


def items_of(report: Report) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(report=report).order_by("position")


def pictures_of(report: Report) -> QuerySet[EvidenceItem]:
    """The report's pictures, which the consoles show (blurred by default, ADR 0028); never a video or text."""
    return items_of(report).filter(kind="image")


def picture_of(report: Report, position: int) -> EvidenceItem:
    """One picture by its position: a text, a video or a missing position is the same 404."""
    item = pictures_of(report).filter(position=position).first()
    if item is None:
        raise Http404(handoff_access.NOT_FOUND)
    return item


def custody_of(report: Report) -> QuerySet[CustodyEvent]:
    """The report's chain of custody, in the order it happened (the model's own ordering)."""
    return CustodyEvent.objects.filter(report=report)
