"""The helpline directory's file format, and its validation with file:line errors.

The directory is data that non-programmers (helpline staff, researchers) edit by hand, so a mistake must
point at the line to fix, not at a Python traceback. Every fact carries its source because hours and
numbers change over the years (the 3018 and the 3919 both widened theirs) and a reviewer must be able to
re-check each one.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import opening_hours
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CATEGORIES: tuple[str, ...] = (
    "harassment",
    "cyberbullying",
    "threat",
    "hate",
    "sextortion",
    "non_consensual_intimate_imagery",
    "impersonation",
    "doxxing",
    "self_harm",
    "other",
    "grooming",
    "child_sexual_abuse_material",
)
"""The report categories of the API contract; a helpline's topics are drawn from the same words. The last two
were added after the first release (aligned with the DSA Transparency Database's KEYWORD_GROOMING_SEXUAL_
ENTICEMENT_MINORS and KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL), so they come last: existing values never move."""

ROLES: tuple[str, ...] = ("hotline", "take_down")
"""Topics naming what a service *does* rather than a harm (docs/directory.md): `hotline` takes reports of child
sexual abuse material and passes them to the police and the host (an INHOPE member's job); `take_down` gets
intimate images of a young person removed (Take It Down, NeedHelpNow, Report Remove)."""

TOPICS: tuple[str, ...] = (*CATEGORIES, "general", *ROLES)
"""`general` marks a helpline that takes any worry (a child helpline), used when no specialist fits."""

CHANNEL_KINDS = Literal["phone", "sms", "chat", "web", "app", "email", "messaging"]
EMERGENCY_KINDS = Literal["general", "police", "medical", "fire", "text"]
UI_LANGUAGES: tuple[str, ...] = ("en", "fr")
"""Languages every human-readable text must be given in: the languages of Relais's own pages."""

_ID = r"^[a-z]{2}-[a-z0-9][a-z0-9-]*$"
_LANG = r"^[a-z]{2,3}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(_Strict):
    """Where a fact was read: the date the source speaks of (`date`) and the day someone read it (`verified_at`).

    The two differ: an undated page read today speaks of an unknown date, and a 2021 article read in 2026 is
    still a 2021 fact. `relais directory stale` goes by `verified_at` (else `date`) to list what to re-read.
    """

    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    date: dt.date
    note: str | None = None
    verified_at: dt.date | None = None


def _check_texts(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in UI_LANGUAGES if not value.get(lang)]
    if missing:
        raise ValueError(f"text missing in {', '.join(missing)}")
    bad = [lang for lang in value if not re.match(_LANG, lang)]
    if bad:
        raise ValueError(f"not a language code: {', '.join(bad)}")
    return value


Texts = dict[str, str]


def _check_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r}") from exc
    return value


class Emergency(_Strict):
    id: Annotated[str, Field(pattern=_ID)]
    name: Texts
    number: Annotated[str, Field(pattern=r"^(\+[1-9][0-9]{6,14}|[0-9]{2,6})$")]
    """A short number (`112`), or a full one in international form where the service has only that, such as
    Malta's emergency SMS number for deaf people (`+35679770112`)."""
    kind: EMERGENCY_KINDS
    source: Source
    sources: list[Source] = []
    """Further sources that confirm the same fact: two independent ones make it `corroborated`."""

    _texts = field_validator("name")(_check_texts)


class Channel(_Strict):
    id: Annotated[str, Field(pattern=_ID)] | None = None
    kind: CHANNEL_KINDS
    label: Texts | None = None
    uri: Annotated[str, Field(pattern=r"^(tel:\+?[0-9-]+|sms:\+?[0-9-]+(\?body=.*)?|https://\S+|mailto:\S+)$")]
    hours: str
    timezone: str | None = None
    free: bool
    languages: list[Annotated[str, Field(pattern=_LANG)]] | None = None
    reachable_from_abroad: bool | None = None
    """Can someone in another country use it? Left out: web, chat, app, e-mail and messaging yes; a phone or SMS
    number yes only when written in international form and not a freephone (see directory.reachable_abroad)."""
    source: Source
    sources: list[Source] = []
    number_unlisted: Annotated[str, Field(min_length=10)] | None = None
    """Why `directory check` may accept a number that libphonenumber's metadata does not know yet (a short
    number newer than the metadata): a sentence citing the source, reviewed like any other fact."""

    _texts = field_validator("label")(lambda v: v if v is None else _check_texts(v))
    _zone = field_validator("timezone")(lambda v: v if v is None else _check_zone(v))

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, value: str) -> str:
        if not opening_hours.validate(value):
            raise ValueError(f"not valid OpenStreetMap opening_hours syntax: {value!r}")
        return value

    @model_validator(mode="after")
    def _uri_matches_kind(self) -> Channel:
        scheme = self.uri.split(":", 1)[0]
        expected = {"phone": "tel", "sms": "sms", "email": "mailto"}.get(self.kind, "https")
        if scheme != expected:
            raise ValueError(f"a {self.kind} channel needs a {expected}: URI, not {scheme}:")
        return self


