"""Routing: which help a reporter sees, as a pure function of the directory, the request and the time.

`route(directory, request, now)` touches no database, clock or settings, so every rule below is tested
with a small synthetic directory and any instant. The rules, in the order they apply:

1. The reporter's country picks the helplines; a country with no file gets the fallback (the GSM emergency
   number and worldwide helpline directories), flagged `fallback`, never an empty card.
2. Specialists for the harm (topic match) come before `general` lines (child helplines); both must accept
   the reporter's age. If nothing in the country fits, the fallback helplines are used.
3. Order: a line answering in the reporter's language, then a line that can be reached *now*, then a
   specialist, then the directory's rank. Paired services are kept together: both or neither.
4. Emergency numbers are always listed, the one fitting the harm first (medical for self-harm, police for
   threats); when danger is immediate, that number is the primary action.
5. The primary action follows the platform's presentation policy: `call_button` (an open phone line, as
   Meta shows the 3018) or `link` (the helpline's web page, as TikTok does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from relais.directory.directory import Channel, Country, Directory, Emergency, Helpline

Danger = Literal["none", "immediate"]
Presentation = Literal["call_button", "link"]
CARD_LANGUAGES = ("fr", "en")
MAX_HELPLINES = 4
"""Enough to offer a choice, few enough to read on a phone; a pair may go one over."""

_EMERGENCY_FOR: Mapping[str, str] = {
    "self_harm": "medical",
    "threat": "police",
    "sextortion": "police",
    "doxxing": "police",
}


@dataclass(frozen=True)
class HelpRequest:
    country: str
    language: str
    category: str
    danger: Danger = "none"
    age: int | None = None
    timezone: str | None = None
    presentation: Presentation = "call_button"


@dataclass(frozen=True)
class ChannelView:
    id: str
    kind: str
    label: str
    uri: str
    open_now: bool
    closes_at: str | None
    opens_at: str | None
    hours: str
    free: bool
    notice: str | None = None
    """The helpline's own word on why its usual hours do not hold now (a closure, temporary hours)."""


@dataclass(frozen=True)
class HelplineView:
    id: str
    name: str
    operator: str
    description: str
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    ages: tuple[int | None, int | None]
    channels: tuple[ChannelView, ...]


@dataclass(frozen=True)
class EmergencyView:
    id: str
    name: str
    number: str
    uri: str
    kind: str


@dataclass(frozen=True)
class PrimaryAction:
    helpline_id: str
    kind: str
    label: str
    uri: str
    emergency: bool


@dataclass(frozen=True)
class HelpCard:
    country: str
    language: str
    timezone: str
    generated_at: datetime
    danger: Danger
    fallback: bool
    emergency: tuple[EmergencyView, ...]
    helplines: tuple[HelplineView, ...]
    primary: PrimaryAction | None
    directory_version: str
    valid_until: datetime | None
    """Until when every channel state on this card holds (None: forever). Not part of the JSON."""

    def as_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "language": self.language,
            "timezone": self.timezone,
            "generated_at": self.generated_at.isoformat(),
            "danger": self.danger,
            "fallback": self.fallback,
            "emergency": [e.__dict__ for e in self.emergency],
            "helplines": [
                {
                    "id": h.id,
                    "name": h.name,
                    "operator": h.operator,
                    "description": h.description,
                    "languages": list(h.languages),
                    "topics": list(h.topics),
                    "ages": {"min": h.ages[0], "max": h.ages[1]},
                    "channels": [c.__dict__ for c in h.channels],
                }
                for h in self.helplines
            ],
            "primary": None if self.primary is None else self.primary.__dict__,
            "directory_version": self.directory_version,
        }


def card_language(language: str) -> str:
    """The language of the card's texts: the reporter's if Relais speaks it, else English."""
    primary = language.split("-", 1)[0].lower()
    return primary if primary in CARD_LANGUAGES else "en"


