"""The transparency report page in a real browser: the platform's lead opens "Transparency report" from the
console's navigation, in French and in English, on a phone (390 px: no sideways scroll) and on a desktop;
axe-core finds no serious violation, each chart is readable without colour and has its table, the tables'
scrolling regions and the CSV download are reached by keyboard, and the download is the report's CSV."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from relais.moderation import transparency_report as report
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.browser.test_dashboards import DESKTOP, PASSWORD, assert_readable_without_colour
from tests.browser.test_dashboards import people as people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WORDS = {
    "fr-FR": {
        "sign_in": "Se connecter",
        "nav": "Rapport de transparence",
        "title": "Rapport de transparence de Sunny Social",
        "download": "Télécharger le CSV",
        "why": "Relais ne les voit pas",
    },
    "en-GB": {
        "sign_in": "Sign in",
        "nav": "Transparency report",
        "title": "Transparency report for Sunny Social",
        "download": "Download the CSV",
        "why": "Relais does not see them",
    },
}


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_lead_reads_the_transparency_report(
    browser: Browser, live_server: LiveServer, axe: Axe, people: None, locale: str, viewport: ViewportSize
) -> None:
    context = browser.new_context(locale=locale, timezone_id="Europe/Paris", viewport=viewport, accept_downloads=True)
    context.set_default_timeout(60_000)  # the shared machine can be slow; a real failure still fails
    page = context.new_page()
    page.goto(f"{live_server.url}/moderation/login/")
    page.locator("#id_username").fill("lee")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=WORDS[locale]["sign_in"], exact=True).click()
    page.get_by_role("link", name=WORDS[locale]["nav"], exact=True).click()
    expect(page.locator("h1")).to_have_text(WORDS[locale]["title"])
    expect(page.locator('tr[data-field="orders_to_act"]')).to_contain_text(WORDS[locale]["why"])
    expect(
        page.locator('tr[data-field="notices_by_source"][data-breakdown="SOURCE_TRUSTED_FLAGGER"] .report-value')
    ).to_have_text("12")
    assert_readable_without_colour(page)
    assert page.locator("svg.chart").count() == 3
    if viewport == PHONE:
        assert_no_sideways_scroll(page)
    assert_accessible(axe, page, f"transparency report {locale} {viewport['width']}")
    download_link = page.get_by_role("link", name=WORDS[locale]["download"])
    for _ in range(40):  # past the navigation and the period form, to the download link
        page.keyboard.press("Tab")
        if download_link.evaluate("link => link === document.activeElement"):
            break
    expect(download_link).to_be_focused()
    with page.expect_download() as caught:
        page.keyboard.press("Enter")
    text = caught.value.path().read_text(encoding="utf-8")
    assert text.startswith(",".join(report.CSV_HEADER))
    page.keyboard.press("Tab")  # on to the first chart's table, a scrolling region reached by keyboard
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    screenshot(page, f"transparency-{locale}-{viewport['width']}")
    context.close()
