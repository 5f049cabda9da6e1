"""The directory's facts and the checks that keep them true: a pure module over parsed files.

The schema (schema.py) says what a file may look like; this module says whether what it says holds
together: a number that is a real number of its country, an age range that agrees with what its source
says, no id used twice anywhere, public-holiday rules that the opening-hours library can evaluate. It also
lists every sourced fact with the day it was last read, so `relais directory stale` can say what to
re-read first. Nothing here touches Django or the clock: `today` is passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import shortnumberinfo

from relais.directory import schema

FALLBACK = "XX"
FactKind = Literal["emergency", "helpline", "channel"]
HolidayRule = Literal["off", "open", "unknown"]


@dataclass(frozen=True)
class Fact:
    """One sourced entry of a file: an emergency number, a helpline or a channel, with all its sources."""

    path: Path
    line: int
    country: str
    id: str
    kind: FactKind
    sources: tuple[schema.Source, ...]

    @property
    def checked_on(self) -> dt.date:
        """The last day someone read a source for it (`verified_at`), else the newest date a source speaks of."""
        verified = [s.verified_at for s in self.sources if s.verified_at is not None]
        return max(verified) if verified else max(s.date for s in self.sources)

    @property
    def verified(self) -> bool:
        return any(s.verified_at is not None for s in self.sources)

    @property
    def corroborated(self) -> bool:
        """Two sources from different sites say it; one site twice is still a single source."""
        return len({urlsplit(s.url).hostname for s in self.sources}) >= 2


def _sources(entry: schema.Emergency | schema.Helpline | schema.Channel) -> tuple[schema.Source, ...]:
    return (entry.source, *entry.sources)


def channel_id(helpline: schema.Helpline, index: int) -> str:
    """A channel's id: its own, or the one directory.build gives it (`<helpline>-<kind>-<index>`)."""
    channel = helpline.channels[index]
    return channel.id or f"{helpline.id}-{channel.kind}-{index}"


def facts(files: Iterable[schema.ParsedFile]) -> Iterator[Fact]:
    for parsed in files:
        data, path = parsed.data, parsed.path
        for i, e in enumerate(data.emergency):
            yield Fact(path, parsed.line("emergency", i), data.country, e.id, "emergency", _sources(e))
        for i, h in enumerate(data.helplines):
            yield Fact(path, parsed.line("helplines", i), data.country, h.id, "helpline", _sources(h))
            for j, c in enumerate(h.channels):
                line = parsed.line("helplines", i, "channels", j)
                yield Fact(path, line, data.country, channel_id(h, j), "channel", _sources(c))


def stale(all_facts: Iterable[Fact], *, today: dt.date, older_than: dt.timedelta) -> list[Fact]:
    """Facts last read before `today - older_than`, the oldest first: what to re-verify."""
    limit = today - older_than
    return sorted((f for f in all_facts if f.checked_on < limit), key=lambda f: (f.checked_on, f.id))


def holiday_rule(hours: str) -> HolidayRule:
    """What the hours say of public holidays: `PH off`, open (a `PH` rule with times, or 24/7), or unknown.

    opening-hours-py evaluates `PH` only when given the country's holidays (`public_holidays` in the file);
    without it a `PH off` is silently ignored, which `check` refuses.
    """
    rules = [r.strip() for r in hours.split(";")]
    for rule in reversed(rules):  # the last rule that names PH wins, as in the syntax
        if re.search(r"\bPH\b", rule):
            return "off" if re.search(r"\b(off|closed)\b", rule) else "open"
    if hours.strip() == "24/7":
        return "open"
    return "unknown"


# --- checks -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A problem (`check` refuses the files) or a warning (`check` passes and says so)."""

    path: Path
    line: int
    id: str
    field: str
    message: str
    severity: Literal["problem", "warning"] = "problem"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.id}: {self.field}: {self.message}"


def _number(uri: str) -> str:
    return uri.split(":", 1)[1].split("?", 1)[0]


