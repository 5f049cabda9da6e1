"""The in-memory directory: swapped whole, refreshed off the request path, kept when a refresh fails."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from relais.directory.directory import Closure, Directory, Override
from relais.directory.holder import DirectoryHolder
from tests import factories as f


class Source:
    """Stands in for the overrides table (outside the pure module under test, like a database)."""

    def __init__(self) -> None:
        self.overrides: list[Override] = []
        self.stamp = 0
        self.fail = False
        self.reads = 0
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self) -> tuple[object, Iterable[Override]]:
        self.reads += 1
        self.gate.wait(5)
        if self.fail:
            raise ConnectionError("database down")
        return self.stamp, list(self.overrides)


def _loader(overrides: Iterable[Override | Closure]) -> Directory:
    line = f.helpline("fr-a", ["harassment"], [f.channel("phone", "tel:3018", "24/7", id="fr-a-phone")])
    return f.build(f.country("FR", "Europe/Paris", [line]), overrides=tuple(overrides))


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def make() -> tuple[DirectoryHolder, Source, Clock]:
    source, clock = Source(), Clock()
    holder = DirectoryHolder(overrides=source, refresh_seconds=lambda: 30, loader=_loader, monotonic=clock)
    return holder, source, clock


def _join_refresh() -> None:
    for thread in threading.enumerate():
        if thread.name == "directory-refresh":
            thread.join(5)


def test_readers_get_the_same_snapshot_until_a_change_is_seen() -> None:
    holder, source, clock = make()
    first = holder.current()
    assert holder.current() is first
    clock.t = 31  # due: a refresh starts in the background, the reader still gets the current one
    assert holder.current() is first
    _join_refresh()
    assert source.reads == 2  # the refresh did look
    assert holder.current() is first  # nothing changed: no rebuild


def test_a_changed_override_is_swapped_in_by_the_background_refresh() -> None:
    holder, source, clock = make()
    holder.current()
    source.overrides, source.stamp = [Override(target="fr-a", enabled=False)], 1
    clock.t = 31
    source.gate.clear()  # the refresh is slow: the request does not wait for it
    before = holder.current()
    assert before.directory.countries["FR"].helplines
    source.gate.set()
    _join_refresh()
    assert holder.current().directory.countries["FR"].helplines == ()


def test_a_failed_refresh_keeps_the_directory_in_force() -> None:
    holder, source, clock = make()
    first = holder.current()
    source.fail = True
    clock.t = 31
    holder.current()
    _join_refresh()
    assert holder.current() is first


def test_refreshes_are_not_started_more_often_than_asked() -> None:
    holder, source, clock = make()
    holder.current()
    reads = source.reads
    for _ in range(50):
        holder.current()
    assert source.reads == reads
    clock.t = 31
    for _ in range(50):
        holder.current()
    _join_refresh()
    assert source.reads == reads + 1


def test_a_failing_source_at_start_still_gives_the_data_files() -> None:
    holder, source, _ = make()
    source.fail = True
    assert holder.current().directory.countries["FR"].helplines


def test_a_failing_clean_up_does_not_stop_later_refreshes() -> None:
    source, clock = Source(), Clock()

    def broken_clean_up() -> None:
        raise RuntimeError("connection belongs to another thread")

    holder = DirectoryHolder(
        overrides=source,
        refresh_seconds=lambda: 30,
        loader=_loader,
        monotonic=clock,
        after_background_refresh=broken_clean_up,
    )
    holder.current()
    clock.t = 31
    holder.current()
    _join_refresh()
    source.overrides, source.stamp = [Override(target="fr-a", enabled=False)], 1
    clock.t = 62
    holder.current()
    _join_refresh()
    assert holder.current().directory.countries["FR"].helplines == ()
