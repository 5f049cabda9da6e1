"""Wellness by default (ADR 0028), in Debian's Chromium on a phone: a moderator opens a notice about
self-harm, reads the warning before anything else, finds each picture blurred and in greyscale, reaches its
"Show" control with the keyboard, reveals the picture and blurs it again. Both states pass axe-core and
neither scrolls sideways; nothing breaks the strict CSP; with JavaScript off the reveal still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais import clock
from relais.evidence import services as evidence
from relais.evidence.schemas import EvidenceItemIn
from relais.moderation.models import Notice
from relais.tenants.services import add_moderator, add_platform
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.test_evidence import JPEG, PNG, evidence_store  # noqa: F401  (a fixture)
from tests.test_moderation_console import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long wellness passphrase"
NOW = "2026-11-25T21:00:00+00:00"


@dataclass(frozen=True)
class Words:
    locale: str
    sign_in: str
    warning: str
    show: str
    hide: str
    fold: str


FRENCH = Words(
    locale="fr-FR",
    sign_in="Se connecter",
    warning="Contenu possiblement choquant : automutilation ou suicide.",
    show="Afficher l'image (Image 2 envoyée par la plateforme)",
    hide="Flouter de nouveau l'image (Image 2 envoyée par la plateforme)",
    fold="Afficher le contenu signalé (automutilation ou suicide)",
)
ENGLISH = Words(
    locale="en-GB",
    sign_in="Sign in",
    warning="Possibly distressing content: self-harm or suicide.",
    show="Show the picture (Picture 2 sent by the platform)",
    hide="Blur the picture again (Picture 2 sent by the platform)",
    fold="Show the reported content (self-harm or suicide)",
)


@pytest.fixture
def notice(transactional_db: None, settings: Settings) -> Notice:
    """A report about self-harm with a message and two pictures, and a moderator of its platform."""
    settings.RELAIS_FAKE_NOW = NOW
    platform, _ = add_platform(name="Sunny Social", country="IE")
    add_moderator(username="ines", platform=platform, password=PASSWORD)
    report = make_report(platform, "sh-1", category="self_harm")
    specs = [
        EvidenceItemIn(kind="text", text="message"),
        EvidenceItemIn(kind="image", file="shot"),
        EvidenceItemIn(kind="image", file="photo"),
    ]
    files = {
        "shot": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        "photo": SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg"),
    }
    evidence.receive_evidence(
        platform=platform, report=report, checked=evidence.check_upload(specs, files), now=clock.now()
    )
    return Notice.objects.get(report=report, source="article_16")


def _open_notice(browser: Browser, live_server: LiveServer, notice: Notice, words: Words, *, script: bool) -> Page:
    context = browser.new_context(
        locale=words.locale, timezone_id="Europe/Paris", viewport=PHONE, java_script_enabled=script
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/moderation/login/?next=/moderation/notices/{notice.pk}/")
    page.locator("#id_username").fill("ines")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=words.sign_in, exact=True).click()
    expect(page.locator("h1")).to_be_visible()
    if script:  # the page's own script world is off without JavaScript; Playwright's locators still work
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.picture__image')].every((i) => i.complete && i.naturalWidth)"
        )
    assert not refused, refused
    return page


def _filter(image: Locator) -> str:
    return str(image.evaluate("(el) => getComputedStyle(el).filter"))


@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_picture_is_blurred_until_revealed_by_keyboard(
    browser: Browser, live_server: LiveServer, axe: Axe, notice: Notice, words: Words
) -> None:
    page = _open_notice(browser, live_server, notice, words, script=True)
    expect(page.locator(".content-warning")).to_have_text(words.warning)
    expect(page.get_by_text(words.fold)).to_be_visible()
    expect(page.locator(".folded-content .content-list")).to_be_hidden()
    images = page.locator("img.picture__image")
    expect(images).to_have_count(2)
    for n in range(2):
        assert "blur" in _filter(images.nth(n))
        assert "grayscale" in _filter(images.nth(n))
    assert_accessible(axe, page, f"notice, pictures blurred ({words.locale})")
    assert_no_sideways_scroll(page)
    screenshot(page, f"wellness-blurred-{words.locale}")

    control = page.locator("figure.picture summary").first
    expect(control).to_have_text(words.show, use_inner_text=True)  # named with its picture, for a screen reader
    for _ in range(40):  # Tab from the top of the page until the first picture's control has the focus
        page.keyboard.press("Tab")
        if control.evaluate("(el) => el === document.activeElement"):
            break
    else:
        pytest.fail("the picture's control cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(control).to_have_text(words.hide, use_inner_text=True)
    assert _filter(images.nth(0)) == "none"
    assert "blur" in _filter(images.nth(1))  # each picture is revealed on its own
    assert_accessible(axe, page, f"notice, one picture shown ({words.locale})")
    assert_no_sideways_scroll(page)
    screenshot(page, f"wellness-shown-{words.locale}")

    page.keyboard.press("Space")
    expect(control).to_have_text(words.show, use_inner_text=True)
    assert "blur" in _filter(images.nth(0))
    page.context.close()


def test_without_javascript_the_picture_is_still_revealed(
    browser: Browser, live_server: LiveServer, notice: Notice
) -> None:
    page = _open_notice(browser, live_server, notice, ENGLISH, script=False)
    image = page.locator("img.picture__image").first
    expect(image).to_have_css("filter", re.compile(r"blur\(.*grayscale\("))
    page.locator("figure.picture summary").first.click()
    expect(image).to_have_css("filter", "none")
    page.context.close()


@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_the_setting_turns_the_blur_off_from_the_navigation(
    browser: Browser, live_server: LiveServer, axe: Axe, notice: Notice, words: Words
) -> None:
    page = _open_notice(browser, live_server, notice, words, script=True)
    settings_link = {"fr-FR": "Vos réglages", "en-GB": "Your settings"}[words.locale]
    page.get_by_role("link", name=settings_link).click()
    expect(page.locator("h1")).to_have_text(settings_link)
    assert_accessible(axe, page, f"wellness settings ({words.locale})")
    assert_no_sideways_scroll(page)
    page.locator("#id_pictures_1").check()
    page.locator("form[action$='/moderation/settings/'] button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    page.goto(f"{live_server.url}/moderation/notices/{notice.pk}/")
    image = page.locator("img.picture__image").first
    expect(image).to_have_css("filter", "none")
    expect(page.locator("figure.picture summary")).to_have_count(0)
    expect(page.locator(".content-warning")).to_have_text(words.warning)  # warnings stay whatever the setting
    page.context.close()
