"""The reporter's page in a real browser, as a child on a phone (and a parent on a desktop) would use it: the
help at night, sharing with the 3018, the code still there after a reload, a moderator deciding in another
browser, the decision and the appeal on the timeline, and Quick Exit leaving for good (issue 12)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais.handoffs.models import Case
from relais.moderation.models import Appeal, Decision
from relais.reports import links
from relais.tenants.services import add_helpline, add_moderator, add_platform
from tests.browser.conftest import PHONE, assert_accessible, screenshot
from tests.test_moderation_console import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NIGHT = "2026-11-25T23:30:00+01:00"
PASSWORD = "a long moderation passphrase"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Words:
    locale: str
    lang: str
    viewport: ViewportSize
    quick_exit: str
    closed: str
    share: str
    consent: str
    code_title: str
    decided: str
    appeal_until: str
    appeal: str
    send_appeal: str
    appealed: str
    other_language: str
    english_mark: str = ""
    """How the page marks a directory text it only has in English; empty where every text is in the language."""


FRENCH = Words(
    locale="fr-FR",
    lang="fr",
    viewport=PHONE,
    quick_exit="Quitter vite",
    closed="Le 3018 ouvre demain à 09:00.",
    share="Partager et recevoir mon code",
    consent="Oui, partager mon signalement avec le 3018",
    code_title="Ton code pour le 3018",
    decided="Sunny Social a décidé :",
    appeal_until="Tu peux contester jusqu'au",
    appeal="Contester la décision",
    send_appeal="Envoyer ma contestation",
    appealed="Ta contestation est envoyée.",
    other_language="English",
)
ENGLISH = Words(
    locale="en-GB",
    lang="en",
    viewport=DESKTOP,
    quick_exit="Quick exit",
    closed="The 3018 opens tomorrow at 09:00.",
    share="Share and get my code",
    consent="Yes, share my report with the 3018",
    code_title="Your code for the 3018",
    decided="Sunny Social decided:",
    appeal_until="You can appeal until",
    appeal="Appeal the decision",
    send_appeal="Send my appeal",
    appealed="Your appeal was sent.",
    other_language="Français",
)
GERMAN = Words(  # a German-speaking child reporting in France: the page in German, French services' texts in English
    locale="de-DE",
    lang="de",
    viewport=PHONE,
    quick_exit="Schnell raus",
    closed="3018 ist morgen ab 09:00 erreichbar.",
    share="Teilen und meinen Code bekommen",
    consent="Ja, meine Meldung mit 3018 teilen",
    code_title="Dein Code für 3018",
    decided="Sunny Social hat entschieden:",
    appeal_until="Du kannst bis",
    appeal="Der Entscheidung widersprechen",
    send_appeal="Widerspruch abschicken",
    appealed="Dein Widerspruch ist abgeschickt.",
    other_language="Français",
    english_mark="(auf Englisch)",
)


def _check(axe: Axe, page: Page, where: str, width: int) -> None:
    assert_accessible(axe, page, where)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{where}: the page scrolls sideways ({scroll}px at {width}px)"
    screenshot(page, where.replace(" ", "-").replace("(", "").replace(")", ""))


@pytest.mark.parametrize("words", [FRENCH, ENGLISH, GERMAN], ids=["fr-phone", "en-desktop", "de-phone"])
def test_a_reporter_gets_help_shares_follows_the_decision_appeals_and_leaves(
    browser: Browser, live_server: LiveServer, settings: Settings, axe: Axe, words: Words
) -> None:
    settings.RELAIS_FAKE_NOW = NIGHT
    neutral = f"{live_server.url}/api/v1/health"
    settings.RELAIS_QUICK_EXIT_URL = neutral  # stays on this machine; production's default is a public site
    platform, _ = add_platform(name="Sunny Social", country="IE")
    add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    add_moderator(username="ines", platform=platform, password=PASSWORD)
    report = make_report(platform, "r-night", reporter={"country": "FR", "language": words.lang, "age": 14})
    url = links.reporter_url(report)
    assert url is not None
    path = url[url.index("/r/") :]
    width = words.viewport["width"]

    context = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=words.viewport)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/api/v1/health?the=platform")  # where the reporter came from
        page.goto(f"{live_server.url}{path}")

        # --- At night: the specialist is closed, and the page says so before the big button. ---
        expect(page.locator("html")).to_have_attribute("lang", words.lang)
        expect(page).to_have_title("Relais")
        expect(page.get_by_role("link", name=words.quick_exit)).to_be_visible()
        expect(page.locator("[data-closed-specialist]")).to_contain_text(words.closed)
        expect(page.locator(".primary-action")).to_have_attribute("href", "tel:119")
        marks = page.locator("[data-text-language]")
        if words.english_mark:  # shown in English, and said so, never passed off as the reader's language
            expect(marks.first).to_have_text(words.english_mark)
            expect(page.locator(".helpline p span[lang='en']").first).to_be_visible()
        else:
            expect(marks).to_have_count(0)
        _check(axe, page, f"reporter page at night ({words.lang})", width)
        other = PHONE if words.viewport == DESKTOP else DESKTOP
        page.set_viewport_size(other)
        _check(axe, page, f"reporter page at night, {other['width']} px ({words.lang})", other["width"])
        page.set_viewport_size(words.viewport)

        # --- Share with the 3018, keyboard only; first without saying yes: the problem is said and focused. ---
        page.get_by_role("button", name=words.share).click()
        expect(page.locator(".error-summary")).to_be_focused()
        expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-consent")
        assert not Case.objects.exists()
        _check(axe, page, f"reporter page share refused ({words.lang})", width)
        page.locator('input[name="scope"][value="content"]').focus()
        page.keyboard.press("Space")
        page.get_by_label(words.consent).check()
        page.get_by_role("button", name=words.share).click()
        expect(page.get_by_role("heading", name=words.code_title)).to_be_visible()
        code = Case.objects.get().code
        shown = page.locator("[data-case-code]").inner_text()
        assert re.sub(r"[\s-]", "", shown) == code
        page.reload()
        expect(page.locator("[data-case-code]")).to_have_text(shown)
        _check(axe, page, f"reporter page shared ({words.lang})", width)

        # --- A moderator decides in another browser. ---
        moderation = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=DESKTOP)
        moderation.set_default_timeout(10_000)
        try:
            moderator = moderation.new_page()
            moderator.goto(f"{live_server.url}/moderation/")
            moderator.locator("#id_username").fill("ines")
            moderator.locator("#id_password").fill(PASSWORD)
            moderator.locator("#id_password").press("Enter")
            moderator.locator(".notice-row a").first.click()
            moderator.locator('form[action$="/claim"] button').click()
            form = moderator.locator("form.decision-form")
            form.locator('input[name="outcome"][value="no_action"]').check()
            form.locator("#id_facts").fill("The messages are a disagreement between classmates, with no insult.")
            form.locator('button[type="submit"]').click()
            expect(moderator.locator(".message--success")).to_be_visible()
        finally:
            moderation.close()
        assert Decision.objects.count() == 1

        # --- The reporter reloads: the decision in plain words, and the appeal while the period runs. ---
        page.reload()
        timeline = page.locator(".timeline")
        expect(timeline).to_contain_text(words.decided)
        expect(timeline).to_contain_text(words.appeal_until)
        assert "no_action" not in timeline.inner_text()
        _check(axe, page, f"reporter page decided ({words.lang})", width)
        page.get_by_text(words.appeal, exact=True).click()
        page.locator("#field-reason").fill("Ça continue tous les jours, même après mon signalement.")
        page.get_by_role("button", name=words.send_appeal).click()
        expect(page.get_by_role("status").first).to_contain_text(words.appealed)
        assert Appeal.objects.get().appellant == "reporter"
        _check(axe, page, f"reporter page appealed ({words.lang})", width)

        # --- Quick Exit: by the button (French) or Shift three times (English); Back does not return. ---
        if words.lang == "fr":
            page.get_by_role("link", name=words.quick_exit).click()
        else:
            page.locator("body").focus()
            for _ in range(3):
                page.keyboard.press("Shift")
        page.wait_for_url(neutral)
        page.go_back()
        assert "/r/" not in page.url
        assert page.url.endswith("?the=platform")
    finally:
        context.close()
    assert not errors, errors
