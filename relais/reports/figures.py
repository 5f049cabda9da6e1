"""The reach funnel as counted (`ReachCount`): help shown → tapped → shared → escalated → decided, by ISO
week, country and helpline, for one platform or one helpline. Small cells are left to the caller to hide
(`relais.figures.shown` for the API, `cell_text` for a page): the rows here are the counts as stored."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relais import charts, figures
from relais.reports import reach
from relais.reports.models import ReachCount


@dataclass(frozen=True)
class FunnelRow:
    week: date
    country: str
    helpline: str
    counts: dict[str, int]
    """Every step of reach.STEPS, 0 where nothing was counted."""

    @property
    def iso_week(self) -> str:
        return reach.iso_week(self.week)


def weeks_of(period: figures.Period) -> tuple[date, date]:
    """The Mondays of the ISO weeks the period touches: a week is counted whole or not at all."""
    return period.first - timedelta(days=period.first.weekday()), period.last - timedelta(days=period.last.weekday())


def funnel(counts: QuerySet[ReachCount], period: figures.Period) -> list[FunnelRow]:
    first, last = weeks_of(period)
    rows = (
        counts.filter(week__gte=first, week__lte=last)
        .values("week", "country", "helpline", "step")
        .annotate(n=Sum("count"))
        .order_by()
    )
    cells: dict[tuple[date, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(reach.STEPS, 0))
    for row in rows:
        cells[(row["week"], row["country"], row["helpline"])][row["step"]] += row["n"]
    return [FunnelRow(week, country, helpline, steps) for (week, country, helpline), steps in sorted(cells.items())]


def platform_funnel(platform_id: int, period: figures.Period) -> list[FunnelRow]:
    return funnel(ReachCount.objects.filter(platform_id=platform_id), period)


def helpline_funnel(directory_id: str, period: figures.Period) -> list[FunnelRow]:
    """Over every platform: a helpline sees how many reporters reached it, not from where by name."""
    return funnel(ReachCount.objects.filter(helpline=directory_id), period)


STEP_LABELS: dict[str, Promise] = {
    reach.SHOWN: _("Help shown"),
    reach.TAPPED: _("Channel tapped"),
    reach.SHARED: _("Shared with the helpline"),
    reach.ESCALATED: _("Escalated to the platform"),
    reach.DECIDED: _("Decided by the platform"),
}


@dataclass(frozen=True)
class FunnelDisplay:
    """The funnel on a page: its totals as bars, and every (week, country, helpline) row as a table, small
    cells written "< 10" in both (the totals too: a total under 10 is as telling as a cell)."""

    totals: charts.Figure
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def funnel_display(rows: list[FunnelRow], *, chart_id: str, by_helpline: bool) -> FunnelDisplay:
    totals = {step: sum(r.counts[step] for r in rows) for step in reach.STEPS}
    figure = charts.bar_figure(
        chart_id=chart_id,
        title=str(_("From help shown to a decision")),
        desc=str(_("Reporters at each step of the way to help in the period, all weeks together.")),
        rows=[(str(STEP_LABELS[s]), figures.shown(totals[s])) for s in reach.STEPS],
        headers=(str(_("Step")), str(_("Reporters"))),
    )
    first = (str(_("Week")), str(_("Country")), *((str(_("Helpline")),) if by_helpline else ()))
    table = tuple(
        (
            row.iso_week,
            row.country or "—",
            *((row.helpline,) if by_helpline else ()),
            *(figures.cell_text(figures.shown(row.counts[s])) for s in reach.STEPS),
        )
        for row in rows
    )
    return FunnelDisplay(figure, (*first, *(str(STEP_LABELS[s]) for s in reach.STEPS)), table)
