"""The lead's transparency report page and its CSV (ADR 0039), beside the lead's dashboard (ADR 0038).

The same rows as `relais transparency report` (relais/moderation/transparency_report.py), in the person's
language: each section of the template as a table, a chart where one helps (each with its table of the same
numbers), and why a row has no number. Leads only, as the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from relais import charts, clock, figures
from relais.moderation import forms, transparency_counts
from relais.moderation import transparency_report as report
from relais.moderation.models import Source
from relais.moderation.views import Desk, _context, desk_view, platform_zone
from relais.tenants.models import ModeratorRole

SECTION_TITLES: dict[str, Promise] = {
    "1.1": _lazy("Report identification"),
    "1.2.1": _lazy("Member State orders to act against illegal content"),
    "1.2.2": _lazy("Member State orders to provide information"),
    "1.3": _lazy("Article 15(1)(b). Notices submitted in accordance with article 16 of Regulation (EU) 2022/2065"),
    "1.4": _lazy("Article 15(1)(c). Meaningful and comprehensible information on own-initiative content moderation"),
    "1.5.1": _lazy(
        "Internal complaints mechanism, out-of-court dispute settlement bodies and suspensions imposed on "
        "repeated offenders"
    ),
    "1.6": _lazy(
        "Article 15(1)(b)(c)(e) and Article 42(2)(c). Use of automated means for content moderation and "
        "indicators of accuracy"
    ),
    "1.7": _lazy("Articles 42(2)(a) and 42(2)(b). Human resources dedicated to content moderation"),
    "1.8": _lazy("Article 42(3)."),
}
FIELD_LABELS: dict[str, Promise] = {
    "provider": _lazy("Name of the provider of the online platform"),
    "period_start": _lazy("First day of the reporting period"),
    "period_end": _lazy("Last day of the reporting period"),
    "orders_to_act": _lazy("Orders to act against illegal content (Art. 9)"),
    "orders_to_inform": _lazy("Orders to provide information (Art. 10)"),
    "notices": _lazy("Number of notices submitted in accordance with Article 16, by type of alleged illegal content"),
    "notices_by_source": _lazy("Number of notices, of which submitted by trusted flaggers"),
    "notices_not_processed": _lazy("Notices not processed: notifier suspended (Art. 23(2))"),
    "actions_by_ground": _lazy(
        "Action taken pursuant to the notices, on the basis of the law or the terms and conditions"
    ),
    "actions_by_category": _lazy("Action taken pursuant to the notices, by type of content"),
    "no_action": _lazy("Notices decided without action"),
    "automated": _lazy("Number of notices processed by using automated means"),
    "median_time": _lazy("Median time needed for taking the action (hours)"),
    "own_initiative": _lazy("Content moderation engaged in at the provider's own initiative"),
    "complaints": _lazy("Number of complaints received through the internal complaint-handling system (Art. 20)"),
    "complaint_decisions": _lazy("Decisions taken in respect of those complaints"),
    "complaints_open": _lazy("Complaints not yet decided at the end of the period"),
    "complaint_median_time": _lazy("Median time needed for taking those decisions (hours)"),
    "out_of_court": _lazy("Disputes submitted to out-of-court dispute settlement bodies (Art. 21)"),
    "suspensions_illegal": _lazy("Suspensions for the provision of manifestly illegal content (Art. 23(1))"),
    "suspensions_notices": _lazy("Suspensions for the submission of manifestly unfounded notices (Art. 23(2))"),
    "suspensions_complaints": _lazy("Suspensions for the submission of manifestly unfounded complaints (Art. 23(2))"),
    "accuracy": _lazy("Accuracy, precision and recall of the automated means"),
    "human_resources": _lazy("Human resources dedicated to content moderation"),
    "article_42_3": _lazy("Article 42(3)"),
}
WHY_NO_NUMBER: dict[str, Promise] = {
    "orders_to_act": _lazy(
        "Orders from Member State authorities reach the platform directly: Relais does not see them."
    ),
    "orders_to_inform": _lazy(
        "Orders from Member State authorities reach the platform directly: Relais does not see them."
    ),
    "own_initiative": _lazy(
        "Relais handles notices; moderation on the platform's own initiative happens in its other tools."
    ),
    "out_of_court": _lazy("Relais does not record out-of-court disputes."),
    "suspensions_illegal": _lazy("Accounts are suspended in the platform's own tools, not in Relais."),
    "suspensions_notices": _lazy(
        "Relais keeps the suspension in force for each notifier, not a history: the suspensions imposed in a "
        "period cannot be counted yet."
    ),
    "suspensions_complaints": _lazy("Relais never suspends the handling of anyone's complaints."),
    "accuracy": _lazy("Relais runs no automated moderation: its decisions are taken by people."),
    "human_resources": _lazy(
        "Asked of very large online platforms only (Art. 42); Relais does not know the platform's staff."
    ),
    "article_42_3": _lazy("Asked of very large online platforms only (Art. 42)."),
}
SMALL_TIME = _lazy("Fewer than 10: not shown, one case could be recognised.")
RECOVERABLE = _lazy(
    "Check before publishing: the one count shown as “< 10” below can be worked out from this total and the others."
)
BREAKDOWNS: dict[str, Promise] = {
    "SOURCE_ARTICLE_16": forms.SOURCE_LABELS[Source.ARTICLE_16],
    "SOURCE_TRUSTED_FLAGGER": forms.SOURCE_LABELS[Source.TRUSTED_FLAGGER],
    "SOURCE_TYPE_OTHER_NOTIFICATION": forms.SOURCE_LABELS[Source.OTHER_NOTIFICATION],
    "DECISION_GROUND_ILLEGAL_CONTENT": _lazy("On the basis of the law"),
    "DECISION_GROUND_INCOMPATIBLE_CONTENT": _lazy("On the basis of the terms and conditions"),
    "AUTOMATED_DECISION_FULLY": _lazy("Fully automated"),
    "AUTOMATED_DECISION_PARTIALLY": _lazy("Partly automated"),
    "reporter": _lazy("By the reporter"),
    "affected_user": _lazy("By the user whose content it is"),
    "upheld": _lazy("Decision upheld"),
    "reversed": _lazy("Decision reversed"),
    **forms.STATEMENT_CATEGORY_LABELS,
}


def _breakdown(key: str, *, total: bool) -> str:
    """The breakdown's words; a row without one is "All" when its figure is also broken down, else blank."""
    if key:
        return str(BREAKDOWNS.get(key, key))
    return _("All") if total else ""


