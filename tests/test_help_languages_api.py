"""The help API in the nine reporter languages (issue #15, ADR 0041): which language a card is in, and that every
text says the language it is really in, so a client can mark an English stand-in instead of passing it off."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from relais.languages import REPORTER_LANGUAGES
from tests.test_help_abroad_api import help_card


def texts(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, language) for every directory text on the card."""
    found = [(f"{e['id']} name", e["name_language"]) for e in card["emergency"]]
    for line in card["helplines"]:
        found.append((f"{line['id']} description", line["description_language"]))
        found += [(f"{c['id']} label", c["label_language"]) for c in line["channels"]]
    return found


@pytest.mark.parametrize(
    ("asked", "language"),
    [*((code, code) for code in REPORTER_LANGUAGES), ("de-AT", "de"), ("pt-BR", "pt"), ("ja", "en")],
)
def test_the_card_is_in_the_asked_language_or_says_it_is_not(client: Client, asked: str, language: str) -> None:
    response = help_card(client, language=asked)
    assert response.status_code == 200
    card = response.json()
    assert (card["language"], card["requested_language"]) == (language, asked.split("-")[0])
    # Each text is in the card's language or, said so, in English: never in a third language, never unsaid.
    assert {in_language for _what, in_language in texts(card)} <= {language, "en"}
    assert card["primary"]["label_language"] in {language, "en"}


@pytest.mark.parametrize(
    ("country", "language"), [("DE", "de"), ("AT", "de"), ("CH", "it"), ("NL", "nl"), ("BE", "nl"), ("PL", "pl")]
)
def test_the_services_of_a_country_speak_its_languages(client: Client, country: str, language: str) -> None:
    card = help_card(client, country=country, language=language).json()
    assert card["language"] == language
    assert [what for what, in_language in texts(card) if in_language != language] == []


def test_a_german_speaker_in_france_reads_the_french_services_in_english_marked_as_such(client: Client) -> None:
    card = help_card(client, language="de").json()
    assert card["primary"]["label"] == "3018 anrufen"  # made by Relais: German
    assert {line["description_language"] for line in card["helplines"]} == {"en"}
    abroad = help_card(client, language="de", location_country="JP").json()
    assert abroad["abroad_note"].startswith("Du bist im Ausland")
    assert {c["abroad_label"] for h in abroad["helplines"] for c in h["channels"]} == {
        "Auch aus dem Ausland erreichbar"
    }
