"""The reporter's own page, opened from the private link in the report's answer (`reporter_url`).

Server-rendered and complete without JavaScript: a child on an old phone, in a messaging app's browser,
gets the help, the code and the outcome. Every form posts to the page's own address and is answered with a
redirect to it (or the page again with its errors). Browsers add a history entry for every POST, so with
JavaScript the forms are sent with `fetch` and the answer replaces the current entry (static/relais/quick-exit.js):
Quick Exit's `location.replace` then leaves nothing to go Back to. ADR 0017.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dt_time
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from relais import clock, languages
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.evidence import services as evidence
from relais.evidence.vault import IntegrityFailure
from relais.handoffs import case_codes, prefill
from relais.handoffs import services as handoffs
from relais.handoffs.consent import SCOPES
from relais.handoffs.models import Case
from relais.integrations.models import PlatformResolution
from relais.moderation import access as moderation_access
from relais.moderation import plain_words, summaries
from relais.moderation import services as moderation
from relais.moderation.models import AppealStatus, Notice, Source
from relais.reporters import access, help_now, page_memo
from relais.reporters import timeline as timelines
from relais.reports import services as report_services
from relais.reports.models import Report

logger = logging.getLogger(__name__)

LANGUAGE_COOKIE = "relais_reporter_language"
SHARE_TEXT_VERSION = "reporter-page-share-1"
"""The consent wording's version; the language is appended (`reporter-page-share-1.fr`): each is its own text."""
OPTIONAL_SCOPES = ("content", "description", "help_card", "pseudonym")
PAGE_LANGUAGES = languages.REPORTER_LANGUAGES
"""The reporter's page speaks every card language, not only the consoles' `settings.LANGUAGES` (ADR 0041)."""

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
"""On every page a reporter sees: not kept by the browser or a proxy, never sent as a Referer, never indexed."""


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Adds the private headers to every answer of `view`, refusals included."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        for name, value in PRIVATE_HEADERS.items():
            response[name] = value
        return response

    return wrapped


def page_language(request: HttpRequest, report: Report | None) -> str:
    """The reader's explicit choice, else the report's language, else the browser's, among the nine reporter
    languages. A report in a language Relais does not speak gets English, as its card does (the page says so);
    only a reader who asked for nothing at all gets the deployment's `LANGUAGE_CODE`."""
    chosen = request.COOKIES.get(LANGUAGE_COOKIE, "")
    if chosen in PAGE_LANGUAGES:
        return chosen
    if report is not None:
        primary = languages.supported(report.reporter_language)
        if primary is not None:
            return primary
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    browser = languages.from_accept_language(header)
    if browser is not None:
        return browser
    if report is None and not header.strip():
        return settings.LANGUAGE_CODE
    return languages.FALLBACK_LANGUAGE


def _help_request(report: Report, language: str) -> HelpRequest:
    """The report's card as the page shows it: in the page's language, which the reader may have switched."""
    request = report_services.help_request_for(report, presentation=report.platform.presentation)
    return dataclasses.replace(request, language=language)


def _not_found(request: HttpRequest) -> HttpResponse:
    access.count_miss(request)
    with translation.override(page_language(request, None)):
        return render(
            request, "reporters/not_found.html", {"quick_exit_url": settings.RELAIS_QUICK_EXIT_URL}, status=404
        )


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    with translation.override(page_language(request, None)):
        response = render(
            request,
            "reporters/not_found.html",
            {"quick_exit_url": settings.RELAIS_QUICK_EXIT_URL, "wait": wait},
            status=429,
        )
    response["Retry-After"] = str(wait)
    return response


def _opened(request: HttpRequest, token: str) -> Report | HttpResponse:
    """The report the link opens, or the refusal to show: too many wrong links from here, or a wrong one."""
    wait = access.refused_for(request)
    if wait is not None:
        return _too_many(request, wait)
    report = access.report_for(token)
    return _not_found(request) if report is None else report


@private
@csrf_exempt  # the link is the credential: a forged POST would need the token (ADR 0017)
@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return _shown(request, token)
    report = _opened(request, token)
    if isinstance(report, HttpResponse):
        return report
    with translation.override(page_language(request, report)):
        return _act(request, report)


MEMO = page_memo.PageMemo(settings.RELAIS_REPORTER_PAGE_MEMO)
"""This process's rendered pages (page_memo.py), at most `RELAIS_REPORTER_PAGE_MEMO` of them (0: none)."""


