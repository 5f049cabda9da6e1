"""The counsellor's case page, as read on a phone and at a desk: the report, the notes and the status come
first; the escalation form is folded until wanted, and when it comes back with errors it is open, with the
error summary at the top focused and linking to each field. French and English, axe-core on each state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ViewportSize, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais import clock
from relais.handoffs.models import Case
from relais.handoffs.services import share_report
from relais.moderation.models import Notice
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
    escalate: str
    problems: str
    country_language: str
    shared_log: str


FRENCH = Words(
    locale="fr-FR",
    lang="fr",
    sign_in="Se connecter",
    escalate="Signaler à la plateforme",
    problems="Il y a 4 problèmes : rien n'a été enregistré.",
    country_language="France · français",
    shared_log="a partagé : ce qui s'est passé, le contenu signalé, ses propres mots",
)
ENGLISH = Words(
    locale="en-GB",
    lang="en",
    sign_in="Sign in",
    escalate="Escalate to the platform",
    problems="There are 4 problems: nothing was saved.",
    country_language="France · French",
    shared_log="shared: what happened, the reported content, the reporter's own words",
)


@pytest.fixture
def case(transactional_db: None, settings: Settings) -> Case:
    settings.RELAIS_FAKE_NOW = "2026-11-25T21:00:00+00:00"
    platform, _ = add_platform(name="Sunny Social", country="IE")
    helpline = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")[0]
    add_staff(username="camille", helpline=helpline, password=PASSWORD)
    now = clock.now()
    shared, _ = share_report(
        platform=platform,
        report=make_report(platform, "shared", received_at=now),
        helpline_id="fr-3018",
        given_at=now,
        text_version="fr-2026-11",
        scope=["report", "content", "description"],
        now=now,
    )
    return shared


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_the_case_page_leads_with_the_report_and_unfolds_the_escalation_on_error(
    browser: Browser, live_server: LiveServer, axe: Axe, case: Case, words: Words, viewport: ViewportSize
) -> None:
    context = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=viewport)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        case_url = f"{live_server.url}/console/cases/{case.pk}/"
        page.goto(case_url)
        page.locator("#id_username").fill("camille")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name=words.sign_in, exact=True).click()
        expect(page).to_have_url(case_url)
        where = f"case page {words.lang} {viewport['width']}"

        # The report, the notes and the status come before the platform's side and the log.
        order = page.eval_on_selector_all(".card-section", "sections => sections.map(s => s.id || '')")
        assert order.index("notes") < order.index("work") < order.index("platform") < order.index("log")
        expect(page.locator(".facts")).to_contain_text([words.country_language])
        expect(page.locator(".access-log__row").last).to_contain_text(words.shared_log)
        # The escalation form is folded: its fields are not on the page until asked for.
        folded = page.locator("details.escalation")
        expect(folded).not_to_have_attribute("open", "")
        expect(page.locator("#id_ground")).not_to_be_visible()
        assert_accessible(axe, page, where)
        if viewport == PHONE:
            assert_no_sideways_scroll(page)
        screenshot(page, where.replace(" ", "-"))

        # Sent with nothing chosen: it comes back open, the summary focused and naming each field.
        folded.locator("summary").click()
        expect(folded.locator("summary")).to_have_text(words.escalate)
        page.locator('form[action$="/escalate"] button[type="submit"]').click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator("h2")).to_have_text(words.problems)
        expect(page.locator("details.escalation")).to_have_attribute("open", "")
        for anchor in ("#id_ground_kind_0", "#id_ground", "#id_explanation"):
            expect(summary.locator(f'a[href="{anchor}"]')).to_be_visible()
        assert not Notice.objects.filter(case=case).exists()
        assert_accessible(axe, page, f"{where} escalation errors")
        if viewport == PHONE:
            assert_no_sideways_scroll(page)
        screenshot(page, f"{where}-errors".replace(" ", "-"))
        summary.locator('a[href="#id_ground"]').click()
        expect(page.locator("#id_ground")).to_be_focused()
    finally:
        context.close()
