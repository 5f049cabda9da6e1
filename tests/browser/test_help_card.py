"""`<relais-help-card>` on a bare static page, as a platform would embed it: no other script, no framework.

The pages are served by a plain `http.server` on its own port, so the card fetched from `/api/v1/help`
crosses origins as it does on a platform's site; the cards given to it are JSON fixtures, as a report's
`201` returns them.
"""

from __future__ import annotations

import gzip
import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot

pytestmark = [pytest.mark.browser]

SCRIPT = Path(__file__).resolve().parents[2] / "relais" / "static" / "relais" / "help-card.js"
FIXTURES = Path(__file__).parent / "fixtures"


def test_the_component_stays_small() -> None:
    """≤ 15 kB once compressed, as served: a phone on a slow line gets it in the time of a small picture."""
    assert len(gzip.compress(SCRIPT.read_bytes(), compresslevel=9)) <= 15 * 1024


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bare_site(tmp_path: Path) -> Iterator[str]:
    """A static site on 127.0.0.1 with the component's file and whatever pages a test writes into it."""
    shutil.copy(SCRIPT, tmp_path / "help-card.js")
    (tmp_path / "before.html").write_text(_page("Before", "<p>A page the person saw before.</p>"), encoding="utf-8")
    (tmp_path / "neutral.html").write_text(_page("Weather", "<p>Sunny.</p>"), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _page(title: str, body: str, *, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main>{body}</main></body></html>"
    )


def _card_page(site_dir: str, name: str, element: str, *, lang: str) -> None:
    body = f'<h1>Help</h1>{element}<script type="module" src="/help-card.js"></script>'
    Path(site_dir, name).write_text(_page("Help", body, lang=lang), encoding="utf-8")


@pytest.fixture
def site_dir(bare_site: str, tmp_path: Path) -> str:
    return str(tmp_path)


def _open(browser: Browser, url: str, *, locale: str = "fr-FR") -> tuple[Page, list[str]]:
    context = browser.new_context(locale=locale, timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    assert not errors, errors
    return page, requests


def _given(fixture: str, **attributes: str) -> str:
    card = (FIXTURES / fixture).read_text(encoding="utf-8").replace("</", "<\\/")
    attrs = "".join(f' {name}="{value}"' for name, value in attributes.items())
    return f'<relais-help-card{attrs}><script type="application/json">{card}</script></relais-help-card>'


def test_a_given_card_in_french_says_the_3018_is_closed_and_leads_with_an_open_line(
    browser: Browser, bare_site: str, site_dir: str, axe: Axe
) -> None:
    _card_page(site_dir, "card.html", _given("help_card_fr_2300.json"), lang="fr")
    page, requests = _open(browser, f"{bare_site}/card.html")
    card = page.locator("relais-help-card")
    call = card.locator(".primary-action")
    expect(call).to_have_attribute("href", "tel:119")
    expect(call).to_have_text("Appeler le 119")
    expect(card.locator(".primary__note")).to_have_text(
        "119 \N{EN DASH} Allô Enfance en Danger · ouvert 24 h/24, 7 j/7 · gratuit"
    )
    # Closed, said in plain words at the top, rather than a silently swapped button.
    expect(card.locator(".notice")).to_have_text(
        "Le 3018 ouvre demain à 09:00. D'ici là, tu peux appeler le 119, ouvert 24 h/24, 7 j/7."
    )
    assert _before(page, ".notice", ".primary-action")
    closed = card.locator('[data-channel-id="fr-3018-phone"]')
    expect(closed).to_contain_text("Téléphone · ouvre demain à 09:00 · gratuit")
    expect(closed.locator("a")).to_have_count(0)
    expect(card.locator('[data-channel-id="fr-3018-web"] a')).to_have_attribute("href", "https://3018.fr/")
    expect(card.get_by_role("heading", name="Lignes d'écoute", level=2)).to_be_visible()
    expect(card.get_by_role("heading", name="3018", level=3)).to_be_visible()
    expect(card.get_by_role("heading", name="En cas d'urgence")).to_be_visible()
    expect(card.locator('[data-emergency-id="fr-112"] a')).to_have_attribute("href", "tel:112")
    assert _before(page, ".helplines", ".emergency")
    expect(card.get_by_role("button", name="Quitter vite", exact=True)).to_be_visible()
    assert_accessible(axe, page, "help card, given, fr")
    assert_no_sideways_scroll(page)
    screenshot(page, "component-fr-2300")
    assert requests == [f"{bare_site}/card.html", f"{bare_site}/help-card.js"], "nothing but the page and the card"


def test_a_card_in_german_speaks_german_and_marks_the_texts_it_only_has_in_english(
    browser: Browser, bare_site: str, site_dir: str, axe: Axe
) -> None:
    """A German-speaking child in France (ADR 0041): the component's words and the labels made in code are German;
    the French services' own texts exist only in French and English, so they show in English, said so."""
    _card_page(site_dir, "card.html", _given("help_card_de_2300.json"), lang="de")
    page, _ = _open(browser, f"{bare_site}/card.html", locale="de-DE")
    card = page.locator("relais-help-card")
    expect(card.locator(".primary-action")).to_have_text("119 anrufen")
    expect(card.get_by_role("heading", name="Beratung und Hilfe", level=2)).to_be_visible()
    expect(card.get_by_role("heading", name="Im Notfall")).to_be_visible()
    expect(card.get_by_role("button", name="Schnell raus", exact=True)).to_be_visible()
    description = card.locator('[data-helpline-id="fr-3018"] .helpline__description')
    expect(description.locator('span[lang="en"]')).to_contain_text("France's national helpline")
    expect(description.locator(".text-language")).to_have_text("(auf Englisch)")
    expect(card.locator('[data-channel-id="fr-3018-phone"]')).to_contain_text("Telefon · öffnet morgen um 09:00")
    assert_accessible(axe, page, "help card, given, de")
    assert_no_sideways_scroll(page)
    screenshot(page, "component-de-2300")


def test_danger_now_puts_emergency_numbers_first_in_english(
    browser: Browser, bare_site: str, site_dir: str, axe: Axe
) -> None:
    element = _given("help_card_en_danger.json", **{"reporter-url": "https://relais.example/r/abc"})
    _card_page(site_dir, "danger.html", element, lang="en")
    page, _ = _open(browser, f"{bare_site}/danger.html", locale="en-GB")
    card = page.locator("relais-help-card")
    call = card.locator(".primary-action")
    expect(call).to_have_attribute("href", "tel:112")
    expect(call).to_have_text("Call 112")
    expect(card.get_by_role("heading", name="You are in danger: call now")).to_be_visible()
    assert _before(page, ".emergency", ".helplines")
    assert _before(page, ".primary-action", ".helplines")
    expect(card.locator('[data-channel-id="fr-3018-phone"]')).to_contain_text("Phone · open until 23:00 · free")
    expect(card.get_by_role("link", name="Follow my report")).to_have_attribute("href", "https://relais.example/r/abc")
    expect(card.get_by_role("button", name="Quick exit", exact=True)).to_be_visible()
    expect(card.locator(".notice")).to_have_count(0)
    expect(card.locator("[part=default-country]")).to_have_count(0)
    assert_accessible(axe, page, "help card, given, danger now, en")
    assert_no_sideways_scroll(page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "locale", "call", "note"),
    [
        pytest.param("en", "en-GB", "Call 3018", "open until 23:00", id="en"),
        pytest.param("fr", "fr-FR", "Appeler le 3018", "ouvert jusqu'à 23:00", id="fr"),
    ],
)
def test_a_card_fetched_from_the_help_api_on_another_origin(
    browser: Browser,
    bare_site: str,
    site_dir: str,
    live_server: LiveServer,
    settings: Settings,
    axe: Axe,
    lang: str,
    locale: str,
    call: str,
    note: str,
) -> None:
    settings.RELAIS_FAKE_NOW = "2026-11-25T22:00:00+01:00"
    element = (
        f'<relais-help-card api-base="{live_server.url}" country="FR" language="{lang}" age="14"'
        ' category="cyberbullying"></relais-help-card>'
    )
    _card_page(site_dir, f"api-{lang}.html", element, lang=lang)
    page, requests = _open(browser, f"{bare_site}/api-{lang}.html", locale=locale)
    card = page.locator("relais-help-card")
    expect(card.locator(".primary-action")).to_have_text(call)
    expect(card.locator(".primary-action")).to_have_attribute("href", "tel:3018")
    expect(card.locator(".primary__note")).to_contain_text(note)
    expect(card.locator('[data-helpline-id="fr-3018"] .channel')).not_to_have_count(0)
    asked = [url for url in requests if url.startswith(live_server.url)]
    assert len(asked) == 1
    assert asked[0].startswith(
        f"{live_server.url}/api/v1/help?country=FR&language={lang}&age=14&category=cyberbullying"
    )
    assert "timezone=Europe%2FParis" in asked[0]
    assert_accessible(axe, page, f"help card from the API ({lang})")
    assert_no_sideways_scroll(page)


@pytest.mark.parametrize(
    ("lang", "locale", "label"),
    [
        pytest.param("en", "en-GB", "Reachable from abroad", id="en"),
        pytest.param("fr", "fr-FR", "Joignable depuis l'étranger", id="fr"),
    ],
)
def test_a_french_child_in_japan_sees_japans_numbers_and_help_reachable_from_there(
    browser: Browser,
    bare_site: str,
    site_dir: str,
    live_server: LiveServer,
    settings: Settings,
    axe: Axe,
    lang: str,
    locale: str,
    label: str,
) -> None:
    settings.RELAIS_FAKE_NOW = "2026-11-25T12:00:00+01:00"
    element = (
        f'<relais-help-card api-base="{live_server.url}" country="FR" location-country="JP" language="{lang}"'
        ' age="14"></relais-help-card>'
    )
    _card_page(site_dir, f"abroad-{lang}.html", element, lang=lang)
    page, requests = _open(browser, f"{bare_site}/abroad-{lang}.html", locale=locale)
    card = page.locator("relais-help-card")
    expect(card.locator(".emergency__number")).to_have_text(["110", "119"])
    expect(card.locator('[part="abroad"]')).to_be_visible()
    expect(card.locator(".channel").first).to_contain_text(label)
    expect(card.locator('a[href="tel:3018"]')).to_have_count(0)
    assert any("location_country=JP" in url for url in requests)
    assert_accessible(axe, page, f"help card abroad ({lang})")
    assert_no_sideways_scroll(page)


def test_a_card_set_as_a_property_before_the_script_loads(browser: Browser, bare_site: str, site_dir: str) -> None:
    """A platform's script may hand over the report's card before the component is defined; this one rests
    on the platform's default country, and says so."""
    given = json.loads((FIXTURES / "help_card_en_danger.json").read_text(encoding="utf-8"))
    card = json.dumps({**given, "country_source": "platform_default"})
    body = (
        '<relais-help-card lang="fr"></relais-help-card>'
        f"<script>document.querySelector('relais-help-card').card = {card};</script>"
        '<script type="module" src="/help-card.js"></script>'
    )
    Path(site_dir, "property.html").write_text(_page("Help", body, lang="fr"), encoding="utf-8")
    page, _ = _open(browser, f"{bare_site}/property.html")
    call = page.locator("relais-help-card .primary-action")
    expect(call).to_have_text("Appeler le 112")  # the `lang` attribute wins over the card's English
    expect(page.locator("relais-help-card [part=default-country]")).to_have_text(
        "Aide pour ce pays : France, celui que la plateforme suppose quand elle ne connaît pas le tien."
    )
    expect(page.locator("relais-help-card").get_by_role("button", name="Quitter vite")).to_be_visible()


def test_an_unreachable_api_is_said_politely(browser: Browser, bare_site: str, site_dir: str) -> None:
    element = '<relais-help-card api-base="http://127.0.0.1:9" country="FR" language="en"></relais-help-card>'
    _card_page(site_dir, "down.html", element, lang="en")
    page, _ = _open(browser, f"{bare_site}/down.html", locale="en-GB")
    status = page.locator("relais-help-card").get_by_role("status").filter(has_text="could not be loaded")
    expect(status).to_contain_text("If you are in danger right now, call your emergency number (112 in Europe).")
    expect(page.get_by_role("button", name="Quick exit", exact=True)).to_be_visible()


def test_everything_works_with_the_keyboard_alone(browser: Browser, bare_site: str, site_dir: str) -> None:
    _card_page(site_dir, "keys.html", _given("help_card_fr_2300.json"), lang="fr")
    page, _ = _open(browser, f"{bare_site}/keys.html")
    reached: list[dict[str, Any]] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused is None or (reached and focused["text"] == reached[0]["text"]):
            break
        reached.append(focused)
    names = [f["text"] for f in reached]
    assert names[0].startswith("Quitter vite"), "Quick Exit is the first stop"
    assert names[1] == "Appeler le 119", "then the big button"
    assert any("Le site du 3018" in n for n in names)
    assert any(n.startswith("112") for n in names)
    for focused in reached:
        assert focused["outline"] != "none", f"no visible focus on {focused['text']}"
        assert focused["width"] >= 44, f"target under 44 px wide: {focused}"
        assert focused["height"] >= 44, f"target under 44 px high: {focused}"


_FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return {text: el.textContent.trim(), width: box.width, height: box.height, outline: style.outlineStyle};
}"""


@pytest.mark.parametrize("how", ["button", "shift"])
def test_quick_exit_leaves_and_back_does_not_return(browser: Browser, bare_site: str, site_dir: str, how: str) -> None:
    element = _given("help_card_fr_2300.json", **{"quick-exit-url": f"{bare_site}/neutral.html"})
    _card_page(site_dir, "exit.html", element, lang="fr")
    page, _ = _open(browser, f"{bare_site}/before.html")
    page.goto(f"{bare_site}/exit.html")
    expect(page.locator("relais-help-card .primary-action")).to_be_visible()
    with page.expect_navigation(url=f"{bare_site}/neutral.html"):
        if how == "button":
            page.get_by_role("button", name="Quitter vite").click()
        else:
            page.keyboard.press("Shift")
            announced = page.locator("relais-help-card").locator("[part=quick-exit] [role=status]")
            expect(announced).to_have_text("Maj : appuie encore 2 fois pour quitter.")
            page.keyboard.press("Shift")
            page.keyboard.press("Shift")
    expect(page).to_have_title("Weather")
    page.go_back()
    expect(page).to_have_url(f"{bare_site}/before.html")
    page.go_forward()
    expect(page).to_have_url(f"{bare_site}/neutral.html")


def test_shift_for_a_capital_letter_does_not_count(browser: Browser, bare_site: str, site_dir: str) -> None:
    element = _given("help_card_fr_2300.json") + '<label>Name <input id="name"></label>'
    _card_page(site_dir, "typing.html", element, lang="fr")
    page, _ = _open(browser, f"{bare_site}/typing.html")
    page.locator("#name").focus()
    for letter in "ABC":
        page.keyboard.press(f"Shift+{letter}")
    page.wait_for_timeout(300)
    expect(page).to_have_url(f"{bare_site}/typing.html")
    expect(page.locator("#name")).to_have_value("ABC")


def test_quick_exit_blanks_the_page_before_it_leaves(browser: Browser, bare_site: str, site_dir: str) -> None:
    """On a slow line the page must not stay readable while the neutral site loads: what the page showed as it
    was left is kept by the test page (in the tab's sessionStorage, which the neutral page of the same origin
    reads back)."""
    element = _given("help_card_fr_2300.json", **{"quick-exit-url": f"{bare_site}/neutral.html"})
    keep = (
        "<script>addEventListener('pagehide', () => sessionStorage.setItem('left', JSON.stringify(["
        "document.querySelector('[role=alert]')?.textContent, getComputedStyle(document.querySelector('main'))"
        ".display, document.title])));</script>"
    )
    _card_page(site_dir, "slow.html", element + keep, lang="fr")
    page, _ = _open(browser, f"{bare_site}/slow.html")
    with page.expect_navigation(url=f"{bare_site}/neutral.html"):
        page.get_by_role("button", name="Quitter vite").click()
    assert json.loads(page.evaluate("sessionStorage.getItem('left')")) == ["Chargement.", "none", ""]


def _before(page: Page, first: str, second: str) -> bool:
    """Whether `first` comes before `second` inside the card (what a screen reader and a scroll meet first)."""
    return bool(
        page.evaluate(
            "([a, b]) => { const root = document.querySelector('relais-help-card').shadowRoot;"
            " return Boolean(root.querySelector(a).compareDocumentPosition(root.querySelector(b))"
            " & Node.DOCUMENT_POSITION_FOLLOWING); }",
            [first, second],
        )
    )


def test_fixture_cards_are_help_cards() -> None:
    """The fixtures have the shape the API documents, so the component is tested on real cards."""
    from relais.directory.api_schemas import HelpCardOut

    for path in FIXTURES.glob("help_card_*.json"):
        HelpCardOut.model_validate(json.loads(path.read_text(encoding="utf-8")))
