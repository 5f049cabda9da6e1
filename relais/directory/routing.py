"""Routing: which help a reporter sees, as a pure function of the directory, the request and the time.

`route(directory, request, now)` touches no database, clock or settings, so every rule below is tested
with a small synthetic directory and any instant. The rules, in the order they apply:

1. The reporter's country picks the helplines; a country with no file gets the fallback (the GSM emergency
   number and worldwide helpline directories), flagged `fallback`, never an empty card.
2. Specialists for the harm (topic match) come before `general` lines (child helplines); both must accept
   the reporter's age (`Helpline.accepts_age`: an adults-only service never to a minor, a service that also
   serves parents to any adult, everything to a reporter of unknown age). If nothing in the country fits,
   the fallback helplines are used.
3. Order: a line answering in the reporter's language, then (self-harm only) a suicide line, then a line
   that can be reached *now*, then a specialist, then the directory's rank. Paired services are kept
   together, both or neither, in that same order: a French speaker sees the French line of a pair first.
4. For child sexual abuse material and grooming the card holds three roles, each when the country has one:
   a helpline to talk to, the hotline that takes the report (`hotline`) and the route to get images taken
   down (`take_down`), in that order.
5. The reporter may be somewhere else than `country` (`location_country`): the emergency numbers are those
   of where they are, and only the channels of `country` reachable from abroad are kept. A country with no
   file gets its own emergency numbers from libphonenumber's metadata, else the fallback's 112.
6. Emergency numbers are always listed, the one fitting the harm first (medical for self-harm, police for
   threats); when danger is immediate, that number is the primary action.
7. The primary action follows the platform's presentation policy: `call_button` (an open phone line, as
   Meta shows the 3018) or `link` (the helpline's web page, as TikTok does).

The table of harms and what each card holds is in docs/directory.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from relais.directory.directory import Channel, Country, Directory, Emergency, Helpline, world_emergency
from relais.languages import FALLBACK_LANGUAGE, REPORTER_LANGUAGES, primary, requested_language

Danger = Literal["none", "immediate"]
Presentation = Literal["call_button", "link"]
CARD_LANGUAGES = REPORTER_LANGUAGES
"""The card's own words (headings, the abroad note, channel labels made in code) exist in all of these."""
MAX_HELPLINES = 4
"""Enough to offer a choice, few enough to read on a phone; a pair may go one over."""

_EMERGENCY_FOR: Mapping[str, str] = {
    "self_harm": "medical",
    "threat": "police",
    "sextortion": "police",
    "doxxing": "police",
    "grooming": "police",
    "child_sexual_abuse_material": "police",
}

CHILD_SEXUAL_ABUSE = frozenset({"grooming", "child_sexual_abuse_material"})
"""Harms whose card holds a helpline, the hotline and the take-down route (rule 4)."""

_ROLES_FOR_CHILD_SEXUAL_ABUSE = ("helpline", "hotline", "take_down")

