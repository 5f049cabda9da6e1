"""Pile-ons over HTTP (ADR 0034): many reports about one account are one queue row, listed, decided one by one
or all at once; rows closed in bulk with a note; a partner helpline told when children report a pile-on."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
import time_machine

from relais.moderation.models import Decision, Notice, PileOn
from relais.webhooks.endpoints import create_endpoint
from relais.webhooks.models import Delivery
from tests.test_api import report_body
from tests.test_moderation_api import NO_ACTION, RESTRICT, World, call, ok, reported, shared_case
from tests.test_moderation_api import world as world  # the shared fixture

T0 = datetime.fromisoformat("2026-11-25T22:00:00+01:00")
BULLY = "https://social.example/@bully"


def about(account: str, text: str = "t'es nul") -> list[dict[str, Any]]:
    return [{"kind": "message", "content_id": f"m-{uuid.uuid4().hex[:8]}", "text": text, "author_profile_url": account}]


def pile(w: World, n: int, *, account: str = BULLY, age: int | None = 30, start: int = 0) -> list[str]:
    """`n` reports by different reporters about `account`, ten minutes apart: their report ids."""
    ids = []
    for i in range(start, start + n):
        with time_machine.travel(T0 + timedelta(minutes=10 * i), tick=False):
            reporter: dict[str, Any] = {"country": "FR", "language": "fr", "pseudonym": f"u-{i}"}
            if age is not None:
                reporter["age"] = age
            ids.append(reported(w, f"r{i}", content=about(account, f"insulte numéro {i}"), reporter=reporter))
    return ids


def queue(w: World) -> list[dict[str, Any]]:
    return ok(call(w.api, "get", "/moderation/queue"))  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_five_reports_about_one_account_are_one_row_under_the_account(world: World) -> None:
    w = world
    pile(w, 4)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert len(queue(w)) == 4  # four reports: not yet a pile-on
    pile(w, 1, start=4)
    reported(w, "alone", content=about("https://social.example/@someone-else"))
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        rows = queue(w)
    assert len(rows) == 2
    [row] = [r for r in rows if r["pileon"] is not None]
    summary = row["pileon"]
    assert (summary["target"], summary["reports"], summary["notices"], summary["minor"]) == (BULLY, 5, 5, False)
    assert summary["since"].startswith("2026-11-25T21:00:00")
    opened = ok(call(w.api, "get", f"/moderation/pileons/{row['pileon']['id']}"))
    assert [m["snippet"] for m in opened["members"]] == [f"insulte numéro {i}" for i in range(5)]
    # Each member is decidable on its own: the pile-on then counts one fewer.
    first = opened["members"][0]["id"]
    ok(call(w.api, "post", f"/moderation/notices/{first}/decision", {**NO_ACTION, "moderator": "mod-a"}), 201)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        [row] = [r for r in queue(w) if r["pileon"] is not None]
    assert row["pileon"]["reports"] == 4
    assert row["id"] != first


@pytest.mark.django_db
def test_reports_spread_wider_than_the_window_are_no_pile_on(world: World, settings: Any) -> None:
    settings.RELAIS_PILEON_WINDOW_HOURS = 0.5  # ten minutes apart: three fit in half an hour, five do not
    pile(world, 5)
    assert not PileOn.objects.exists()
    assert all(r["pileon"] is None for r in queue(world))


@pytest.mark.django_db
def test_deciding_the_pile_on_decides_each_report_with_its_own_statement(world: World) -> None:
    w = world
    pile(w, 6)
    pileon = PileOn.objects.get()
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        decisions = ok(
            call(w.api, "post", f"/moderation/pileons/{pileon.id}/decision", {**RESTRICT, "moderator": "mod-a"}), 201
        )
    assert len({d["puid"] for d in decisions}) == 6
    assert all(d["statement"]["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT" for d in decisions)
    assert Delivery.objects.filter(event_type="notice.decided").count() == 0  # no endpoint: none recorded
    assert not Notice.objects.filter(status__in=["open", "claimed"]).exists()
    pileon.refresh_from_db()
    assert pileon.closed_at is not None
    assert queue(w) == []
    again = call(w.api, "post", f"/moderation/pileons/{pileon.id}/decision", {**RESTRICT, "moderator": "mod-a"})
    assert again.status_code == 409, again.content


@pytest.mark.django_db
def test_a_pile_on_with_a_report_held_by_another_moderator_is_not_decided_at_all(world: World) -> None:
    w = world
    pile(w, 5)
    pileon = PileOn.objects.get()
    held = Notice.objects.filter(pileon=pileon).order_by("received_at").last()
    assert held is not None
    ok(call(w.api, "post", f"/moderation/notices/{held.id}/claim", {"moderator": "mod-b"}))
    response = call(w.api, "post", f"/moderation/pileons/{pileon.id}/decision", {**NO_ACTION, "moderator": "mod-a"})
    assert response.status_code == 409, response.content
    assert "mod-b (API) is working on it" in response.json()["detail"]
    assert not Decision.objects.exists()
    other = call(world.other, "get", f"/moderation/pileons/{pileon.id}")
    assert other.status_code == 404


@pytest.mark.django_db
def test_rows_are_closed_in_bulk_with_a_note_and_a_retry_changes_nothing(world: World) -> None:
    w = world
    ids = [reported(w, f"b{i}", content=about(f"https://social.example/@u{i}")) for i in range(3)]
    notices = [str(Notice.objects.get(report_id=i).id) for i in ids]
    body = {"moderator": "mod-a", "notice_ids": notices[:2], "note": "Spam wave, not harassment."}
    closed = ok(call(w.api, "post", "/moderation/notices/bulk-decision", body))
    assert [d["notice_id"] for d in closed] == notices[:2]
    assert {d["outcome"] for d in closed} == {"no_action"}
    assert all(d["statement"] is None for d in closed)
    assert set(Decision.objects.values_list("note", flat=True)) == {"Spam wave, not harassment."}
    assert all(d["summary"] for d in closed)  # the notifier reads plain words, not the note
    assert all("Spam wave" not in d["summary"] for d in closed)
    again = ok(call(w.api, "post", "/moderation/notices/bulk-decision", body))
    assert [d["id"] for d in again] == [d["id"] for d in closed]
    assert Decision.objects.count() == 2
    assert [r["id"] for r in queue(w)] == [notices[2]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "named"),
    [
        ({"note": ""}, 422, "note"),
        ({"notice_ids": []}, 422, "notice_ids"),
        ({"notice_ids": [str(uuid.uuid4()) for _ in range(201)]}, 422, "notice_ids"),
        ({"notice_ids": ["nope"]}, 422, "notice_ids"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_a_bad_bulk_close_names_the_field(world: World, change: dict[str, Any], status: int, named: str) -> None:
    body = {"moderator": "mod-a", "notice_ids": [str(uuid.uuid4())], "note": "Spam.", **change}
    response = call(world.api, "post", "/moderation/notices/bulk-decision", body)
    assert response.status_code == status, response.content
    assert named in str([e["field"] for e in response.json()["errors"]])


@pytest.mark.django_db
def test_a_bulk_close_naming_another_platforms_notice_is_a_404_and_closes_nothing(world: World) -> None:
    w = world
    mine = str(Notice.objects.get(report_id=reported(w, "mine")).id)
    theirs = ok(call(w.other, "post", "/reports", report_body(platform_report_id="theirs")), 201)["id"]
    foreign = str(Notice.objects.get(report_id=theirs).id)
    response = call(
        w.api,
        "post",
        "/moderation/notices/bulk-decision",
        {"moderator": "m", "notice_ids": [mine, foreign], "note": "x"},
    )
    assert response.status_code == 404, response.content
    assert foreign in response.json()["detail"]
    assert not Decision.objects.exists()


def hook(w: World) -> None:
    """The 3018 works with the platform (a case shared from one of its reports) and listens for pile-ons."""
    shared_case(w, reported(w, "earlier", content=about("https://social.example/@another")))
    from relais.tenants.models import Helpline

    create_endpoint(
        tenant=Helpline.objects.get(directory_id="fr-3018"),
        url="https://helpline.example/hook",
        event_types_=["pileon.against_minor"],
        description="",
        now=T0,
    )


@pytest.mark.django_db
def test_the_partner_helpline_hears_of_a_pile_on_against_a_child_and_nothing_about_anyone(world: World) -> None:
    w = world
    hook(w)
    pile(w, 5, age=13)
    [delivery] = Delivery.objects.filter(event_type="pileon.against_minor")
    data = orjson.loads(delivery.body)["data"]
    assert (data["reports"], data["platform"], data["category"]) == (5, "Sunny Social", "harassment")
    assert data["since"].startswith("2026-11-25T21:00:00")
    text = str(delivery.body)
    for personal in ("bully", "u-1", "insulte", "13"):
        assert personal not in text.replace(data["pileon_id"], "").replace(data["formed_at"], "").replace(
            data["since"], ""
        )
    pile(w, 2, age=13, start=5)  # more reports: still one alert
    assert Delivery.objects.filter(event_type="pileon.against_minor").count() == 1
    [row] = [r for r in queue(w) if r["pileon"] is not None]
    assert row["pileon"]["minor"] is True


@pytest.mark.django_db
def test_a_pile_on_reported_by_adults_alerts_no_helpline(world: World) -> None:
    hook(world)
    pile(world, 5, age=30)
    assert PileOn.objects.get().minor is False
    assert not Delivery.objects.filter(event_type="pileon.against_minor").exists()
