"""Help cards as the API sends them, memoised while nothing on them can change.

A card depends on the request and on the state of the channels it shows; those states hold until the
earliest next change among them (`HelpCard.valid_until`). So a card computed once is reused for every
request of the same shape until then, and only `generated_at` is refreshed. Requests are keyed by what can
change the card — the primary language subtag, and the age only as far as the directory's age limits tell
ages apart — so 14 and 15 share a card wherever no helpline draws a line between them. The card is kept as
ready JSON bytes with a hole for `generated_at`, which keeps a cache hit in the order of a few
microseconds (see docs/benchmarks.md).
"""

from __future__ import annotations

import bisect
import itertools
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from relais.directory.directory import ADULT, Directory
from relais.directory.routing import HelpCard, HelpRequest, route
from relais.languages import primary

MAX_ENTRIES = 50_000
"""Past this many request shapes, the older half is dropped (not everything: hot shapes stay warm)."""

_HOLE = "\x00generated_at\x00"
_HOLE_JSON = orjson.dumps(_HOLE)

CardKey = tuple[str, str, str, str, int, str | None, str, str | None]


@dataclass(frozen=True)
class _Entry:
    card: HelpCard
    data: dict[str, Any]
    head: bytes
    tail: bytes
    zone: ZoneInfo
    valid_from: float
    valid_until: float


def _age_limits(directory: Directory) -> list[int]:
    """Ages where some helpline's range starts or stops: between two of them, every age routes alike."""
    limits: set[int] = set()
    for country in [*directory.countries.values(), directory.fallback]:
        for helpline in country.helplines:
            if helpline.age_min is not None:
                limits.add(helpline.age_min)
            if helpline.age_max is not None:
                limits.add(helpline.age_max + 1)
            if helpline.also_parents:
                limits.add(ADULT)
    return sorted(limits)


class CardCache:
    """Memo of `route()` results for one Directory; it is dropped along with the directory it belongs to."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._limits = _age_limits(directory)
        self._cards: dict[CardKey, _Entry] = {}
        self._lock = threading.Lock()

    def key(self, request: HelpRequest) -> CardKey:
        age_band = -1 if request.age is None else bisect.bisect_right(self._limits, request.age)
        return (
            request.country.upper(),
            primary(request.language),
            request.category,
            request.danger,
            age_band,
            request.timezone,
            request.presentation,
            None if request.location_country is None else request.location_country.upper(),
        )

    def _entry(self, request: HelpRequest, now: datetime) -> _Entry:
        key = self.key(request)
        instant = now.timestamp()
        entry = self._cards.get(key)
        if entry is not None and entry.valid_from <= instant < entry.valid_until:
            return entry
        card = route(self.directory, request, now)
        data = card.as_json()
        head, tail = orjson.dumps({**data, "generated_at": _HOLE}).split(_HOLE_JSON)
        zone = card.generated_at.tzinfo
        assert isinstance(zone, ZoneInfo)  # noqa: S101 - route() always gives a ZoneInfo; a guard for mypy
        entry = _Entry(
            card=card,
            data=data,
            head=head + b'"',
            tail=b'"' + tail,
            zone=zone,
            valid_from=instant,
            valid_until=float("inf") if card.valid_until is None else card.valid_until.timestamp(),
        )
        with self._lock:
            if len(self._cards) >= MAX_ENTRIES:
                for old in list(itertools.islice(self._cards, MAX_ENTRIES // 2)):
                    self._cards.pop(old, None)
            self._cards[key] = entry
        return entry

    def card(self, request: HelpRequest, now: datetime) -> HelpCard:
        return self._entry(request, now).card

    def card_json(self, request: HelpRequest, now: datetime) -> dict[str, Any]:
        """The card as JSON-ready data, with `generated_at` set to `now` in the reporter's zone.

        The returned dict is shared with the cache below its top level: serialise it, do not mutate it.
        """
        entry = self._entry(request, now)
        return {**entry.data, "generated_at": now.astimezone(entry.zone).isoformat()}

    def card_bytes(self, request: HelpRequest, now: datetime) -> bytes:
        """The card as the JSON body the API sends: the same as `orjson.dumps(card_json(...))`."""
        entry = self._entry(request, now)
        return entry.head + now.astimezone(entry.zone).isoformat().encode() + entry.tail
