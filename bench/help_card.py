"""Help cards per second, in-process, on one core: what `/api/v1/help` costs before HTTP and Django.

    .venv/bin/python bench/help_card.py [--seconds 3] [--step-ms 10] [--profile] [--per-country]

Uses the real directory (every file in relais/directory/data) and a `CardCache`, per request either
`card_bytes(...)` (what GET /api/v1/help sends) or `card_json(...)` then `orjson.dumps(...)` (what report
intake stores and sends). Requests are drawn from a seeded, skewed
mix of countries (plus one the directory does not cover), languages, harms, ages, danger and presentation,
and each request is `--step-ms` later than the last, starting a few minutes before 09:00 in Paris, so
channels open and close during the run and cached cards really expire. A second cached scenario
compresses a whole day (1 s per request) to show the cost when every 09:00/23:00 boundary is crossed.

Scenarios (each timed for `--seconds` of wall time; the cache rows after one untimed pass over the mix):
  harness            the loop alone: build the HelpRequest, advance the clock (included in every row)
  route() only       routing.route(), channel-state memo warm, no card cache
  route() cold       route() after clearing every schedule's memo (~100 attribute writes, a few µs):
                     opening_hours evaluated for every channel shown
  route+json+dumps   what a card costs without the card cache
  hits only          CardCache over 1,000 distinct requests at one instant: the floor
  10 ms/req          the API's path (the goal: >= 50,000 cards/s), both card_bytes and card_json+orjson
  1 s/req            the same with a simulated day every ~86,400 requests
Under each cache row: how many requests needed route() (new request, card expired at a channel change,
or evicted when the cache reached MAX_ENTRIES and dropped its older half) and the share of time in the GC.
Figures are per CPU-second of this process (robust when a neighbour shares the core); wall figures too.

Pure modules only: no Django settings, no database. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, get_args
from zoneinfo import ZoneInfo

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relais.directory import cards as cards_module
from relais.directory import directory as directory_module
from relais.directory.cards import MAX_ENTRIES, CardCache, CardKey
from relais.directory.directory import Directory
from relais.directory.routing import Danger, HelpRequest, Presentation, route
from relais.directory.schema import CATEGORIES

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")
UNCOVERED_COUNTRY = "JP"
"""A country with no data file: exercises the fallback card."""

RequestFields = tuple[str, str, str, Danger, int | None, str | None, Presentation]


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
        return "pinned to CPU 0"
    return "not pinned (no sched_setaffinity on this platform)"


def request_mix(directory: Directory, count: int, seed: int, only: str | None = None) -> list[RequestFields]:
    """A skewed, seeded mix: big countries and the local language more often, a few distinct ages.
    With `only`, every request is for that country (the same mix of languages, harms and ages)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    countries = sorted(directory.countries)
    weights = [5.0 if c in ("FR", "US", "GB", "DE") else 1.0 for c in countries]
    countries.append(UNCOVERED_COUNTRY)
    weights.append(0.5)
    local = {
        c: sorted({lang for h in directory.countries[c].helplines for lang in h.languages}) for c in countries[:-1]
    }
    if only is not None:
        countries, weights = [only], [1.0]
    category_weights = [8, 5, 2, 3, 2, 2, 2, 1, 1, 2, 1, 1]  # the last two: grooming, child sexual abuse material
    ages: list[int | None] = [None, 11, 13, 14, 15, 16, 17, 19, 24, 35]
    age_weights = [6, 1, 2, 2, 2, 2, 1, 1, 1, 1]
    dangers: tuple[Danger, ...] = get_args(Danger)
    presentations: tuple[Presentation, ...] = get_args(Presentation)
    mix: list[RequestFields] = []
    for _ in range(count):
        country = rng.choices(countries, weights)[0]
        languages = [*local.get(country, []), "en", "fr", "fr-BE", "en-GB"]
        language = rng.choice(languages)
        category = rng.choices(CATEGORIES, category_weights)[0]
        danger = dangers[1] if rng.random() < 0.1 else dangers[0]
        age = rng.choices(ages, age_weights)[0]
        zone = "Europe/Paris" if country == UNCOVERED_COUNTRY and rng.random() < 0.3 else None
        presentation = presentations[1] if rng.random() < 0.2 else presentations[0]
        mix.append((country, language, category, danger, age, zone, presentation))
    return mix


@dataclass
class Result:
    name: str
    calls: int
    seconds: float
    """CPU time of this process: what a card costs, even when a neighbour shares the core."""
    wall: float
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds

    @property
    def micros(self) -> float:
        return self.seconds / self.calls * 1e6

    @property
    def wall_per_second(self) -> float:
        return self.calls / self.wall


def start_instant() -> datetime:
    """A Wednesday, 08:58 in Paris: channels open at 09:00 two minutes into the run."""
    return datetime(2025, 6, 11, 8, 58, tzinfo=PARIS).astimezone(UTC)


