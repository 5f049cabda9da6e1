"""The helpline console: server-rendered pages over the same services as the helpline API.

Each view resolves the signed-in person's StaffMember, acts as `Actor.staff(member)`, finds cases only
through access.py (so another helpline's case, a withdrawn one and a missing one are the same 404) and
lets services.py log every look. Pages are addressed by the case's UUID, never by its code, so codes stay
out of URLs, browser history and server logs. Every change is a POST with CSRF, then a redirect.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais import charts, clock, figures
from relais.directory.runtime import current
from relais.handoffs import access, case_codes, forms, readable, services
from relais.handoffs import figures as helpline_figures
from relais.handoffs.models import AccessEvent, Case
from relais.moderation import services as moderation
from relais.moderation import wellness
from relais.reports import figures as reach_figures
from relais.tenants import access as tenants_access
from relais.tenants.models import Helpline, StaffMember
from relais.tenants.services import set_blur_images

P = ParamSpec("P")
QUEUE_PAGE_SIZE = 50
HELPLINE_LOG_SHOWN = 10
"""The helpline's own latest log rows under the queue (pile-on alerts handled: who, when, which platform)."""


@dataclass(frozen=True)
class Console:
    """Who is at the console: the Actor the services take, and the StaffMember behind it."""

    actor: services.Actor
    member: StaffMember


def _helpline_zone(helpline: Helpline) -> ZoneInfo:
    """Times are shown in the helpline's country's zone (its directory entry), else the server's."""
    country = current().directory.countries.get(helpline.directory_id[:2].upper())
    return country.zone if country is not None else ZoneInfo(settings.TIME_ZONE)


