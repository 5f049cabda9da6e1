"""The reporter's page served again from memory: never once anything it shows has changed (a write anywhere, a
line closing, a revoked link), and cheaply while nothing has (issue 12's page/no-op ratio; page_memo.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings as SettingsWrapper

from relais.handoffs.models import Case
from relais.reporters import access, page_memo, views
from relais.reports.models import Report
from relais.tenants.models import Helpline
from tests.test_moderation_api import NO_ACTION, World, call, decide, ok
from tests.test_moderation_api import world as world
from tests.test_reporter_page import DAY, page, path_of, post, reported

BEFORE_CLOSING = datetime.fromisoformat("2026-11-25T22:59:30+01:00")
"""Thirty seconds before the 3018 closes (09:00 to 23:00 Paris time)."""


@pytest.fixture(autouse=True)
def fresh_memo() -> None:
    views.MEMO.clear()
    access.forget_registered_helplines()


@pytest.mark.django_db
def test_a_page_opened_again_is_the_same_page_from_one_statement(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
        first = page(path)
        with CaptureQueriesContext(connection) as queries:
            again = page(path)
    assert again.status_code == 200
    assert again.content == first.content
    assert len(queries) == 1, [q["sql"][:80] for q in queries]
    for header in ("Cache-Control", "Referrer-Policy", "X-Robots-Tag", "Content-Security-Policy"):
        assert again[header] == first[header]


@pytest.mark.django_db
def test_what_others_write_shows_at_the_next_open(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        report = reported(world)
        path = path_of(report["reporter_url"])
        assert "n'a pas encore décidé" in page(path).content.decode()
        notice = ok(call(world.api, "get", f"/reports/{report['id']}"))["notices"][0]["id"]
        decide(world, notice, NO_ACTION)  # a moderator, in another process
        assert "a décidé" in page(path).content.decode()

        assert post(path, {"action": "share", "helpline_id": "fr-3018", "consent": "yes"}).status_code == 303
        assert "Ton code pour le 3018" in page(path).content.decode()
        Helpline.objects.filter(directory_id="fr-3018").update(name="3018, e-Enfance")  # an admin renames it
        assert "3018, e-Enfance" in page(path).content.decode()
        Case.objects.update(withdrawn_at=DAY)  # withdrawn through the platform's API
        assert "Ton code pour le 3018" not in page(path).content.decode()


@pytest.mark.django_db
def test_a_revoked_or_purged_link_is_a_404_at_once(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        report = reported(world)
        path = path_of(report["reporter_url"])
        assert page(path).status_code == 200
        assert call(world.api, "delete", f"/reports/{report['id']}/reporter-url").status_code == 204
        assert page(path).status_code == 404

        other = reported(world, "r-2")
        other_path = path_of(other["reporter_url"])
        assert page(other_path).status_code == 200
        Report.objects.filter(pk=other["id"]).delete()
        assert page(other_path).status_code == 404


@pytest.mark.django_db
def test_the_page_says_the_line_closed_the_moment_it_closes(world: World) -> None:
    with time_machine.travel(BEFORE_CLOSING, tick=False):
        path = path_of(reported(world)["reporter_url"])
        assert "ouvre demain" not in page(path).content.decode()
    with time_machine.travel(BEFORE_CLOSING + timedelta(seconds=40), tick=False):  # 23:00:10, same state
        assert "Le 3018 ouvre demain à 09:00." in page(path).content.decode()


@pytest.mark.django_db
def test_each_reader_gets_their_language(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
        assert "De l'aide maintenant" in page(path).content.decode()
        english_client = Client()
        english_client.cookies["relais_reporter_language"] = "en"
        assert "Help now" in page(path, english_client).content.decode()
        assert "De l'aide maintenant" in page(path).content.decode()


@pytest.mark.django_db
def test_with_the_memo_off_every_open_renders(world: World, settings: SettingsWrapper) -> None:
    views.MEMO.max_entries = 0
    try:
        with time_machine.travel(DAY, tick=False):
            path = path_of(reported(world)["reporter_url"])
            page(path)
            with CaptureQueriesContext(connection) as queries:
                assert page(path).status_code == 200
        assert len(queries) > 1
        assert len(views.MEMO) == 0
    finally:
        views.MEMO.max_entries = page_memo.MAX_ENTRIES


# --- the memo itself, without a database ---

DIRECTORY = object()


def entry(body: bytes = b"page", valid_until: float = 1_000.0) -> page_memo.Entry:
    return page_memo.Entry(body=body, content_type="text/html", valid_until=valid_until, directory=DIRECTORY)


def test_an_entry_lives_until_its_next_change_and_never_past_a_minute() -> None:
    memo = page_memo.PageMemo()
    memo.put(b"k", entry(valid_until=110.0), now=100.0)
    assert memo.get(b"k", now=109.9, directory=DIRECTORY) is not None
    assert memo.get(b"k", now=110.0, directory=DIRECTORY) is None
    memo.put(b"k", entry(valid_until=10_000.0), now=100.0)
    assert memo.get(b"k", now=159.9, directory=DIRECTORY) is not None
    assert memo.get(b"k", now=160.0, directory=DIRECTORY) is None


def test_a_clock_set_back_or_a_new_directory_renders_anew() -> None:
    memo = page_memo.PageMemo()
    memo.put(b"k", entry(), now=100.0)
    assert memo.get(b"k", now=99.0, directory=DIRECTORY) is None
    memo.put(b"k", entry(), now=100.0)
    assert memo.get(b"k", now=101.0, directory=object()) is None


def test_the_memo_keeps_the_most_recently_opened_pages_only() -> None:
    memo = page_memo.PageMemo(max_entries=2)
    for name in (b"a", b"b"):
        memo.put(name, entry(name), now=0.0)
    assert memo.get(b"a", now=1.0, directory=DIRECTORY) is not None  # a is now the most recent
    memo.put(b"c", entry(b"c"), now=1.0)
    assert len(memo) == 2
    assert memo.get(b"b", now=2.0, directory=DIRECTORY) is None
    assert memo.get(b"a", now=2.0, directory=DIRECTORY) is not None


def test_keys_tell_apart_parts_that_would_concatenate_alike() -> None:
    assert page_memo.key(["ab", "c"]) != page_memo.key(["a", "bc"])
    assert page_memo.key(["a"]) == page_memo.key(["a"])
