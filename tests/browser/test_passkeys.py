"""Passkeys in a real browser (ADR 0031, passkeys addendum): Chromium's virtual authenticator (DevTools protocol,
`WebAuthn` domain) stands in for a phone's or laptop's. A counsellor signs in, creates a passkey on first
sign-in, keeps the recovery codes, signs out and signs in again with the passkey; without JavaScript the same
page offers the authenticator app. http://localhost is a secure context, and `localhost` a valid RP ID."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais.second_factor.models import PasskeyDevice
from relais.tenants.models import StaffMember
from relais.tenants.services import add_helpline, add_staff
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long counsellor passphrase"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture
def counsellor(transactional_db: None, settings: Settings) -> StaffMember:
    settings.RELAIS_REQUIRE_SECOND_FACTOR = True
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    member, _ = add_staff(username="camille", helpline=helpline, password=PASSWORD)
    return member


def said(language: str, message: str, **values: str) -> str:
    with translation.override(language):
        return gettext(message) % values if values else gettext(message)


def sign_in(page: Page, url: str, language: str) -> None:
    page.goto(f"{url}/console/")
    page.locator("#id_username").fill("camille")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=said(language, "Sign in"), exact=True).click()


def check(axe: Axe, page: Page, where: str, viewport: ViewportSize) -> None:
    assert_accessible(axe, page, where)
    if viewport == PHONE:
        assert_no_sideways_scroll(page)


@pytest.mark.parametrize(("locale", "viewport"), [("en-GB", PHONE), ("fr-FR", DESKTOP)], ids=["en-phone", "fr-desktop"])
def test_a_counsellor_enrols_a_passkey_then_signs_in_with_it(
    browser: Browser,
    live_server: LiveServer,
    axe: Axe,
    counsellor: StaffMember,
    locale: str,
    viewport: ViewportSize,
) -> None:
    language = locale[:2]
    url = live_server.url.replace("127.0.0.1", "localhost")
    assert url.startswith("http://localhost:"), "WebAuthn refuses an IP address as the site's name"
    context = browser.new_context(locale=locale, timezone_id="Europe/Paris", viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    queue = said(language, "Cases shared with %(name)s", name="3018 (e-Enfance)")
    try:
        sign_in(page, url, language)
        expect(page).to_have_url(re.compile(r"/console/second-factor/\?next=/console/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(said(language, "Set up a second factor"))
        create = page.get_by_role("button", name=said(language, "Create a passkey"))
        expect(create).to_be_visible()
        # The passkey comes first; the app stays offered below it.
        expect(page.get_by_role("heading", level=2).first).to_have_text(said(language, "Create a passkey"))
        expect(page.get_by_role("heading", name=said(language, "Set up your authenticator app"))).to_be_visible()
        check(axe, page, f"passkey enrolment ({locale})", viewport)
        screenshot(page, f"passkey-enrol-{locale}")

        create.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(said(language, "Your recovery codes"))
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        check(axe, page, f"recovery codes after a passkey ({locale})", viewport)
        page.get_by_role("link", name=said(language, "I have kept them: continue")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(queue)
        stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        assert len(stored) == 1
        assert stored[0]["rpId"] == "localhost"
        assert PasskeyDevice.objects.get(user=counsellor.user).transports == ["internal"]

        page.get_by_role("button", name=said(language, "Sign out")).click()
        sign_in(page, url, language)
        expect(page.get_by_role("heading", level=1)).to_have_text(said(language, "Confirm it is you"))
        check(axe, page, f"passkey sign-in ({locale})", viewport)
        screenshot(page, f"passkey-sign-in-{locale}")
        page.get_by_role("button", name=said(language, "Sign in with a passkey")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(queue)
        device = PasskeyDevice.objects.get(user=counsellor.user)
        assert device.last_used_at is not None

        page.goto(f"{url}/console/second-factor/passkeys/")
        expect(page.get_by_role("heading", level=1)).to_have_text(said(language, "Your passkeys"))
        expect(page.get_by_role("button", name=said(language, "Add a passkey"))).to_be_visible()
        check(axe, page, f"passkey settings ({locale})", viewport)
        assert not errors, f"uncaught errors in the page's script: {errors}"
    finally:
        context.close()


def test_without_javascript_the_first_sign_in_offers_the_app(
    browser: Browser, live_server: LiveServer, axe: Axe, counsellor: StaffMember
) -> None:
    context = browser.new_context(locale="en-GB", viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server.url.replace("127.0.0.1", "localhost"), "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up a second factor")
        expect(page.get_by_role("button", name="Create a passkey")).to_be_hidden()
        expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
        expect(page.get_by_label("Code")).to_be_visible()
        assert_no_sideways_scroll(page)
    finally:
        context.close()
