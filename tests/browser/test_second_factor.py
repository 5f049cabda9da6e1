"""The second factor in a real browser (ADR 0031): a counsellor signs in, sets up an authenticator app from the
key the page shows, keeps the recovery codes and reaches the queue; next time the console asks for a code."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais.tenants.models import StaffMember
from relais.tenants.services import add_helpline, add_staff
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long counsellor passphrase"


@pytest.fixture
def counsellor(transactional_db: None, settings: Settings) -> StaffMember:
    settings.RELAIS_REQUIRE_SECOND_FACTOR = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no doubling wait after the wrong code the test types on purpose
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    member, _ = add_staff(username="camille", helpline=helpline, password=PASSWORD)
    return member


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/console/")
    page.locator("#id_username").fill("camille")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def app_code(secret: str, *, later: int = 0) -> str:
    """What an authenticator app shows for the key typed in by hand (RFC 6238: 30 s steps, 6 digits)."""
    return f"{totp(b32decode(secret.replace(' ', '')), t0=-later * 30):06d}"


def test_a_counsellor_enrols_an_app_then_signs_in_with_its_code(
    browser: Browser, live_server: LiveServer, axe: Axe, counsellor: StaffMember
) -> None:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server.url)
        expect(page).to_have_url(re.compile(r"/console/second-factor/\?next=/console/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up a second factor")
        expect(page.get_by_role("img", name="QR code to scan")).to_be_visible()
        assert_accessible(axe, page, "enrolment")
        assert_no_sideways_scroll(page)
        screenshot(page, "second-factor-enrol")

        page.get_by_label("Code").fill("000000")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("alert")).to_contain_text("This code is not right.")
        assert_accessible(axe, page, "enrolment, wrong code")
        assert_no_sideways_scroll(page)

        secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("Code").fill(app_code(secret))
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        assert_accessible(axe, page, "recovery codes")
        assert_no_sideways_scroll(page)
        page.get_by_role("link", name="I have kept them: continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cases shared with 3018 (e-Enfance)")

        page.get_by_role("button", name="Sign out").click()
        sign_in(page, live_server.url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
        assert_accessible(axe, page, "code step")
        assert_no_sideways_scroll(page)
        screenshot(page, "second-factor-code")
        page.get_by_label("Code").fill(app_code(secret, later=1))  # the last one is spent: the app's next
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cases shared with 3018 (e-Enfance)")
    finally:
        context.close()
