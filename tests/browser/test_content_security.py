"""The strict Content-Security-Policy and Permissions-Policy in a real browser (issue 16, ADR 0024): the demo
feed with its help card, the reporter's page sharing its report, both consoles, the admin and the API docs
work as before, and Chromium reports no violation of either policy on any of them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import PHONE
from tests.browser.test_demo_feed import report_in_french
from tests.test_security_headers import PASSWORD, everyone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.relaisViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
}, true);
"""
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy", "Permissions policy")


class Violations:
    """Every CSP violation event (from any page of the context, shadow roots included) and every console
    message in which Chromium complains about either policy (an unknown feature name, a refused resource)."""

    def __init__(self, context: BrowserContext) -> None:
        self.seen: list[str] = []
        context.expose_function("relaisViolation", self._event)
        context.add_init_script(LISTEN)

    def _event(self, text: str) -> None:
        self.seen.append(text)

    def watch(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.seen.append(f"uncaught: {exc}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if any(words in message.text for words in POLICY_WORDS):
            self.seen.append(f"console {message.type}: {message.text}")


def sign_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()  # each console in turn, as its own person
    page.goto(url)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")


def test_no_page_breaks_the_policies_while_it_is_used(
    browser: Browser, live_server: LiveServer, settings: Settings
) -> None:
    settings.RELAIS_FAKE_NOW = "2026-11-25T22:59:00+01:00"
    settings.RELAIS_QUICK_EXIT_URL = f"{live_server.url}/api/v1/health"
    world = everyone()

    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(10_000)
    violations = Violations(context)
    visited: list[str] = []
    try:
        page = violations.watch(context.new_page())

        # The demo feed: a report sent, the help card drawn.
        page.goto(f"{live_server.url}/")
        body: Any = report_in_french(page)
        assert body["stored"] is True
        expect(page.locator("#help-step")).to_be_visible()
        visited.append("demo feed and its help card")

        # The reporter's page: its forms are sent with fetch, the answer replaces the page.
        page.goto(f"{live_server.url}{world.reporter_path}")
        expect(page.get_by_role("link", name="Quitter vite")).to_be_visible()
        page.locator('input[name="scope"][value="content"]').check()
        page.get_by_label("Oui, partager mon signalement avec le 3018").check()
        page.get_by_role("button", name="Partager et recevoir mon code").click()
        expect(page.locator("[data-case-code]")).to_be_visible()
        visited.append("reporter page, shared")

        # The helpline console: sign-in, queue, the case with its escalation form unfolded.
        sign_in(page, f"{live_server.url}/console/cases/{world.case.pk}/", "camille")
        expect(page.locator(".facts").first).to_be_visible()
        page.locator("details.escalation summary").click()
        expect(page.locator("#id_ground")).to_be_visible()
        page.goto(f"{live_server.url}/console/")
        visited.append("helpline console")

        # The moderation console.
        sign_in(page, f"{live_server.url}/moderation/", "ines")
        expect(page.locator("h1")).to_be_visible()
        for path in ("/moderation/decided/", "/moderation/appeals/", "/moderation/statements/"):
            page.goto(f"{live_server.url}{path}")
        visited.append("moderation console")

        # The admin, with a change form's scripts.
        sign_in(page, f"{live_server.url}/admin/login/", "root")
        expect(page.locator("#site-name")).to_be_visible()
        page.goto(f"{live_server.url}/admin/tenants/platform/{world.platform.pk}/change/")
        expect(page.locator("form")).not_to_have_count(0)
        visited.append("admin")

        # The API docs: Swagger UI draws the operations from /api/openapi.json.
        page.goto(f"{live_server.url}/api/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Relais API")
        expect(page.locator(".opblock").first).to_be_visible()
        visited.append("API docs")

        # The watch itself sees a violation: an inline style added by script is refused and reported.
        assert not violations.seen, "\n".join(dict.fromkeys(violations.seen))
        page.evaluate(
            "() => document.head.append(Object.assign(document.createElement('style'), {textContent: 'p{}'}))"
        )
        for _ in range(100):
            if any(" blocked " in seen for seen in violations.seen):
                break
            page.wait_for_timeout(20)
        assert [v.split(" ")[0] for v in violations.seen if " blocked " in v] == ["style-src-elem"]
        assert any(v.startswith("console") for v in violations.seen)
        violations.seen.clear()
    finally:
        context.close()
    assert visited, "nothing was visited"
    assert not violations.seen, "\n".join(dict.fromkeys(violations.seen))