def _shown(request: HttpRequest, token: str) -> HttpResponse:
    """The page, from the memo when every row it is made from, and the request's own inputs, are as they were
    when it was rendered, and no time it depends on has come; else rendered and remembered."""
    wait = access.refused_for(request)
    if wait is not None:
        return _too_many(request, wait)
    state = access.page_state(token)
    if state is None:
        return _not_found(request)
    snapshot = current()
    key = page_memo.key(
        [
            request.path,
            request.META.get("QUERY_STRING", ""),
            request.COOKIES.get(LANGUAGE_COOKIE, ""),
            request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
            settings.RELAIS_QUICK_EXIT_URL,
            *sorted(access.registered_helplines()),
            "",
            state,
        ]
    )
    now = clock.now()
    entry = MEMO.get(key, now=now.timestamp(), directory=snapshot.directory)
    if entry is not None:
        return HttpResponse(entry.body, content_type=entry.content_type)
    report = access.report_for(token)
    if report is None:  # purged between the two reads
        return _not_found(request)
    language = page_language(request, report)
    with translation.override(language):
        context = _context(request, report, language, now=now)
        response = render(request, "reporters/page.html", context)
    if _rememberable(request, response):
        MEMO.put(
            key,
            page_memo.Entry(
                body=response.content,
                content_type=response["Content-Type"],
                valid_until=_next_change(report, context, now),
                directory=snapshot.directory,
            ),
            now=now.timestamp(),
        )
    return response


