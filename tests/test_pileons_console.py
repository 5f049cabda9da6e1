"""Pile-ons and bulk close in the moderation console (ADR 0034), in English and French."""

from __future__ import annotations

import html
from typing import Any

import pytest

from relais.moderation.models import Decision, Notice, PileOn
from tests.test_moderation_console import World, make_report, signed_in, url
from tests.test_moderation_console import world as world  # the shared fixture

pytestmark = pytest.mark.django_db
BULLY = "https://social.example/@bully"


def about(account: str, text: str) -> list[dict[str, Any]]:
    return [{"kind": "message", "content_id": f"m-{abs(hash(text))}", "text": text, "author_profile_url": account}]


def pile(w: World, n: int, account: str = BULLY) -> list[Notice]:
    return [
        Notice.objects.get(report=make_report(w.platform, f"p{i}", content=about(account, f"insulte {i}")))
        for i in range(n)
    ]


def test_the_queue_shows_a_pile_on_as_one_row_naming_the_account(world: World) -> None:
    pile(world, 5)
    alone = Notice.objects.get(report=make_report(world.platform, "alone", content=about("https://x.example/@a", "hi")))
    page = html.unescape(signed_in(world.moderator.user).get(url("queue")).content.decode())
    assert page.count('data-notice-id="') == 2
    assert f"5 reports about {BULLY} in 0 min" in page or f"5 reports about {BULLY} in" in page
    assert "reported by a minor: the partner helplines were told" in page
    assert str(alone.pk) in page
    french = html.unescape(signed_in(world.moderator.user, "fr").get(url("queue")).content.decode())
    assert f"5 signalements sur {BULLY} en" in french
    assert "Fermer les notifications sélectionnées" in french
    assert "Sélectionner pour fermer sans suite" in french


def test_the_pile_on_page_lists_each_report_and_closes_them_all_with_a_note(world: World) -> None:
    notices = pile(world, 5)
    pileon = PileOn.objects.get()
    client = signed_in(world.moderator.user)
    page = html.unescape(client.get(url("pileon", pileon_id=pileon.pk)).content.decode())
    for i, notice in enumerate(notices):
        assert f"insulte {i}" in page
        assert url("notice", notice_id=notice.pk) in page
    refused = client.post(url("pileon_close", pileon_id=pileon.pk), {"note": "  "}, follow=True)
    assert "write a note" in refused.content.decode()
    assert not Decision.objects.exists()
    done = client.post(url("pileon_close", pileon_id=pileon.pk), {"note": "Coordinated false reports."}, follow=True)
    assert "5 notices closed without action" in done.content.decode()
    assert Decision.objects.filter(outcome="no_action", note="Coordinated false reports.").count() == 5
    assert signed_in(world.stranger.user).get(url("pileon", pileon_id=pileon.pk)).status_code == 404


def test_selected_rows_are_closed_in_one_step_and_a_held_one_closes_nothing(world: World) -> None:
    first, second, third = (
        Notice.objects.get(report=make_report(world.platform, f"s{i}", content=about(f"https://x.example/@{i}", "x")))
        for i in range(3)
    )
    client = signed_in(world.moderator.user)
    signed_in(world.colleague.user).post(url("claim", notice_id=third.pk))
    held = client.post(url("bulk_close"), {"notice": [first.pk, third.pk], "note": "Spam."}, follow=True)
    assert "bea is working on one of these notices" in held.content.decode()
    assert not Decision.objects.exists()
    done = client.post(url("bulk_close"), {"notice": [first.pk, second.pk], "note": "Spam."}, follow=True)
    assert "2 notices closed without action" in done.content.decode()
    assert set(Decision.objects.values_list("notice_id", "note")) == {(first.pk, "Spam."), (second.pk, "Spam.")}
    foreign = Notice.objects.get(report=make_report(world.other_platform, "f1"))
    assert client.post(url("bulk_close"), {"notice": [foreign.pk], "note": "x"}).status_code == 404
