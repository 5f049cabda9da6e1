"""The in-memory helpline directory that help cards are computed from.

Help comes first: a help card must never wait on a database, a network or a lock. So the directory is
built once from the versioned data files (plus the operators' overrides) into plain immutable objects,
and a new one replaces the old in a single reference swap when the data changes (see `holder.py`).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import PhoneMetadata, shortnumberinfo

from relais.directory import schema
from relais.directory.opening_hours import Schedule, Window

DATA_DIR = Path(__file__).with_name("data")
FALLBACK_COUNTRY = "XX"
"""The file `xx.yaml` holds the help shown for countries the directory does not cover yet."""

CONTACT_KINDS = frozenset({"phone", "sms", "chat", "app", "messaging"})
"""Channels where a person answers; a web page is always "open" and must not make a line look staffed."""


@dataclass(frozen=True)
class Override:
    """An operator's correction on top of the data files, edited in the Django admin.

    `target` is a helpline id or a channel id. A channel override may replace the hours (for an announced
    closure, say) or disable it; a helpline override may only disable it.
    """

    target: str
    enabled: bool = True
    hours: str | None = None


@dataclass(frozen=True)
class Closure:
    """A helpline's own notice on top of the files: closed (holiday, outage) or on temporary `hours`, from-to.

    Set by the helpline's supervisor in the console. `target` is the helpline id (every channel where a person
    answers; its web pages stay) or one channel id. It ends by itself: each card evaluates it at `now`.
    """

    target: str
    starts_at: datetime
    ends_at: datetime
    reason: Mapping[str, str]
    hours: str | None = None

    def window(self) -> Window:
        return Window(starts_at=self.starts_at, ends_at=self.ends_at, notice=self.reason, hours=self.hours)


@dataclass(frozen=True)
class Channel:
    id: str
    kind: str
    labels: Mapping[str, str]
    uri: str
    hours: str
    free: bool
    schedule: Schedule = field(compare=False)
    reachable_from_abroad: bool = True

    @property
    def is_contact(self) -> bool:
        return self.kind in CONTACT_KINDS


@dataclass(frozen=True)
class Helpline:
    id: str
    country: str
    name: str
    operator: str
    descriptions: Mapping[str, str]
    languages: tuple[str, ...]
    topics: frozenset[str]
    age_min: int | None
    age_max: int | None
    pair: str | None
    rank: int
    channels: tuple[Channel, ...]
    also_parents: bool = False

    def accepts_age(self, age: int | None) -> bool:
        """Whether a reporter of `age` may be offered this service, as its source states its range.

        Unknown age: yes (the reporter may be the child or the parent; the card offers both). A service that
        also answers parents (`also_parents`) takes any adult even above its range; an adults-only service
        (min 18 or more) never takes a minor, `also_parents` or not.
        """
        if age is None:
            return True
        if self.age_min is not None and age < self.age_min:
            return False
        if self.age_max is not None and age > self.age_max:
            return self.also_parents and age >= ADULT
        return True


ADULT = 18
"""The age from which a reporter is offered services for parents and adults."""


@dataclass(frozen=True)
class Emergency:
    id: str
    names: Mapping[str, str]
    number: str
    kind: str
    source: str = ""
    """The URL the number was read from, shown with the card's data (libphonenumber's for generated ones)."""

    @property
    def uri(self) -> str:
        return f"sms:{self.number}" if self.kind == "text" else f"tel:{self.number}"


@dataclass(frozen=True)
class Country:
    code: str
    names: Mapping[str, str]
    zone: ZoneInfo
    emergency: tuple[Emergency, ...]
    helplines: tuple[Helpline, ...]


@dataclass(frozen=True)
class Directory:
    countries: Mapping[str, Country]
    fallback: Country
    version: str
    known_ids: frozenset[str] = frozenset()
    """Every helpline and channel id in the files, including those an override disables."""

    def helpline(self, helpline_id: str) -> Helpline | None:
        country = self.countries.get(helpline_id[:2].upper())
        if country is None:
            return None
        return next((h for h in country.helplines if h.id == helpline_id), None)


LIBPHONENUMBER_SOURCE = "https://github.com/google/libphonenumber/blob/master/resources/ShortNumberMetadata.xml"
"""Where the emergency numbers of countries without a file come from: libphonenumber's short-number metadata,
maintained by Google with the ITU and national regulators' lists, shipped in the `phonenumberslite` package."""

_WORLD_NAMES = {
    "en": "Emergency number",
    "fr": "Numéro d'urgence",
    "de": "Notrufnummer",
    "nl": "Noodnummer",
    "es": "Número de emergencia",
    "it": "Numero di emergenza",
    "pt": "Número de emergência",
    "pl": "Numer alarmowy",
    "sv": "Nödnummer",
}
_GSM_EMERGENCY = "112"


