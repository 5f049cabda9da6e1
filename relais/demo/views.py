"""The demo social feed: what a platform's front end does with Relais.

The browser talks to this page's own back end (as it would to a real platform's), which calls Relais's
report service as the demo platform. A platform's API key never reaches a browser.
"""

from __future__ import annotations

import logging
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from relais import clock
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.http import field_errors, json_response
from relais.reports import services
from relais.reports.schemas import ReportIn
from relais.tenants.models import Platform, Presentation

logger = logging.getLogger(__name__)


def demo_platform() -> Platform:
    platform, _ = Platform.objects.get_or_create(
        slug=settings.RELAIS_DEMO_PLATFORM, defaults={"name": "Demo Social", "presentation": Presentation.CALL_BUTTON}
    )
    return platform


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
        "open_until": _("open until %(time)s"),
        "open_always": _("open 24/7"),
        "opens_today": _("opens at %(time)s"),
        "opens_tomorrow": _("opens tomorrow at %(time)s"),
        "opens_on": _("opens %(day)s at %(time)s"),
        "closed": _("closed for now"),
        "call_number": _("Call %(number)s"),
        "text_number": _("Text %(number)s"),
        "free": _("free"),
        "kind_phone": _("Phone"),
        "kind_sms": _("Text message"),
        "kind_chat": _("Chat"),
        "kind_app": _("App"),
        "kind_messaging": _("Messaging"),
        "kind_web": _("Website"),
        "new_tab": _("(opens in a new tab)"),
        "stored": _("Your report was sent to Demo Social."),
        "not_stored": _("Your report could not be saved yet. It will be sent again automatically."),
        "emergency_now": _("You are in danger: call now"),
        "emergency_later": _("In an emergency"),
        "error_emergency": _("If you are in danger right now, call %(number)s."),
        "sending": _("Sending…"),
        "error_invalid": _("The report could not be sent: some information was not accepted. Please try again."),
        "error_session": _("The page has expired. Please reload it and try again."),
        "error_network": _("The report could not be sent. Check your connection and try again."),
        "pick_category": _("Choose what happened."),
        "pick_danger": _("Tell us if you are in danger right now."),
        "bad_age": _("Age must be a whole number between 0 and 120."),
    }


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    context: dict[str, Any] = {
        "now": clock.now(),
        "posts": demo_posts(),
        "categories": CATEGORIES,
        "countries": directory_countries(language.split("-", 1)[0]),
        "default_country": "FR",
        "js_strings": js_strings(),
    }
    return render(request, "demo/feed.html", context)


@require_POST
def report(request: HttpRequest) -> HttpResponse:
    """Body: the same JSON as POST /api/v1/reports minus `platform_report_id` (the demo makes one up)."""
    try:
        body = orjson.loads(request.body or b"{}")
    except orjson.JSONDecodeError:
        return json_response(400, {"detail": "The body is not JSON."})
    if not isinstance(body, dict):
        return json_response(400, {"detail": "The body must be a JSON object."})
    body.setdefault("platform_report_id", f"demo-{uuid.uuid4()}")
    try:
        data = ReportIn.model_validate(body)
    except ValidationError as exc:
        errors = field_errors([{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()])
        return json_response(422, {"detail": "Invalid report.", "errors": errors})
    now = clock.now()
    help_request = HelpRequest(
        country=data.reporter.country,
        language=data.reporter.language or translation.get_language() or "fr",
        category=data.category,
        danger=data.danger,
        age=data.reporter.age,
        timezone=data.reporter.timezone,
    )
    card = current().cards.card_json(help_request, now)
    try:
        stored, created = services.receive_report(platform=demo_platform(), data=data, help_card=card, received_at=now)
    except DatabaseError:
        logger.exception("demo report not stored")
        return json_response(503, {"stored": False, "help": card})
    return json_response(201 if created else 200, {"id": str(stored.id), "stored": True, "help": stored.help_card})
