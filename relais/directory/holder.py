"""The directory currently in force in this process, swapped atomically and refreshed off the hot path.

Readers take `current()` — one attribute read, no lock, no I/O — and get a complete, immutable directory.
Overrides edited in the admin and closures set in the console are picked up by a refresh that runs in a
background thread, started at most every `refresh_seconds` by whichever request notices it is due, and, with
`poll`, by a thread of its own every `refresh_seconds` (so an idle worker's next card is already fresh). The
request itself never waits for it, and if the refresh fails (database down) the old directory stays in force.
With `stamp`, a refresh first reads only the stamp (one row) and loads the overrides only when it moved.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from relais.directory import directory as directory_module
from relais.directory.cards import CardCache
from relais.directory.directory import Closure, Directory, Override

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    directory: Directory
    cards: CardCache
    overrides_stamp: object


class DirectoryHolder:
    def __init__(
        self,
        *,
        overrides: Callable[[], tuple[object, Iterable[Override | Closure]]],
        refresh_seconds: Callable[[], float],
        loader: Callable[[Iterable[Override | Closure]], Directory] = lambda o: directory_module.load(overrides=o),
        monotonic: Callable[[], float] = time.monotonic,
        after_background_refresh: Callable[[], None] = lambda: None,
        stamp: Callable[[], object] | None = None,
        poll: bool = False,
    ) -> None:
        """`overrides()` returns (a stamp that changes when they change, the overrides); `refresh_seconds()`
        is read at each reload, so a setting changed at run time (tests) takes effect."""
        self._overrides = overrides
        self._loader = loader
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._after_background_refresh = after_background_refresh
        self._snapshot: Snapshot | None = None
        self._next_check = 0.0
        self._refreshing = threading.Lock()
        self._loading = threading.Lock()
        self._stamp = stamp
        self._poll = poll
        self._poller: threading.Thread | None = None
        if poll:
            # A forked worker (gunicorn) inherits no threads: it starts its own poller on its first card.
            os.register_at_fork(after_in_child=self._forget_poller)

    def _forget_poller(self) -> None:
        self._poller = None
        self._refreshing = threading.Lock()

    def _start_poller(self) -> None:
        with self._loading:
            if self._poller is not None:
                return
            self._poller = threading.Thread(target=self._poll_forever, name="directory-poll", daemon=True)
            self._poller.start()

    def _poll_forever(self) -> None:
        while True:
            time.sleep(min(max(self._refresh_seconds(), 0.05), 3600.0))
            if self._refreshing.acquire(blocking=False):
                self._next_check = self._monotonic() + self._refresh_seconds()
                # The same thread as a request starts, so that whoever waits for a refresh waits for this one too.
                threading.Thread(target=self._refresh_in_background, name="directory-refresh", daemon=True).start()

    def current(self) -> Snapshot:
        snapshot = self._snapshot
        if self._poll and self._poller is None:
            self._start_poller()
        if snapshot is None:
            return self._first_load()
        if self._monotonic() >= self._next_check and self._refreshing.acquire(blocking=False):
            self._next_check = self._monotonic() + self._refresh_seconds()
            threading.Thread(target=self._refresh_in_background, name="directory-refresh", daemon=True).start()
        return snapshot

    def reload(self) -> Snapshot:
        """Rebuild now (after an admin edit, or at start-up); keeps the old one if anything fails."""
        try:
            stamp, overrides = self._overrides()
        except Exception as exc:
            logger.warning("directory overrides could not be read (%s); loading the data files alone", exc)
            stamp, overrides = None, ()
        snapshot = self._build(stamp, overrides)
        self._snapshot = snapshot
        self._next_check = self._monotonic() + self._refresh_seconds()
        return snapshot

    def _build(self, stamp: object, overrides: Iterable[Override | Closure]) -> Snapshot:
        directory = self._loader(tuple(overrides))
        return Snapshot(directory=directory, cards=CardCache(directory), overrides_stamp=stamp)

    def _first_load(self) -> Snapshot:
        with self._loading:
            snapshot = self._snapshot
            return self.reload() if snapshot is None else snapshot

    def _refresh_in_background(self) -> None:
        try:
            if (
                self._stamp is not None
                and self._snapshot is not None
                and self._stamp() == self._snapshot.overrides_stamp
            ):
                return
            stamp, overrides = self._overrides()
            if self._snapshot is None or stamp != self._snapshot.overrides_stamp:
                self._snapshot = self._build(stamp, overrides)
                logger.info("directory reloaded: %s", self._snapshot.directory.version)
        except Exception:
            logger.exception("directory refresh failed; the current directory stays in force")
        finally:
            try:
                self._after_background_refresh()
            except Exception:
                logger.exception("cleaning up after the directory refresh failed")
            finally:
                self._refreshing.release()