def number_is_valid(number: str, country: str, regions: Iterable[str] = ()) -> bool:
    """A full number (`+33…`) valid per libphonenumber, or a national/short number valid in `country`.

    Short numbers (3018, 116 111, 112) are judged by libphonenumber's short-number metadata, which the
    `phonenumberslite` build ships. For the fallback file, which belongs to no country, a short number must be
    valid in one of `regions` (the countries the directory covers).
    """
    candidates = list(regions) if country == FALLBACK else [country]
    for region in candidates:
        try:
            parsed = phonenumbers.parse(number, None if number.startswith("+") else region)
        except phonenumbers.NumberParseException:
            return False
        if phonenumbers.is_valid_number(parsed):
            return True
        if not number.startswith("+") and shortnumberinfo.is_valid_short_number_for_region(parsed, region):
            return True
    return False


_AGE_MAX = [  # (pattern, how the captured age bounds `max`: 0 = "up to N" includes N, -1 = "under N" excludes it)
    (re.compile(r"\bunder (?:the age of )?(\d{1,2})\b", re.I), -1),
    (re.compile(r"\bmoins de (\d{1,2}) ans\b", re.I), -1),
    (re.compile(r"\bup to (?:the age of (\d{1,2})|(\d{1,2}) years?)\b", re.I), 0),
    (re.compile(r"\bjusqu['\u2019]à (\d{1,2}) ans\b", re.I), 0),
    (re.compile(r"\baté aos (\d{1,2}) anos\b", re.I), 0),
    (re.compile(r"\btot (\d{1,2}) jaar\b", re.I), 0),
    (re.compile(r"\bbis (\d{1,2}) Jahre", re.I), 0),
]
_AGE_MIN = [
    (re.compile(r"\b(\d{2})\s?\+(?!\d)"), 0),
    (re.compile(r"\b(?:over|aged) (\d{2}) and over\b|\bover (\d{2})s?\b", re.I), 0),
    (re.compile(r"\bplus de (\d{2}) ans\b", re.I), 0),
    (re.compile(r"\b(?:à partir de|dès) (\d{1,2}) ans\b", re.I), 0),
]
_ADULTS_ONLY = re.compile(
    r"\badults only\b|\bfor adults\b(?! worried)|\badultes uniquement\b|\bréservée? aux adultes\b"
)


_ABOUT_SOMETHING_ELSE = re.compile(r"image|photo|video|picture|taken|when|were|was", re.I)
"""Words that, just before an age phrase, show the age is of something else than the person calling: Take It
Down is for "photos and videos of people under 18", used by adults too."""


def _about_the_caller(note: str, match: re.Match[str]) -> bool:
    return not _ABOUT_SOMETHING_ELSE.search(note[max(0, match.start() - 40) : match.start()])


def _bound(match: re.Match[str]) -> int:
    return int(next(g for g in match.groups() if g is not None))


def age_contradictions(helpline: schema.Helpline) -> list[tuple[str, str]]:
    """(field, message) for each age bound a helpline's own source notes state and `ages` contradicts.

    The rule is deliberately narrow, so that it never cries wolf: it reads only the helpline's sources (who
    the service is for), not its channels' (a channel note may speak of something else, such as images taken
    "when under 18"); it knows a few phrasings in the directory's languages ("under 18", "moins de 18 ans",
    "up to the age of 19", "jusqu'à 21 ans", "até aos 18 anos", "tot 18 jaar", "18+", "plus de 18 ans",
    "adults only"); and it flags only a range that admits ages the note excludes (no `max`, or a higher
    one; no `min`, or a lower one). A tighter range than the note is the editor's choice and passes. A phrase
    just after "images", "photos", "taken", "when"… is about something else and is skipped.
    """
    out: list[tuple[str, str]] = []
    ages = helpline.ages
    for source in _sources(helpline):
        note = source.note or ""
        for pattern, offset in _AGE_MAX:
            if (m := pattern.search(note)) and _about_the_caller(note, m):
                limit = _bound(m) + offset
                if ages.max is None or ages.max > limit:
                    out.append(
                        ("ages.max", f"the source note says {m.group(0)!r} (max {limit}) but ages.max is {ages.max}")
                    )
        mins = [(m, _bound(m)) for pattern, _ in _AGE_MIN if (m := pattern.search(note)) and _about_the_caller(note, m)]
        if m2 := _ADULTS_ONLY.search(note):
            mins.append((m2, 18))
        for m, limit in mins:
            if ages.min is None or ages.min < limit:
                out.append(
                    ("ages.min", f"the source note says {m.group(0)!r} (min {limit}) but ages.min is {ages.min}")
                )
    return out


