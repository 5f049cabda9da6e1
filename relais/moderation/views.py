"""The moderation console: a platform's moderators read, claim and decide notices, and decide appeals.

It mirrors the helpline console (relais/handoffs/views.py): each view resolves the signed-in person's
Moderator row, acts as `ModeratorActor.person(moderator)`, finds notices, decisions and appeals only through
access.py (another platform's id and a missing one are the same 404), runs in the platform's time zone,
and changes anything only by a POST with CSRF followed by a redirect. The DSA rules stay in services.py and
the pure modules; a refusal comes back as a message next to the field it names, never as a 500.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais import charts, clock, figures, replica
from relais.evidence import access as evidence_access
from relais.evidence import services as evidence_services
from relais.evidence.vault import IntegrityFailure
from relais.handoffs import views as helpline_views
from relais.handoffs.forms import CATEGORY_LABELS, WellnessForm, error_summary
from relais.moderation import access, forms, services, wellness
from relais.moderation import figures as moderation_figures
from relais.moderation import statement_of_reasons as sor
from relais.moderation.models import (
    Appeal,
    AppealStatus,
    Decision,
    Notice,
    NoticeStatus,
    Outcome,
    PileOn,
)
from relais.moderation.readable import statement_in_words
from relais.moderation.services import ModeratorActor, TrackRecord
from relais.reports import figures as reach_figures
from relais.reports.models import ReportedContent
from relais.tenants.models import Moderator, ModeratorRole, Platform
from relais.tenants.services import set_blur_images

P = ParamSpec("P")
PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 50
"""Notices on one page of the queue: what a moderator scans before claiming one."""
SIGN_IN = {"base_template": "moderation/console_base.html", "login_url": "moderation:login"}
"""What the shared sign-in and lockout pages (templates/registration/) need to speak for this console."""
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Desk:
    """Who is at the moderation console: the actor the services take, and the Moderator row behind it."""

    actor: ModeratorActor
    moderator: Moderator

    @property
    def platform(self) -> Platform:
        return self.moderator.platform


def platform_zone(platform: Platform) -> ZoneInfo:
    """DSA periods and the SLA clock are shown in the platform's zone; a zone the server lacks falls to UTC."""
    try:
        return ZoneInfo(platform.zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def desk_view(
    view: Callable[Concatenate[HttpRequest, Desk, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Signed in, a platform's moderator, never cached: then the view runs in the platform's time zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        moderator = getattr(request.user, "moderator", None)  # None for an account that is not a moderator
        if not isinstance(moderator, Moderator):
            return render(request, "moderation/no_access.html", status=403)
        desk = Desk(actor=ModeratorActor.person(moderator), moderator=moderator)
        with timezone.override(platform_zone(moderator.platform)):
            return view(request, desk, *args, **kwargs)

    return login_required(never_cache(wrapper), login_url="moderation:login")


def _context(desk: Desk, **extra: Any) -> dict[str, Any]:
    role = forms.ROLE_LABELS.get(desk.moderator.role, desk.moderator.role)
    open_appeals = access.appeals_of(desk.platform).filter(status=AppealStatus.OPEN).count()
    return {"desk": desk, "platform": desk.platform, "role_label": role, "open_appeals": open_appeals, **extra}


# --- words for times and notifiers ---


def span(delta: timedelta) -> str:
    """A duration as a moderator reads a clock: "3 h 20 min", "2 d 4 h", "12 min" (sign dropped)."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return (_("%(days)s d %(hours)s h") if hours else _("%(days)s d")) % {"days": days, "hours": hours}
    if hours:
        return (_("%(hours)s h %(minutes)s min") if minutes else _("%(hours)s h")) % {
            "hours": hours,
            "minutes": minutes,
        }
    return _("%(minutes)s min") % {"minutes": minutes}


def notifier_label(notice: Notice) -> str:
    """Who sent the notice, as the platform may know it: a helpline by name, a user by their pseudonym."""
    if notice.helpline is not None:
        return notice.helpline.name
    if notice.notifier.startswith("reporter:"):
        return _("user %(pseudonym)s") % {"pseudonym": notice.notifier.removeprefix("reporter:")}
    return _("an anonymous user")


@dataclass(frozen=True)
class Clock:
    """The SLA clock of an undecided notice, in words and as instants."""

    sla_class: Promise | str
    due_at: datetime
    overdue: bool
    left: str
    waited: str


def _clock(notice: Notice, now: datetime) -> Clock:
    priority = services.priority_of(notice, now)
    return Clock(
        sla_class=forms.SLA_LABELS.get(priority.sla_class, priority.sla_class),
        due_at=priority.due_at,
        overdue=priority.overdue,
        left=span(priority.due_at - now),
        waited=span(now - notice.received_at),
    )


@dataclass(frozen=True)
class Row:
    notice: Notice
    category: Promise | str
    source: Promise | str
    notifier: str
    minor: bool
    clock: Clock | None
    record: TrackRecord | None
    grouped: tuple[Grouped, ...] = ()
    snippet: str = ""
    pileon: PileOnLine | None = None

    @property
    def notices(self) -> int:
        """The notices the row stands for: deciding it decides them all (ADR 0027)."""
        return 1 + len(self.grouped)


@dataclass(frozen=True)
class PileOnLine:
    """A pile-on as its row says it: "12 reports about @x in 3 h" (ADR 0034)."""

    pileon: PileOn
    reports: int
    span: str


def _pileon_line(pileon: PileOn | None, figures: services.PileOnFigures | None) -> PileOnLine | None:
    if pileon is None or figures is None:
        return None
    last = figures.last_at or pileon.started_at
    return PileOnLine(pileon=pileon, reports=figures.reports, span=span(last - pileon.started_at))


@dataclass(frozen=True)
class Grouped:
    """Another undecided notice about the same content, as its row names it."""

    notice: Notice
    source: Promise | str
    notifier: str


def _grouped(notices: Iterable[Notice]) -> tuple[Grouped, ...]:
    return tuple(
        Grouped(notice=n, source=forms.SOURCE_LABELS.get(n.source, n.source), notifier=notifier_label(n))
        for n in notices
    )


def _row(
    notice: Notice,
    now: datetime,
    record: TrackRecord | None,
    *,
    with_clock: bool = True,
    grouped: Iterable[Notice] = (),
    snippet: str = "",
) -> Row:
    return Row(
        notice=notice,
        category=CATEGORY_LABELS.get(notice.category, notice.category),
        source=forms.SOURCE_LABELS.get(notice.source, notice.source),
        notifier=notifier_label(notice),
        minor=notice.reporter_age is not None and notice.reporter_age < 18,
        clock=_clock(notice, now) if with_clock else None,
        record=record,
        grouped=_grouped(grouped),
        snippet=snippet,
    )


def _window_days() -> int:
    return round(services.policy().window / timedelta(days=1))


# --- the queue and the decided list ---


def _notice_url_start() -> str:
    """A notice page's address up to its id (the row adds `<id>/`): one `reverse` for the page's fifty rows
    instead of a `{% url %}` each, reversed here so the URLconf stays the one place the address is written."""
    placeholder = uuid.UUID(int=0)
    return reverse("moderation:notice", kwargs={"notice_id": placeholder}).removesuffix(f"{placeholder}/")


@require_GET
@desk_view
def queue(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Undecided notices in priority.py's order: trusted flaggers, immediate danger, minors, gravity, SLA.

    A page at a time, by keyset (`?after=` the last notice's cursor): the page costs the same with ten
    notices waiting or a million, and a notice decided meanwhile does not shift the next page."""
    now = clock.now()
    after = None
    if (cursor := request.GET.get("after")) is not None:
        try:
            after = services.QueuePosition.from_cursor(cursor)
        except ValueError:
            return redirect("moderation:queue")  # an old or mangled link: back to the top of the queue
    items = services.queue(desk.platform, now, limit=QUEUE_PAGE_SIZE, after=after)
    rows = [
        replace(
            _row(i.notice, now, i.track_record, grouped=i.grouped, snippet=i.snippet),
            pileon=_pileon_line(i.pileon, i.pileon_figures),
        )
        for i in items
    ]
    following = services.QueuePosition.of(items[-1].notice).cursor if len(items) == QUEUE_PAGE_SIZE else None
    return render(
        request,
        "moderation/queue.html",
        _context(
            desk,
            nav="queue",
            rows=rows,
            now=now,
            window_days=_window_days(),
            notice_url_start=_notice_url_start(),
            next_page=f"?{urlencode({'after': following})}" if following else None,
            later_page=after is not None,
        ),
    )


@require_GET
@desk_view
def decided(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Decided notices, newest decision first, and the ones not processed because their notifier is suspended."""
    now = clock.now()
    notices = (
        access.notices_of(desk.platform)
        .filter(status=NoticeStatus.DECIDED)
        .select_related("helpline")
        .prefetch_related("decisions")
        .order_by("-decided_at")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for notice in page.object_list:
        in_force = [d for d in notice.decisions.all() if d.reversed_by_id is None]
        decision = max(in_force, key=lambda d: d.decided_at) if in_force else None
        outcome = forms.OUTCOME_LABELS.get(decision.outcome, decision.outcome) if decision else ""
        rows.append({"row": _row(notice, now, None, with_clock=False), "decision": decision, "outcome": outcome})
    suspended = [
        _row(n, now, None, with_clock=False)
        for n in access.notices_of(desk.platform)
        .filter(status=NoticeStatus.SUSPENDED)
        .select_related("helpline")
        .order_by("-received_at")[:PAGE_SIZE]
    ]
    return render(
        request,
        "moderation/decided.html",
        _context(desk, nav="decided", rows=rows, page=page, suspended=suspended, outcome_labels=forms.OUTCOME_LABELS),
    )


# --- pile-ons and bulk close (ADR 0034) ---


@require_GET
@desk_view
def pileon_page(request: HttpRequest, desk: Desk, pileon_id: uuid.UUID) -> HttpResponse:
    """A pile-on's reports in queue order, each opening its own notice page to be decided alone; and one form
    closing them all without action, with a note."""
    pileon = access.get_pileon(desk.platform, pileon_id)
    now = clock.now()
    members = services.pileon_members(pileon, now)
    line = _pileon_line(pileon, services.pileon_figures([pileon.id]).get(pileon.id))
    rows = [_row(m.notice, now, None, snippet=m.snippet) for m in members]
    return render(
        request,
        "moderation/pileon.html",
        _context(desk, nav="queue", pileon=pileon, line=line, rows=rows, note_max=2000),
    )


def _bulk_refusal(exc: services.ModerationError) -> str:
    if isinstance(exc, services.GroupRefused) and exc.held_by:
        return _("Nothing was closed: %(name)s is working on one of these notices.") % {"name": exc.held_by}
    if exc.field == "note":
        return _("Nothing was closed: write a note saying why (at most 2,000 characters).")
    if exc.field == "notice_ids":
        return _("Nothing was closed: select at least one notice, at most 200.")
    return _("Nothing was closed: %(reason)s") % {"reason": exc.message}


@require_POST
@desk_view
def bulk_close(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Selected queue rows closed as "no action" with one note, all or none (services.bulk_close)."""
    ids = []
    for value in request.POST.getlist("notice"):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            raise Http404(access.NOT_FOUND) from None
    notices, missing = access.notices_named(desk.platform, list(dict.fromkeys(ids)))
    if missing:
        raise Http404(access.NOT_FOUND)
    try:
        decisions = services.bulk_close(
            actor=desk.actor, notices=notices, note=request.POST.get("note", ""), now=clock.now()
        )
    except services.ModerationError as exc:
        messages.error(request, _bulk_refusal(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d notice closed without action; its notifier is told.",
                "%(count)d notices closed without action; each notifier is told.",
                len(decisions),
            )
            % {"count": len(decisions)},
        )
        logger.info("moderator %s closed %d notices in bulk", desk.actor.user_id, len(decisions))
    return redirect("moderation:queue")


@require_POST
@desk_view
def pileon_close(request: HttpRequest, desk: Desk, pileon_id: uuid.UUID) -> HttpResponse:
    """The whole pile-on closed without action, with a note: each report its own decision, in one step."""
    pileon = access.get_pileon(desk.platform, pileon_id)
    note = request.POST.get("note", "").strip()
    if not note or len(note) > 2000:
        messages.error(request, _bulk_refusal(services.ModerationError("note", "")))
        return redirect("moderation:pileon", pileon_id=pileon.pk)
    data = services.DecisionInput(outcome="no_action", facts=note, note=note)
    try:
        decisions = services.decide_pileon(actor=desk.actor, pileon=pileon, data=data, now=clock.now())
    except services.ModerationError as exc:
        messages.error(request, _bulk_refusal(exc))
        return redirect("moderation:pileon", pileon_id=pileon.pk)
    messages.success(
        request,
        ngettext(
            "%(count)d notice closed without action; its notifier is told.",
            "%(count)d notices closed without action; each notifier is told.",
            len(decisions),
        )
        % {"count": len(decisions)},
    )
    logger.info("moderator %s closed pile-on %s (%d notices)", desk.actor.user_id, pileon.pk, len(decisions))
    return redirect("moderation:queue")


# --- one notice ---


@require_GET
@desk_view
def notice_page(request: HttpRequest, desk: Desk, notice_id: uuid.UUID) -> HttpResponse:
    notice = access.get_notice(desk.platform, notice_id)
    return _render_notice(request, desk, notice)


@require_POST
@desk_view
def claim(request: HttpRequest, desk: Desk, notice_id: uuid.UUID) -> HttpResponse:
    notice = access.get_notice(desk.platform, notice_id)
    try:
        services.claim(actor=desk.actor, notice=notice, now=clock.now())
    except services.ModerationError as exc:
        messages.error(request, _refusal(exc, notice))
    else:
        messages.success(request, _("You claimed this notice: other moderators see you are working on it."))
        logger.info("moderator %s claimed notice %s", desk.actor.user_id, notice.pk)
    return _back_to(notice, "work")


@require_POST
@desk_view
def release(request: HttpRequest, desk: Desk, notice_id: uuid.UUID) -> HttpResponse:
    notice = access.get_notice(desk.platform, notice_id)
    released = services.release(actor=desk.actor, notice=notice)
    if released.status == NoticeStatus.OPEN:
        messages.success(request, _("Notice released: it is back in the queue for anyone."))
    else:
        messages.error(request, _("Only the moderator who claimed it, or a lead, can release this notice."))
    return _back_to(notice, "work")


@require_POST
@desk_view
def decide(request: HttpRequest, desk: Desk, notice_id: uuid.UUID) -> HttpResponse:
    """Decide with a statement of reasons; anything the database would refuse is shown next to its field."""
    notice = access.get_notice(desk.platform, notice_id)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            decisions = services.decide_group(actor=desk.actor, notice=notice, data=form.to_input(), now=clock.now())
        except services.DecisionRefused as exc:
            form.add_refusal(exc.problems)
        except services.ModerationError as exc:
            _add_service_error(form, exc, notice)
        else:
            if len(decisions) == 1:
                messages.success(request, _("Decision recorded. The notifier is told, with how to appeal."))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Decision recorded for %(count)d notice about this content. Each notifier is told, "
                        "with how to appeal.",
                        "Decision recorded for the %(count)d notices about this content. Each notifier is told, "
                        "with how to appeal.",
                        len(decisions),
                    )
                    % {"count": len(decisions)},
                )
            logger.info("moderator %s decided notice %s", desk.actor.user_id, notice.pk)
            return _back_to(notice, "decision")
    notice.refresh_from_db()
    return _render_notice(request, desk, notice, form=form, status=422)


def _add_service_error(form: forms.DecisionForm, exc: services.ModerationError, notice: Notice) -> None:
    field = forms.FIELD_OF_PROBLEM.get(exc.field, None)
    if isinstance(exc, services.GroupRefused):
        if exc.held_by:
            message = _("Nothing was decided: %(name)s is working on another notice about this content.") % {
                "name": exc.held_by
            }
        else:
            message = _("Nothing was decided: another notice about this content changed meanwhile. Try again.")
        form.add_error(None, message)
    elif exc.field == "facts":
        form.add_error("facts", _("Say briefly why no action is taken, here or in the summary: the notifier is told."))
    elif field is not None and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, _refusal(exc, notice))


def _refusal(exc: services.ModerationError, notice: Notice) -> str:
    """A service's refusal about the notice's state, said in the console's language."""
    notice.refresh_from_db()
    if notice.status == NoticeStatus.DECIDED:
        return _("This notice is decided already; only an appeal can change the decision.")
    if notice.status == NoticeStatus.SUSPENDED:
        return _("This notice is not processed: its notifier is suspended for misuse (DSA Art. 23).")
    if notice.status == NoticeStatus.CLAIMED and exc.field == "notice":
        return _("%(name)s is working on this notice.") % {"name": notice.claimed_label}
    return exc.message


def _back_to(notice: Notice, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('moderation:notice', kwargs={'notice_id': notice.pk})}#{anchor}")


def initial_decision(notice: Notice, today: date) -> dict[str, Any]:
    """The form as the notice suggests it: category and keywords from statement_of_reasons.suggest, the
    ground the notifier cited, content types from the reported items, the reporter's country and language.
    Every value is a suggestion the moderator confirms or changes."""
    minor = notice.reporter_age is not None and notice.reporter_age < 18
    category, keywords, additions = sor.suggest(notice.category, minor_involved=minor)
    initial: dict[str, Any] = {
        "category": category,
        "keywords": list(keywords),
        "category_additions": list(additions),
        "ground": notice.ground_kind or "incompatible",
        "application_date": today,
        "automated_decision": "not_automated",
        "content_types": ["CONTENT_TYPE_TEXT"],
    }
    if notice.ground_kind == "illegal":
        initial["legal_ground"] = notice.ground
    elif notice.ground_kind == "incompatible":
        initial["terms_ground"] = notice.ground
    report = notice.report
    if report is not None:
        kinds = {item.kind for item in _items(notice)}
        types = {"image": "CONTENT_TYPE_IMAGE", "video": "CONTENT_TYPE_VIDEO", "live": "CONTENT_TYPE_VIDEO"}
        chosen = sorted({types.get(kind, "CONTENT_TYPE_TEXT") for kind in kinds})
        initial["content_types"] = chosen or ["CONTENT_TYPE_TEXT"]
        if report.reporter_country.upper() in sor.TERRITORIES:
            initial["territorial_scope"] = [report.reporter_country.upper()]
        language = report.reporter_language.split("-")[0].upper()
        if language in sor.EU_LANGUAGES:
            initial["content_language"] = language
    return initial


def _items(notice: Notice) -> list[ReportedContent]:
    """The reported items the notice is about (all of them for a user's report)."""
    if notice.report is None:
        return []
    items = list(notice.report.content.order_by("position"))
    if notice.content_positions:
        return [item for item in items if item.position in notice.content_positions]
    return items


def chosen_labels(form: Any) -> dict[str, list[str]]:
    """The ticked values of the long lists, for the one-line summary of their folded <details>."""
    chosen: dict[str, list[str]] = {}
    for name in ("keywords", "category_additions", "territorial_scope"):
        bound: BoundField = form[name]
        ticked = {str(v) for v in bound.value() or ()}
        if name == "territorial_scope" and (bound.form.is_bound and bound.form["territory_all"].value()):
            ticked = set(sor.TERRITORIES)
        chosen[name] = [str(label) for value, label in bound.field.choices if value in ticked]  # type: ignore[attr-defined]
    return chosen


def _render_notice(
    request: HttpRequest,
    desk: Desk,
    notice: Notice,
    *,
    form: forms.DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = clock.now()
    logger.info("moderator %s viewed notice %s", desk.actor.user_id, notice.pk)
    record = services.track_records(desk.platform, [notice.notifier], now).get(notice.notifier)
    undecided = notice.status in services.OPEN_STATUSES
    if undecided and form is None:
        form = forms.DecisionForm(initial=initial_decision(notice, now.astimezone(platform_zone(desk.platform)).date()))
    decisions = list(notice.decisions.order_by("decided_at").prefetch_related("appeals"))
    report = notice.report
    warning = wellness.content_warning(
        notice.category,
        minor_involved=notice.reporter_age is not None and notice.reporter_age < 18,
        language=wellness.console_language(get_language() or ""),
    )
    context = _context(
        desk,
        nav="queue" if undecided else "decided",
        notice=notice,
        report=report,
        row=_row(
            notice,
            now,
            record,
            with_clock=undecided,
            grouped=services.group_of(notice).exclude(pk=notice.pk).select_related("helpline") if undecided else (),
        ),
        items=list(report.content.order_by("position")) if report is not None else [],
        concerned=set(notice.content_positions),
        window_days=_window_days(),
        now=now,
        claimed_by_me=notice.status == NoticeStatus.CLAIMED
        and desk.actor.same_person(notice.claimed_by_id, notice.claimed_label),
        form=form if undecided else None,
        errors=error_summary(form) if form is not None and form.is_bound else [],
        decisions=[_decision_view(d) for d in reversed(decisions)],
        ground_label=forms.GROUND_LABELS.get(notice.ground_kind, ""),
        chosen=chosen_labels(form) if form is not None else {},
        status_label=forms.STATUS_LABELS.get(notice.status, notice.status),
        warning=warning,
        pictures=_pictures(notice),
        blur=desk.moderator.blur_images,
    )
    return render(request, "moderation/notice.html", context, status=status)


def _pictures(notice: Notice) -> list[dict[str, str]]:
    """The pictures the platform preserved for the notice's report, each with its address and its words."""
    if notice.report is None:
        return []
    return [
        {
            "src": reverse("moderation:picture", kwargs={"notice_id": notice.pk, "position": item.position}),
            "label": _("Picture %(position)s sent by the platform") % {"position": item.position},
        }
        for item in evidence_access.pictures_of(notice.report)
    ]


@require_GET
@desk_view
def picture(request: HttpRequest, desk: Desk, notice_id: uuid.UUID, position: int) -> HttpResponse:
    """One preserved picture of the notice's report, re-encoded, written to the chain of custody."""
    notice = access.get_notice(desk.platform, notice_id)
    if notice.report is None:
        raise Http404(access.NOT_FOUND)
    item = evidence_access.picture_of(notice.report, position)
    try:
        data = evidence_services.picture_preview(
            item=item, actor_label=desk.actor.label, party=desk.platform.name, now=clock.now()
        )
    except IntegrityFailure:
        return HttpResponse(
            _("This picture no longer matches what the platform sent."), status=409, content_type="text/plain"
        )
    return HttpResponse(data, content_type="image/jpeg", headers={"Content-Disposition": "inline"})


@require_http_methods(["GET", "POST"])
@desk_view
def wellness_settings(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The moderator's own setting: pictures blurred until revealed (the default), or shown as sent."""
    initial = {"pictures": "blurred" if desk.moderator.blur_images else "shown"}
    if request.method == "POST":
        form = WellnessForm(request.POST)
        if form.is_valid():
            set_blur_images(desk.moderator, blur=form.cleaned_data["pictures"] == "blurred")
            messages.success(request, _("Your setting is saved."))
            return redirect("moderation:settings")
        context = _context(desk, nav="settings", form=form, errors=error_summary(form))
        return render(request, "moderation/settings.html", context, status=422)
    context = _context(desk, nav="settings", form=WellnessForm(initial=initial), errors=[])
    return render(request, "moderation/settings.html", context)


def _decision_view(decision: Decision) -> dict[str, Any]:
    """A decision as the notice page shows it: outcome, its statement in words (and as sent), its appeals."""
    statement = decision.statement
    return {
        "decision": decision,
        "outcome": forms.OUTCOME_LABELS.get(decision.outcome, decision.outcome),
        "in_force": decision.reversed_by_id is None,
        "statement_json": json.dumps(statement, indent=2, ensure_ascii=False) if statement else "",
        "statement": statement_in_words(statement) if statement else None,
        "appeals": [
            {
                "appeal": a,
                "status": forms.APPEAL_STATUS_LABELS.get(a.status, a.status),
                "appellant": forms.APPELLANT_LABELS.get(a.appellant, a.appellant),
            }
            for a in decision.appeals.all()
        ],
    }


# --- appeals ---


@require_GET
@desk_view
def appeals(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Open appeals, oldest first (Art. 20(4): decided in a timely manner), a page at a time by keyset
    (`?after=`), then the recently decided ones."""
    after = None
    if (cursor := request.GET.get("after")) is not None:
        try:
            after = access.appeal_position(cursor)
        except ValueError:
            return redirect("moderation:appeals")  # an old or mangled link: back to the first page
    narrow = ("decision__statement", "decision__notice__explanation", "decision__notice__content_positions")
    open_ = access.appeals_in_order(desk.platform, status=AppealStatus.OPEN, after=after)
    page = list(open_.select_related("decision__notice").defer(*narrow)[:PAGE_SIZE])
    waiting = [_appeal_view(a) for a in page]
    following = access.appeal_cursor(page[-1]) if len(page) == PAGE_SIZE else None
    mine = access.appeals_of(desk.platform).select_related("decision__notice").defer(*narrow)
    done = [_appeal_view(a) for a in mine.exclude(status=AppealStatus.OPEN).order_by("-decided_at")[:PAGE_SIZE]]
    return render(
        request,
        "moderation/appeals.html",
        _context(
            desk,
            nav="appeals",
            waiting=waiting,
            done=done,
            next_page=f"?{urlencode({'after': following})}" if following else None,
            later_page=after is not None,
        ),
    )


def _appeal_view(appeal_: Appeal) -> dict[str, Any]:
    notice = appeal_.decision.notice
    return {
        "appeal": appeal_,
        "status": forms.APPEAL_STATUS_LABELS.get(appeal_.status, appeal_.status),
        "appellant": forms.APPELLANT_LABELS.get(appeal_.appellant, appeal_.appellant),
        "outcome": forms.OUTCOME_LABELS.get(appeal_.decision.outcome, appeal_.decision.outcome),
        "category": CATEGORY_LABELS.get(notice.category, notice.category),
        "notice": notice,
    }


class ReversalForm(forms.DecisionForm):
    """The restriction a reversed "no action" becomes: a DecisionForm whose outcome is fixed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["outcome"]
        del self.fields["manifestly_unfounded"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["outcome"] = Outcome.RESTRICTED
        return data


@require_http_methods(["GET", "POST"])
@desk_view
def appeal_page(request: HttpRequest, desk: Desk, appeal_id: uuid.UUID) -> HttpResponse:
    """Uphold or reverse. Reversing "no action" needs the restriction, decided like a notice."""
    appeal_ = access.get_appeal(desk.platform, appeal_id)
    original = appeal_.decision
    needs_restriction = original.outcome == Outcome.NO_ACTION
    today = clock.now().astimezone(platform_zone(desk.platform)).date()
    if request.method != "POST":
        form = forms.AppealDecisionForm()
        new = (
            ReversalForm(prefix="new", initial=initial_decision(original.notice, today)) if needs_restriction else None
        )
        return _render_appeal(request, desk, appeal_, form, new)
    form = forms.AppealDecisionForm(request.POST)
    new = ReversalForm(request.POST, prefix="new") if needs_restriction else None
    if appeal_.status != AppealStatus.OPEN:  # decided meanwhile (another tab, a colleague): nothing posted is taken
        form.is_valid()
        form.add_error(None, _("This appeal is decided already."))
        return _render_appeal(request, desk, appeal_, form, None, status=422)
    reversing = form.is_valid() and form.cleaned_data["reverse"]
    if form.is_valid() and (not reversing or new is None or new.is_valid()):
        try:
            services.decide_appeal(
                actor=desk.actor,
                appeal_=appeal_,
                reverse=reversing,
                explanation=form.cleaned_data["explanation"],
                now=clock.now(),
                new_decision=new.to_input() if reversing and new is not None else None,
            )
        except services.DecisionRefused as exc:
            if new is not None:
                new.add_refusal(exc.problems)
            else:
                form.add_error(None, exc.message)
        except services.ModerationError as exc:
            form.add_error("explanation" if exc.field == "explanation" else None, _appeal_refusal(exc))
        else:
            messages.success(
                request,
                _("Appeal decided: the decision is reversed.") if reversing else _("Appeal decided: decision upheld."),
            )
            logger.info("moderator %s decided appeal %s", desk.actor.user_id, appeal_.pk)
            return HttpResponseRedirect(reverse("moderation:appeal", kwargs={"appeal_id": appeal_.pk}))
    appeal_.refresh_from_db()
    return _render_appeal(request, desk, appeal_, form, new, status=422)


def _appeal_refusal(exc: services.ModerationError) -> str:
    if exc.field == "moderator":
        return _(
            "You made the decision under appeal: another moderator must decide the appeal, so that it is a "
            "fresh look (DSA Art. 20)."
        )
    if exc.field == "appeal":
        return _("This appeal is decided already.")
    if exc.field == "explanation":
        return _("Explain the decision on the appeal: the appellant is told.")
    return exc.message


def _render_appeal(
    request: HttpRequest,
    desk: Desk,
    appeal_: Appeal,
    form: forms.AppealDecisionForm,
    new: ReversalForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    original = appeal_.decision
    errors = error_summary(form) if form.is_bound else []
    if new is not None and new.is_bound and form.is_valid() and form.cleaned_data["reverse"]:
        errors += error_summary(new)
    replacement = original.reversed_by if original.reversed_by_id else None
    context = _context(
        desk,
        nav="appeals",
        view=_appeal_view(appeal_),
        original=_decision_view(original),
        replacement=_decision_view(replacement) if replacement else None,
        form=form if appeal_.status == AppealStatus.OPEN else None,
        new=new if appeal_.status == AppealStatus.OPEN else None,
        errors=errors,
        chosen=chosen_labels(new) if new is not None else {},
        decided_by_me=desk.actor.same_person(original.moderator_id, original.moderator_label),
    )
    return render(request, "moderation/appeal.html", context, status=status)


# --- statements of reasons ---


@dataclass(frozen=True)
class StatementRow:
    decision: Decision
    state: str
    category: Promise | str


def submission_state(decision: Decision) -> str:
    """submitted, failed (last try refused or unreachable), due (waiting for the job), or export (no account)."""
    if decision.submitted_at is not None:
        return "submitted"
    if decision.submission_error:
        return "failed"
    if decision.submission_due_at is not None:
        return "due"
    return "export"


@require_GET
@desk_view
def statements(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Statements of reasons, newest first, with where each stands with the Transparency Database."""
    # A read-only list with figures: from the replica when there is one (relais/replica.py).
    decisions = (
        access.decisions_of(desk.platform)
        .using(replica.reading())
        .filter(outcome=Outcome.RESTRICTED)
        .order_by("-decided_at", "puid")
    )
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        StatementRow(
            decision=d,
            state=submission_state(d),
            category=forms.STATEMENT_CATEGORY_LABELS.get((d.statement or {}).get("category", ""), ""),
        )
        for d in page.object_list
    ]
    account = access.transparency_account_of(desk.platform)
    return render(
        request,
        "moderation/statements.html",
        _context(desk, nav="statements", rows=rows, page=page, account=account),
    )


# --- sign-in lockout ---


def locked_out(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE) for both consoles: the same page, each in its own frame
    and with its own way back to sign-in."""
    if not request.path.startswith(reverse("moderation:queue")):
        return helpline_views.locked_out(request, original_response, credentials)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)),
        **SIGN_IN,
    }
    return render(request, "registration/locked.html", context, status=429)


# --- the lead's dashboard (ADR 0038) ---

SLA_LABELS: dict[str, Promise] = {
    "immediate": _lazy("Immediate danger"),
    "trusted_flagger": _lazy("Trusted flaggers"),
    "minor": _lazy("Minors"),
    "standard": _lazy("Other notices"),
}


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return span(timedelta(hours=value)) or _("%(m)s min") % {"m": 0}


@require_GET
@desk_view
def figures_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The lead's view of the work: in and decided per day, overdue now, time to decision, appeals, and the
    reach funnel; every chart with a table of the same numbers. Leads only: a moderator gets "no access"."""
    if desk.moderator.role != ModeratorRole.LEAD:
        return render(request, "moderation/lead_only.html", _context(desk, nav="figures"), status=403)
    now = clock.now()
    zone = platform_zone(desk.platform)
    try:
        period = figures.period(request.GET.get("from"), request.GET.get("to"), now=now, zone=zone)
        period_error = None
    except figures.PeriodError as exc:
        period = figures.period(None, None, now=now, zone=zone)
        period_error = exc
    found = moderation_figures.lead_figures(desk.platform, period, now)
    day_labels = [formats.date_format(d.day, "j M") for d in found.days]
    per_day = charts.column_figure(
        chart_id="chart-days",
        title=_("Notices received and decided per day"),
        desc=_("Columns per day: solid for notices received, hatched for notices decided."),
        labels=day_labels,
        series=[
            charts.Series(_("Received"), tuple(d.received for d in found.days)),
            charts.Series(_("Decided"), tuple(d.decided for d in found.days)),
        ],
        first_header=_("Day"),
    )
    overdue = charts.bar_figure(
        chart_id="chart-overdue",
        title=_("Overdue now, by service-level class"),
        desc=_("Undecided notices past their service-level time, one bar per class, its number at its end."),
        rows=[(str(SLA_LABELS[k]), n) for k, n in found.overdue.items()],
        headers=(_("Class"), _("Overdue notices")),
    )
    times = [
        {
            "source": forms.SOURCE_LABELS.get(t.key[0], t.key[0]),
            "category": CATEGORY_LABELS.get(t.key[1], t.key[1]),
            "count": figures.cell_text(t.count),
            "median": _hours(t.median_hours) if t.published else "—",
            "p90": _hours(t.p90_hours) if t.published else "—",
        }
        for t in found.decision_times
    ]
    funnel = reach_figures.funnel_display(
        reach_figures.platform_funnel(desk.platform.pk, period), chart_id="chart-funnel", by_helpline=True
    )
    return render(
        request,
        "moderation/figures.html",
        _context(
            desk,
            nav="figures",
            period=period,
            period_error=period_error,
            found=found,
            charts=[per_day, overdue],
            times=times,
            funnel=funnel,
        ),
    )