class Ages(_Strict):
    min: Annotated[int, Field(ge=0, le=120)] | None = None
    max: Annotated[int, Field(ge=0, le=120)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Ages:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self


class Helpline(_Strict):
    id: Annotated[str, Field(pattern=_ID)]
    name: str
    operator: str
    description: Texts
    languages: Annotated[list[Annotated[str, Field(pattern=_LANG)]], Field(min_length=1)]
    topics: Annotated[list[Literal[TOPICS]], Field(min_length=1)]  # type: ignore[valid-type]
    ages: Ages = Ages()
    also_parents: bool = False
    """The service is for young people (an age range) but also answers parents and adults worried about a
    child, as its source says: an adult reporter is offered it even though the range excludes them."""
    pair: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")] | None = None
    rank: Annotated[int, Field(ge=0, le=1000)] = 100
    channels: Annotated[list[Channel], Field(min_length=1)]
    source: Source
    sources: list[Source] = []

    _texts = field_validator("description")(_check_texts)


class CountryFile(_Strict):
    """One file per country: `<cc>.yaml`. `XX` is the fallback used for countries with no file."""

    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    name: Texts
    timezone: str
    public_holidays: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    emergency: Annotated[list[Emergency], Field(min_length=1)]
    helplines: list[Helpline] = []

    _texts = field_validator("name")(_check_texts)
    _zone = field_validator("timezone")(_check_zone)

    @model_validator(mode="after")
    def _unique_ids(self) -> CountryFile:
        seen: set[str] = set()
        ids = [e.id for e in self.emergency] + [h.id for h in self.helplines]
        ids += [c.id for h in self.helplines for c in h.channels if c.id]
        for ident in ids:
            if ident in seen:
                raise ValueError(f"id {ident!r} is used twice")
            seen.add(ident)
        return self


@dataclass(frozen=True)
class Problem:
    """A validation error located in a data file, printed as `path:line: message`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DirectoryFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _line_index(node: yaml.Node, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _line_index(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*path, i), out)


def _nearest_line(lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]) -> int:
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _id_along(raw: Any, loc: tuple[str | int, ...]) -> str | None:
    """The id of the innermost entry (helpline, channel, emergency number) on the way to `loc`."""
    found = None
    node = raw
    for part in loc:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict) and isinstance(node.get("id"), str):
        found = node["id"]
    return found


@dataclass(frozen=True)
class ParsedFile:
    """A valid file with the line of each of its keys, so later checks can point at the line too."""

    path: Path
    data: CountryFile
    lines: dict[tuple[str | int, ...], int]

    def line(self, *loc: str | int) -> int:
        return _nearest_line(self.lines, loc)


def parse_with_lines(path: Path) -> ParsedFile:
    """Parse and validate one file; raise DirectoryFileError listing every problem with its line and id."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise DirectoryFileError([Problem(path, line, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from exc
    lines: dict[tuple[str | int, ...], int] = {}
    if node is not None:
        _line_index(node, (), lines)
    try:
        parsed = CountryFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
            where = ".".join(str(p) for p in loc) or "(file)"
            ident = _id_along(raw, loc)
            prefix = f"{ident}: " if ident else ""
            problems.append(Problem(path, _nearest_line(lines, loc), f"{prefix}{where}: {err['msg']}"))
        raise DirectoryFileError(problems) from exc
    expected = path.stem.upper()
    if parsed.country != expected:
        raise DirectoryFileError(
            [Problem(path, lines.get(("country",), 1), f"country {parsed.country} in file {path.name}")]
        )
    return ParsedFile(path=path, data=parsed, lines=lines)


def parse_country_file(path: Path) -> CountryFile:
    """Parse and validate one file; raise DirectoryFileError listing every problem with its line."""
    return parse_with_lines(path).data


def iter_country_files(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.glob("*.yaml"))
