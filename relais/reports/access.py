"""Reports as a platform may see them: its own, and a foreign or malformed id is simply not found."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from relais.reports.models import Report
from relais.tenants.models import Platform


def reports_visible_to(platform: Platform) -> QuerySet[Report]:
    return Report.objects.filter(platform=platform)


def get_report_for_platform(platform: Platform, report_id: str) -> Report:
    try:
        key = uuid.UUID(report_id)
    except ValueError:
        raise Http404("No such report") from None
    report = reports_visible_to(platform).prefetch_related("content").filter(id=key).first()
    if report is None:
        raise Http404("No such report")
    return report
