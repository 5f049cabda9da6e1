"""The demo feed in a real browser: report a post, get the help card that fits the hour and the language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from playwright.sync_api import Locator, Page, Route, expect

from relais.directory.schema import CATEGORIES
from relais.reports.models import Report
from tests.browser.conftest import OpenFeed, assert_accessible, assert_no_sideways_scroll, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_report_dialog(page: Page, post: str = "post-2") -> Locator:
    page.locator(f"#{post} .post-menu__toggle").click()
    page.locator(f"#{post}-menu button").click()
    dialog = page.locator("#report-dialog")
    expect(dialog).to_be_visible()
    return dialog


def send_report(page: Page, dialog: Locator, *, category: str, danger: str, description: str = "") -> Any:
    """Fill in the dialog with the given (visible) answers and return the JSON the demo back end sent."""
    dialog.get_by_role("radio", name=category, exact=True).check()
    dialog.get_by_role("radio", name=danger, exact=True).check()
    if description:
        dialog.locator("#report-description").fill(description)
    with page.expect_response("**/demo/report") as response:
        dialog.locator("#report-submit").click()
    expect(dialog.locator("#help-step")).to_be_visible()
    return response.value.json()


def report_in_french(page: Page, **answers: str) -> Any:
    dialog = open_report_dialog(page)
    return send_report(page, dialog, **{"category": "Harcèlement", "danger": "Non", **answers})


def test_french_at_2259_shows_the_big_3018_call_button(open_feed: OpenFeed, axe: Axe) -> None:
    page = open_feed(locale="fr-FR", now="2026-11-25T22:59:00+01:00")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ton fil")
    assert_accessible(axe, page, "feed (fr)")
    assert_no_sideways_scroll(page)

    dialog = open_report_dialog(page)
    expect(dialog.get_by_role("heading", name="Signaler ce post")).to_be_focused()
    assert_accessible(axe, page, "report dialog (fr)")
    assert_no_sideways_scroll(page)

    body = send_report(page, dialog, category="Harcèlement", danger="Non", description="Ça dure depuis une semaine.")

    call = dialog.locator(".primary-action")
    expect(call).to_have_count(1)
    expect(call).to_have_attribute("href", "tel:3018")
    expect(call).to_have_text("Appeler le 3018")
    expect(dialog.locator(".primary__note")).to_contain_text("ouvert jusqu'à 23:00")
    expect(dialog.locator('[data-channel-id="fr-119-phone"]')).to_contain_text("ouvert 24 h/24")
    expect(dialog.locator("#help-status")).to_have_text("Ton signalement a été envoyé à Demo Social.")
    expect(dialog.locator("relais-help-card .fallback")).to_have_count(0)
    # The reporter's private page, as the report's answer gave it.
    follow = dialog.get_by_role("link", name="Suivre mon signalement")
    expect(follow).to_have_attribute("href", body["reporter_url"])
    assert re.fullmatch(r"http://[^/]+/r/[\w-]+", body["reporter_url"])
    # Danger is not immediate: the helplines come first, the emergency numbers close the card.
    expect(dialog.locator("relais-help-card .emergency .heading")).to_have_text("En cas d'urgence")
    assert _before(page, ".helplines", ".emergency")
    assert_accessible(axe, page, "help card (fr)")
    assert_no_sideways_scroll(page)
    screenshot(page, "card-fr")

    # What the browser sent, as the back end stored it.
    assert body["stored"] is True
    report = Report.objects.get(id=body["id"])
    assert (report.category, report.danger) == ("harassment", "none")
    assert (report.reporter_country, report.reporter_language, report.reporter_timezone) == ("FR", "fr", "Europe/Paris")
    assert report.description == "Ça dure depuis une semaine."
    content = report.content.get()
    assert (content.kind, content.content_id) == ("post", "post-2")
    assert content.text.startswith("Tout le monde sait")
    assert report.help_card["primary"]["uri"] == "tel:3018"


def test_escape_closes_the_dialog_and_focus_returns_to_the_menu_button(open_feed: OpenFeed) -> None:
    page = open_feed()
    toggle = page.locator("#post-2 .post-menu__toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.locator("#post-2-menu button")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.locator("#report-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#report-title")).to_be_focused()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_unanswered_questions_are_named_and_nothing_is_sent(open_feed: OpenFeed) -> None:
    page = open_feed()
    dialog = open_report_dialog(page)
    offered = dialog.locator("input[name=category]").evaluate_all("inputs => inputs.map(i => i.value)")
    assert sorted(offered) == sorted(CATEGORIES), "the dialog offers exactly the API's categories"
    assert offered[-1] == "other", "« something else » comes last, after every named harm"
    dialog.locator("#report-submit").click()
    expect(dialog.locator("#category-error")).to_have_text("Choisis ce qui se passe.")
    expect(dialog.locator("#danger-error")).to_have_text("Dis-nous si tu es en danger maintenant.")
    expect(dialog.get_by_role("radio", name="Harcèlement", exact=True)).to_be_focused()
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("now", "channel", "status"),
    [
        pytest.param("2026-11-25T23:00:00+01:00", "fr-3018-phone", "ouvre demain à 09:00", id="closed-till-tomorrow"),
        pytest.param("2026-11-25T08:00:00+01:00", "fr-3018-phone", "ouvre à 09:00", id="opens-later-today"),
        pytest.param("2026-11-27T23:00:00+01:00", "fr-119-chat", "ouvre lundi à 15:00", id="opens-after-weekend"),
    ],
)
def test_a_closed_line_says_when_it_opens_in_the_reporters_zone(
    open_feed: OpenFeed, now: str, channel: str, status: str
) -> None:
    page = open_feed(now=now)
    report_in_french(page)
    dialog = page.locator("#report-dialog")
    closed = dialog.locator(f'[data-channel-id="{channel}"]')
    expect(closed).to_contain_text(status)
    expect(closed.locator("a")).to_have_count(0)


def test_at_2300_the_3018_is_closed_and_an_open_line_leads(open_feed: OpenFeed, axe: Axe) -> None:
    page = open_feed(now="2026-11-25T23:00:00+01:00")
    report_in_french(page)
    dialog = page.locator("#report-dialog")
    expect(dialog.locator('a[href="tel:3018"]')).to_have_count(0)
    expect(dialog.locator('[data-channel-id="fr-3018-phone"]')).to_contain_text("ouvre demain à 09:00")
    call = dialog.locator(".primary-action")
    expect(call).to_have_attribute("href", "tel:119")
    expect(dialog.locator(".primary__note")).to_contain_text("ouvert 24 h/24")
    assert_accessible(axe, page, "help card at 23:00 (fr)")
    screenshot(page, "card-fr-2300")


def test_danger_now_puts_the_emergency_numbers_first(open_feed: OpenFeed, axe: Axe) -> None:
    page = open_feed()
    body = report_in_french(page, danger="Oui")
    assert body["help"]["danger"] == "immediate"
    dialog = page.locator("#report-dialog")
    expect(dialog.locator("relais-help-card .emergency .heading")).to_have_text("Tu es en danger : appelle maintenant")
    call = dialog.locator(".primary-action")
    expect(call).to_have_attribute("href", "tel:112")
    expect(call).to_have_text("Appeler le 112")
    expect(call).to_have_class(re.compile(r"\bprimary-action--emergency\b"))
    # The first number a child can tap is an emergency number, and every one of them comes before the helplines.
    first_link = dialog.locator("relais-help-card a").first
    expect(first_link).to_have_attribute("href", "tel:112")
    expect(dialog.locator("relais-help-card .emergency-list a[href='tel:17']")).to_be_visible()
    assert _before(page, ".emergency", ".helplines")
    assert _before(page, ".primary-action", ".helplines")
    assert Report.objects.get().danger == "immediate"
    assert_accessible(axe, page, "help card, danger now (fr)")
    assert_no_sideways_scroll(page)
    screenshot(page, "card-fr-danger")


def test_english_browser_gets_an_english_page_and_card(open_feed: OpenFeed, axe: Axe) -> None:
    page = open_feed(locale="en-GB")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feed")
    assert_accessible(axe, page, "feed (en)")
    screenshot(page, "feed-en")

    dialog = open_report_dialog(page)
    expect(dialog.get_by_role("heading", name="Report this post")).to_be_visible()
    assert_accessible(axe, page, "report dialog (en)")
    screenshot(page, "dialog-en")

    body = send_report(page, dialog, category="Bullying", danger="No")
    assert body["help"]["language"] == "en"
    call = dialog.locator(".primary-action")
    expect(call).to_have_attribute("href", "tel:3018")
    expect(call).to_have_text("Call 3018")
    expect(dialog.locator(".primary__note")).to_contain_text("open until 23:00")
    expect(dialog.locator("#help-status")).to_have_text("Your report was sent to Demo Social.")
    assert_accessible(axe, page, "help card (en)")
    assert_no_sideways_scroll(page)
    screenshot(page, "card-en")

    report = Report.objects.get()
    assert (report.category, report.reporter_language) == ("cyberbullying", "en")


def test_demo_settings_choose_the_reporters_country_and_age(open_feed: OpenFeed) -> None:
    page = open_feed(locale="en-GB")
    page.get_by_text("Demo settings").click()
    country = page.get_by_label("Country of the person reporting")
    options = country.locator("option")
    assert {"FR", "GB", "US"} <= set(options.evaluate_all("os => os.map(o => o.value)"))
    expect(country).to_have_value("FR")
    country.select_option("GB")
    page.get_by_label("Age (optional)").fill("13")
    dialog = open_report_dialog(page)
    body = send_report(page, dialog, category="Harassment", danger="No")

    assert body["help"]["country"] == "GB"
    expect(dialog.locator('[data-helpline-id="gb-childline"]')).to_be_visible()
    report = Report.objects.get()
    assert (report.reporter_country, report.reporter_age) == ("GB", 13)


def test_the_language_switcher_works_with_the_keyboard(open_feed: OpenFeed) -> None:
    page = open_feed(locale="fr-FR")
    english = page.get_by_role("button", name="English")
    english.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feed")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")

    # The choice sticks (a cookie), and the switch back works the same way.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ton fil")


def test_a_country_without_helplines_gets_the_fallback_note(open_feed: OpenFeed) -> None:
    page = open_feed()
    # The select only lists covered countries: rewrite the sent country, the server's answer is real.
    page.route("**/demo/report", lambda route: _continue_with(route, country="ZZ"))
    body = report_in_french(page)
    assert body["help"]["fallback"] is True
    dialog = page.locator("#report-dialog")
    expect(dialog.locator("relais-help-card .fallback")).to_be_visible()
    expect(dialog.locator(".primary-action")).to_be_visible()
    expect(dialog.locator("relais-help-card .emergency-list a[href='tel:112']")).to_be_visible()


def test_a_rejected_report_explains_itself_in_the_dialog(open_feed: OpenFeed) -> None:
    page = open_feed()
    page.route("**/demo/report", lambda route: _continue_with(route, country="France"))
    dialog = open_report_dialog(page)
    dialog.get_by_role("radio", name="Harcèlement", exact=True).check()
    dialog.get_by_role("radio", name="Non", exact=True).check()
    with page.expect_response("**/demo/report") as response:
        dialog.locator("#report-submit").click()
    assert response.value.status == 422
    error = dialog.locator("#form-error")
    expect(error).to_contain_text("une information n'a pas été acceptée")
    expect(error.locator("a[href='tel:112']")).to_be_visible()
    expect(dialog.locator("#report-step")).to_be_visible()
    expect(dialog.locator("#report-submit")).to_be_enabled()
    assert Report.objects.count() == 0


def test_an_unsaved_report_still_shows_the_card(open_feed: OpenFeed) -> None:
    page = open_feed()
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")  # a real storage failure
    try:
        dialog = open_report_dialog(page)
        with page.expect_response("**/demo/report") as response:
            dialog.get_by_role("radio", name="Harcèlement", exact=True).check()
            dialog.get_by_role("radio", name="Non", exact=True).check()
            dialog.locator("#report-submit").click()
        assert response.value.status == 503
        expect(dialog.locator("#help-status")).to_have_text(
            "Ton signalement n'a pas encore pu être enregistré. Il sera renvoyé automatiquement."
        )
        expect(dialog.locator(".primary-action")).to_have_attribute("href", "tel:3018")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")


def _continue_with(route: Route, **reporter: Any) -> None:
    payload = json.loads(route.request.post_data or "{}")
    payload["reporter"].update(reporter)
    route.continue_(post_data=json.dumps(payload))


def _before(page: Page, first: str, second: str) -> bool:
    """Whether `first` comes before `second` in the dialog's card (what a screen reader and a scroll meet first)."""
    return bool(
        page.evaluate(
            "([a, b]) => { const root = document.querySelector('#help-card').shadowRoot;"
            " return Boolean(root.querySelector(a).compareDocumentPosition(root.querySelector(b))"
            " & Node.DOCUMENT_POSITION_FOLLOWING); }",
            [first, second],
        )
    )