ABROAD_LABEL: Mapping[str, str] = {
    "en": "Reachable from abroad",
    "fr": "Joignable depuis l'étranger",
    "de": "Auch aus dem Ausland erreichbar",
    "nl": "Ook bereikbaar vanuit het buitenland",
    "es": "Se puede usar desde el extranjero",
    "it": "Raggiungibile anche dall'estero",
    "pt": "Pode ser usado a partir do estrangeiro",
    "pl": "Dostępne także z zagranicy",
    "sv": "Går att nå från utlandet",
}
ABROAD_NOTE: Mapping[str, str] = {
    "en": "You are abroad: the emergency numbers are those of where you are; the services below can be reached "
    "from there.",
    "fr": "Vous êtes à l'étranger : les numéros d'urgence sont ceux du pays où vous êtes ; les services "
    "ci-dessous sont joignables depuis là-bas.",
    "de": "Du bist im Ausland: Die Notrufnummern sind die des Landes, in dem du gerade bist. Die Angebote unten "
    "kannst du auch von dort erreichen.",
    "nl": "Je bent in het buitenland: de noodnummers zijn die van het land waar je nu bent. De hulp hieronder kun "
    "je ook vanaf daar bereiken.",
    "es": "Estás en el extranjero: los números de emergencia son los del país donde estás ahora. Los servicios de "
    "abajo también funcionan desde allí.",
    "it": "Sei all'estero: i numeri di emergenza sono quelli del Paese in cui ti trovi ora. Puoi contattare i "
    "servizi qui sotto anche da lì.",
    "pt": "Estás no estrangeiro: os números de emergência são os do país onde estás agora. Podes contactar os "
    "serviços abaixo também a partir daí.",
    "pl": "Jesteś za granicą: numery alarmowe są te z kraju, w którym teraz jesteś. Z pomocą poniżej możesz się "
    "skontaktować także stamtąd.",
    "sv": "Du är utomlands: nödnumren är de som gäller i landet där du är nu. Hjälpen nedan kan du nå även därifrån.",
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
    location_country: str | None = None
    """Where the reporter is now, if not in `country` (ISO 3166-1 alpha-2); None: in `country`."""


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
    reachable_from_abroad: bool
    abroad_label: str | None
    """"Reachable from abroad", in the card's language, when the reporter is abroad; None otherwise."""
    notice: str | None = None
    """The helpline's own word on why its usual hours do not hold now (a closure, temporary hours)."""
    label_language: str = FALLBACK_LANGUAGE
    """The language `label` is written in: the card's, or English when the directory has no text in it."""
    notice_language: str | None = None


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
    description_language: str = FALLBACK_LANGUAGE
    """The language `description` is written in (see `ChannelView.label_language`)."""


@dataclass(frozen=True)
class EmergencyView:
    id: str
    name: str
    number: str
    uri: str
    kind: str
    source: str
    name_language: str = FALLBACK_LANGUAGE


@dataclass(frozen=True)
class PrimaryAction:
    helpline_id: str
    kind: str
    label: str
    uri: str
    emergency: bool
    label_language: str = FALLBACK_LANGUAGE


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
    location_country: str | None = None
    abroad_note: str | None = None
    requested_language: str = FALLBACK_LANGUAGE
    """The primary subtag the request asked for; when Relais does not speak it, `language` is English and this
    says so (a visible fallback, never a silent one)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "language": self.language,
            "requested_language": self.requested_language,
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
                    "description_language": h.description_language,
                }
                for h in self.helplines
            ],
            "primary": None if self.primary is None else self.primary.__dict__,
            "directory_version": self.directory_version,
            "location_country": self.location_country,
            "abroad_note": self.abroad_note,
        }


def card_language(language: str) -> str:
    """The language of the card's texts: the reporter's if Relais speaks it (`de-AT` → `de`), else English,
    which the card then says (`requested_language`)."""
    code = primary(language)
    return code if code in CARD_LANGUAGES else FALLBACK_LANGUAGE


def _text(texts: Mapping[str, str], language: str) -> tuple[str, str]:
    """A directory text in `language`, else in English, with the language it is really in: the reader is told
    ("in English") rather than switched silently. Every directory text has English (schema.UI_LANGUAGES)."""
    if texts.get(language):
        return texts[language], language
    return texts[FALLBACK_LANGUAGE], FALLBACK_LANGUAGE


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class _Clock:
    """Channel states at one instant, and the earliest instant any of them changes."""

    def __init__(self, now: datetime, zone: ZoneInfo, *, abroad: bool = False) -> None:
        self.now = now
        self.zone = zone
        self.abroad = abroad
        self.valid_until: datetime | None = None

    def view(self, channel: Channel, language: str) -> ChannelView:
        state = channel.schedule.state(self.now)
        self.valid_until = _earliest(self.valid_until, state.valid_until)
        change = state.change_iso(self.zone)
        label, label_language = _text(channel.labels, language)
        notice = None if state.notice is None else _text(state.notice, language)
        return ChannelView(
            id=channel.id,
            kind=channel.kind,
            label=label,
            label_language=label_language,
            uri=channel.uri,
            open_now=state.open,
            closes_at=change if state.open else None,
            opens_at=None if state.open else change,
            hours=channel.hours,
            free=channel.free,
            reachable_from_abroad=channel.reachable_from_abroad,
            abroad_label=ABROAD_LABEL[language] if self.abroad else None,
            notice=None if notice is None else notice[0],
            notice_language=None if notice is None else notice[1],
        )

    def reachable(self, helpline: Helpline) -> bool:
        return any(c.is_contact and c.schedule.state(self.now).open for c in helpline.channels)


def _reachable_from_abroad(helplines: tuple[Helpline, ...]) -> tuple[Helpline, ...]:
    """Each helpline with only its channels usable from another country; those left with none are dropped."""
    kept = []
    for h in helplines:
        channels = tuple(c for c in h.channels if c.reachable_from_abroad)
        if channels:
            kept.append(h if len(channels) == len(h.channels) else dataclasses.replace(h, channels=channels))
    return tuple(kept)


def _has_role(helpline: Helpline, role: str, category: str) -> bool:
    if role == "helpline":
        return "general" in helpline.topics or (
            category in helpline.topics and not helpline.topics & {"hotline", "take_down"}
        )
    return role in helpline.topics


def _fits(helpline: Helpline, category: str) -> bool:
    if category in helpline.topics or "general" in helpline.topics:
        return True
    return category in CHILD_SEXUAL_ABUSE and bool(helpline.topics & {"hotline", "take_down"})


def _by_roles(ordered: list[Helpline], category: str) -> list[Helpline]:
    """Rule 4: the best service of each role first (a service holding two roles fills both), then the rest."""
    first: list[Helpline] = []
    for role in _ROLES_FOR_CHILD_SEXUAL_ABUSE:
        if any(_has_role(h, role, category) for h in first):
            continue
        found = next((h for h in ordered if h not in first and _has_role(h, role, category)), None)
        if found is not None:
            first.append(found)
    return first + [h for h in ordered if h not in first]


def _choose(helplines: tuple[Helpline, ...], request: HelpRequest, clock: _Clock) -> list[Helpline]:
    category = request.category
    fitting = [h for h in helplines if h.accepts_age(request.age) and _fits(h, category)]
    language = request.language.split("-", 1)[0].lower()
    self_harm = category == "self_harm"

    def order(h: Helpline) -> tuple[bool, bool, bool, bool, int, str]:
        specialist = category in h.topics or (
            category in CHILD_SEXUAL_ABUSE and bool(h.topics & {"hotline", "take_down"})
        )
        return (
            language not in h.languages,
            self_harm and not (category in h.topics and "general" not in h.topics),
            not clock.reachable(h),
            not specialist,
            h.rank,
            h.id,
        )

    keys = {h.id: order(h) for h in fitting}
    fitting.sort(key=lambda h: keys[h.id])
    if category in CHILD_SEXUAL_ABUSE:
        fitting = _by_roles(fitting, category)
    chosen: list[Helpline] = []
    for helpline in fitting:
        if len(chosen) >= MAX_HELPLINES:
            break
        if helpline in chosen:
            continue
        if helpline.pair is None:
            chosen.append(helpline)
        else:
            # Both or neither, in the reporter's order: the French line of a Belgian pair first for a French
            # speaker, whatever the order of the data file.
            pair = sorted(
                (h for h in helplines if h.pair == helpline.pair and h not in chosen),
                key=lambda h: keys.get(h.id) or order(h),
            )
            chosen.extend(pair)
    return chosen


def _emergency_order(emergency: tuple[Emergency, ...], category: str) -> list[Emergency]:
    preferred = _EMERGENCY_FOR.get(category, "general")
    rank = {preferred: 0, "general": 1}
    return sorted(emergency, key=lambda e: rank.get(e.kind, 2))


def _emergency_where(directory: Directory, location: str) -> tuple[Emergency, ...]:
    """The emergency numbers of where the reporter is: its file's, else libphonenumber's, else the fallback's."""
    here = directory.countries.get(location)
    if here is not None:
        return here.emergency
    return world_emergency(location) or directory.fallback.emergency


def _primary(
    card_helplines: list[HelplineView], emergency: list[EmergencyView], request: HelpRequest
) -> PrimaryAction | None:
    if request.danger == "immediate" and emergency:
        e = emergency[0]
        return PrimaryAction(
            helpline_id=e.id,
            kind="sms" if e.kind == "text" else "phone",
            label=e.name,
            uri=e.uri,
            emergency=True,
            label_language=e.name_language,
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
                return PrimaryAction(
                    helpline_id=h.id,
                    kind=c.kind,
                    label=c.label,
                    uri=c.uri,
                    emergency=False,
                    label_language=c.label_language,
                )
    if channels:
        h, c = channels[0]
        return PrimaryAction(
            helpline_id=h.id, kind=c.kind, label=c.label, uri=c.uri, emergency=False, label_language=c.label_language
        )
    if emergency:
        e = emergency[0]
        return PrimaryAction(
            helpline_id=e.id, kind="phone", label=e.name, uri=e.uri, emergency=True, label_language=e.name_language
        )
    return None


def _helpline_view(helpline: Helpline, language: str, clock: _Clock) -> HelplineView:
    views = [clock.view(c, language) for c in helpline.channels]
    # Open ways to reach a person first; the order of the data file otherwise.
    views.sort(key=lambda v: not (v.open_now and v.kind != "web"))
    description, description_language = _text(helpline.descriptions, language)
    return HelplineView(
        id=helpline.id,
        name=helpline.name,
        operator=helpline.operator,
        description=description,
        description_language=description_language,
        languages=helpline.languages,
        topics=tuple(sorted(helpline.topics)),
        ages=(helpline.age_min, helpline.age_max),
        channels=tuple(views),
    )


def route(directory: Directory, request: HelpRequest, now: datetime) -> HelpCard:
    """The help card for `request` at the aware instant `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    code = request.country.upper()
    location = (request.location_country or code).upper()
    abroad = location != code
    country: Country | None = directory.countries.get(code)
    fallback = country is None
    source = country or directory.fallback
    zone = ZoneInfo(request.timezone) if request.timezone else source.zone
    language = card_language(request.language)
    clock = _Clock(now, zone, abroad=abroad)

    pool = _reachable_from_abroad(source.helplines) if abroad else source.helplines
    chosen = _choose(pool, request, clock)
    if not chosen and not fallback:
        fallback = True
        chosen = _choose(directory.fallback.helplines, request, clock)
    helplines = [_helpline_view(h, language, clock) for h in chosen]
    emergency = [
        EmergencyView(
            id=e.id, name=name, number=e.number, uri=e.uri, kind=e.kind, source=e.source, name_language=in_language
        )
        for e in _emergency_order(_emergency_where(directory, location), request.category)
        for name, in_language in [_text(e.names, language)]
    ]
    return HelpCard(
        location_country=location if abroad else None,
        abroad_note=ABROAD_NOTE[language] if abroad else None,
        country=code,
        language=language,
        requested_language=requested_language(request.language),
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
