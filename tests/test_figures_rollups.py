"""The lead dashboard's daily roll-ups (ADR 0040) against the real database (SQLite and PostgreSQL): over
generated notices, the figures read from roll-ups are the figures counted from the notices themselves, and
both are what a plain Python count of the rows says; `relais figures rebuild` is safe to run twice, a decision
dated in a rolled-up day counts there at once, and one platform's notices never reach another's roll-ups."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from relais import clock, figures
from relais.moderation import figures as moderation_figures
from relais.moderation import rollups, services
from relais.moderation.models import Notice, NoticeDay, NoticeStatus, RolledUpDay, Source
from relais.tenants.models import Platform
from tests.test_figures import notice
from tests.test_moderation_console import REMOVED, World
from tests.test_moderation_console import world as world

SOURCES = (Source.ARTICLE_16, Source.TRUSTED_FLAGGER)
CATEGORIES = ("harassment", "threat", "sextortion")


def generate(platform: Platform, *, seed: int, count: int = 300) -> None:
    """Notices over the last 45 days, two thirds decided after anything from seconds to nine days, some
    still undecided, some suspended; times with seconds and microseconds, around midnight too."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    now = clock.now()
    for _ in range(count):
        received = now - timedelta(seconds=rng.randrange(45 * 86400), microseconds=rng.randrange(10**6))
        took = timedelta(seconds=rng.choice((rng.randrange(60, 7200), rng.randrange(86400), rng.randrange(9 * 86400))))
        fields: dict[str, Any] = {"source": rng.choice(SOURCES), "category": rng.choice(CATEGORIES)}
        kind = rng.random()
        if kind < 0.66 and received + took < now:
            fields |= {"status": NoticeStatus.DECIDED, "decided_at": received + took}
        elif kind < 0.7:
            fields |= {"status": NoticeStatus.SUSPENDED}
        notice(platform, received, **fields)


def zone_of(platform: Platform) -> ZoneInfo:
    return ZoneInfo(platform.zone or "UTC")


def period_of(platform: Platform, days: int = 60) -> figures.Period:
    today = clock.now().astimezone(zone_of(platform)).date()
    return figures.Period(today - timedelta(days=days - 1), today, zone_of(platform))


def counted_by_hand(platform: Platform, period: figures.Period) -> tuple[dict[date, tuple[int, int]], dict[Any, Any]]:
    """The oracle: every notice read, its days and time taken worked out in Python."""
    per_day: dict[date, list[int]] = {d: [0, 0] for d in period.days}
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for n in Notice.objects.filter(platform=platform):
        received = n.received_at.astimezone(period.zone).date()
        if received in per_day:
            per_day[received][0] += 1
        if n.status == NoticeStatus.DECIDED and n.decided_at is not None:
            decided = n.decided_at.astimezone(period.zone).date()
            if decided in per_day:
                per_day[decided][1] += 1
                minutes = figures.whole_minutes((n.decided_at - n.received_at).total_seconds())
                times[(n.source, n.category)].append(float(figures.duration_bucket(minutes)))
    durations = {
        key: (len(v), figures.percentile(v, 0.5), figures.percentile(v, 0.9)) for key, v in sorted(times.items())
    }
    return {d: (r, dd) for d, (r, dd) in per_day.items()}, durations


def shown(found: moderation_figures.LeadFigures) -> tuple[Any, ...]:
    times = {
        t.key: (t.count, t.median_hours and round(t.median_hours * 60, 6), t.p90_hours and round(t.p90_hours * 60, 6))
        for t in found.decision_times
    }
    return [(d.day, d.received, d.decided) for d in found.days], times, found.overdue, found.appeals


def as_oracle(found: moderation_figures.LeadFigures) -> tuple[Any, ...]:
    days, times, *_ = shown(found)
    return {d: (r, dd) for d, r, dd in days}, dict(sorted(times.items()))


def oracle(platform: Platform, period: figures.Period) -> tuple[Any, ...]:
    per_day, durations = counted_by_hand(platform, period)
    rounded = {k: (n, round(m, 6), round(p, 6)) for k, (n, m, p) in durations.items()}
    return per_day, rounded


def rebuild(*args: str) -> str:
    out = StringIO()
    call_command("figures", "rebuild", *args, stdout=out)
    return out.getvalue()


def rows(platform: Platform) -> list[tuple[Any, ...]]:
    return list(
        NoticeDay.objects.filter(platform=platform)
        .order_by("day", "source", "category")
        .values_list("day", "source", "category", "received", "decided", "decision_minutes")
    )


@pytest.fixture
def generated(world: World) -> World:
    generate(world.platform, seed=17)
    generate(world.other_platform, seed=18, count=120)
    return world


def test_the_figures_from_roll_ups_are_the_figures_from_the_notices(generated: World) -> None:
    platform = generated.platform
    period, now = period_of(platform), clock.now()
    live = moderation_figures.lead_figures(platform, period, now)
    assert as_oracle(live) == oracle(platform, period)
    assert live.received > 200  # the data reaches the period's days
    assert live.decided > 100
    assert rebuild("--platform", platform.slug).startswith(f"{platform.slug}: ")
    assert RolledUpDay.objects.filter(platform=platform).exists()
    assert shown(moderation_figures.lead_figures(platform, period, now)) == shown(live)
    for days in (1, 7, 30, 90):  # periods of other lengths: some days rolled up, today always live
        other = period_of(platform, days)
        assert as_oracle(moderation_figures.lead_figures(platform, other, now)) == oracle(platform, other)


