"""The demo's reads: its one platform, the live shares of the reports on its feed, and which card lines take
shared reports. Kept here so the demo's views, like every app's, hold no query of their own."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from relais.handoffs.models import Case
from relais.reports.models import Report
from relais.tenants.models import Helpline, Platform, Presentation


def demo_platform() -> Platform:
    platform, _ = Platform.objects.get_or_create(
        slug=settings.RELAIS_DEMO_PLATFORM,
        # Established in Ireland, as the large platforms are: the 3018's trusted-flagger status counts there.
        defaults={"name": "Demo Social", "presentation": Presentation.CALL_BUTTON, "country": "IE"},
    )
    return platform


def live_cases_of(reports: Iterable[Report]) -> dict[object, Case]:
    """The live (not withdrawn) case of each report that has one, by report id."""
    cases = Case.objects.filter(report__in=list(reports), withdrawn_at__isnull=True).select_related("helpline")
    return {case.report_id: case for case in cases}


def registered_among(directory_ids: Iterable[object]) -> set[str]:
    """Which of these directory ids belong to a helpline that takes shared reports through Relais."""
    ids = [i for i in directory_ids if isinstance(i, str)]
    return set(Helpline.objects.filter(directory_id__in=ids).values_list("directory_id", flat=True))