def check(files: list[schema.ParsedFile]) -> list[Finding]:
    """Every problem and warning across the files, in file order."""
    findings: list[Finding] = []
    regions = [p.data.country for p in files if p.data.country != FALLBACK]
    seen: dict[str, tuple[Path, int]] = {}

    def add(
        parsed: schema.ParsedFile,
        loc: tuple[str | int, ...],
        ident: str,
        field: str,
        message: str,
        severity: Literal["problem", "warning"] = "problem",
    ) -> None:
        findings.append(Finding(parsed.path, parsed.line(*loc), ident, field, message, severity))

    def unique(parsed: schema.ParsedFile, loc: tuple[str | int, ...], ident: str) -> None:
        if ident in seen:
            other, line = seen[ident]
            add(parsed, loc, ident, "id", f"id already used in {other.name}:{line}")
        else:
            seen[ident] = (parsed.path, parsed.line(*loc))

    for parsed in files:
        data = parsed.data
        for i, e in enumerate(data.emergency):
            unique(parsed, ("emergency", i, "id"), e.id)
            if not number_is_valid(e.number, data.country, regions):
                add(
                    parsed,
                    ("emergency", i, "number"),
                    e.id,
                    "number",
                    f"{e.number} is not a valid number in {data.country}",
                )
        for i, h in enumerate(data.helplines):
            unique(parsed, ("helplines", i, "id"), h.id)
            for field, message in age_contradictions(h):
                add(parsed, ("helplines", i, "ages"), h.id, field, message)
            for j, c in enumerate(h.channels):
                loc = ("helplines", i, "channels", j)
                ident = channel_id(h, j)
                if c.id:
                    unique(parsed, (*loc, "id"), c.id)
                if c.kind in ("phone", "sms"):
                    valid = number_is_valid(_number(c.uri), data.country, regions)
                    if not valid and not c.number_unlisted:
                        add(
                            parsed,
                            (*loc, "uri"),
                            ident,
                            "uri",
                            f"{_number(c.uri)} is not a valid number in {data.country} (libphonenumber); if its "
                            "source says it is, set number_unlisted to say why",
                        )
                    elif valid and c.number_unlisted:
                        add(
                            parsed,
                            (*loc, "number_unlisted"),
                            ident,
                            "number_unlisted",
                            "libphonenumber now knows this number: remove number_unlisted",
                        )
                    elif c.number_unlisted:
                        add(
                            parsed,
                            (*loc, "number_unlisted"),
                            ident,
                            "uri",
                            f"accepted without libphonenumber: {c.number_unlisted}",
                            "warning",
                        )
                if re.search(r"\bPH\b", c.hours) and data.public_holidays is None:
                    add(
                        parsed,
                        (*loc, "hours"),
                        ident,
                        "hours",
                        "the hours name public holidays (PH) but the file has no public_holidays country, so "
                        "they would be ignored",
                    )
    return findings


def unverified(all_facts: Iterable[Fact]) -> list[Fact]:
    """Facts none of whose sources says when it was read (`verified_at`): `check` warns about them."""
    return [f for f in all_facts if not f.verified]
