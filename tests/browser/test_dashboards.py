"""The two dashboards in a real browser: a platform's lead moderator and a helpline's supervisor sign in,
open "Figures" from the console's navigation and read charts and tables, in French and in English, on a
phone (390 px: no sideways scroll) and on a desktop; axe-core finds no serious violation, and each chart
tells its series apart by pattern and names every value in text, not by colour alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais import clock
from relais.handoffs import services as handoffs
from relais.moderation.models import NoticeStatus, Source
from relais.reports.models import ReachCount
from relais.tenants.services import add_helpline, add_moderator, add_platform, add_staff
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.test_figures import notice
from tests.test_moderation_console import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long dashboard passphrase"
NOW = "2026-11-25T21:00:00+00:00"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
WORDS = {
    "fr-FR": {
        "sign_in": "Se connecter",
        "nav": "Chiffres",
        "lead": "Chiffres pour Sunny Social",
        "supervisor": "Chiffres pour 3018 (e-Enfance)",
        "days": "Notifications reçues et décidées par jour",
    },
    "en-GB": {
        "sign_in": "Sign in",
        "nav": "Figures",
        "lead": "Figures for Sunny Social",
        "supervisor": "Figures for 3018 (e-Enfance)",
        "days": "Notices received and decided per day",
    },
}


@pytest.fixture
def people(transactional_db: None, settings: Settings) -> None:
    """A platform with a lead, a helpline with a supervisor, and a month of work to count."""
    settings.RELAIS_FAKE_NOW = NOW
    platform, _ = add_platform(name="Sunny Social", country="IE")
    add_moderator(username="lee", platform=platform, role="lead", password=PASSWORD)
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    add_staff(username="sam", helpline=helpline, role="supervisor", password=PASSWORD)
    now = clock.now()
    for day in range(12):
        at = now - timedelta(days=day, hours=3)
        notice(platform, at, status=NoticeStatus.DECIDED, decided_at=at + timedelta(hours=day + 1))
        notice(platform, at, source=Source.TRUSTED_FLAGGER, category="sextortion")
    for i in range(12):
        report = make_report(platform, f"r{i}", category="harassment" if i < 10 else "threat")
        handoffs.share_report(
            platform=platform,
            report=report,
            helpline_id="fr-3018",
            given_at=now,
            text_version="v1",
            scope=["report"],
            now=now - timedelta(days=i),
        )
    for _ in range(40):
        ReachCount.record(platform=platform, country="FR", helplines=["fr-3018"], step="shown", at=now)


def open_figures(
    browser: Browser, live_server: LiveServer, console: str, who: str, locale: str, viewport: ViewportSize
) -> Page:
    context = browser.new_context(locale=locale, timezone_id="Europe/Paris", viewport=viewport)
    context.set_default_timeout(60_000)  # the shared machine can be slow; a real failure still fails
    page = context.new_page()
    page.goto(f"{live_server.url}/{console}/login/")
    page.locator("#id_username").fill(who)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=WORDS[locale]["sign_in"], exact=True).click()
    page.get_by_role("link", name=WORDS[locale]["nav"], exact=True).click()  # from the console's navigation
    return page


def assert_readable_without_colour(page: Page) -> None:
    """Every chart is named; columns of two series differ by pattern and are named in a legend; every bar
    of a bar chart has its value written next to it; each chart has its table."""
    for chart in page.locator("svg.chart").all():
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").text_content()
        assert chart.locator("desc").text_content()
        chart_id = chart.get_attribute("id")
        expect(page.locator(f'table[data-chart="{chart_id}"]')).to_have_count(1)
        patterns = set(chart.locator(".chart__bar").evaluate_all("bars => bars.map((b) => b.dataset.pattern)"))
        if chart.locator(".chart__legend").count():
            assert patterns == {"solid", "hatch"}, patterns
            assert chart.locator("pattern").count() >= 1
        else:
            values = chart.locator(".chart__bar").evaluate_all("bars => bars.map((b) => b.dataset.value)")
            texts = chart.locator("text").all_text_contents()
            assert all(v in texts for v in values), (values, texts)


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_lead_reads_the_figures(
    browser: Browser, live_server: LiveServer, axe: Axe, people: None, locale: str, viewport: ViewportSize
) -> None:
    page = open_figures(browser, live_server, "moderation", "lee", locale, viewport)
    expect(page.locator("h1")).to_have_text(WORDS[locale]["lead"])
    expect(page.locator("figcaption").first).to_have_text(WORDS[locale]["days"])
    assert page.locator("svg.chart").count() == 3
    assert_readable_without_colour(page)
    assert_accessible(axe, page, f"lead figures {locale} {viewport['width']}")
    if viewport == PHONE:
        assert_no_sideways_scroll(page)
    screenshot(page, f"figures-lead-{locale}-{viewport['width']}")
    page.context.close()


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_supervisor_reads_the_figures(
    browser: Browser, live_server: LiveServer, axe: Axe, people: None, locale: str, viewport: ViewportSize
) -> None:
    page = open_figures(browser, live_server, "console", "sam", locale, viewport)
    expect(page.locator("h1")).to_have_text(WORDS[locale]["supervisor"])
    expect(page.locator('table[data-chart="chart-category"]')).to_contain_text("< 10")  # 2 threats
    assert page.locator("svg.chart").count() == 4
    assert_readable_without_colour(page)
    page.keyboard.press("Tab")  # the tables' scrolling regions are reachable by keyboard
    assert_accessible(axe, page, f"supervisor figures {locale} {viewport['width']}")
    if viewport == PHONE:
        assert_no_sideways_scroll(page)
    screenshot(page, f"figures-supervisor-{locale}-{viewport['width']}")
    page.context.close()