def _text(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts["en"]


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class _Clock:
    """Channel states at one instant, and the earliest instant any of them changes."""

    def __init__(self, now: datetime, zone: ZoneInfo) -> None:
        self.now = now
        self.zone = zone
        self.valid_until: datetime | None = None

    def view(self, channel: Channel, language: str) -> ChannelView:
        state = channel.schedule.state(self.now)
        self.valid_until = _earliest(self.valid_until, state.valid_until)
        change = state.change_iso(self.zone)
        return ChannelView(
            id=channel.id,
            kind=channel.kind,
            label=_text(channel.labels, language),
            uri=channel.uri,
            open_now=state.open,
            closes_at=change if state.open else None,
            opens_at=None if state.open else change,
            hours=channel.hours,
            free=channel.free,
            notice=None if state.notice is None else _text(state.notice, language),
        )

    def reachable(self, helpline: Helpline) -> bool:
        return any(c.is_contact and c.schedule.state(self.now).open for c in helpline.channels)


def _choose(helplines: tuple[Helpline, ...], request: HelpRequest, clock: _Clock) -> list[Helpline]:
    fitting = [
        h for h in helplines if h.accepts_age(request.age) and (request.category in h.topics or "general" in h.topics)
    ]
    language = request.language.split("-", 1)[0].lower()

    def order(h: Helpline) -> tuple[bool, bool, bool, int, str]:
        return (
            language not in h.languages,
            not clock.reachable(h),
            request.category not in h.topics,
            h.rank,
            h.id,
        )

    fitting.sort(key=order)
    chosen: list[Helpline] = []
    for helpline in fitting:
        if len(chosen) >= MAX_HELPLINES:
            break
        if helpline in chosen:
            continue
        if helpline.pair is None:
            chosen.append(helpline)
        else:
            chosen.extend(h for h in helplines if h.pair == helpline.pair and h not in chosen)
    return chosen


def _emergency_order(emergency: tuple[Emergency, ...], category: str) -> list[Emergency]:
    preferred = _EMERGENCY_FOR.get(category, "general")
    rank = {preferred: 0, "general": 1}
    return sorted(emergency, key=lambda e: rank.get(e.kind, 2))


def _primary(
    card_helplines: list[HelplineView], emergency: list[EmergencyView], request: HelpRequest
) -> PrimaryAction | None:
    if request.danger == "immediate" and emergency:
        e = emergency[0]
        return PrimaryAction(
            helpline_id=e.id, kind="sms" if e.kind == "text" else "phone", label=e.name, uri=e.uri, emergency=True
        )
    channels = [(h, c) for h in card_helplines for c in h.channels]
    wanted: list[Callable[[ChannelView], bool]]
    if request.presentation == "link":
        wanted = [lambda c: c.kind == "web", lambda c: c.uri.startswith("https:")]
    else:
        wanted = [
            lambda c: c.kind == "phone" and c.open_now,
            lambda c: c.kind in ("chat", "messaging", "sms", "app") and c.open_now,
            lambda c: c.kind == "web",
        ]
    for test in wanted:
        for h, c in channels:
            if test(c):
                return PrimaryAction(helpline_id=h.id, kind=c.kind, label=c.label, uri=c.uri, emergency=False)
    if channels:
        h, c = channels[0]
        return PrimaryAction(helpline_id=h.id, kind=c.kind, label=c.label, uri=c.uri, emergency=False)
    if emergency:
        e = emergency[0]
        return PrimaryAction(helpline_id=e.id, kind="phone", label=e.name, uri=e.uri, emergency=True)
    return None


def _helpline_view(helpline: Helpline, language: str, clock: _Clock) -> HelplineView:
    views = [clock.view(c, language) for c in helpline.channels]
    # Open ways to reach a person first; the order of the data file otherwise.
    views.sort(key=lambda v: not (v.open_now and v.kind != "web"))
    return HelplineView(
        id=helpline.id,
        name=helpline.name,
        operator=helpline.operator,
        description=_text(helpline.descriptions, language),
        languages=helpline.languages,
        topics=tuple(sorted(helpline.topics)),
        ages=(helpline.age_min, helpline.age_max),
        channels=tuple(views),
    )


def route(directory: Directory, request: HelpRequest, now: datetime) -> HelpCard:
    """The help card for `request` at the aware instant `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    country: Country | None = directory.countries.get(request.country.upper())
    fallback = country is None
    source = country or directory.fallback
    zone = ZoneInfo(request.timezone) if request.timezone else source.zone
    language = card_language(request.language)
    clock = _Clock(now, zone)

    chosen = _choose(source.helplines, request, clock)
    if not chosen and not fallback:
        fallback = True
        chosen = _choose(directory.fallback.helplines, request, clock)
    helplines = [_helpline_view(h, language, clock) for h in chosen]
    emergency = [
        EmergencyView(id=e.id, name=_text(e.names, language), number=e.number, uri=e.uri, kind=e.kind)
        for e in _emergency_order(source.emergency, request.category)
    ]
    return HelpCard(
        country=request.country.upper(),
        language=language,
        timezone=zone.key,
        generated_at=now.astimezone(zone),
        danger=request.danger,
        fallback=fallback,
        emergency=tuple(emergency),
        helplines=tuple(helplines),
        primary=_primary(helplines, emergency, request),
        directory_version=directory.version,
        valid_until=clock.valid_until,
    )
