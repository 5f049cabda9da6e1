"""The retry rules, table-tested without a database: which answers retry, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from relais.webhooks.retry import Outcome, Schedule, classify, disables_endpoint, parse_retry_after

NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (202, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (299, Outcome.DELIVERED),
        (None, Outcome.RETRY),  # timeout, refused or reset connection
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (502, Outcome.RETRY),
        (503, Outcome.RETRY),
        (504, Outcome.RETRY),
        (599, Outcome.RETRY),
        (301, Outcome.GIVE_UP),  # redirects are not followed: fix the URL instead
        (308, Outcome.GIVE_UP),
        (400, Outcome.GIVE_UP),
        (401, Outcome.GIVE_UP),
        (403, Outcome.GIVE_UP),
        (404, Outcome.GIVE_UP),
        (408, Outcome.GIVE_UP),
        (410, Outcome.GIVE_UP),
        (413, Outcome.GIVE_UP),
        (422, Outcome.GIVE_UP),
        (100, Outcome.GIVE_UP),
    ],
)
def test_which_answers_retry(status: int | None, outcome: Outcome) -> None:
    assert classify(status) is outcome


@pytest.mark.parametrize(("status", "disables"), [(410, True), (404, False), (500, False), (None, False)])
def test_only_410_gone_disables_an_endpoint(status: int | None, disables: bool) -> None:
    assert disables_endpoint(status) is disables


DEFAULT = Schedule()


@pytest.mark.parametrize(
    ("attempts_made", "seconds"),
    [(1, 10), (2, 30), (3, 90), (4, 270), (5, 810), (6, 2430), (7, 7290), (8, 21600), (9, 21600), (11, 21600)],
)
def test_the_wait_grows_by_three_up_to_six_hours(attempts_made: int, seconds: int) -> None:
    assert DEFAULT.base_delay(attempts_made) == timedelta(seconds=seconds)
    assert DEFAULT.delay(attempts_made, 0.0) == timedelta(seconds=seconds)
    assert DEFAULT.delay(attempts_made, 0.999999) == pytest.approx(
        timedelta(seconds=seconds * 1.25), abs=timedelta(milliseconds=10)
    )


def test_the_default_schedule_spans_more_than_a_day_even_with_the_least_jitter() -> None:
    assert DEFAULT.max_attempts == 12
    assert DEFAULT.minimum_span() == timedelta(seconds=97330)  # 27 h 2 min
    assert DEFAULT.minimum_span() >= timedelta(hours=24)
    last = NOW
    for made in range(1, DEFAULT.max_attempts):
        nxt = DEFAULT.next_attempt(attempts_made=made, now=last, rand=0.0)
        assert nxt is not None
        last = nxt
    assert last - NOW == DEFAULT.minimum_span()
    assert DEFAULT.next_attempt(attempts_made=DEFAULT.max_attempts, now=last, rand=0.0) is None


@pytest.mark.parametrize(
    ("retry_after", "attempts_made", "wait"),
    [
        (timedelta(seconds=120), 1, timedelta(seconds=120)),  # later than the schedule: honoured
        (timedelta(seconds=2), 1, timedelta(seconds=10)),  # earlier: the schedule still applies
        (timedelta(days=3), 1, timedelta(hours=24)),  # capped: one answer cannot park a delivery for ever
        (None, 3, timedelta(seconds=90)),
    ],
)
def test_retry_after_pushes_the_next_attempt_later_never_earlier(
    retry_after: timedelta | None, attempts_made: int, wait: timedelta
) -> None:
    assert DEFAULT.next_attempt(attempts_made=attempts_made, now=NOW, rand=0.0, retry_after=retry_after) == NOW + wait


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 5 ", timedelta(seconds=5)),
        ("Wed, 25 Nov 2026 22:10:00 GMT", timedelta(minutes=10)),
        ("Wed, 25 Nov 2026 21:00:00 GMT", timedelta(0)),  # a date in the past: now
        ("-3", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def test_a_schedule_needs_one_attempt_and_a_draw_in_range() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        Schedule(max_attempts=0)
    with pytest.raises(ValueError, match="rand"):
        DEFAULT.delay(1, 1.0)
