"""The reporter's page, rendered once and served again while nothing it shows can have changed.

A reporter's page is opened again and again: after each form (the answer is a redirect to it), on every reload,
when a messaging app's browser reopens the link. Building it means reading the report, its cases and notices
through the ORM and rendering a long template: ~6 ms of a worker, ten times the no-op endpoint, on the workers
that report intake needs (issue 12's goal is half the no-op's rate).

A memo entry is keyed by *everything the page is made from*, not by a version that writers would have to bump:
every column of every row the page can read (the report, its platform, consents, cases and their helplines,
notices, decisions, appeals, the platform's resolutions), read afresh by one plain SQL statement on every
request; the request's own inputs (path, query, language cookie, Accept-Language); the directory in memory and
the helplines registered. So a write anywhere (a share, a decision, an appeal, a revoked link, a purge) changes
the key, and the next request renders anew: no invalidation to forget. What time changes (a line opening or
closing, a code or an appeal period running out, "tomorrow" becoming "today") is an entry's `valid_until`, set
when it is rendered; and no entry lives longer than `MAX_AGE_SECONDS`.

Kept in this process's memory only, a bounded number of entries, never in a shared cache: a rendered page holds
a case code, and Relais keeps no extra copy of children's data anywhere it could outlive the process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

MAX_ENTRIES = 512
"""About 30 kB each: ~15 MB per worker at most."""
MAX_AGE_SECONDS = 60.0
"""An upper bound on how long anything this module did not foresee can stay stale."""


@dataclass(frozen=True)
class Entry:
    body: bytes
    content_type: str
    valid_until: float
    directory: object
    valid_from: float = float("inf")
    """When it was rendered (set by `put`): a clock set back (a test's, an operator's) renders anew."""
    """The directory the page was rendered from: a reloaded directory (an admin's change) renders anew."""


def key(parts: Iterable[str]) -> bytes:
    """A digest of the page's inputs; the token in the path is hashed along with the rest, never kept."""
    digest = hashlib.blake2b(digest_size=32)
    for part in parts:
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.digest()


class PageMemo:
    """A small least-recently-used map from a page's inputs to its rendering, safe across threads."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, page_key: bytes, *, now: float, directory: object) -> Entry | None:
        with self._lock:
            entry = self._entries.get(page_key)
            if entry is None:
                return None
            if not entry.valid_from <= now < entry.valid_until or entry.directory is not directory:
                del self._entries[page_key]
                return None
            self._entries.move_to_end(page_key)
            return entry

    def put(self, page_key: bytes, entry: Entry, *, now: float) -> None:
        entry = Entry(
            body=entry.body,
            content_type=entry.content_type,
            valid_until=min(entry.valid_until, now + MAX_AGE_SECONDS),
            directory=entry.directory,
            valid_from=now,
        )
        if entry.valid_until <= now or self.max_entries <= 0:
            return
        with self._lock:
            self._entries[page_key] = entry
            self._entries.move_to_end(page_key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
