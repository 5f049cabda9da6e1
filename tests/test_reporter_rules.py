"""The reporter page's pure rules, without a database: the link's token, the timeline's order and what can still
be done, and how a closed specialist is read off a help card."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from relais.reporters import help_now
from relais.reporters.timeline import AppealFacts, DecisionFacts, NoticeFacts, Share, StepKind, timeline
from relais.reports import reporter_links

T0 = datetime.fromisoformat("2026-11-25T22:00:00+01:00")
KEY = reporter_links.key_from_secret("a secret")


def test_a_token_is_256_bits_reproducible_and_tied_to_its_report_and_salt() -> None:
    report, salt = uuid.uuid4(), reporter_links.new_salt()
    token = reporter_links.token_for(KEY, report, salt)
    assert reporter_links.TOKEN_PATTERN.fullmatch(token)
    assert token == reporter_links.token_for(KEY, report, salt)
    assert token != reporter_links.token_for(KEY, uuid.uuid4(), salt)
    assert token != reporter_links.token_for(KEY, report, reporter_links.new_salt())
    assert token != reporter_links.token_for(reporter_links.key_from_secret("another"), report, salt)
    assert str(report) not in token
    assert reporter_links.digest(token) != token
    assert len(reporter_links.digest(token)) == 64


def decision(at: datetime, *, own: bool = True, appeals: tuple[AppealFacts, ...] = ()) -> DecisionFacts:
    return DecisionFacts(
        id="d1",
        decided_at=at,
        summary="The message was removed.",
        appeal_until=at + timedelta(days=182),
        on_reporters_notice=own,
        appeals=appeals,
    )


def kinds(steps: Any) -> list[str]:
    return [s.kind.value for s in steps]


def test_a_new_report_is_received_and_waits_for_a_decision() -> None:
    result = timeline(received_at=T0, shares=[], notices=[NoticeFacts(escalated_by=None, received_at=T0)], now=T0)
    assert kinds(result.steps) == ["received", "waiting"]
    assert result.can_appeal == ()


def test_a_report_the_platforms_own_moderators_resolved_no_longer_waits() -> None:
    own = NoticeFacts(escalated_by=None, received_at=T0, resolved_on_platform_at=T0 + timedelta(hours=2))
    result = timeline(received_at=T0, shares=[], notices=[own], now=T0 + timedelta(days=1))
    assert kinds(result.steps) == ["received", "resolved_on_platform"]
    assert result.steps[1].at == T0 + timedelta(hours=2)


def test_the_whole_path_in_order_with_the_appeal_open_while_the_period_runs() -> None:
    shared = Share(helpline="3018", shared_at=T0 + timedelta(minutes=5))
    own = NoticeFacts(escalated_by=None, received_at=T0, decision=decision(T0 + timedelta(days=2)))
    escalation = NoticeFacts(escalated_by="3018", received_at=T0 + timedelta(days=1))
    result = timeline(received_at=T0, shares=[shared], notices=[own, escalation], now=T0 + timedelta(days=3))
    assert kinds(result.steps) == ["received", "shared", "escalated", "decided", "appeal_open_until"]
    assert result.can_appeal == ("d1",)


def test_an_appeal_waiting_closes_the_form_and_its_answer_comes_after_it() -> None:
    waiting = AppealFacts(received_at=T0 + timedelta(days=3), by_reporter=True)
    own = NoticeFacts(escalated_by=None, received_at=T0, decision=decision(T0 + timedelta(days=2), appeals=(waiting,)))
    result = timeline(received_at=T0, shares=[], notices=[own], now=T0 + timedelta(days=4))
    assert kinds(result.steps) == ["received", "decided", "appealed", "appeal_open_until"]
    assert result.can_appeal == ()

    answered = AppealFacts(
        received_at=waiting.received_at, by_reporter=True, decided_at=T0 + timedelta(days=5), reversed=True
    )
    own = NoticeFacts(escalated_by=None, received_at=T0, decision=decision(T0 + timedelta(days=2), appeals=(answered,)))
    result = timeline(received_at=T0, shares=[], notices=[own], now=T0 + timedelta(days=6))
    assert kinds(result.steps) == ["received", "decided", "appealed", "appeal_decided", "appeal_open_until"]
    assert result.steps[3].reversed
    assert result.can_appeal == ("d1",)


def test_after_the_period_there_is_nothing_to_appeal_and_the_page_says_when_it_ended() -> None:
    own = NoticeFacts(escalated_by=None, received_at=T0, decision=decision(T0))
    result = timeline(received_at=T0, shares=[], notices=[own], now=T0 + timedelta(days=200))
    assert kinds(result.steps)[-1] == "appeal_period_ended"
    assert result.can_appeal == ()


def test_a_helplines_escalation_is_not_the_reporters_to_appeal() -> None:
    escalation = NoticeFacts(escalated_by="3018", received_at=T0, decision=decision(T0, own=False))
    result = timeline(received_at=T0, shares=[], notices=[escalation], now=T0 + timedelta(days=1))
    assert StepKind.APPEAL_OPEN_UNTIL not in {s.kind for s in result.steps}
    assert result.can_appeal == ()


def test_a_stopped_share_is_said_when_it_was_stopped() -> None:
    share = Share(helpline="3018", shared_at=T0, stopped_at=T0 + timedelta(hours=1))
    result = timeline(received_at=T0 - timedelta(minutes=1), shares=[share], notices=[], now=T0 + timedelta(hours=2))
    assert kinds(result.steps) == ["received", "shared", "share_stopped", "waiting"]


def test_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        timeline(received_at=T0, shares=[], notices=[], now=datetime(2026, 11, 25, 22, 0))  # noqa: DTZ001


def line(ident: str, topics: list[str], *channels: dict[str, Any]) -> dict[str, Any]:
    return {"id": ident, "name": ident.upper(), "topics": topics, "channels": list(channels)}


def chan(kind: str, open_now: bool, opens_at: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "open_now": open_now, "opens_at": opens_at}


def test_the_specialist_is_closed_when_no_way_to_reach_a_person_is_open() -> None:
    card = {
        "helplines": [
            line("fr-119", ["general", "harassment"], chan("phone", True)),
            line(
                "fr-3018",
                ["harassment"],
                chan("phone", False, "2026-11-26T09:00:00+01:00"),
                chan("chat", False, "2026-11-26T09:30:00+01:00"),
                chan("web", True),
            ),
        ]
    }
    closed = help_now.specialist_closed(card, "harassment")
    assert closed is not None
    assert (closed.helpline_id, closed.opens_at.isoformat()) == ("fr-3018", "2026-11-26T09:00:00+01:00")
    card["helplines"][1]["channels"][1]["open_now"] = True
    assert help_now.specialist_closed(card, "harassment") is None
    assert help_now.specialist_closed(card, "self_harm") is None  # no specialist for that harm on this card


def test_the_day_of_an_opening_is_today_tomorrow_or_a_weekday() -> None:
    today = date(2026, 11, 25)
    assert help_now.day_word(today, today) == "today"
    assert help_now.day_word(today + timedelta(days=1), today) == "tomorrow"
    assert help_now.day_word(today + timedelta(days=3), today) == "weekday"
