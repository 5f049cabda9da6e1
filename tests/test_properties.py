"""Properties over the real directory: for any valid request at any instant, a usable card."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import opening_hours
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from relais.directory import directory as directory_module
from relais.directory.cards import CardCache
from relais.directory.routing import HelpRequest, route
from relais.directory.schema import CATEGORIES

DIRECTORY = directory_module.load()
COUNTRIES = sorted(DIRECTORY.countries)
UTC = ZoneInfo("UTC")
ZONES = ["Europe/Paris", "America/Montreal", "Asia/Tokyo", "Pacific/Chatham", "America/St_Johns", "UTC"]

requests = st.builds(
    HelpRequest,
    country=st.sampled_from([*COUNTRIES, "ZZ"]),
    language=st.sampled_from(["fr", "en", "fr-BE", "de", "nl", "es", "pt-BR"]),
    category=st.sampled_from(CATEGORIES),
    danger=st.sampled_from(["none", "immediate"]),
    age=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    timezone=st.one_of(st.none(), st.sampled_from(ZONES)),
    presentation=st.sampled_from(["call_button", "link"]),
)
# Hypothesis takes naive bounds and attaches the zone itself.
instants = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _independent_rule(channel_id: str) -> tuple[opening_hours.OpeningHours | None, ZoneInfo]:
    for country in [*DIRECTORY.countries.values(), DIRECTORY.fallback]:
        for helpline in country.helplines:
            for channel in helpline.channels:
                if channel.id == channel_id:
                    zone = channel.schedule.zone
                    if channel.hours == "24/7":
                        return None, zone
                    code = country.code if country.code != "XX" else None
                    holidays = code if code and _has_holidays(code) else None
                    return opening_hours.OpeningHours(channel.hours, timezone=zone, country=holidays), zone
    raise AssertionError(channel_id)


def _has_holidays(code: str) -> bool:
    try:
        opening_hours.OpeningHours("24/7", country=code)
    except Exception:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(request=requests, now=instants)
def test_any_request_at_any_instant_gets_a_usable_card(request: HelpRequest, now: datetime) -> None:
    card = route(DIRECTORY, request, now)
    assert card.emergency, "an emergency number is always listed"
    assert card.primary is not None, "there is always one action to show"
    assert card.helplines, "never an empty card"
    if request.danger == "immediate":
        assert card.primary.emergency
    for helpline in card.helplines:
        for channel in helpline.channels:
            rule, zone = _independent_rule(channel.id)
            local = now.astimezone(zone)
            if rule is not None:
                assert rule.is_open(local) == channel.open_now, (channel.id, local)
            else:
                assert channel.open_now
            if channel.opens_at is not None:
                assert not channel.open_now
                assert datetime.fromisoformat(channel.opens_at) > now
            if channel.closes_at is not None:
                assert channel.open_now
                assert datetime.fromisoformat(channel.closes_at) > now


@settings(max_examples=200, deadline=None)
@given(request=requests, first=instants, offsets=st.lists(st.integers(0, 86_400 * 3), min_size=1, max_size=6))
def test_a_cached_card_equals_a_fresh_one(request: HelpRequest, first: datetime, offsets: list[int]) -> None:
    from datetime import timedelta

    cache = CardCache(DIRECTORY)
    for seconds in sorted(offsets):
        now = first + timedelta(seconds=seconds)
        cached = cache.card_json(request, now)
        fresh = route(DIRECTORY, request, now).as_json()
        fresh["generated_at"] = cached["generated_at"]
        assert cached == fresh
        assert cache.card_bytes(request, now) == orjson.dumps(cached)


@settings(max_examples=200, deadline=None)
@given(request=requests, now=instants, other_age=st.integers(min_value=0, max_value=120))
def test_requests_the_cache_treats_as_one_get_the_same_card(
    request: HelpRequest, now: datetime, other_age: int
) -> None:
    """The cache keys on age bands and primary language; any two requests it merges must route alike."""
    cache = CardCache(DIRECTORY)
    variant = replace(request, age=other_age, language=request.language.upper())
    if cache.key(variant) != cache.key(request):
        return
    assert route(DIRECTORY, variant, now).as_json() == route(DIRECTORY, request, now).as_json()
