"""The demo social feed: what a platform's front end does with Relais.

The browser talks to this page's own back end (as it would to a real platform's), which calls Relais's
report and handoff services as the demo platform. A platform's API key never reaches a browser.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

import orjson
from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from relais import clock
from relais.demo import access as demo_access
from relais.demo.access import demo_platform
from relais.directory.runtime import current
from relais.handoffs import case_codes, prefill
from relais.handoffs import services as handoffs
from relais.handoffs.models import Case
from relais.http import field_errors, json_response
from relais.reports import access as report_access
from relais.reports import links, services
from relais.reports.api import country_required, help_for
from relais.reports.models import Report
from relais.reports.schemas import ReportIn

logger = logging.getLogger(__name__)


SESSION_USER = "demo_user"
SESSION_REPORTS = "demo_reports"
SHARE_TEXT_VERSION = "demo-share-1"
"""The consent wording's version; the language is appended (`demo-share-1.fr`), as each is its own text."""
SHARE_SCOPE = ("report", "content", "help_card")
"""What the demo always shares: the consent text lists these, plainly; the reporter's own words only when
ticked, and never their account (the pseudonym)."""


REPORTER_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
"""What every answer a reporter's browser gets carries: nothing kept in a cache or the history's copy of the
page, no address sent on to the helplines' sites, no search engine."""