def _rememberable(request: HttpRequest, response: HttpResponse) -> bool:
    """Only a plain 200 that set nothing for this browser alone (a cookie, a CSRF token) can be served again."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
    )


def _next_change(report: Report, context: dict[str, Any], now: datetime) -> float:
    """The first instant at which the same rows would make another page: a line opens or closes (the card's
    own next change), the day changes in the reporter's zone ("tomorrow" becomes "today"), a code or an appeal
    period runs out."""
    zone: ZoneInfo = context["zone"]
    card = current().cards.card(_help_request(report, context["language"]), now)
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), dt_time(0), tzinfo=zone)
    shares: list[ActiveShare] = context["active_shares"]
    steps: timelines.Timeline = context["timeline"]
    changes = [midnight, *(s.expires_at for s in shares)]
    if card.valid_until is not None:
        changes.append(card.valid_until)
    changes += [s.at for s in steps.steps if s.kind == timelines.StepKind.APPEAL_OPEN_UNTIL and s.at]
    return min(c.timestamp() for c in changes)


# --- what the page shows ---


@dataclass(frozen=True)
class ShareOffer:
    helpline_id: str
    name: str


@dataclass(frozen=True)
class ActiveShare:
    helpline_id: str
    name: str
    code: str
    spoken: str
    expires_at: datetime
    channels: list[dict[str, Any]]


def _zone(card: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo(str(card.get("timezone") or "UTC"))


def _active_shares(cases: list[Case], card: dict[str, Any], language: str) -> list[ActiveShare]:
    lines = {str(h.get("id")): h for h in card.get("helplines", [])}
    shares = []
    for case in (c for c in cases if c.withdrawn_at is None):
        line = lines.get(case.helpline.directory_id, {})
        code = case_codes.display(case.code)
        shares.append(
            ActiveShare(
                helpline_id=case.helpline.directory_id,
                name=str(line.get("name") or case.helpline.name),
                code=code,
                spoken=case_codes.spoken(case.code, language),
                expires_at=case.code_expires_at,
                channels=prefill.channels_with_code(line.get("channels", []), code, language),
            )
        )
    return shares


def _share_offers(card: dict[str, Any], active: list[ActiveShare]) -> list[ShareOffer]:
    """Lines on the card that take shared reports through Relais, and not shared with yet."""
    lines = [h for h in card.get("helplines", []) if isinstance(h, dict)]
    registered = access.registered_helplines()
    shared = {a.helpline_id for a in active}
    return [
        ShareOffer(helpline_id=str(h["id"]), name=str(h.get("name", "")))
        for h in lines
        if h.get("id") in registered and h.get("id") not in shared
    ]


def _timeline(report: Report, cases: list[Case], language: str, now: datetime) -> timelines.Timeline:
    shares = [
        timelines.Share(helpline=c.helpline.name, shared_at=c.created_at, stopped_at=c.withdrawn_at) for c in cases
    ]
    notices = []
    for notice in access.notices_of(report):
        outcome = moderation.NoticeOutcome.of(notice) if notice.decided_at is not None else None
        decision = outcome.decision if outcome is not None else None
        facts = None
        if outcome is not None and decision is not None:
            facts = timelines.DecisionFacts(
                id=str(decision.id),
                decided_at=decision.decided_at,
                summary=summaries.summary_for(decision, language),
                summary_language=summaries.summary_language(decision, language),
                appeal_until=decision.appeal_deadline,
                on_reporters_notice=notice.source == Source.ARTICLE_16,
                appeals=tuple(
                    timelines.AppealFacts(
                        received_at=a.received_at,
                        by_reporter=a.appellant == "reporter",
                        decided_at=a.decided_at if a.status != AppealStatus.OPEN else None,
                        reversed=a.status == AppealStatus.REVERSED,
                        summary=summaries.appeal_summary_for(a, language) if a.status != AppealStatus.OPEN else "",
                        summary_language=plain_words.reader_language(language),
                    )
                    for a in outcome.appeals
                ),
            )
        escalated_by = None
        if notice.source != Source.ARTICLE_16:
            escalated_by = notice.helpline.name if notice.helpline else _("a helpline")
        notices.append(
            timelines.NoticeFacts(
                escalated_by=escalated_by,
                received_at=notice.received_at,
                decision=facts,
                resolved_on_platform_at=_resolved_on_platform_at(notice),
            )
        )
    return timelines.timeline(received_at=report.received_at, shares=shares, notices=notices, now=now)


def _resolved_on_platform_at(notice: Notice) -> datetime | None:
    """When the platform's own moderators resolved it (relais.integrations), if they did: joined in
    `_notices` for an undecided report, one query per notice once decided."""
    try:
        return notice.platform_resolution.resolved_at
    except PlatformResolution.DoesNotExist:
        return None


def _countries(language: str) -> list[tuple[str, str]]:
    countries = current().directory.countries.values()
    named = [(c.code, c.names.get(language) or c.names.get("en") or c.code) for c in countries]
    return sorted(named, key=lambda pair: pair[1])


def _context(request: HttpRequest, report: Report, language: str, *, now: datetime) -> dict[str, Any]:
    card = current().cards.card_json(_help_request(report, language), now)
    zone = _zone(card)
    closed = help_now.specialist_closed(card, report.category)
    closed_day = None
    if closed is not None:
        closed_day = help_now.day_word(closed.opens_at.astimezone(zone).date(), now.astimezone(zone).date())
    cases = access.cases_of(report)
    active = _active_shares(cases, card, language)
    steps = _timeline(report, cases, language, now)
    countries = _countries(language)
    return {
        "report": report,
        "card": card,
        "zone": zone,
        "now": now,
        "language": language,
        "languages": PAGE_LANGUAGES,
        "requested_language": languages.requested_language(report.reporter_language),
        "closed": closed,
        "closed_day": closed_day,
        "primary": card.get("primary"),
        "active_shares": active,
        "share_offers": _share_offers(card, active),
        "optional_scopes": [s for s in OPTIONAL_SCOPES if s != "description" or report.description],
        "timeline": steps,
        "country_name": dict(countries).get(report.reporter_country, report.reporter_country),
        "country_assumed": report.reporter_country_assumed,
        "countries": countries,
        "platform": report.platform,
        "quick_exit_url": settings.RELAIS_QUICK_EXIT_URL,
        "pack_url": f"{request.path.rstrip('/')}/pack.pdf",
        "done": request.GET.get("done", ""),
    }


# --- what the reporter can do ---


def _back(request: HttpRequest, done: str = "") -> HttpResponse:
    """To the page itself (303: the browser asks it again with GET); `done` names what to confirm."""
    return HttpResponseRedirect(request.path + (f"?done={done}" if done else ""), status=303)


def _act(request: HttpRequest, report: Report) -> HttpResponse:
    action = request.POST.get("action", "")
    now = clock.now()
    if action == "language":
        chosen = request.POST.get("language", "")
        response = _back(request)
        if chosen in PAGE_LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE,
                chosen,
                max_age=365 * 86400,
                path="/r/",
                samesite="Lax",
                httponly=True,
                secure=request.is_secure(),
            )
        return response
    if action == "share":
        return _share(request, report, now)
    if action == "withdraw":
        handoffs.withdraw_consent(platform=report.platform, report=report, now=now)
        return _back(request, "withdrawn")
    if action == "appeal":
        return _appeal(request, report, now)
    if action == "country":
        return _country(request, report)
    return _invalid(request, report, {"action": _("This action is not known. Reload the page and try again.")})


def _invalid(request: HttpRequest, report: Report, errors: dict[str, str]) -> HttpResponse:
    """The page again, with the problems said next to their fields and in a summary at the top."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    context = {**_context(request, report, language, now=clock.now()), "errors": errors, "posted": request.POST}
    return render(request, "reporters/page.html", context, status=422)