def test_days_not_rolled_up_in_the_middle_of_a_period_are_counted_live(generated: World) -> None:
    platform = generated.platform
    period, now = period_of(platform), clock.now()
    live = shown(moderation_figures.lead_figures(platform, period, now))
    rebuild("--platform", platform.slug, "--from", str(period.first))
    RolledUpDay.objects.filter(platform=platform, day__in=period.days[10:13] + period.days[40:41]).delete()
    assert rollups.runs(period.days, rollups.rolled_up_days(platform, period.first, period.last, period.zone)) == [
        (period.days[10], period.days[12]),
        (period.days[40], period.days[40]),
        (period.days[-1], period.days[-1]),
    ]
    assert shown(moderation_figures.lead_figures(platform, period, now)) == live


def test_rebuilding_twice_changes_nothing(generated: World) -> None:
    platform = generated.platform
    today = clock.now().astimezone(zone_of(platform)).date()
    since = str(today - timedelta(days=60))
    said = rebuild("--platform", platform.slug, "--from", since)
    built = rows(platform)
    expected = f"{platform.slug}: {since} to {today - timedelta(days=1)}, 60 days, {len(built)} cells"
    assert re.fullmatch(re.escape(expected) + r" \([0-9.]+ s\)\n", said)
    assert RolledUpDay.objects.filter(platform=platform).count() == 60
    # Again over the same days and today, explicitly: the same rows, not twice as many; today stays live.
    rebuild("--platform", platform.slug, "--from", since, "--to", str(today))
    assert rows(platform) == built
    assert RolledUpDay.objects.filter(platform=platform).count() == 60
    # Without --from, it resumes after the last day built: nothing left but today, which stays live.
    assert rebuild("--platform", platform.slug) == f"{platform.slug}: nothing to build\n"
    assert not RolledUpDay.objects.filter(platform=platform, day__gte=today).exists()


def test_a_decision_dated_in_a_rolled_up_day_counts_there_at_once(generated: World) -> None:
    platform = generated.platform
    zone = zone_of(platform)
    waiting = notice(platform, clock.now() - timedelta(days=3, hours=5), category="threat")
    rebuild("--platform", platform.slug)
    decided_at = clock.now() - timedelta(days=3)  # a rolled-up day: the clock was set back, or a late write
    assert RolledUpDay.objects.filter(platform=platform, day=decided_at.astimezone(zone).date()).exists()
    services.decide(actor=services.ModeratorActor.person(generated.lead), notice=waiting, data=REMOVED, now=decided_at)
    period, now = period_of(platform), clock.now()
    after = moderation_figures.lead_figures(platform, period, now)
    # The day's roll-up was bumped in the decision's transaction; a rebuild from the notices agrees with it.
    bumped = rows(platform)
    rebuild("--platform", platform.slug, "--from", str(period.first))
    assert rows(platform) == bumped
    assert as_oracle(after) == oracle(platform, period)
    # And a decision today is counted live, in today's column.
    today_before = after.days[-1].decided
    fresh = notice(platform, clock.now() - timedelta(hours=2))
    services.decide(actor=services.ModeratorActor.person(generated.lead), notice=fresh, data=REMOVED, now=clock.now())
    assert moderation_figures.lead_figures(platform, period, now).days[-1].decided == today_before + 1


def test_one_platforms_roll_ups_never_hold_anothers_notices(generated: World) -> None:
    mine, theirs = generated.platform, generated.other_platform
    their_figures = shown(moderation_figures.lead_figures(theirs, period_of(theirs), clock.now()))
    rebuild("--platform", mine.slug)
    assert not NoticeDay.objects.filter(platform=theirs).exists()
    assert not RolledUpDay.objects.filter(platform=theirs).exists()
    assert (
        sum(r[3] for r in rows(mine))
        == Notice.objects.filter(
            platform=mine,
            received_at__gte=datetime.combine(period_of(mine, 60).first, datetime.min.time(), zone_of(mine)),
        )
        .exclude(received_at__gte=datetime.combine(period_of(mine).last, datetime.min.time(), zone_of(mine)))
        .count()
    )
    rebuild()  # every platform: each counted on its own
    assert shown(moderation_figures.lead_figures(theirs, period_of(theirs), clock.now())) == their_figures
    assert as_oracle(moderation_figures.lead_figures(mine, period_of(mine), clock.now())) == oracle(
        mine, period_of(mine)
    )


def test_days_built_in_another_zone_are_counted_live_until_rebuilt(generated: World) -> None:
    platform = generated.platform
    rebuild("--platform", platform.slug)
    platform.zone = "Pacific/Auckland"
    platform.save(update_fields=["zone"])
    period = period_of(platform)
    assert rollups.rolled_up_days(platform, period.first, period.last, period.zone) == set()
    assert as_oracle(moderation_figures.lead_figures(platform, period, clock.now())) == oracle(platform, period)
    rebuild("--platform", platform.slug, "--from", str(period.first))
    assert rollups.rolled_up_days(platform, period.first, period.last, period.zone)
    assert as_oracle(moderation_figures.lead_figures(platform, period, clock.now())) == oracle(platform, period)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "yesterday"), "--from: a date as YYYY-MM-DD"),
        (("--to", "2026-13-01"), "--to: a date as YYYY-MM-DD"),
        (("--from", "2026-11-10", "--to", "2026-11-01"), "--from: the period starts after it ends"),
        (("--platform", "nowhere"), "no platform 'nowhere'"),
    ],
)
def test_a_bad_rebuild_names_what_is_wrong(world: World, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        rebuild(*args)
