"""Routing rules on small synthetic directories. Pure: no database, `now` passed in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from relais.directory.directory import Override
from relais.directory.routing import ABROAD_NOTE, MAX_HELPLINES, HelpRequest, route
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
AT_2259 = datetime(2026, 11, 25, 22, 59, tzinfo=PARIS)
AT_2300 = datetime(2026, 11, 25, 23, 0, tzinfo=PARIS)


def ask(**kw: object) -> HelpRequest:
    base: dict[str, object] = {"country": "FR", "language": "fr", "category": "harassment", "age": 14}
    base.update(kw)
    return HelpRequest(**base)  # type: ignore[arg-type]


def test_open_3018_is_the_call_button_at_2259() -> None:
    card = route(f.france(), ask(), AT_2259)
    assert card.primary is not None
    assert (card.primary.helpline_id, card.primary.uri) == ("fr-3018", "tel:3018")
    phone = card.helplines[0].channels[0]
    assert (phone.open_now, phone.closes_at, phone.opens_at) == (True, "2026-11-25T23:00:00+01:00", None)


def test_at_2300_the_3018_shows_its_next_opening_and_an_open_line_leads() -> None:
    card = route(f.france(), ask(), AT_2300)
    assert [h.id for h in card.helplines] == ["fr-119", "fr-3018"]
    assert card.primary is not None
    assert card.primary.uri == "tel:119"
    phone_3018 = next(c for c in card.helplines[1].channels if c.kind == "phone")
    assert (phone_3018.open_now, phone_3018.opens_at, phone_3018.closes_at) == (
        False,
        "2026-11-26T09:00:00+01:00",
        None,
    )


def test_an_adult_is_not_sent_to_a_line_for_under_21s() -> None:
    card = route(f.france(), ask(age=30), AT_2300)
    assert [h.id for h in card.helplines] == ["fr-3018"]
    # Nothing can be called: the primary action is still there, the helpline's site (never a dead end).
    assert card.primary is not None
    assert card.primary.uri == "https://3018.example/"


def test_link_presentation_points_at_the_helplines_site() -> None:
    card = route(f.france(), ask(presentation="link"), AT_2259)
    assert card.primary is not None
    assert (card.primary.kind, card.primary.uri) == ("web", "https://3018.example/")


@pytest.mark.parametrize(
    ("category", "number"), [("threat", "17"), ("self_harm", "15"), ("harassment", "112"), ("hate", "112")]
)
def test_immediate_danger_puts_the_fitting_emergency_number_first(category: str, number: str) -> None:
    card = route(f.france(), ask(category=category, danger="immediate"), AT_2259)
    assert card.emergency[0].number == number
    assert card.primary is not None
    assert card.primary.emergency
    assert card.primary.uri == f"tel:{number}"


def test_emergency_numbers_are_listed_even_without_danger() -> None:
    card = route(f.france(), ask(), AT_2259)
    assert {e.number for e in card.emergency} == {"112", "17", "15", "114"}
    assert next(e.uri for e in card.emergency if e.number == "114") == "sms:114"
    assert card.primary is not None
    assert not card.primary.emergency


def test_self_harm_goes_to_the_suicide_line_first() -> None:
    card = route(f.france(), ask(category="self_harm"), AT_2300)
    assert card.helplines[0].id == "fr-3114"
    assert card.primary is not None
    assert card.primary.uri == "tel:3114"


def test_an_unknown_country_gets_a_flagged_fallback_never_an_empty_card() -> None:
    card = route(f.france(), ask(country="ZZ", language="en"), AT_2259)
    assert card.fallback is True
    assert [e.number for e in card.emergency] == ["112"]
    assert card.helplines
    assert card.primary is not None
    assert card.timezone == "UTC"


def test_a_known_country_with_nothing_fitting_falls_back_but_keeps_its_emergency_numbers() -> None:
    card = route(f.france(), ask(category="doxxing", age=40), AT_2259)
    assert card.fallback is True
    assert card.helplines[0].id == "xx-world"
    assert [e.id for e in card.emergency][:2] == ["fr-17", "fr-112"]


def test_times_are_shown_in_the_reporters_zone_when_given() -> None:
    card = route(f.france(), ask(timezone="America/Guadeloupe"), AT_2300)
    phone_3018 = next(c for h in card.helplines if h.id == "fr-3018" for c in h.channels if c.kind == "phone")
    assert phone_3018.opens_at == "2026-11-26T04:00:00-04:00"
    assert card.timezone == "America/Guadeloupe"
    assert card.generated_at.isoformat() == "2026-11-25T18:00:00-04:00"


def test_texts_follow_the_reporters_language_and_say_when_they_fall_back_to_english() -> None:
    french = route(f.france(), ask(language="fr-BE"), AT_2259)
    assert (french.language, french.requested_language) == ("fr", "fr")
    assert (french.helplines[0].description, french.helplines[0].description_language) == ("About fr-3018 (fr)", "fr")
    german = route(f.france(), ask(language="de"), AT_2259)
    assert (german.language, german.requested_language) == ("de", "de")
    # The directory has no German text for this line: English, and the card says so; the label made in code
    # exists in German.
    assert (german.helplines[0].description, german.helplines[0].description_language) == ("About fr-3018", "en")
    assert german.primary is not None
    assert (german.primary.label, german.primary.label_language) == ("3018 anrufen", "de")
    japanese = route(f.france(), ask(language="ja"), AT_2259)
    assert (japanese.language, japanese.requested_language) == ("en", "ja")
    assert japanese.primary is not None
    assert (japanese.primary.label, japanese.primary.label_language) == ("Call 3018", "en")


@pytest.mark.parametrize(
    ("asked", "language", "call"),
    [
        ("fr", "fr", "Appeler le 3018"),
        ("en", "en", "Call 3018"),
        ("de", "de", "3018 anrufen"),
        ("de-AT", "de", "3018 anrufen"),
        ("nl", "nl", "Bel 3018"),
        ("es", "es", "Llamar al 3018"),
        ("it", "it", "Chiama il 3018"),
        ("pt", "pt", "Ligar para o 3018"),
        ("pt-BR", "pt", "Ligar para o 3018"),
        ("pl", "pl", "Zadzwoń pod 3018"),
        ("sv", "sv", "Ring 3018"),
        ("ja", "en", "Call 3018"),
    ],
)
def test_the_card_speaks_each_reporter_language_and_english_otherwise(asked: str, language: str, call: str) -> None:
    card = route(f.france(), ask(language=asked), AT_2259)
    assert card.language == language
    assert card.requested_language == asked.split("-")[0]
    assert card.primary is not None
    assert (card.primary.label, card.primary.label_language) == (call, language)
    abroad = route(f.france(), ask(language=asked, location_country="BE"), AT_2259)
    assert abroad.abroad_note == ABROAD_NOTE[language]


def test_a_line_in_the_reporters_language_comes_before_a_better_ranked_one() -> None:
    directory = f.build(
        f.country(
            "CH",
            "Europe/Zurich",
            [
                f.helpline("ch-de", ["harassment"], [f.channel("phone", "tel:147", "24/7")], languages=["de"], rank=1),
                f.helpline("ch-fr", ["harassment"], [f.channel("phone", "tel:148", "24/7")], languages=["fr"], rank=9),
            ],
        )
    )
    card = route(directory, ask(country="CH"), AT_2259)
    assert [h.id for h in card.helplines] == ["ch-fr", "ch-de"]


def test_paired_services_are_shown_both_or_neither() -> None:
    directory = f.build(
        f.country(
            "BE",
            "Europe/Brussels",
            [
                f.helpline(
                    "be-nl",
                    ["general"],
                    [f.channel("phone", "tel:102", "24/7")],
                    languages=["nl"],
                    pair="be-kids",
                    ages={"max": 18},
                ),
                f.helpline(
                    "be-fr", ["general"], [f.channel("phone", "tel:103", "24/7")], languages=["fr"], pair="be-kids"
                ),
                f.helpline("be-other", ["harassment"], [f.channel("phone", "tel:104", "24/7")], languages=["fr"]),
            ],
        )
    )
    # The Dutch line is excluded by age on its own, yet its French pair is shown: so it comes too.
    card = route(directory, ask(country="BE", age=19), AT_2259)
    ids = [h.id for h in card.helplines]
    assert "be-fr" in ids
    assert "be-nl" in ids
    assert abs(ids.index("be-fr") - ids.index("be-nl")) == 1


def test_specialists_come_before_general_lines() -> None:
    directory = f.build(
        f.country(
            "IT",
            "Europe/Rome",
            [
                f.helpline("it-general", ["general"], [f.channel("phone", "tel:19696", "24/7")], rank=1),
                f.helpline("it-cyber", ["harassment"], [f.channel("phone", "tel:114", "24/7")], rank=50),
            ],
        )
    )
    assert [h.id for h in route(directory, ask(country="IT"), AT_2259).helplines] == ["it-cyber", "it-general"]


def test_a_card_never_lists_more_than_a_phone_screen_of_helplines() -> None:
    many = [f.helpline(f"de-h{i}", ["harassment"], [f.channel("phone", f"tel:11{i}", "24/7")]) for i in range(9)]
    card = route(f.build(f.country("DE", "Europe/Berlin", many)), ask(country="DE"), AT_2259)
    assert len(card.helplines) == MAX_HELPLINES


def test_an_override_can_close_a_channel_or_change_its_hours() -> None:
    directory = f.build(
        f.country(
            "FR",
            "Europe/Paris",
            [
                f.helpline(
                    "fr-3018",
                    ["harassment"],
                    [
                        f.channel("phone", "tel:3018", "Mo-Su 09:00-23:00", id="fr-3018-phone"),
                        f.channel("web", "https://3018.example/", "24/7", id="fr-3018-web"),
                    ],
                )
            ],
        ),
        overrides=(
            Override(target="fr-3018-phone", hours="Mo-Su 09:00-22:00"),
            Override(target="fr-3018-web", enabled=False),
        ),
    )
    card = route(directory, ask(age=None), AT_2259)
    assert [(c.kind, c.open_now) for c in card.helplines[0].channels] == [("phone", False)]


def test_the_card_says_how_long_it_holds() -> None:
    assert route(f.france(), ask(), AT_2259).valid_until == datetime(2026, 11, 25, 23, 0, tzinfo=PARIS)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        route(f.france(), ask(), datetime(2026, 11, 25, 22, 59))  # noqa: DTZ001 - the point of the test
