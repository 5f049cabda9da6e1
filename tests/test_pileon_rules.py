"""The pile-on rule and the target key, without a database (relais/moderation/pileons.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from relais.moderation.pileons import Item, Rule, first_target, minor_among, normalised_url, target_of

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ages_ago", "forms"),
    [
        ([0, 1, 2, 3, 4], True),  # five in five hours
        ([0, 1, 2, 3], False),  # four: not yet
        ([0, 1, 2, 3, 24], False),  # the fifth is exactly a window old: out
        ([0, 1, 2, 3, 23.9], True),
        ([0, 0, 0, 0, 0], True),  # a raid: all at once
    ],
)
def test_five_reports_in_24_hours_are_a_pile_on(ages_ago: list[float], forms: bool) -> None:
    rule = Rule()
    assert rule.forms([NOW - timedelta(hours=h) for h in ages_ago], NOW) is forms


def test_a_report_after_now_does_not_count_and_the_rule_is_the_platforms() -> None:
    rule = Rule(reports=3, window=timedelta(hours=6))
    assert rule.forms([NOW, NOW - timedelta(hours=5), NOW - timedelta(hours=5, minutes=59)], NOW)
    assert not rule.forms([NOW, NOW - timedelta(hours=5), NOW + timedelta(minutes=1)], NOW)
    assert rule.since(NOW) == NOW - timedelta(hours=6)


@pytest.mark.parametrize("bad", [{"reports": 1}, {"window": timedelta(0)}])
def test_a_rule_that_would_make_every_report_a_pile_on_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"pile-on|window"):
        Rule(**bad)  # type: ignore[arg-type]


def test_one_account_is_one_key_however_its_url_or_handle_is_written() -> None:
    keys = {
        target_of(Item(author_profile_url=url)).key  # type: ignore[union-attr]
        for url in (
            "https://Social.Example/@bully",
            "https://social.example/@bully/",
            "https://social.example:443/@bully?ref=share#top",
        )
    }
    assert len(keys) == 1
    assert target_of(Item(kind="profile", url="https://social.example/@bully")).key in keys  # type: ignore[union-attr]
    handles = {target_of(Item(author_handle=h)).key for h in ("@Bully@social.example", "bully@Social.Example")}  # type: ignore[union-attr]
    assert len(handles) == 1
    assert normalised_url("HTTPS://social.example/@Bully/") == "https://social.example/@Bully"  # the path keeps case


def test_the_account_comes_first_then_the_post_and_the_key_repeats_no_handle() -> None:
    message = Item(kind="message", content_id="m-1", url="https://social.example/@bully/1")
    profile = Item(kind="profile", url="https://social.example/@bully")
    target = first_target([message, profile])
    assert target is not None
    assert (target.kind, target.label) == ("account", "https://social.example/@bully")
    assert "bully" not in target.key
    assert len(target.key) <= 80
    post = first_target([message])
    assert post is not None
    assert post.kind == "post"
    assert post.key.startswith("post:")
    assert first_target([Item(kind="message")]) is None


def test_a_pile_on_is_against_a_minor_when_a_reporter_is_under_18() -> None:
    assert minor_among([None, 30, 17])
    assert not minor_among([None, 18, 40])