class Stream:
    """The request sequence and the simulated clock; successive runs continue where the last stopped."""

    def __init__(self, mix: list[RequestFields], step: timedelta) -> None:
        self.mix = mix
        self.step = step
        self.index = 0
        self.now = start_instant()

    def warm(self, work: Callable[[HelpRequest, datetime], Any]) -> None:
        """One untimed pass over the whole mix, ending at `start_instant()`: every request has been seen
        once, as on a server that has been up a while, and the timed run then starts at 08:58 in Paris."""
        self.now = start_instant() - self.step * len(self.mix)
        for _ in range(len(self.mix)):
            work(HelpRequest(*self.mix[self.index % len(self.mix)]), self.now)
            self.now += self.step
            self.index += 1

    def run(
        self,
        name: str,
        work: Callable[[HelpRequest, datetime], Any],
        *,
        seconds: float,
        before_each: Callable[[], None] | None = None,
        batch: int = 500,
    ) -> Result:
        """Call `work` on successive requests, the clock advancing `step` each, for about `seconds`."""
        mix, n, step = self.mix, len(self.mix), self.step
        i, now = self.index, self.now
        clock = time.perf_counter
        cpu_started = time.process_time()
        started = clock()
        deadline = started + seconds
        while True:
            for _ in range(batch):
                if before_each is not None:
                    before_each()
                work(HelpRequest(*mix[i % n]), now)
                now += step
                i += 1
            if clock() >= deadline:
                break
        elapsed = clock() - started
        cpu = time.process_time() - cpu_started
        calls = i - self.index
        self.index, self.now = i, now
        return Result(name, calls, cpu, elapsed)


def clear_schedule_memos(directory: Directory) -> Callable[[], None]:
    schedules = [
        c.schedule
        for country in (*directory.countries.values(), directory.fallback)
        for h in country.helplines
        for c in h.channels
    ]

    def clear() -> None:
        for schedule in schedules:
            schedule._last = None

    return clear