def console_view(
    view: Callable[Concatenate[HttpRequest, Console, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed in, a helpline's staff, never cached: then the view runs in the helpline's time zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        member = getattr(request.user, "staff", None)  # None for an account that is not a helpline's staff
        if not isinstance(member, StaffMember):
            return render(request, "handoffs/no_access.html", status=403)
        console = Console(actor=services.Actor.staff(member), member=member)
        with timezone.override(_helpline_zone(member.helpline)):
            return view(request, console, *args, **kwargs)

    return login_required(never_cache(wrapper))


def _context(console: Console, **extra: Any) -> dict[str, Any]:
    role = forms.ROLE_LABELS.get(console.member.role, console.member.role)
    return {"console": console, "helpline": console.actor.helpline, "role_label": role, **extra}


@require_GET
@console_view
def queue(request: HttpRequest, console: Console) -> HttpResponse:
    """Open cases first, urgent first, newest first (services.queue); filtered by status and category."""
    filters = forms.QueueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    status, category = chosen.get("status") or None, chosen.get("category") or None
    after = None
    if (cursor := request.GET.get("after")) is not None:
        try:
            after = services.position_of_cursor(cursor)
        except ValueError:
            return redirect("console:queue")  # an old or mangled link: back to the first page
    cases = list(
        services.queue(console.actor.helpline, status=status, category=category, after=after)[:QUEUE_PAGE_SIZE]
    )
    rows = [_summary(case) for case in cases]
    kept = {name: value for name, value in (("status", status), ("category", category)) if value}
    following = services.case_cursor(cases[-1]) if len(cases) == QUEUE_PAGE_SIZE else None
    return render(
        request,
        "handoffs/queue.html",
        _context(
            console,
            nav="queue",
            filters=filters,
            rows=rows,
            next_page=f"?{urlencode({**kept, 'after': following})}" if following else None,
            first_page=f"?{urlencode(kept)}" if after is not None else None,
            filtered=bool(chosen.get("status") or chosen.get("category")),
            lookup_form=forms.LookupForm(digits_only=not access.legacy_codes_live(console.actor.helpline, clock.now())),
            pileon_alerts=_pileon_alerts(console.actor.helpline),
            helpline_log=_log_rows(access.helpline_log(console.actor.helpline, limit=HELPLINE_LOG_SHOWN)),
        ),
    )


def _log_rows(events: Iterable[AccessEvent]) -> list[dict[str, Any]]:
    """Access-log rows in words, in the order given (templates/handoffs/_access_log.html)."""
    return [{"event": e, "words": readable.access_event_words(e.action, e.detail)} for e in events]


def _pileon_alerts(helpline: Helpline) -> list[dict[str, Any]]:
    """The panel at the top of the queue (ADR 0034, addendum): each alert with its category in words."""
    return [
        {"alert": alert, "category": forms.CATEGORY_LABELS.get(alert.category, alert.category)}
        for alert in moderation.pileon_alerts_for(helpline, clock.now())
    ]


@require_POST
@console_view
def pileon_alert_handled(request: HttpRequest, console: Console, pileon_id: uuid.UUID) -> HttpResponse:
    """A counsellor marks a pile-on alert as seen and handled: it leaves the helpline's panel (any staff
    member may; it is the helpline's shared inbox). Another helpline's or an unknown id is a 404."""
    services.mark_pileon_alert_handled(actor=console.actor, pileon_id=pileon_id, now=clock.now())
    messages.success(request, _("Alert marked as handled. It is in the helpline's access log."))
    return redirect("console:queue")


@require_http_methods(["GET", "POST"])
@console_view
def lookup(request: HttpRequest, console: Console) -> HttpResponse:
    """A code typed by the counsellor (POST, so it stays out of the address bar and the server's logs)."""
    digits_only = not access.legacy_codes_live(console.actor.helpline, clock.now())
    if request.method != "POST":
        form = forms.LookupForm(digits_only=digits_only)
        return render(request, "handoffs/lookup.html", _context(console, nav="lookup", form=form))
    form = forms.LookupForm(request.POST, digits_only=digits_only)
    if not form.is_valid():
        return render(request, "handoffs/lookup.html", _context(console, nav="lookup", form=form), status=422)
    try:
        case = services.find_by_code(actor=console.actor, typed=form.cleaned_data["code"], now=clock.now())
    except services.TooManyLookups as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        form.add_error(
            "code",
            _("Too many wrong codes. For the young people's safety, look-ups are paused: try again in %(minutes)s min.")
            % {"minutes": minutes},
        )
        response = render(request, "handoffs/lookup.html", _context(console, nav="lookup", form=form), status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except services.MisreadCode as exc:
        form.add_error("code", _misread_message(exc.misread))
        return render(request, "handoffs/lookup.html", _context(console, nav="lookup", form=form), status=422)
    except Http404:
        form.add_error(
            "code",
            _(
                "No open case has this code. Check it with the young person: a code works for %(days)s days, "
                "and only at the helpline it was shared with."
            )
            % {"days": settings.RELAIS_CASE_CODE_DAYS},
        )
        return render(request, "handoffs/lookup.html", _context(console, nav="lookup", form=form), status=404)
    return redirect("console:case", case_id=case.pk)


def _misread_message(misread: case_codes.Misread) -> str:
    """What to ask the young person again; a misread code is not counted as a wrong one (ADR 0016)."""
    if misread.reason == "check_digit":
        return _(
            "One digit is wrong, or two are swapped: ask the young person to read the code again. "
            "This does not count as a wrong code."
        )
    if misread.reason == "length":
        return _("A code has %(length)s digits; this one has %(digits)s. Ask the young person to read it again.") % {
            "length": case_codes.LENGTH,
            "digits": misread.digits,
        }
    return _(
        "A code has only digits, %(length)s of them (codes shared before have 8 letters and digits, such as "
        "K7QM-4X2P). Ask the young person to read it again."
    ) % {"length": case_codes.LENGTH}


@require_GET
@console_view
def case_page(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(console.actor.helpline, case_id)
    return _render_case(request, console, case)


@require_POST
@console_view
def add_note(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(console.actor.helpline, case_id)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(actor=console.actor, case=case, text=form.cleaned_data["text"], now=clock.now())
        except services.HandoffError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(request, _("Note added."))
            return _back_to(case, "notes")
    return _render_case(request, console, case, status=422, note_form=form)


@require_POST
@console_view
def change_status(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(console.actor.helpline, case_id)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_status(actor=console.actor, case=case, status=form.cleaned_data["status"], now=clock.now())
        except services.HandoffError as exc:
            form.add_error("status", exc.message)
        else:
            label = forms.STATUS_LABELS.get(case.status, case.status)
            messages.success(request, _("Status: %(status)s.") % {"status": label})
            return _back_to(case, "work")
    return _render_case(request, console, case, status=422, status_form=form)


@require_POST
@console_view
def follow_up(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(console.actor.helpline, case_id)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.set_follow_up(
                actor=console.actor, case=case, on=form.cleaned_data["follow_up_on"], now=clock.now()
            )
        except services.HandoffError as exc:
            form.add_error("follow_up_on", exc.message)
        else:
            messages.success(request, _("Follow-up date saved.") if case.follow_up_on else _("Follow-up removed."))
            return _back_to(case, "work")
    return _render_case(request, console, case, status=422, follow_up_form=form)


@require_POST
@console_view
def assign(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    case = access.get_case(console.actor.helpline, case_id)
    if not console.actor.is_supervisor:
        # The service refuses too; the page never offers the form to a counsellor.
        raise PermissionDenied(_("Only a supervisor can reassign a case."))
    form = forms.AssignForm(request.POST, helpline=console.actor.helpline)
    if form.is_valid():
        try:
            services.assign(actor=console.actor, case=case, to=form.cleaned_data["assigned_to"], now=clock.now())
        except services.HandoffError as exc:
            form.add_error("assigned_to", exc.message)
        else:
            messages.success(request, _("Assignment saved."))
            return _back_to(case, "work")
    return _render_case(request, console, case, status=422, assign_form=form)


@require_POST
@console_view
def escalate(request: HttpRequest, console: Console, case_id: uuid.UUID) -> HttpResponse:
    """Send the case to the platform as a notice (a trusted flagger's where the helpline holds the status)."""
    case = access.get_case(console.actor.helpline, case_id)
    form = forms.EscalationForm(request.POST, items=_items(case))
    if form.is_valid():
        data = form.cleaned_data
        escalation = moderation.Escalation(
            category=data["category"],
            ground_kind=data["ground_kind"],
            ground=data["ground"],
            explanation=data["explanation"],
            content_positions=tuple(data["content_positions"]),
            urgent=data["urgent"],
        )
        try:
            notice = moderation.escalate(actor=console.actor, case=case, escalation=escalation, now=clock.now())
        except moderation.ModerationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if notice.trusted_flagger:
                messages.success(request, _("Sent to the platform as a trusted flagger's notice: it goes first."))
            else:
                messages.success(request, _("Sent to the platform as a notice."))
            return _back_to(case, "platform")
    return _render_case(request, console, case, status=422, escalation_form=form)


@require_http_methods(["GET", "POST"])
@console_view
def wellness_settings(request: HttpRequest, console: Console) -> HttpResponse:
    """The counsellor's own setting: evidence pictures blurred until revealed (the default), or shown as sent."""
    if request.method == "POST":
        form = forms.WellnessForm(request.POST)
        if form.is_valid():
            set_blur_images(console.member, blur=form.cleaned_data["pictures"] == "blurred")
            messages.success(request, _("Your setting is saved."))
            return redirect("console:settings")
        context = _context(console, nav="settings", form=form, errors=forms.error_summary(form))
        return render(request, "handoffs/settings.html", context, status=422)
    initial = {"pictures": "blurred" if console.member.blur_images else "shown"}
    context = _context(console, nav="settings", form=forms.WellnessForm(initial=initial), errors=[])
    return render(request, "handoffs/settings.html", context)


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): what happened, for how long, and what to do."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)),
    }
    return render(request, "registration/locked.html", context, status=429)


def _back_to(case: Case, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('console:case', kwargs={'case_id': case.pk})}#{anchor}")


def _render_case(
    request: HttpRequest,
    console: Console,
    case: Case,
    *,
    status: int = 200,
    note_form: forms.NoteForm | None = None,
    status_form: forms.StatusForm | None = None,
    follow_up_form: forms.FollowUpForm | None = None,
    assign_form: forms.AssignForm | None = None,
    escalation_form: forms.EscalationForm | None = None,
) -> HttpResponse:
    """The case page. Showing it is a look at the case, so it is logged (services.view_case) every time."""
    view = services.view_case(actor=console.actor, case=case, now=clock.now())
    helpline = console.actor.helpline
    if assign_form is None and console.actor.is_supervisor:
        assigned = case.assigned_to_id
        member = None if assigned is None else tenants_access.staff_of(helpline).filter(user_id=assigned).first()
        assign_form = forms.AssignForm(initial={"assigned_to": member}, helpline=helpline)
    failed = next((f for f in (escalation_form, note_form, follow_up_form, assign_form) if _failed(f)), None)
    context = _context(
        console,
        view=view,
        case=case,
        errors=forms.error_summary(failed) if failed is not None else [],
        code=case_codes.display(case.code),
        code_valid=case.code_expires_at > clock.now(),
        summary=_summary(case),
        scope=[forms.SCOPE_LABELS.get(s, s) for s in sorted(view.scope)],
        moves=forms.status_moves(case.status),
        note_form=note_form or forms.NoteForm(),
        status_form=status_form,
        follow_up_form=follow_up_form or forms.FollowUpForm(initial={"follow_up_on": case.follow_up_on}),
        assign_form=assign_form,
        access_log=_log_rows(reversed(view.access_log)),
        help_card=_card_summary(view.help_card),
        warning=_content_warning(case) if view.content is not None else None,
        **_platform_side(case, escalation_form),
    )
    return render(request, "handoffs/case.html", context, status=status)


def _content_warning(case: Case) -> wellness.ContentWarning | None:
    """The moderators' warning before the worst categories (ADR 0028), on the counsellor's case page too:
    counsellors read the same content, and a child's self-harm or sexual images no less."""
    report = case.report
    if report is None:
        return None
    return wellness.content_warning(
        report.category,
        minor_involved=report.reporter_age is not None and report.reporter_age < 18,
        language=wellness.console_language(get_language() or ""),
    )


def _failed(form: Any) -> bool:
    """A form that came back with errors: the page names them at the top and unfolds the form they are in."""
    return form is not None and form.is_bound and bool(form.errors)


def _items(case: Case) -> list[tuple[int, str]]:
    """The report's items as escalation choices; their text only where the consent lets the counsellor see it."""
    assert case.report is not None  # noqa: S101 - access.py never returns a withdrawn case
    show = "content" in case.consent.scope
    choices = []
    for item in case.report.content.all():
        label = _("Item %(n)s (%(kind)s)") % {"n": item.position + 1, "kind": item.kind}
        if show and (item.text or item.url):
            label = f"{label}: {(item.text or item.url)[:80]}"
        choices.append((item.position, label))
    return choices


def _platform_side(case: Case, form: forms.EscalationForm | None) -> dict[str, Any]:
    """What the platform did with the report and this helpline's escalations, and the form to escalate."""
    outcomes = moderation.outcomes_for_case(case)
    waiting = any(o.escalation and o.decision is None for o in outcomes)
    if form is None and not waiting:
        form = forms.EscalationForm(initial={"category": case.category, "urgent": case.urgent}, items=_items(case))
    standing = moderation.flagger_standing(case, case.category, clock.now())
    return {
        "outcomes": outcomes,
        "escalation_form": None if waiting else form,
        "escalation_open": _failed(form),
        "flagger": standing,
        "source_labels": forms.SOURCE_LABELS,
    }


def _summary(case: Case) -> dict[str, Any]:
    return {
        "case": case,
        "code": case_codes.display(case.code),
        "status": forms.STATUS_LABELS.get(case.status, case.status),
        "category": forms.CATEGORY_LABELS.get(case.category, case.category),
    }


def _card_summary(card: dict[str, Any] | None) -> dict[str, Any] | None:
    """The help card as the reporter saw it, cut to what a counsellor reads: who was offered, how, and
    whether each line was open at that moment."""
    if not card:
        return None
    primary = card.get("primary") or {}
    return {
        "primary": primary.get("label") or primary.get("uri"),
        "danger": card.get("danger") == "immediate",
        "fallback": bool(card.get("fallback")),
        "helplines": [
            {
                "name": line.get("name", ""),
                "channels": [
                    {
                        "label": channel.get("label") or channel.get("uri", ""),
                        "kind": channel.get("kind", ""),
                        "open": bool(channel.get("open_now")),
                    }
                    for channel in line.get("channels", [])
                ],
            }
            for line in card.get("helplines", [])
        ],
        "emergency": [f"{e.get('number', '')} {e.get('name', '')}".strip() for e in card.get("emergency", [])],
    }


# --- the supervisor's dashboard (ADR 0038) ---

ESCALATION_LABELS = {
    helpline_figures.WAITING: _lazy("Waiting for the platform"),
    "restricted": _lazy("Action taken"),
    "no_action": _lazy("No action"),
    helpline_figures.NOT_PROCESSED: _lazy("Not processed (notifier suspended)"),
}


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    minutes = round(value * 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes} if hours else _("%(m)s min") % {"m": minutes}


@require_GET
@console_view
def figures_page(request: HttpRequest, console: Console) -> HttpResponse:
    """The supervisor's view of the helpline's work: cases by status and category, time to a first look,
    escalations and their outcome, and the reach funnel. Supervisors only; small cells are "< 10"."""
    if not console.member.is_supervisor:
        return render(request, "handoffs/supervisor_only.html", _context(console, nav="figures"), status=403)
    helpline = console.member.helpline
    now = clock.now()
    zone = _helpline_zone(helpline)
    try:
        period = figures.period(request.GET.get("from"), request.GET.get("to"), now=now, zone=zone)
        period_error = None
    except figures.PeriodError as exc:
        period = figures.period(None, None, now=now, zone=zone)
        period_error = exc
    found = helpline_figures.supervisor_figures(helpline, period)
    by_status = charts.bar_figure(
        chart_id="chart-status",
        title=_("Cases shared in the period, by status now"),
        desc=_("One bar per status, its number at its end."),
        rows=[(str(label), figures.shown(found.by_status.get(s, 0))) for s, label in forms.STATUS_LABELS.items()],
        headers=(_("Status"), _("Cases")),
    )
    by_category = charts.bar_figure(
        chart_id="chart-category",
        title=_("Cases shared in the period, by category"),
        desc=_("One bar per category reported, its number at its end."),
        rows=[
            (str(forms.CATEGORY_LABELS.get(c, c)), figures.shown(n))
            for c, n in sorted(found.by_category.items(), key=lambda item: (-item[1], item[0]))
        ],
        headers=(_("Category"), _("Cases")),
    )
    escalations = charts.bar_figure(
        chart_id="chart-escalations",
        title=_("Escalations in the period, by outcome"),
        desc=_("One bar per outcome of the helpline's escalations to platforms, its number at its end."),
        rows=[(str(ESCALATION_LABELS[k]), figures.shown(n)) for k, n in found.escalations.items()],
        headers=(_("Outcome"), _("Escalations")),
    )
    funnel = reach_figures.funnel_display(
        reach_figures.helpline_funnel(helpline.directory_id, period), chart_id="chart-funnel", by_helpline=False
    )
    look = found.first_look
    return render(
        request,
        "handoffs/figures.html",
        _context(
            console,
            nav="figures",
            period=period,
            period_error=period_error,
            found=found,
            shared=figures.cell_text(figures.shown(found.shared)),
            escalated=figures.cell_text(figures.shown(found.escalated)),
            charts=[by_status, by_category, escalations],
            look_count=figures.cell_text(look.count),
            look_median=_hours(look.median_hours) if look.published else "—",
            look_p90=_hours(look.p90_hours) if look.published else "—",
            not_looked_at=figures.cell_text(figures.shown(found.not_looked_at)),
            funnel=funnel,
        ),
    )