def _share(request: HttpRequest, report: Report, now: datetime) -> HttpResponse:
    if request.POST.get("consent") != "yes":
        return _invalid(request, report, {"consent": _("Tick the box to say yes, or leave this part of the page.")})
    language = translation.get_language() or settings.LANGUAGE_CODE
    chosen = [s for s in request.POST.getlist("scope") if s in OPTIONAL_SCOPES and s in SCOPES]
    try:
        handoffs.share_report(
            platform=report.platform,
            report=report,
            helpline_id=request.POST.get("helpline_id", ""),
            given_at=now,
            text_version=f"{SHARE_TEXT_VERSION}.{language}",
            scope=["report", *chosen],
            now=now,
        )
    except handoffs.HandoffError as exc:
        field = "helpline_id" if exc.field == "helpline_id" else "scope"
        return _invalid(request, report, {field: _("This helpline cannot receive shared reports. Call it instead.")})
    return _back(request, "shared")


def _appeal(request: HttpRequest, report: Report, now: datetime) -> HttpResponse:
    reason = request.POST.get("reason", "").strip()
    decision_id = request.POST.get("decision_id", "")
    decision = None
    for notice in moderation_access.notices_on_report(report):
        if notice.source != Source.ARTICLE_16:
            continue  # the reporter appeals decisions on their own notice; a helpline appeals its escalations
        in_force = moderation.NoticeOutcome.of(notice).decision
        if in_force is not None and str(in_force.id) == decision_id:
            decision = in_force
    if decision is None:
        return _invalid(request, report, {"reason": _("This decision can no longer be appealed here.")})
    if not reason:
        return _invalid(request, report, {"reason": _("Say why the decision should change.")})
    try:
        moderation.appeal(decision=decision, appellant="reporter", reason=reason, now=now)
    except moderation.ModerationError as exc:
        message = {
            "reason": _("Say why the decision should change, in at most 5,000 characters."),
            "appellant": _("Your appeal is already waiting for a decision."),
        }.get(exc.field, _("This decision can no longer be appealed."))
        return _invalid(request, report, {"reason": message})
    return _back(request, "appealed")


def _country(request: HttpRequest, report: Report) -> HttpResponse:
    chosen = request.POST.get("country", "").upper()
    if chosen not in current().directory.countries:
        return _invalid(request, report, {"country": _("Choose a country from the list.")})
    report.reporter_country, report.reporter_country_assumed = chosen, False
    try:
        report.save(update_fields=["reporter_country", "reporter_country_assumed"])
    except DatabaseError:
        logger.exception("reporter's country not saved")
        return _invalid(request, report, {"country": _("Your country could not be saved. Try again in a moment.")})
    return _back(request, "country")


@private
@require_http_methods(["GET", "HEAD"])
def pack(request: HttpRequest, token: str) -> HttpResponse:
    """The evidence pack, for the reporter to keep or hand to the police; a download, so no history entry."""
    report = _opened(request, token)
    if isinstance(report, HttpResponse):
        return report
    language = page_language(request, report)
    try:
        content = evidence.reporter_pack_pdf(report, language=language, now=clock.now())
    except IntegrityFailure:
        logger.exception("reporter's pack refused: an item failed its integrity check")
        with translation.override(language):
            return render(
                request,
                "reporters/not_found.html",
                {"quick_exit_url": settings.RELAIS_QUICK_EXIT_URL, "pack_failed": True},
                status=409,
            )
    response = HttpResponse(content, content_type="application/pdf")
    # A neutral file name: nothing about the report in what a download list or a notification shows.
    response["Content-Disposition"] = 'attachment; filename="relais.pdf"'
    return response