@functools.cache
def emergency_numbers_for(region: str) -> tuple[str, ...]:
    """The emergency numbers libphonenumber knows for `region` (ISO 3166-1 alpha-2), 112 last.

    The metadata gives a pattern per region (`11[09]` in Japan); every number of its possible lengths that the
    pattern matches is listed. 112, which GSM phones route almost everywhere, comes after the national
    numbers: in the United States it is 911 that people know and that every phone reaches.
    """
    metadata = PhoneMetadata.short_metadata_for_region(region.upper())
    desc = None if metadata is None else metadata.emergency
    if desc is None or desc.national_number_pattern is None:
        return ()
    pattern = re.compile(f"(?:{desc.national_number_pattern})")
    found = [
        "".join(digits)
        for length in desc.possible_length
        if length <= 4
        for digits in itertools.product("0123456789", repeat=length)
        if pattern.fullmatch("".join(digits))
    ]
    return tuple(sorted(found, key=lambda n: (n == _GSM_EMERGENCY, n)))


@functools.cache
def world_emergency(region: str) -> tuple[Emergency, ...]:
    """Emergency entries for a country the directory has no file for, from libphonenumber; empty if unknown."""
    cc = region.lower()
    return tuple(
        Emergency(id=f"{cc}-{n}", names=_WORLD_NAMES, number=n, kind="general", source=LIBPHONENUMBER_SOURCE)
        for n in emergency_numbers_for(region)
    )


def reachable_abroad(kind: str, uri: str) -> bool:
    """The default when the data does not say: internet channels work anywhere; a number only when it is in
    international form (`tel:+33…`) and not a freephone, which networks seldom route from abroad."""
    if kind not in ("phone", "sms"):
        return True
    number = number_of(uri)
    if not number.startswith("+"):
        return False
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.TOLL_FREE


def number_of(uri: str) -> str:
    return uri.split(":", 1)[1].split("?", 1)[0]


def display_number(uri: str, country: str) -> str:
    """A number as people write it: `3018`, `116 111`, `+33 1 42 75 80 00`."""
    number = number_of(uri)
    region = country if country != FALLBACK_COUNTRY else None
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    if number.startswith("+"):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if region and shortnumberinfo.is_valid_short_number_for_region(parsed, region):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


_DEFAULT_LABELS = {
    "phone": {
        "en": "Call {number}",
        "fr": "Appeler le {number}",
        "de": "{number} anrufen",
        "nl": "Bel {number}",
        "es": "Llamar al {number}",
        "it": "Chiama il {number}",
        "pt": "Ligar para o {number}",
        "pl": "Zadzwoń pod {number}",
        "sv": "Ring {number}",
    },
    "sms": {
        "en": "Text {number}",
        "fr": "Envoyer un SMS au {number}",
        "de": "SMS an {number}",
        "nl": "Sms naar {number}",
        "es": "Enviar un SMS al {number}",
        "it": "Invia un SMS al {number}",
        "pt": "Enviar SMS para o {number}",
        "pl": "Wyślij SMS pod {number}",
        "sv": "Sms:a {number}",
    },
    "chat": {
        "en": "Chat online",
        "fr": "Discuter en ligne",
        "de": "Online chatten",
        "nl": "Online chatten",
        "es": "Chatear en línea",
        "it": "Chatta online",
        "pt": "Conversar online",
        "pl": "Czat online",
        "sv": "Chatta online",
    },
    "web": {
        "en": "Website",
        "fr": "Site web",
        "de": "Website",
        "nl": "Website",
        "es": "Sitio web",
        "it": "Sito web",
        "pt": "Site",
        "pl": "Strona internetowa",
        "sv": "Webbplats",
    },
    "app": {
        "en": "App",
        "fr": "Application",
        "de": "App",
        "nl": "App",
        "es": "Aplicación",
        "it": "App",
        "pt": "Aplicação",
        "pl": "Aplikacja",
        "sv": "App",
    },
    "email": {
        "en": "Write an e-mail",
        "fr": "Écrire un e-mail",
        "de": "E-Mail schreiben",
        "nl": "Stuur een e-mail",
        "es": "Escribir un correo",
        "it": "Scrivi un'e-mail",
        "pt": "Enviar um e-mail",
        "pl": "Napisz e-mail",
        "sv": "Skicka ett mejl",
    },
    "messaging": {
        "en": "Send a message",
        "fr": "Envoyer un message",
        "de": "Nachricht schicken",
        "nl": "Stuur een bericht",
        "es": "Enviar un mensaje",
        "it": "Invia un messaggio",
        "pt": "Enviar uma mensagem",
        "pl": "Wyślij wiadomość",
        "sv": "Skicka ett meddelande",
    },
}
"""Labels for channels whose data gives none, in every card language (relais.languages.REPORTER_LANGUAGES)."""


