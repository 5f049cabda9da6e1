"""Help cards as the API sends them, memoised while nothing on them can change.

A card depends on the request and on the state of the channels it shows; those states hold until the
earliest next change among them (`HelpCard.valid_until`). So a card computed once is reused for every
identical request until then, and only `generated_at` is refreshed. This keeps a card in the order of
microseconds (see bench/help_card.py), so the help card is never what makes a report slow.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from relais.directory.directory import Directory
from relais.directory.routing import HelpCard, HelpRequest, route

MAX_ENTRIES = 20_000
"""Requests vary by country, language, age, zone...; past this many, start afresh rather than grow."""


class CardCache:
    """Memo of `route()` results for one Directory; it is dropped along with the directory it belongs to."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._cards: dict[HelpRequest, tuple[HelpCard, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _entry(self, request: HelpRequest, now: datetime) -> tuple[HelpCard, dict[str, Any]]:
        entry = self._cards.get(request)
        if entry is not None:
            card = entry[0]
            if card.generated_at <= now and (card.valid_until is None or now < card.valid_until):
                return entry
        card = route(self.directory, request, now)
        entry = (card, card.as_json())
        with self._lock:
            if len(self._cards) >= MAX_ENTRIES:
                self._cards.clear()
            self._cards[request] = entry
        return entry

    def card(self, request: HelpRequest, now: datetime) -> HelpCard:
        return self._entry(request, now)[0]

    def card_json(self, request: HelpRequest, now: datetime) -> dict[str, Any]:
        """The card as JSON-ready data, with `generated_at` set to `now` in the reporter's zone.

        The returned dict is shared with the cache below its top level: serialise it, do not mutate it.
        """
        card, data = self._entry(request, now)
        return {**data, "generated_at": now.astimezone(card.generated_at.tzinfo).isoformat()}