def _why(row: report.Row) -> str:
    if row.note == report.SMALL:
        return str(SMALL_TIME)
    if row.note == report.RECOVERABLE:
        return str(RECOVERABLE)
    return str(WHY_NO_NUMBER.get(row.field, "")) if row.note else ""


def _chart(chart_id: str, title: str, desc: str, rows: list[report.Row], header: str) -> charts.Figure:
    """Bars for the rows broken down (not their total), small cells as "< 10" in chart and table alike."""
    values = [
        (_breakdown(r.breakdown, total=False), None if r.value == "< 10" else int(r.value)) for r in rows if r.breakdown
    ]
    return charts.bar_figure(chart_id=chart_id, title=title, desc=desc, rows=values, headers=(header, _("Number")))


def _figures(rows: list[report.Row]) -> list[charts.Figure]:
    def of(field: str, nonzero: bool = False) -> list[report.Row]:
        return [r for r in rows if r.field == field and not (nonzero and r.value == "0")]

    return [
        _chart(
            "chart-categories",
            _("Notices by type of alleged illegal content"),
            _("One bar per type with at least one notice, its number at its end."),
            of("notices", nonzero=True),
            _("Type of content"),
        ),
        _chart(
            "chart-sources",
            _("Notices by source"),
            _("One bar per source, its number at its end."),
            of("notices_by_source"),
            _("Source"),
        ),
        _chart(
            "chart-complaints",
            _("Complaints decided, by outcome"),
            _("One bar per outcome, its number at its end."),
            of("complaint_decisions"),
            _("Outcome"),
        ),
    ]


def _groups(rows: Iterable[report.Row]) -> list[dict[str, Any]]:
    """A section's rows by figure, in order: the figure named once (a row group), then each breakdown."""
    rows = list(rows)
    broken_down = {r.field for r in rows if r.breakdown}
    groups: list[dict[str, Any]] = []
    for r in rows:
        if not groups or groups[-1]["field"] != r.field:
            groups.append({"field": r.field, "label": FIELD_LABELS[r.field], "rows": []})
        groups[-1]["rows"].append(
            {
                "row": r,
                "breakdown": _breakdown(r.breakdown, total=r.field in broken_down),
                "value": r.value or "—",
                "why": _why(r),
            }
        )
    return groups


def _period(request: HttpRequest, desk: Desk) -> figures.Period:
    zone = platform_zone(desk.platform)
    return figures.period(request.GET.get("from"), request.GET.get("to"), now=clock.now(), zone=zone)


def lead_view(
    view: Callable[[HttpRequest, Desk], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """GET only, a platform's lead moderator only (as the dashboard): a moderator gets "no access"."""

    @wraps(view)
    def wrapper(request: HttpRequest, desk: Desk) -> HttpResponse:
        if desk.moderator.role != ModeratorRole.LEAD:
            return render(request, "moderation/lead_only.html", _context(desk, nav="transparency"), status=403)
        return view(request, desk)

    return require_GET(desk_view(wrapper))


@lead_view
def transparency_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The report for the chosen period (by default the last 30 days), section by section."""
    try:
        period, period_error = _period(request, desk), None
    except figures.PeriodError as exc:
        period = figures.period(None, None, now=clock.now(), zone=platform_zone(desk.platform))
        period_error = exc
    found = transparency_counts.counts(desk.platform, period)
    rows = report.rows(found)
    sections = [
        {"code": s.code, "title": SECTION_TITLES[s.code], "groups": _groups(r for r in rows if r.section == s.code)}
        for s in report.SECTIONS
    ]
    statements = found.statements
    return render(
        request,
        "moderation/transparency.html",
        _context(
            desk,
            nav="transparency",
            period=period,
            period_error=period_error,
            sections=sections,
            charts=_figures(rows),
            presets=report.reporting_periods(clock.now().astimezone(period.zone).date()),
            statements=[
                (_("Statements of reasons for the period's restrictions"), figures.cell_text(statements.total)),
                (_("Accepted by the Transparency Database"), figures.cell_text(statements.submitted)),
                (_("Waiting to be sent"), figures.cell_text(statements.waiting)),
                (_("Refused or given up"), figures.cell_text(statements.failed)),
            ],
        ),
    )


@lead_view
def transparency_csv(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The same report as a CSV file, the sections' codes and titles in English as the act prints them."""
    try:
        period = _period(request, desk)
    except figures.PeriodError as exc:
        return HttpResponse(f"{exc.field}: {exc.message}\n", status=400, content_type="text/plain; charset=utf-8")
    text = report.to_csv(report.rows(transparency_counts.counts(desk.platform, period)))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = f"transparency-{desk.platform.slug}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
