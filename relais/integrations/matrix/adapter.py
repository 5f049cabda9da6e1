"""Synapse's admin API for event reports, read as Relais reports. Pure.

Matrix has no report webhook: a user's report (`POST /_matrix/client/v3/rooms/{roomId}/report/{eventId}`)
stays on their homeserver, and Synapse lists them to admins (docs/admin_api/event_reports.md in
element-hq/synapse): `GET /_synapse/admin/v1/event_reports` (a page, newest first with `dir=b`) and
`GET /_synapse/admin/v1/event_reports/<id>` (one report with the reported event, `event_json`). The poller
reads both with these functions. Like the other readers this one is forward-compatible: it takes the fields
it names and ignores every other one.

A Matrix report says nothing but a free-text `reason` (and a `score` that clients send as -100 or not at
all, ignored). The category is read from the reason with the keyword table below, conservatively: one harm
named plainly gives its category; none, or words of two harms, give `other` — a wrong guess would send a
reporter to the wrong helpline (ADR 0029).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from relais.integrations.categories import FALLBACK, RELAIS_CATEGORIES
from relais.integrations.mastodon.adapter import Unmappable

__all__ = ["KEYWORDS", "Unmappable", "category_of", "read_details", "read_page"]

LIST_PATH = "/_synapse/admin/v1/event_reports"
NOTICE_PATH = "/_synapse/admin/v1/send_server_notice"
MAX_TEXT = 10000
MAX_DESCRIPTION = 5000

KEYWORDS: dict[str, tuple[str, ...]] = {
    "threat": ("threat", "menace", "kill", "tuer", "death threat", "menaces de mort"),
    "harassment": ("harass", "harcel", "harcèl", "stalk"),
    "cyberbullying": ("bully", "bullied", "intimidation"),
    "hate": ("hate", "haine", "racis", "homophob", "transphob", "antisemit", "antisémit", "nazi"),
    "sextortion": ("sextort",),
    "grooming": ("grooming",),
    "child_sexual_abuse_material": ("csam", "child sexual abuse", "pédopornograph", "pedopornograph"),
    "non_consensual_intimate_imagery": ("revenge porn", "nudes", "intimate image", "photos intimes"),
    "impersonation": ("impersonat", "usurp", "fake account", "faux compte"),
    "doxxing": ("doxx", "doxing", "my address", "mon adresse"),
    "self_harm": ("suicid", "self harm", "selfharm", "automutil"),
}
"""Relais category → the beginnings of words (or phrases) in a reason that name it, English and French.
`spam`, `offensive`, `inappropriate` name no harm a helpline takes: they stay `other`."""

_WORD = re.compile(r"\w+", re.UNICODE)
_USER_ID = re.compile(r"^@[!-~]{1,253}$")
"""`@localpart:server`: printable ASCII (the spec's historical grammar), 255 characters at most."""
_MATRIX_ID = re.compile(r"^[!$#][!-~]{1,199}$")


@dataclass(frozen=True)
class Defaults:
    homeserver_host: str
    category_map: dict[str, Any]
    language_fallback: str


@dataclass(frozen=True)
class Page:
    ids: list[int]
    """The reports' ids, in the order Synapse gave them."""
    next_token: int | None


@dataclass(frozen=True)
class Mapped:
    report_id: int
    report: dict[str, Any]
    """The fields of a Relais `ReportIn`, still to be validated by the API's own schema."""
    reporter_user_id: str
    """The Matrix user who reported (always a local user: a report goes to the reporter's own homeserver)."""


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unmappable(field, "expected an object")
    return value


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_page(answer: Any) -> Page:
    """One page of `GET /_synapse/admin/v1/event_reports`."""
    body = _object(answer, "body")
    reports = body.get("event_reports")
    if not isinstance(reports, list):
        raise Unmappable("event_reports", "expected a list")
    ids = []
    for n, entry in enumerate(reports):
        report_id = _int(_object(entry, f"event_reports[{n}]").get("id"))
        if report_id is None:
            raise Unmappable(f"event_reports[{n}].id", "expected a number")
        ids.append(report_id)
    return Page(ids=ids, next_token=_int(body.get("next_token")))


def category_of(reason: str, mapping: Mapping[str, Any]) -> str:
    """The connection's map first (a word of the reason it names, lower case), then the keyword table; one
    category or `other`."""
    words = [w.lower() for w in _WORD.findall(reason)]
    own = mapping.get("categories") or {}
    for word in words:
        found = own.get(word)
        if found in RELAIS_CATEGORIES and found != FALLBACK:
            return str(found)
    text = " " + " ".join(words)
    named = {category for category, starts in KEYWORDS.items() if any(f" {s}" in text for s in starts)}
    return named.pop() if len(named) == 1 else FALLBACK


def _instant(milliseconds: Any) -> str | None:
    value = _int(milliseconds)
    if value is None or not 0 < value < 4102444800000:
        return None
    return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def read_details(answer: Any, defaults: Defaults) -> Mapped:
    """One report (`GET /_synapse/admin/v1/event_reports/<id>`). Raises Unmappable naming the field."""
    body = _object(answer, "body")
    report_id = _int(body.get("id"))
    if report_id is None:
        raise Unmappable("id", "expected a number")
    reporter = body.get("user_id")
    if not isinstance(reporter, str) or not _USER_ID.match(reporter):
        raise Unmappable("user_id", "expected a Matrix user id (@user:server)")
    event = body.get("event_json")
    event = event if isinstance(event, dict) else {}
    content = event.get("content")
    content = content if isinstance(content, dict) else {}
    item: dict[str, Any] = {"kind": "message"}
    text = _text(content.get("body"), MAX_TEXT)  # an encrypted event (m.room.encrypted) has none
    if text:
        item["text"] = text
    event_id, room_id = body.get("event_id"), body.get("room_id")
    if isinstance(event_id, str) and _MATRIX_ID.match(event_id):
        item["content_id"] = event_id
        if isinstance(room_id, str) and _MATRIX_ID.match(room_id):
            item["url"] = f"https://matrix.to/#/{quote(room_id, safe='')}/{quote(event_id, safe='')}"
    sender = body.get("sender") or event.get("sender")
    if isinstance(sender, str) and _USER_ID.match(sender) and len(sender) <= 200:
        item["author_handle"] = sender
    posted = _instant(event.get("origin_server_ts"))
    if posted:
        item["posted_at"] = posted
    reason = _text(body.get("reason"), MAX_DESCRIPTION)
    room = " ".join(
        part
        for part in (_text(body.get("name"), 200), _text(body.get("canonical_alias"), 255), _text(room_id, 255))
        if part
    )
    description = "\n\n".join(part for part in (reason, f"Room: {room}" if room else "") if part)
    report: dict[str, Any] = {
        # The homeserver's host and its report id: a poll that runs twice must dedupe.
        "platform_report_id": f"matrix:{defaults.homeserver_host}:{report_id}",
        "category": category_of(reason, defaults.category_map),
        # Synapse does not say which language the reporter uses: the connection's fallback.
        "reporter": {"language": defaults.language_fallback, "pseudonym": f"matrix:{reporter}"[:200]},
        "content": [item],
    }
    if description:
        report["description"] = description[:MAX_DESCRIPTION]
    reported_at = _instant(body.get("received_ts"))
    if reported_at:
        report["reported_at"] = reported_at
    return Mapped(report_id=report_id, report=report, reporter_user_id=reporter)