class GcTimer:
    """Time spent in the garbage collector, by generation (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.count = [0, 0, 0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._started
            self.count[info["generation"]] += 1

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def note(self, wall: float) -> str:
        return (
            f"gc {sum(self.seconds) / wall:.0%} of the time ({self.count[2]} full collections, "
            f"{self.seconds[2] * 1000:.0f} ms)"
        )


class CountingRoute:
    """Wraps `route` as cards.py sees it, to count and classify cache misses (costs one call per miss).

    new: first time this request is seen; expired: its card's states changed (a 09:00/23:00... boundary);
    evicted: the cache was full (MAX_ENTRIES) and dropped the older half, this one with it.
    """

    def __init__(self, cache: CardCache) -> None:
        self.cache = cache
        self.seen: set[CardKey] = set()
        self.new = self.expired = self.evicted = 0

    @property
    def calls(self) -> int:
        return self.new + self.expired + self.evicted

    def __enter__(self) -> CountingRoute:
        cached = self.cache._cards

        def counted(directory: Directory, request: HelpRequest, now: datetime) -> Any:
            key = self.cache.key(request)
            if key not in self.seen:
                self.seen.add(key)
                self.new += 1
            elif key in cached:
                self.expired += 1
            else:
                self.evicted += 1
            return route(directory, request, now)

        cards_module.route = counted  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        cards_module.route = route  # type: ignore[attr-defined]

    def note(self, calls: int) -> str:
        return (
            f"route() on {self.calls / calls:.1%} of requests: {self.new} new, {self.expired} expired, "
            f"{self.evicted} evicted"
        )


def scenarios(directory: Directory, mix: list[RequestFields], seconds: float, step: timedelta) -> Iterator[Result]:
    dumps = orjson.dumps

    def harness(request: HelpRequest, now: datetime) -> None:
        return None

    def route_only(request: HelpRequest, now: datetime) -> Any:
        return route(directory, request, now)

    def uncached(request: HelpRequest, now: datetime) -> bytes:
        return dumps(route(directory, request, now).as_json())

    yield Stream(mix, step).run("harness (loop, HelpRequest, clock)", harness, seconds=seconds)
    yield Stream(mix, step).run("route() only, schedules memo warm", route_only, seconds=seconds)
    cold = clear_schedule_memos(directory)
    yield Stream(mix, step).run("route() cold: opening_hours each call", route_only, seconds=seconds, before_each=cold)
    yield Stream(mix, step).run("route()+as_json+orjson, no card cache", uncached, seconds=seconds)

    hits = list(dict.fromkeys(mix))[:1000]
    for label, card_mix, card_step in (
        ("hits only (1000 req, same instant)", hits, timedelta(0)),
        (f"{step / timedelta(milliseconds=1):g} ms/req", mix, step),
        ("1 s/req (a day per 86,400 req)", mix, timedelta(seconds=1)),
    ):
        for path in ("card_bytes", "card_json+orjson"):
            cache = CardCache(directory)

            def cached(request: HelpRequest, now: datetime, cache: CardCache = cache, path: str = path) -> bytes:
                if path == "card_bytes":
                    return cache.card_bytes(request, now)
                return dumps(cache.card_json(request, now))

            stream = Stream(card_mix, card_step)
            with CountingRoute(cache) as counter:
                stream.warm(cached)
                counter.new = counter.expired = counter.evicted = 0
                warm_until = stream.now
                with GcTimer() as gc_timer:
                    result = stream.run(f"{path}, {label}", cached, seconds=seconds)
            span = (stream.now - warm_until) / timedelta(hours=1)
            result.note = f"{counter.note(result.calls)}; {span:.1f} h simulated; {gc_timer.note(result.wall)}"
            yield result


def per_country(directory: Directory, count: int, seed: int, seconds: float, step: timedelta) -> None:
    """Each country alone (issue 15: every covered country's card within the goal): the API's path through
    the card cache at `step` per request, and the uncached cost a cache miss pays (route+as_json+orjson)."""
    print(f"\nper country ({count} requests each, {seconds:g} s per row; goal >= 50,000 cards/s cached):")
    print(f"{'country':<8} {'cached c/s':>11} {'µs':>6} {'route() on':>10} {'uncached c/s':>13} {'µs':>6}")
    cached_rates: list[tuple[float, str]] = []
    for code in sorted(directory.countries):
        mix = request_mix(directory, count, seed, only=code)
        cache = CardCache(directory)
        stream = Stream(mix, step)
        with CountingRoute(cache) as counter:
            stream.warm(cache.card_bytes)
            counter.new = counter.expired = counter.evicted = 0
            hit = stream.run(code, cache.card_bytes, seconds=seconds)
        miss_share = counter.calls / hit.calls

        def uncached(request: HelpRequest, now: datetime) -> bytes:
            return orjson.dumps(route(directory, request, now).as_json())

        miss = Stream(mix, step).run(code, uncached, seconds=seconds / 2)
        cached_rates.append((hit.per_second, code))
        print(
            f"{code:<8} {hit.per_second:>11,.0f} {hit.micros:>6.2f} {miss_share:>10.1%} "
            f"{miss.per_second:>13,.0f} {miss.micros:>6.1f}",
            flush=True,
        )
    slowest, fastest = min(cached_rates), max(cached_rates)
    rates = sorted(rate for rate, _ in cached_rates)
    print(
        f"cached: slowest {slowest[1]} {slowest[0]:,.0f}, median {rates[len(rates) // 2]:,.0f}, "
        f"fastest {fastest[1]} {fastest[0]:,.0f} cards/s; below the goal: "
        f"{', '.join(code for rate, code in cached_rates if rate < 50_000) or 'none'}"
    )


def profile(directory: Directory, mix: list[RequestFields], seconds: float, step: timedelta) -> None:
    cache = CardCache(directory)

    def cached(request: HelpRequest, now: datetime) -> bytes:
        return cache.card_bytes(request, now)

    stream = Stream(mix, step)
    stream.warm(cached)
    profiler = cProfile.Profile()
    profiler.enable()
    stream.run("profile", cached, seconds=seconds)
    profiler.disable()
    print("\ncProfile of the CardCache path (sorted by own time; cProfile inflates small calls):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="wall time per scenario (default 3)")
    parser.add_argument("--step-ms", type=float, default=10.0, help="simulated time between requests (default 10)")
    parser.add_argument("--mix", type=int, default=200_000, help="length of the request sequence (default 200000)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the cached path")
    parser.add_argument(
        "--per-country", action="store_true", help="also time each covered country alone (a row per country)"
    )
    parser.add_argument("--country-mix", type=int, default=20_000, help="requests per country with --per-country")
    args = parser.parse_args()

    pinned = pin_to_one_core()
    started = time.perf_counter()
    directory = directory_module.load()
    load_seconds = time.perf_counter() - started
    mix = request_mix(directory, args.mix, args.seed)
    step = timedelta(milliseconds=args.step_ms)
    gc.collect()

    print(
        f"Python {platform.python_version()} on {platform.machine()}, {pinned}; directory {directory.version}: "
        f"{len(directory.countries)} countries + fallback, loaded in {load_seconds * 1000:.0f} ms"
    )
    print(
        f"mix: {len(mix)} requests, {len(set(mix))} distinct (CardCache MAX_ENTRIES {MAX_ENTRIES}); "
        f"timed runs start {start_instant().astimezone(PARIS):%a %Y-%m-%d %H:%M %Z}"
    )
    print(f"{'scenario':<56} {'cards/s':>10} {'µs/card':>8} {'wall c/s':>10}")
    for result in scenarios(directory, mix, args.seconds, step):
        print(
            f"{result.name:<56} {result.per_second:>10,.0f} {result.micros:>8.2f} {result.wall_per_second:>10,.0f}",
            flush=True,
        )
        if result.note:
            print(f"    {result.note}")
    print("cards/s and µs/card are per CPU-second of this process; 'wall c/s' is lower when the core is shared.")
    print("Goal (issue): >= 50,000 cards/s on one core for the CardCache rows.")
    if args.per_country:
        per_country(directory, args.country_mix, args.seed, args.seconds, step)
    if args.profile:
        profile(directory, mix, args.seconds, step)


if __name__ == "__main__":
    main()