def for_reporters(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        for name, value in REPORTER_PAGE_HEADERS.items():
            response[name] = value
        return response

    return wrapped


@dataclass(frozen=True)
class DemoPost:
    id: str
    author: str
    handle: str
    posted: str
    text: str


@dataclass(frozen=True)
class CountryChoice:
    code: str
    name: str
    emergency: str
    """The country's first emergency number: the dialog offers it even when a report cannot be sent."""


def demo_posts() -> list[DemoPost]:
    """A few posts to report; the second is the kind of message a reporter would flag."""
    return [
        DemoPost("post-1", "Mia", "@mia.k", _("12 min"), _("Football match after school, who's in?")),
        DemoPost(
            "post-2",
            "anon_4821",
            "@anon_4821",
            _("25 min"),
            _("Everyone knows you're a loser. Nobody wants you here, just leave."),
        ),
        DemoPost("post-3", "Léo", "@leo.draws", _("1 h"), _("Finished my dragon drawing! What do you think?")),
    ]


CATEGORIES = (
    ("harassment", gettext_lazy("Harassment"), gettext_lazy("Someone keeps picking on me.")),
    ("cyberbullying", gettext_lazy("Bullying"), gettext_lazy("A group makes fun of me or leaves me out.")),
    ("threat", gettext_lazy("A threat"), gettext_lazy("Someone says they will hurt me.")),
    ("hate", gettext_lazy("Hate"), gettext_lazy("Insults about who I am: origin, religion, gender, body…")),
    (
        "sextortion",
        gettext_lazy("Blackmail"),
        gettext_lazy("Someone wants money or pictures, or they will share my photos."),
    ),
    (
        "non_consensual_intimate_imagery",
        gettext_lazy("Private photos shared"),
        gettext_lazy("Intimate photos or videos of me were shared without my OK."),
    ),
    ("impersonation", gettext_lazy("Fake account"), gettext_lazy("Someone is pretending to be me.")),
    (
        "doxxing",
        gettext_lazy("My private info posted"),
        gettext_lazy("My address, phone number or school was posted."),
    ),
    ("self_harm", gettext_lazy("Self-harm"), gettext_lazy("Someone wants to hurt themselves, maybe me.")),
    (
        "grooming",
        gettext_lazy("An adult asking for sexual things"),
        gettext_lazy("An adult I met online wants sexual photos, chats or to meet me."),
    ),
    (
        "child_sexual_abuse_material",
        gettext_lazy("Sexual images of a child"),
        gettext_lazy("I saw sexual pictures or videos of a child or young person."),
    ),
    ("other", gettext_lazy("Something else"), gettext_lazy("Something else hurts or worries me.")),
)
"""The API's categories with a short label and a hint a 12-year-old can read."""


def _sort_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def directory_countries(language: str) -> list[CountryChoice]:
    countries = current().directory.countries.values()
    choices = [
        CountryChoice(
            code=c.code,
            name=c.names.get(language) or c.names.get("en") or c.code,
            emergency=c.emergency[0].number if c.emergency else "112",
        )
        for c in countries
    ]
    return sorted(choices, key=lambda c: _sort_key(c.name))


def js_strings() -> dict[str, str]:
    """Phrases the page's script composes; placeholders are %(name)s, filled in by the script."""
    return {
        "stored": _("Your report was sent to Demo Social."),
        "not_stored": _("Your report could not be saved yet. It will be sent again automatically."),
        "error_emergency": _("If you are in danger right now, call %(number)s."),
        "sending": _("Sending…"),
        "error_invalid": _("The report could not be sent: some information was not accepted. Please try again."),
        "error_session": _("The page has expired. Please reload it and try again."),
        "error_network": _("The report could not be sent. Check your connection and try again."),
        "pick_category": _("Choose what happened."),
        "pick_danger": _("Tell us if you are in danger right now."),
        "bad_age": _("Age must be a whole number between 0 and 120."),
        "share_offer": _("Share my report with the %(name)s so I don't have to explain again"),
        "share_title": _("Share your report with the %(name)s?"),
        "share_lead": _(
            "You get a code. Give it when you call or chat with the %(name)s: the person who answers sees "
            "your report at once."
        ),
        "share_sees": _("What the %(name)s will see"),
        "share_stop_hint": _(
            "You can stop sharing at any time, here. The %(name)s will then no longer see your report."
        ),
        "sharing": _("Sharing…"),
        "share_error": _("Your report could not be shared. Try again, or call and tell them what happened."),
        "code_title": _("Your code for the %(name)s"),
        "code_give": _("Give this code when you call or chat with the %(name)s."),
        "code_valid": _("It works for %(days)s days, until %(date)s."),
        "code_contact": _("Contact the %(name)s"),
        "code_spoken": _("On the phone, say: %(spoken)s"),
        "shared_status": _("Shared with the %(name)s. Your code: %(code)s"),
        "show_code": _("Show my code"),
        "stopping": _("Stopping…"),
        "withdrawn_status": _("You stopped sharing. The %(name)s can no longer see your report."),
        "withdraw_error": _("Sharing could not be stopped. Check your connection and try again."),
    }


@require_GET
@for_reporters
def feed(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    context: dict[str, Any] = {
        "quick_exit_url": settings.RELAIS_QUICK_EXIT_URL,
        "reports": remembered_reports(request, clock.now()),
        "now": clock.now(),
        "posts": demo_posts(),
        "categories": CATEGORIES,
        "countries": directory_countries(language.split("-", 1)[0]),
        "default_country": "FR",
        "js_strings": js_strings(),
        "share_text_version": share_text_version(),
        "case_code_days": settings.RELAIS_CASE_CODE_DAYS,
    }
    return render(request, "demo/feed.html", context)


@require_POST
@for_reporters
def report(request: HttpRequest) -> HttpResponse:
    """Body: the same JSON as POST /api/v1/reports minus `platform_report_id` (the demo makes one up)."""
    body = _json_body(request)
    if isinstance(body, HttpResponse):
        return body
    body.setdefault("platform_report_id", f"demo-{uuid.uuid4()}")
    pseudonym = _demo_user(request)
    if pseudonym and isinstance(body.get("reporter"), dict):
        body["reporter"].setdefault("pseudonym", pseudonym)
    try:
        data = ReportIn.model_validate(body)
    except ValidationError as exc:
        errors = field_errors([{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()])
        return json_response(422, {"detail": "Invalid report.", "errors": errors})
    now = clock.now()
    platform = demo_platform()
    card = help_for(data, platform)  # as the API computes it, `country_source` included
    if card is None:
        return country_required(platform)
    try:
        stored, created = services.receive_report(platform=platform, data=data, help_card=card, received_at=now)
        share = _share_offer(stored.help_card)
    except DatabaseError:
        logger.exception("demo report not stored")
        return json_response(503, {"stored": False, "help": card})
    _remember(request, stored)
    body = {
        "id": str(stored.id),
        "stored": True,
        "help": stored.help_card,
        "share": share,
        # The reporter's private page (relais/reporters), as a platform would pass it on.
        "reporter_url": links.reporter_url(stored, request),
    }
    return json_response(201 if created else 200, body)


def share_text_version() -> str:
    return f"{SHARE_TEXT_VERSION}.{(translation.get_language() or settings.LANGUAGE_CODE).split('-', 1)[0]}"


@require_POST
@for_reporters
def share(request: HttpRequest) -> HttpResponse:
    """The reporter said yes on the consent step: share the report, answer with the case code.

    Body: `{"report_id", "helpline_id", "text_version", "description": bool}`. What is shared is decided
    here, from the consent text the page showed, never from a scope list the browser could extend.
    """
    body = _json_body(request)
    if isinstance(body, HttpResponse):
        return body
    text_version = body.get("text_version")
    if text_version not in {f"{SHARE_TEXT_VERSION}.{code}" for code, _name in settings.LANGUAGES}:
        return json_response(422, {"detail": "Unknown consent text.", "field": "text_version"})
    report = _own_report(request, body.get("report_id"))
    if report is None:
        return json_response(404, {"detail": "No such report."})
    scope = [*SHARE_SCOPE, *(["description"] if body.get("description") is True and report.description else [])]
    now = clock.now()
    try:
        case, created = handoffs.share_report(
            platform=demo_platform(),
            report=report,
            helpline_id=str(body.get("helpline_id") or ""),
            given_at=now,
            text_version=text_version,
            scope=scope,
            now=now,
        )
    except handoffs.HandoffError as exc:
        return json_response(422, {"detail": exc.message, "field": exc.field})
    return json_response(201 if created else 200, shared_state(report, case, now))


def shared_state(report: Report, case: Case, now: datetime) -> dict[str, Any]:
    """What the code step shows: the case code, how long it works, and how to reach the helpline with it."""
    line: dict[str, Any] = next(
        (h for h in report.help_card.get("helplines", []) if h.get("id") == case.helpline.directory_id), {}
    )
    code = case_codes.display(case.code)
    # Where a channel can carry the code (an SMS body), the reporter does not even have to type it.
    channels = prefill.channels_with_code(line.get("channels", []), code, report.reporter_language)
    return {
        "case_code": code,
        "case_code_spoken": case_codes.spoken(case.code, report.reporter_language),
        "expires_at": case.code_expires_at.isoformat(),
        "valid_days": round((case.code_expires_at - now).total_seconds() / 86400),
        "helpline": {
            "id": case.helpline.directory_id,
            "name": line.get("name") or case.helpline.name,
            "channels": channels,
        },
    }


def remembered_reports(request: HttpRequest, now: datetime) -> dict[str, dict[str, Any]]:
    """The session's latest report on each post, as the dialog showed it: the card, the offer, the code while
    shared. Reopening the dialog or reloading the page shows them again instead of a blank form."""
    ids = request.session.get(SESSION_REPORTS, [])
    if not ids:
        return {}
    try:
        reports = list(report_access.reports_visible_to(demo_platform()).filter(id__in=ids).prefetch_related("content"))
        cases = demo_access.live_cases_of(reports)
    except DatabaseError:
        logger.warning("demo reports unavailable; the dialog starts blank")
        return {}
    order = {report_id: position for position, report_id in enumerate(ids)}
    states: dict[str, dict[str, Any]] = {}
    for report in sorted(reports, key=lambda r: order.get(str(r.id), -1)):
        post = next((item.content_id for item in report.content.all()), None)
        if post is None:
            continue
        case = cases.get(report.id)
        states[post] = {
            "id": str(report.id),
            "stored": True,
            "help": report.help_card,
            "share": _share_offer(report.help_card),
            "shared": None if case is None else shared_state(report, case, now),
            "description": report.description,
            "reporter_url": links.reporter_url(report, request),
        }
    return states


@require_POST
@for_reporters
def withdraw(request: HttpRequest) -> HttpResponse:
    """ "Stop sharing": every helpline loses access to the report at once. Body: `{"report_id"}`."""
    body = _json_body(request)
    if isinstance(body, HttpResponse):
        return body
    report = _own_report(request, body.get("report_id"))
    if report is None:
        return json_response(404, {"detail": "No such report."})
    count = handoffs.withdraw_consent(platform=demo_platform(), report=report, now=clock.now())
    return json_response(200, {"withdrawn": count})


def _json_body(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    try:
        body = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        return json_response(400, {"detail": "The body is not JSON."})
    if not isinstance(body, dict):
        return json_response(400, {"detail": "The body must be a JSON object."})
    return body


def _demo_user(request: HttpRequest) -> str | None:
    """The signed-in demo user's opaque id, kept in the session; none when the database is down (help first)."""
    try:
        return str(request.session.setdefault(SESSION_USER, f"demo-user-{secrets.token_hex(4)}"))
    except DatabaseError:
        logger.warning("demo session unavailable; the report goes without a pseudonym")
        return None


def _remember(request: HttpRequest, report: Report) -> None:
    """A real platform shares only the signed-in user's own reports; the demo's stand-in is the session."""
    request.session[SESSION_REPORTS] = [*request.session.get(SESSION_REPORTS, [])[-19:], str(report.id)]


def _own_report(request: HttpRequest, report_id: Any) -> Report | None:
    if not isinstance(report_id, str) or report_id not in request.session.get(SESSION_REPORTS, []):
        return None
    try:
        return report_access.get_report_for_platform(demo_platform(), report_id)
    except Http404:
        return None


def _share_offer(card: dict[str, Any]) -> dict[str, str] | None:
    """The first helpline on the card that takes shared reports through Relais, if any."""
    lines = [h for h in card.get("helplines", []) if isinstance(h, dict)]
    registered = demo_access.registered_among(h.get("id") for h in lines)
    first = next((h for h in lines if h.get("id") in registered), None)
    return None if first is None else {"helpline_id": str(first["id"]), "name": str(first.get("name", ""))}
