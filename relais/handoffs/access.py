"""Cases as a helpline may see them: only its own, only while the reporter's consent stands.

Every getter here filters by helpline and by active consent, so a case of another helpline, a withdrawn
case and a case that does not exist are the same 404 — nothing tells them apart.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.functions import Length
from django.http import Http404

from relais.handoffs import case_codes
from relais.handoffs.models import Case
from relais.tenants.models import Helpline

NOT_FOUND = "No such case"


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
