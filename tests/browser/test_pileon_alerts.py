"""A pile-on alert in the helpline console, on a phone and at a desk, in French and English (ADR 0034,
addendum): the queue leads with the panel — platform, count, since when, category — and a counsellor marks
it as handled with the keyboard alone; it leaves the panel and the page says so. axe-core on each state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ViewportSize, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais import clock
from relais.handoffs.models import AccessEvent, PileOnAlertHandled
from relais.handoffs.services import share_report
from relais.moderation.models import PileOn
from relais.tenants.services import add_helpline, add_platform, add_staff
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.test_moderation_console import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long counsellor passphrase"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Words:
    locale: str
    lang: str
    sign_in: str
    title: str
    alert: str
    mark: str
    done: str
    logged: str


FRENCH = Words(
    locale="fr-FR",
    lang="fr",
    sign_in="Se connecter",
    title="Alerte d’acharnement",  # noqa: RUF001 - French typography
    alert="Acharnement contre un ou une mineure sur Sunny Social : 5 signalements depuis le mercredi 25 novembre 2026",
    mark="Marquer comme traitée",
    done="Alerte marquée comme traitée.",
    logged="camille a marqué comme traitée l’alerte d’un acharnement contre un ou une mineure sur Sunny Social",  # noqa: RUF001
)
ENGLISH = Words(
    locale="en-GB",
    lang="en",
    sign_in="Sign in",
    title="Pile-on alert",
    alert="Pile-on against a minor on Sunny Social: 5 reports since Wednesday 25 November 2026",
    mark="Mark as handled",
    done="Alert marked as handled.",
    logged="camille marked as handled the alert of a pile-on against a minor on Sunny Social",
)


@pytest.fixture
def pileon(transactional_db: None, settings: Settings) -> PileOn:
    """The 3018 holds a case from Sunny Social; then five children report @bully within the hour."""
    settings.RELAIS_FAKE_NOW = "2026-11-25T21:00:00+00:00"
    platform, _ = add_platform(name="Sunny Social", country="IE")
    helpline = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")[0]
    add_staff(username="camille", helpline=helpline, password=PASSWORD)
    now = clock.now()
    earlier = make_report(platform, "earlier", content=[{"kind": "profile", "url": "https://x.example/@someone"}])
    share_report(
        platform=platform,
        report=earlier,
        helpline_id="fr-3018",
        given_at=now,
        text_version="fr-2026-11",
        scope=["report"],
        now=now,
    )
    for i in range(5):
        make_report(platform, f"raid-{i}")  # report_body: a 14-year-old reporting https://social.example/@bully
    return PileOn.objects.get(minor=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_the_queue_leads_with_the_alert_and_a_counsellor_marks_it_handled_by_keyboard(
    browser: Browser, live_server: LiveServer, axe: Axe, pileon: PileOn, words: Words, viewport: ViewportSize
) -> None:
    context = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=viewport)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/console/")
        page.locator("#id_username").fill("camille")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name=words.sign_in, exact=True).click()
        where = f"pile-on alert {words.lang} {viewport['width']}"

        panel = page.get_by_role("region", name=words.title)
        expect(panel).to_be_visible()
        expect(panel.locator(".pileon-alert__what")).to_contain_text(words.alert)
        expect(panel).not_to_contain_text("bully")
        # The panel comes before the code look-up and the queue: the first thing under the page's title.
        order = page.eval_on_selector_all("main section", "sections => sections.map(s => s.id || s.className)")
        assert order[0] == "pileon-alerts", order
        assert_accessible(axe, page, where)
        if viewport == PHONE:
            assert_no_sideways_scroll(page)
        screenshot(page, where.replace(" ", "-"))

        # Keyboard only: Tab until the button has the focus, then Enter.
        button = panel.get_by_role("button", name=words.mark)
        for _ in range(40):
            page.keyboard.press("Tab")
            if button.evaluate("b => b === document.activeElement"):
                break
        else:
            pytest.fail("the mark-as-handled button is not reachable with Tab")
        page.keyboard.press("Enter")
        expect(page.locator(".messages")).to_contain_text(words.done)
        expect(page.locator("#pileon-alerts")).to_have_count(0)
        assert PileOnAlertHandled.objects.filter(pileon=pileon).count() == 1
        assert AccessEvent.objects.filter(action=AccessEvent.Action.PILEON_ALERT_HANDLED).count() == 1
        log = page.locator("details#helpline-log")
        log.locator("summary").focus()
        page.keyboard.press("Enter")  # unfolded by keyboard: who handled it, when
        expect(log.locator(".access-log__row")).to_contain_text(words.logged)
        assert_accessible(axe, page, f"{where} handled")
        if viewport == PHONE:
            assert_no_sideways_scroll(page)
    finally:
        context.close()