def _labels(channel: schema.Channel, country: str) -> dict[str, str]:
    if channel.label:
        return dict(channel.label)
    number = display_number(channel.uri, country) if channel.kind in ("phone", "sms") else ""
    return {lang: text.format(number=number) for lang, text in _DEFAULT_LABELS[channel.kind].items()}


def _build_country(
    data: schema.CountryFile, overrides: Mapping[str, Override], closures: Mapping[str, list[Closure]]
) -> Country:
    zone = ZoneInfo(data.timezone)
    helplines = []
    for h in data.helplines:
        if not overrides.get(h.id, Override(h.id)).enabled:
            continue
        channels = []
        for i, c in enumerate(h.channels):
            channel_id = c.id or f"{h.id}-{c.kind}-{i}"
            override = overrides.get(channel_id, Override(channel_id))
            if not override.enabled:
                continue
            hours = override.hours or c.hours
            channel_zone = ZoneInfo(c.timezone) if c.timezone else zone
            mine = closures.get(channel_id, []) + (closures.get(h.id, []) if c.kind in CONTACT_KINDS else [])
            channels.append(
                Channel(
                    id=channel_id,
                    kind=c.kind,
                    labels=_labels(c, data.country),
                    uri=c.uri,
                    hours=hours,
                    free=c.free,
                    schedule=Schedule(
                        hours, channel_zone, data.public_holidays, windows=tuple(cl.window() for cl in mine)
                    ),
                    reachable_from_abroad=(
                        reachable_abroad(c.kind, c.uri) if c.reachable_from_abroad is None else c.reachable_from_abroad
                    ),
                )
            )
        if not channels:
            continue
        helplines.append(
            Helpline(
                id=h.id,
                country=data.country,
                name=h.name,
                operator=h.operator,
                descriptions=dict(h.description),
                languages=tuple(h.languages),
                topics=frozenset(h.topics),
                age_min=h.ages.min,
                age_max=h.ages.max,
                pair=h.pair,
                rank=h.rank,
                channels=tuple(channels),
                also_parents=h.also_parents,
            )
        )
    emergency = tuple(
        Emergency(id=e.id, names=dict(e.name), number=e.number, kind=e.kind, source=e.source.url)
        for e in data.emergency
    )
    return Country(code=data.country, names=dict(data.name), zone=zone, emergency=emergency, helplines=tuple(helplines))


def build(
    files: Iterable[schema.CountryFile], overrides: Iterable[Override | Closure] = (), *, version: str = ""
) -> Directory:
    """Assemble a Directory from parsed files; overrides and closures naming unknown ids are ignored."""
    files = list(files)
    overrides = list(overrides)
    by_target = {o.target: o for o in overrides if isinstance(o, Override)}
    closures: dict[str, list[Closure]] = {}
    for closure in overrides:
        if isinstance(closure, Closure):
            closures.setdefault(closure.target, []).append(closure)
    countries = {f.country: _build_country(f, by_target, closures) for f in files}
    fallback = countries.pop(FALLBACK_COUNTRY, None)
    if fallback is None:
        raise ValueError(f"the directory needs a fallback file {FALLBACK_COUNTRY.lower()}.yaml")
    known = {h.id for f in files for h in f.helplines}
    known |= {c.id for f in files for h in f.helplines for c in h.channels if c.id}
    return Directory(countries=countries, fallback=fallback, version=version, known_ids=frozenset(known))


_parsed: dict[tuple[object, ...], tuple[list[schema.CountryFile], str]] = {}
"""Files already parsed, by folder and each file's (name, size, mtime): a refresh after a closure rebuilds
from them in milliseconds instead of parsing every YAML file again (seconds on a busy machine)."""


def read_files(folder: Path = DATA_DIR) -> tuple[list[schema.CountryFile], str]:
    """Parse every country file; the version is a digest of their bytes, so a card can say what it used."""
    paths = list(schema.iter_country_files(folder))
    key = (str(folder), *((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths))
    known = _parsed.get(key)
    if known is not None:
        return list(known[0]), known[1]
    files, version = _read_files(folder)
    _parsed.clear()  # one folder in production; tests use many small ones
    _parsed[key] = (files, version)
    return list(files), version


def _read_files(folder: Path) -> tuple[list[schema.CountryFile], str]:
    digest = hashlib.sha256()
    files = []
    problems: list[schema.Problem] = []
    for path in schema.iter_country_files(folder):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        try:
            files.append(schema.parse_country_file(path))
        except schema.DirectoryFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise schema.DirectoryFileError(problems)
    return files, digest.hexdigest()[:12]


def load(folder: Path = DATA_DIR, overrides: Iterable[Override | Closure] = ()) -> Directory:
    files, version = read_files(folder)
    overrides = tuple(overrides)
    if overrides:
        extra = hashlib.sha256(repr(sorted(repr(o) for o in overrides)).encode())
        version = f"{version}+{extra.hexdigest()[:6]}"
    return build(files, overrides, version=version)
