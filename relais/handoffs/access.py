"""Cases as a helpline may see them: only its own, only while the reporter's consent stands.

Every getter here filters by helpline and by active consent, so a case of another helpline, a withdrawn
case and a case that does not exist are the same 404 — nothing tells them apart.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Length
from django.http import Http404

from relais.handoffs import case_codes
from relais.handoffs.models import AccessEvent, Case, PileOnAlertHandled
from relais.moderation.models import PileOn
from relais.tenants.models import Helpline, Platform

NOT_FOUND = "No such case"
NO_ALERT = "No such alert"


def cases_visible_to(helpline: Helpline) -> QuerySet[Case]:
    return Case.objects.filter(helpline=helpline, withdrawn_at__isnull=True, report__isnull=False)


def get_case(helpline: Helpline, case_id: str | uuid.UUID) -> Case:
    try:
        key = case_id if isinstance(case_id, uuid.UUID) else uuid.UUID(str(case_id))
    except ValueError:
        raise Http404(NOT_FOUND) from None
    case = cases_visible_to(helpline).select_related("report", "consent", "assigned_to").filter(id=key).first()
    if case is None:
        raise Http404(NOT_FOUND)
    return case


def legacy_codes_live(helpline: Helpline, now: datetime) -> bool:
    """Whether one of the helpline's open cases can still be found by a legacy (lettered) code: until then the
    console's code field must not ask phones for a digits-only keypad (ADR 0016)."""
    live = cases_visible_to(helpline).filter(code_expires_at__gt=now)
    return live.alias(code_length=Length("code")).filter(code_length=case_codes.LEGACY_LENGTH).exists()


# --- partner helplines and their pile-on alerts (ADR 0034 and its addendum) ---


def partner_cases(*, platform: Platform | None = None, helpline: Helpline | None = None) -> QuerySet[Case]:
    """The cases that make a helpline one of a platform's partners: any case shared from one of the platform's
    reports, open, closed or withdrawn (Relais knows of no stated partnership, ADR 0034). The one rule behind
    both ways a helpline hears of a pile-on against a child — the `pileon.against_minor` webhook
    (`partner_helplines`) and the console's alert panel (`pileon_alerts_visible_to`) — so that no helpline
    is told by one and not by the other."""
    cases = Case.objects.filter(report__isnull=False)
    if platform is not None:
        cases = cases.filter(report__platform=platform)
    if helpline is not None:
        cases = cases.filter(helpline=helpline)
    return cases


def partner_helplines(platform: Platform) -> QuerySet[Helpline]:
    """The platform's partner helplines (`partner_cases`): those the pile-on webhook goes to."""
    return Helpline.objects.filter(pk__in=partner_cases(platform=platform).values("helpline_id"))


def pileon_alerts_visible_to(helpline: Helpline) -> QuerySet[PileOn]:
    """The pile-ons a helpline was alerted to, handled or not, live or ended: against a child (`minor`),
    alerted (`helplines_alerted_at`), on a platform the helpline is a partner of (`partner_cases`). Anything
    else — another platform's, an adult's — does not exist for this helpline."""
    return PileOn.objects.filter(
        minor=True,
        helplines_alerted_at__isnull=False,
        platform_id__in=partner_cases(helpline=helpline).values("report__platform_id"),
    )


def pileon_alerts_not_handled_by(helpline: Helpline) -> QuerySet[PileOn]:
    """The helpline's alerts that none of its staff has marked handled (one `NOT EXISTS` on its own rows)."""
    handled = PileOnAlertHandled.objects.filter(helpline=helpline, pileon=OuterRef("pk"))
    return pileon_alerts_visible_to(helpline).filter(~Exists(handled))


def get_pileon_alert(helpline: Helpline, pileon_id: str | uuid.UUID) -> PileOn:
    """One of the helpline's alerts, ended or handled included (so a second click finds it); another
    helpline's, another platform's or an unknown id is the same 404."""
    try:
        key = pileon_id if isinstance(pileon_id, uuid.UUID) else uuid.UUID(str(pileon_id))
    except ValueError:
        raise Http404(NO_ALERT) from None
    pileon = pileon_alerts_visible_to(helpline).select_related("platform").filter(pk=key).first()
    if pileon is None:
        raise Http404(NO_ALERT)
    return pileon


def helpline_log(helpline: Helpline, *, limit: int) -> QuerySet[AccessEvent]:
    """The helpline's own access-log rows (about no one case: pile-on alerts handled), newest first."""
    return AccessEvent.objects.filter(helpline=helpline, case__isnull=True).order_by("-at", "-id")[:limit]
