"""A helpline's supervisor closes the line for Christmas Eve from a phone, in French and in English: a
wrong entry is named in the error summary, the saved closure is listed with its reason in both languages,
and the help card shows it. Every state passes axe-core and none scrolls sideways at 390 px."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais.tenants.models import Role
from relais.tenants.services import add_helpline, add_staff
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long supervisor passphrase"


@dataclass(frozen=True)
class Words:
    locale: str
    sign_in: str
    title: str
    whole_line: str
    temporary: str
    save: str
    problem: str
    saved: str
    end_now: str


FRENCH = Words(
    "fr-FR",
    "Se connecter",
    "Horaires et fermetures",
    "Toute la ligne",
    "Ouvert sur des horaires temporaires",
    "Enregistrer",
    "Il y a 1 problème",
    "Enregistré.",
    "Terminer maintenant",
)
ENGLISH = Words(
    "en-GB",
    "Sign in",
    "Hours and closures",
    "The whole helpline",
    "Open on temporary hours",
    "Save",
    "There is 1 problem",
    "Saved.",
    "End now",
)


@pytest.fixture
def supervisor(transactional_db: None, settings: Settings) -> None:
    settings.RELAIS_FAKE_NOW = "2026-12-24T12:00:00+01:00"
    helpline, _ = add_helpline(name="3018", directory_id="fr-3018", slug="3018")
    add_staff(username="sami", helpline=helpline, role=Role.SUPERVISOR, password=PASSWORD)


@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_supervisor_closes_the_line_from_a_phone(
    browser: Browser, live_server: LiveServer, axe: Axe, supervisor: None, words: Words
) -> None:
    context = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/console/login/?next=/console/hours/")
    page.locator("#id_username").fill("sami")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=words.sign_in, exact=True).click()
    expect(page.locator("h1")).to_have_text(words.title)
    assert_accessible(axe, page, f"hours page ({words.locale})")
    assert_no_sideways_scroll(page)

    expect(page.locator("#id_target option").first).to_contain_text(words.whole_line)
    page.get_by_label(words.temporary).check()
    page.locator("#id_hours").fill("Mo-Su 10h-16h")
    page.locator("#id_starts_at").fill("2026-12-24T11:00")
    page.locator("#id_ends_at").fill("2026-12-24T18:00")
    page.locator("#id_reason_fr").fill("Fermé le 24 décembre. En danger, appelez le 112.")
    page.locator("#id_reason_en").fill("Closed on Christmas Eve. In danger, call 112.")
    page.locator("#id_reason_en").press("Enter")  # submitted from the keyboard
    expect(page.locator("#error-summary")).to_contain_text(words.problem)
    expect(page.locator("#id_hours_error")).to_be_visible()
    assert_accessible(axe, page, f"hours page, refused ({words.locale})")
    assert_no_sideways_scroll(page)
    screenshot(page, f"closure-refused-{words.locale}")

    page.locator("#id_kind_0").check()  # closed, after all
    page.locator("#id_hours").fill("")
    page.get_by_role("button", name=words.save, exact=True).click()
    expect(page.locator(".message")).to_contain_text(words.saved)
    expect(page.locator(".closure [lang=fr]")).to_have_text("Fermé le 24 décembre. En danger, appelez le 112.")
    expect(page.locator(".closure [lang=en]")).to_have_text("Closed on Christmas Eve. In danger, call 112.")
    expect(page.get_by_role("button", name=words.end_now)).to_be_visible()
    assert_accessible(axe, page, f"hours page, saved ({words.locale})")
    assert_no_sideways_scroll(page)
    screenshot(page, f"closure-saved-{words.locale}")

    card = page.request.get(
        f"{live_server.url}/api/v1/help?country=FR&language={words.locale[:2]}&at=2026-12-24T12:00:00%2B01:00"
    ).json()
    line = next(h for h in card["helplines"] if h["id"] == "fr-3018")
    phone = next(c for c in line["channels"] if c["kind"] == "phone")
    assert phone["open_now"] is False
    assert phone["notice"].startswith("Fermé" if words.locale == "fr-FR" else "Closed")
    context.close()
