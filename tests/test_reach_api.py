"""The reach funnel over HTTP: a platform counts what the reporter did with the card (`POST /reports/{id}/
events`, idempotent, strict), and reads the funnel back (`GET /moderation/figures/funnel`) with small cells
left out. Every answer is checked against the served OpenAPI document (tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from relais.reports.models import ReachCount
from tests.test_moderation_api import World, call, ok, reported, shared_case
from tests.test_moderation_api import world as world

pytestmark = pytest.mark.django_db
NOW = "2026-11-25T21:00:00+00:00"


def channels_of(w: World, report_id: str) -> list[tuple[str, str]]:
    card = ok(call(w.api, "get", f"/reports/{report_id}"))["help"]
    return [(line["id"], c["id"]) for line in card["helplines"] for c in line["channels"]]


def event(w: World, report_id: str, body: dict[str, Any], **headers: str) -> Any:
    return call(w.api, "post", f"/reports/{report_id}/events", body, **headers)


def counts() -> dict[tuple[str, str], int]:
    return {(c.helpline, c.step): c.count for c in ReachCount.objects.all()}


@time_machine.travel(NOW, tick=False)
def test_shown_counts_every_helpline_on_the_card_and_a_tap_its_own(world: World) -> None:
    report = reported(world, "r1")
    lines = channels_of(world, report)
    helplines = sorted({h for h, _ in lines})
    assert ok(event(world, report, {"type": "help.shown"}), 201) == {
        "type": "help.shown",
        "week": "2026-W48",
        "helplines": helplines,
    }
    helpline, channel = lines[-1]
    answer = ok(event(world, report, {"type": "help.tapped", "channel_id": channel}), 201)
    assert answer["helplines"] == [helpline]
    assert counts() == {**{(h, "shown"): 1 for h in helplines}, (helpline, "tapped"): 1}


@time_machine.travel(NOW, tick=False)
def test_a_retry_with_the_same_idempotency_key_is_counted_once(world: World) -> None:
    report = reported(world, "r1")
    first = event(world, report, {"type": "help.shown"}, **{"Idempotency-Key": "show-r1"})
    again = event(world, report, {"type": "help.shown"}, **{"Idempotency-Key": "show-r1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert set(counts().values()) == {1}
    event(world, report, {"type": "help.shown"}, **{"Idempotency-Key": "show-r1-again"})
    assert set(counts().values()) == {2}


def test_another_platforms_report_or_an_unknown_id_is_not_found(world: World) -> None:
    report = reported(world, "r1")
    assert event(world, "7d4d2a8e-0000-4000-8000-000000000000", {"type": "help.shown"}).status_code == 404
    assert event(world, "not-a-uuid", {"type": "help.shown"}).status_code == 404
    foreign = call(world.other, "post", f"/reports/{report}/events", {"type": "help.shown"})
    assert foreign.status_code == 404
    assert counts() == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "help.tapped", "channel_id": "de-nummer-gegen-kummer-phone"}, "channel_id"),
        ({"type": "help.tapped"}, "channel_id"),
        ({"type": "help.shown", "channel_id": "fr-3018-phone"}, "channel_id"),
        ({"type": "help.liked"}, "type"),
        ({"type": "help.shown", "reporter": "u-7f3a"}, "reporter"),
        ({"type": "help.tapped", "channel_id": "<b>x</b> y"}, "channel_id"),
    ],
)
def test_a_bad_event_is_a_422_naming_the_field(world: World, body: dict[str, Any], field: str) -> None:
    report = reported(world, "r1")
    answer = event(world, report, body)
    assert answer.status_code == 422, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert counts() == {}


@time_machine.travel(NOW, tick=False)
def test_the_funnel_of_a_small_platform_exposes_no_count(world: World) -> None:
    report = reported(world, "r1")
    ok(event(world, report, {"type": "help.shown"}), 201)
    shared_case(world, report)
    funnel = ok(call(world.api, "get", "/moderation/figures/funnel"))
    assert (funnel["from"], funnel["to"], funnel["small_cell"]) == ("2026-10-27", "2026-11-25", 10)
    row = next(r for r in funnel["rows"] if r["helpline"] == "fr-3018")
    assert row == {
        "week": "2026-W48",
        "country": "FR",
        "helpline": "fr-3018",
        "shown": None,
        "tapped": 0,
        "shared": None,
        "escalated": 0,
        "decided": 0,
    }
    assert ok(call(world.other, "get", "/moderation/figures/funnel"))["rows"] == []


@time_machine.travel(NOW, tick=False)
def test_the_funnel_shows_counts_of_ten_and_more(world: World) -> None:
    for i in range(10):
        report = reported(world, f"r{i}")
        ok(event(world, report, {"type": "help.shown"}), 201)
        if i < 3:
            shared_case(world, report)
    funnel = ok(call(world.api, "get", "/moderation/figures/funnel?from=2026-11-23&to=2026-11-25"))
    row = next(r for r in funnel["rows"] if r["helpline"] == "fr-3018")
    assert (row["shown"], row["shared"]) == (10, None)
    earlier = ok(call(world.api, "get", "/moderation/figures/funnel?from=2026-11-01&to=2026-11-22"))
    assert earlier["rows"] == []


@pytest.mark.parametrize(
    ("query", "field"), [("from=yesterday", "from"), ("to=2026-02-30", "to"), ("since=2026-11-01", "since")]
)
def test_a_bad_funnel_query_is_a_422_naming_it(world: World, query: str, field: str) -> None:
    answer = call(world.api, "get", f"/moderation/figures/funnel?{query}")
    assert answer.status_code == 422, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == [field]
