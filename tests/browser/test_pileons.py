"""A pile-on in the moderation console on a phone (ADR 0034), in French and English: the queue shows five
reports about one account as one row naming it; its page lists each report; the whole pile-on is closed
with a note by keyboard. Each page passes axe-core and none scrolls sideways."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais.moderation.models import Decision, PileOn
from relais.tenants.services import add_moderator, add_platform
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.test_moderation_console import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long pile-on passphrase"
NOW = "2026-11-25T21:00:00+00:00"
BULLY = "https://social.example/@bully"


@dataclass(frozen=True)
class Words:
    locale: str
    sign_in: str
    row: str
    done: str


FRENCH = Words("fr-FR", "Se connecter", f"5 signalements sur {BULLY}", "5 notifications fermées")
ENGLISH = Words("en-GB", "Sign in", f"5 reports about {BULLY}", "5 notices closed")


@pytest.fixture
def pileon(transactional_db: None, settings: Settings) -> PileOn:
    settings.RELAIS_FAKE_NOW = NOW
    platform, _ = add_platform(name="Sunny Social", country="IE")
    add_moderator(username="ines", platform=platform, password=PASSWORD)
    for i in range(5):
        content = [{"kind": "message", "content_id": f"m-{i}", "text": f"insulte {i}", "author_profile_url": BULLY}]
        make_report(platform, f"p{i}", content=content)
    make_report(platform, "alone", content=[{"kind": "profile", "url": "https://social.example/@other"}])
    return PileOn.objects.get()


@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_pile_on_is_one_row_and_is_closed_with_a_note_by_keyboard(
    browser: Browser, live_server: LiveServer, axe: Axe, pileon: PileOn, words: Words
) -> None:
    context = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/moderation/login/?next=/moderation/")
    page.locator("#id_username").fill("ines")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=words.sign_in, exact=True).click()
    expect(page.locator("li.notice-row")).to_have_count(2)
    link = page.locator(".notice-row__pileon a")
    expect(link).to_contain_text(words.row)
    assert_accessible(axe, page, f"queue with a pile-on ({words.locale})")
    assert_no_sideways_scroll(page)
    screenshot(page, f"pileon-queue-{words.locale}")

    link.click()
    expect(page.locator("li.notice-row")).to_have_count(5)
    assert_accessible(axe, page, f"pile-on page ({words.locale})")
    assert_no_sideways_scroll(page)
    page.locator("#pileon-note").focus()
    page.keyboard.type("Coordinated reports, checked one by one.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text(words.done)).to_be_visible()
    assert_accessible(axe, page, f"queue after closing ({words.locale})")
    screenshot(page, f"pileon-closed-{words.locale}")
    assert Decision.objects.filter(note="Coordinated reports, checked one by one.").count() == 5
    context.close()
