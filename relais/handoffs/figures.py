"""What a helpline supervisor sees of the helpline's work: cases shared in the period by status and by
category, how long until someone first looked at a case, and escalations to platforms with their outcome.

A helpline holds thousands of cases, not millions: first looks are computed in Python from one query (the
first `viewed` or `looked_up` event of each case, through the `access_by_case` index). Small cells are
hidden by the page (relais/figures.py): a category with 3 cases this month could name a child.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Min, OuterRef, Q, Subquery

from relais import figures
from relais.handoffs.models import AccessEvent, Case
from relais.moderation.models import Decision, Notice, NoticeStatus, Source
from relais.tenants.models import Helpline

FIRST_LOOKS = (AccessEvent.Action.VIEWED, AccessEvent.Action.LOOKED_UP)
WAITING, NOT_PROCESSED = "waiting", "not_processed"
ESCALATION_OUTCOMES = (WAITING, "restricted", "no_action", NOT_PROCESSED)


@dataclass(frozen=True)
class SupervisorFigures:
    period: figures.Period
    by_status: dict[str, int]
    by_category: dict[str, int]
    first_look: figures.Durations
    not_looked_at: int
    escalations: dict[str, int]
    """By outcome: waiting for the platform, restricted, no action, not processed (notifier suspended)."""

    @property
    def shared(self) -> int:
        return sum(self.by_status.values())

    @property
    def escalated(self) -> int:
        return sum(self.escalations.values())


def supervisor_figures(helpline: Helpline, period: figures.Period) -> SupervisorFigures:
    cases = Case.objects.filter(helpline=helpline, created_at__gte=period.start, created_at__lt=period.end)
    by_status = dict(cases.values("status").annotate(n=Count("*")).order_by().values_list("status", "n"))
    by_category = dict(cases.values("category").annotate(n=Count("*")).order_by().values_list("category", "n"))
    looks = cases.annotate(first_look=Min("access_log__at", filter=Q(access_log__action__in=FIRST_LOOKS))).values_list(
        "created_at", "first_look"
    )
    hours = [(look - created).total_seconds() / 3600 for created, look in looks if look is not None]
    total = sum(by_status.values())
    current = Decision.objects.filter(notice=OuterRef("pk"), reversed_by__isnull=True).order_by("-decided_at")
    notices = (
        Notice.objects.filter(helpline=helpline, received_at__gte=period.start, received_at__lt=period.end)
        .exclude(source=Source.ARTICLE_16)
        .annotate(outcome=Subquery(current.values("outcome")[:1]))
        .values_list("status", "outcome")
    )
    escalations: Counter[str] = Counter()
    for status, outcome in notices:
        if status == NoticeStatus.SUSPENDED:
            escalations[NOT_PROCESSED] += 1
        elif status == NoticeStatus.DECIDED and outcome:
            escalations[outcome] += 1
        else:
            escalations[WAITING] += 1
    return SupervisorFigures(
        period=period,
        by_status=by_status,
        by_category=by_category,
        first_look=figures.durations((), hours),
        not_looked_at=total - len(hours),
        escalations={k: escalations[k] for k in ESCALATION_OUTCOMES},
    )
