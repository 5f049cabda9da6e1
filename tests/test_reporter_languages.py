"""The reporter's page in the nine reporter languages (issue #15, ADR 0041): which language it picks, that the
catalogues' words are shown, that a directory text missing in the reader's language is shown in English *marked
as such*, and that a reporter abroad is told so. Over HTTP against the real database and the bundled directory.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from relais.languages import REPORTER_LANGUAGES
from tests.test_moderation_api import World
from tests.test_moderation_api import world as world
from tests.test_reporter_page import page, path_of, post, reported

DAY = datetime.fromisoformat("2026-11-25T15:00:00+01:00")


def reporter(**changes: Any) -> dict[str, Any]:
    return {"country": "FR", "language": "fr", "age": 14, **changes}


def shown(w: World, ident: str, who: dict[str, Any], accept_language: str = "") -> str:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(w, ident, reporter=who)["reporter_url"])
        response = Client().get(path, headers={"Accept-Language": accept_language} if accept_language else {})
    assert response.status_code == 200
    return str(response.content.decode())


def html_lang(body: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', body)
    assert match
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "language", "words"),
    [
        # Every German service has its own German text: nothing is marked as English.
        ("DE", "de", ["Deine Meldung", "Hilfe jetzt", "Schnell raus", "Kostenlose und anonyme Beratung"]),
        # The country list is in Polish too.
        ("PL", "pl", ["Twoje zgłoszenie", "Pomoc teraz", 'value="PL" selected>Polska</option>', ">Niemcy</option>"]),
    ],
)
def test_the_page_speaks_the_reporters_language_with_their_countrys_services(
    world: World, country: str, language: str, words: list[str]
) -> None:
    body = shown(world, f"{language}-1", reporter(country=country, language=language))
    assert html_lang(body) == language
    assert [w for w in words if w not in body] == []
    assert "data-text-language" not in body


@pytest.mark.django_db
def test_a_service_without_a_text_in_the_readers_language_shows_its_english_text_marked(world: World) -> None:
    # French services have texts in French and English only: a German reader sees English, told so.
    body = shown(world, "fr-de", reporter(language="de"))
    assert html_lang(body) == "de"
    assert re.search(
        r'<span lang="en">[^<]+</span> <span class="text-language" data-text-language>\(auf Englisch\)', body
    )
    # Labels made in code exist in German: the big button is German.
    assert "3018 anrufen" in body


@pytest.mark.django_db
def test_a_language_relais_does_not_speak_gets_english_and_the_page_says_so(world: World) -> None:
    body = shown(world, "ja-1", reporter(language="ja"), accept_language="ja")
    assert html_lang(body) == "en"
    assert "This page is not available in your language yet, so it is in English." in body
    assert "(in English)" not in body  # English texts on an English page need no mark


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "language"),
    [("de-AT,de;q=0.9", "de"), ("pt-BR,pt;q=0.8,en;q=0.5", "pt"), ("ja,sv;q=0.5", "sv"), ("nl-BE", "nl")],
)
def test_the_browser_language_is_picked_among_the_nine_when_the_report_has_none_of_them(
    world: World, header: str, language: str
) -> None:
    body = shown(world, f"h-{language}", reporter(language="ja"), accept_language=header)
    assert html_lang(body) == language


@pytest.mark.django_db
def test_the_language_switch_offers_the_nine_and_keeps_the_choice(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world, "sw-1", reporter=reporter())["reporter_url"])
        body = page(path).content.decode()
        offered = re.findall(r'name="language" value="(\w+)"', body)
        assert tuple(offered) == REPORTER_LANGUAGES
        client = Client()
        response = post(path, {"action": "language", "language": "sv"}, client)
        assert response.status_code == 303
        swedish = page(path, client).content.decode()
    assert html_lang(swedish) == "sv"
    assert "Din anmälan" in swedish
    assert "Ring 3018" in swedish  # the card follows the page's language
    assert "(på engelska)" in swedish


@pytest.mark.django_db
def test_a_reporter_abroad_is_told_so_in_their_language_and_sees_what_works_from_there(world: World) -> None:
    body = shown(world, "abroad-1", reporter(language="es", location_country="ES"))
    assert "Estás en el extranjero" in body
    assert "data-abroad-note" in body
    assert "Se puede usar desde el extranjero" in body
    assert "tel:112" in body  # where the reporter is
    assert "tel:3018" not in body  # a French short number does not work from Spain
    at_home = shown(world, "home-1", reporter(language="es"))
    assert "data-abroad-note" not in at_home
    assert "Se puede usar desde el extranjero" not in at_home


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "lang", "words"),
    [("pl-PL,pl;q=0.9", "pl", "Ten link nie działa"), ("it", "it", "Questo link non funziona"), ("", "fr", "Ce lien")],
)
def test_a_wrong_link_is_refused_in_the_browsers_language(header: str, lang: str, words: str) -> None:
    response = Client().get("/r/" + "x" * 43, headers={"Accept-Language": header} if header else {})
    assert response.status_code == 404
    body = response.content.decode()
    assert html_lang(body) == lang
    assert words in body
