"""The handoff, told end to end in real browsers: a young person reports a post on the demo feed, agrees to
share it with the 3018 and gets a code; a counsellor signs in to the console in another browser, types the
code, reads the report, writes a note and takes the case on. Then the young person stops sharing, and the
case is gone from the console at once."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais.handoffs import case_codes
from relais.handoffs.models import AccessEvent, Case, CaseNote, Consent
from relais.tenants.models import StaffMember
from relais.tenants.services import add_helpline, add_staff
from tests.browser.conftest import PHONE, OpenFeed, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.browser.test_demo_feed import open_report_dialog, send_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long counsellor passphrase"


@dataclass(frozen=True)
class Words:
    """What each language's pages say at the steps the story goes through."""

    locale: str
    lang: str
    category: str
    no: str
    share_offer: str
    code_valid: str
    say_code: str
    sign_in: str
    queue_title: str
    open_case: str
    add_note: str
    note_added: str
    in_progress_button: str
    in_progress: str
    stopped: str
    post: str


FRENCH = Words(
    locale="fr-FR",
    lang="fr",
    category="Harcèlement",
    no="Non",
    share_offer="Partager mon signalement avec le 3018 pour ne pas avoir à tout réexpliquer",
    code_valid="Il marche pendant 30 jours, jusqu'au 25 décembre 2026.",
    say_code="Au téléphone, dis :",
    sign_in="Se connecter",
    queue_title="Cas partagés avec 3018 (e-Enfance)",
    open_case="Ouvrir le cas",
    add_note="Ajouter la note",
    note_added="Note ajoutée.",
    in_progress_button="Passer en cours",
    in_progress="En cours",
    stopped="Tu as arrêté le partage. Le 3018 ne peut plus voir ton signalement.",
    post="Tout le monde sait que t'es nul",
)
ENGLISH = Words(
    locale="en-GB",
    lang="en",
    category="Harassment",
    no="No",
    share_offer="Share my report with the 3018 so I don't have to explain again",
    code_valid="It works for 30 days, until December 25, 2026.",
    say_code="On the phone, say:",
    sign_in="Sign in",
    queue_title="Cases shared with 3018 (e-Enfance)",
    open_case="Open the case",
    add_note="Add the note",
    note_added="Note added.",
    in_progress_button="Mark in progress",
    in_progress="In progress",
    stopped="You stopped sharing. The 3018 can no longer see your report.",
    post="Everyone knows you're a loser",
)


@pytest.fixture
def counsellor(transactional_db: None) -> StaffMember:
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    member, _ = add_staff(username="camille", helpline=helpline, password=PASSWORD)
    return member


@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_shared_report_reaches_the_counsellor_by_its_code(
    open_feed: OpenFeed, browser: Browser, live_server: LiveServer, axe: Axe, counsellor: StaffMember, words: Words
) -> None:
    # --- The young person: report, consent, code. ---
    feed = open_feed(locale=words.locale)
    dialog = open_report_dialog(feed)
    send_report(feed, dialog, category=words.category, danger=words.no, description="Ça dure depuis une semaine.")
    offer = dialog.locator("#share-open")
    expect(offer).to_have_text(words.share_offer)
    offer.click()
    expect(dialog.locator("#share-title")).to_be_focused()
    expect(dialog.locator("#share-text-version")).to_have_text(f"demo-share-1.{words.lang}")
    assert_accessible(axe, feed, f"share step ({words.lang})")
    assert_no_sideways_scroll(feed)
    screenshot(feed, f"share-{words.lang}")

    dialog.locator("#share-description").check()
    with feed.expect_response("**/demo/share") as shared:
        dialog.locator("#share-confirm").click()
    code = shared.value.json()["case_code"]
    assert re.fullmatch(r"[1-9][0-9]{3}-[0-9]{3}-[0-9]{3}-[0-9]{4}", code)
    expect(dialog.locator("#code-title")).to_be_focused()
    expect(dialog.locator("#case-code")).to_contain_text(code)
    # To read it out: the digits as words of the page's language, group by group.
    expect(dialog.locator("#case-code-spoken")).to_have_text(
        f"{words.say_code} {case_codes.spoken(code.replace('-', ''), words.lang)}"
    )
    expect(dialog.locator("#code-valid")).to_have_text(words.code_valid)
    expect(dialog.locator('#code-channels a[href="tel:3018"]')).to_be_visible()
    assert_accessible(axe, feed, f"code step ({words.lang})")
    assert_no_sideways_scroll(feed)
    screenshot(feed, f"code-{words.lang}")
    consent = Consent.objects.get()
    assert consent.text_version == f"demo-share-1.{words.lang}"
    assert consent.scope == ["content", "description", "help_card", "report"]  # never the pseudonym

    # --- The counsellor, in another browser: sign in, type the code, work on the case. ---
    context = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(10_000)
    visited: list[str] = []
    console = context.new_page()
    console.on("framenavigated", lambda frame: visited.append(frame.url))
    try:
        console.goto(f"{live_server.url}/console/")
        expect(console).to_have_url(re.compile(r"/console/login/\?next=/console/$"))
        assert_accessible(axe, console, f"login ({words.lang})")
        assert_no_sideways_scroll(console)
        screenshot(console, f"console-login-{words.lang}")
        console.locator("#id_username").fill("camille")
        console.locator("#id_password").fill(PASSWORD)
        console.get_by_role("button", name=words.sign_in, exact=True).click()

        expect(console.get_by_role("heading", level=1)).to_have_text(words.queue_title)
        assert_accessible(axe, console, f"queue ({words.lang})")
        assert_no_sideways_scroll(console)
        screenshot(console, f"console-queue-{words.lang}")

        console.locator('.console-nav a[href="/console/lookup/"]').click()
        expect(console).to_have_url(re.compile(r"/console/lookup/$"))
        assert_accessible(axe, console, f"lookup ({words.lang})")
        assert_no_sideways_scroll(console)
        console.locator("#id_code").fill(code.replace("-", " "))  # as heard on the phone
        console.get_by_role("button", name=words.open_case).click()

        case = Case.objects.get()
        expect(console).to_have_url(f"{live_server.url}/console/cases/{case.pk}/")
        expect(console.locator(".content-item .quote")).to_contain_text(words.post)
        expect(console.get_by_text("Ça dure depuis une semaine.")).to_be_visible()
        expect(console.locator(".case-code-inline")).to_have_text(code)
        pseudonym = console.locator(".facts .mono").first
        expect(pseudonym).to_contain_text("••••")  # masked: not part of the consent
        assert_accessible(axe, console, f"case page ({words.lang})")
        assert_no_sideways_scroll(console)
        screenshot(console, f"console-case-{words.lang}")

        console.locator("#id_text").fill("Appel reçu. Elle va en parler à sa CPE.")
        console.get_by_role("button", name=words.add_note).click()
        expect(console.locator(".message")).to_have_text(words.note_added)
        expect(console.locator(".note-item__text")).to_have_text("Appel reçu. Elle va en parler à sa CPE.")
        console.get_by_role("button", name=words.in_progress_button).click()
        expect(console.locator(".case-head .badge--in_progress")).to_have_text(words.in_progress)

        case.refresh_from_db()
        assert case.status == "in_progress"
        assert CaseNote.objects.get().author == counsellor.user
        actions = list(AccessEvent.objects.filter(case=case).values_list("action", flat=True))
        assert actions[:3] == ["shared", "looked_up", "viewed"]
        assert {"note_added", "status_changed"} <= set(actions)
        expect(console.locator(".access-log__row")).to_have_count(len(actions))
        assert not [u for u in visited if code in u or code.replace("-", "") in u.upper()], visited

        # --- The young person changes their mind, from the same dialog: the case is gone at once. ---
        dialog.locator("#share-withdraw").click()
        expect(dialog.locator("#share-status")).to_have_text(words.stopped)
        expect(dialog.locator("#share-open")).to_be_focused()
        response = console.reload()
        assert response is not None
        assert response.status == 404
        expect(console.get_by_text(words.post)).to_have_count(0)
    finally:
        context.close()


def test_the_share_step_appears_only_for_a_helpline_that_takes_shared_reports(open_feed: OpenFeed) -> None:
    """No helpline tenant for the 3018 here: the card is the same, with no offer to share."""
    page = open_feed()
    dialog = open_report_dialog(page)
    body = send_report(page, dialog, category="Harcèlement", danger="Non")
    assert body["share"] is None
    expect(dialog.locator("#share-offer")).to_be_hidden()


def test_a_failed_share_says_so_and_keeps_the_help_on_screen(
    open_feed: OpenFeed, counsellor: StaffMember, axe: Axe
) -> None:
    page = open_feed()
    page.route("**/demo/share", lambda route: route.fulfill(status=503, body="{}"))
    dialog = open_report_dialog(page)
    send_report(page, dialog, category="Harcèlement", danger="Non")
    dialog.locator("#share-open").click()
    dialog.locator("#share-confirm").click()
    error = dialog.locator("#share-error")
    expect(error).to_contain_text("n'a pas pu être partagé")
    expect(error).to_be_focused()
    expect(dialog.locator("#share-confirm")).to_be_enabled()
    assert not Case.objects.exists()
    dialog.get_by_role("button", name="Pas maintenant").click()
    expect(dialog.locator("#help-step")).to_be_visible()
    expect(dialog.locator("#share-open")).to_be_focused()
    assert_accessible(axe, page, "help card after a failed share (fr)")


def test_the_code_stays_when_the_dialog_is_reopened_and_after_a_reload(
    open_feed: OpenFeed, counsellor: StaffMember, axe: Axe
) -> None:
    page = open_feed()
    dialog = open_report_dialog(page)
    send_report(page, dialog, category="Harcèlement", danger="Non")
    dialog.locator("#share-open").click()
    with page.expect_response("**/demo/share") as shared:
        dialog.locator("#share-confirm").click()
    code = shared.value.json()["case_code"]
    expect(dialog.locator("#case-code")).to_contain_text(code)

    # Closed and opened again: the same report's card and code, not a blank form.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    open_report_dialog(page)
    expect(dialog.locator("#help-step")).to_be_visible()
    expect(dialog.locator("#share-status")).to_contain_text(code)
    expect(dialog.locator(".primary-action")).to_have_attribute("href", "tel:3018")

    # A reload too: the demo's back end remembers the session's reports.
    response = page.reload()
    assert response is not None
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-robots-tag"] == "noindex"
    assert code not in page.title()
    open_report_dialog(page)
    expect(dialog.locator("#share-status")).to_contain_text(code)
    expect(dialog.get_by_role("link", name="Suivre mon signalement")).to_have_attribute("href", re.compile(r"/r/"))
    dialog.locator("#share-open").click()
    expect(dialog.locator("#case-code")).to_contain_text(code)
    assert_accessible(axe, page, "code step after a reload (fr)")

    # Stopped sharing: reopening shows the card without the code.
    dialog.locator("#share-withdraw").click()
    expect(dialog.locator("#share-status")).to_have_text(FRENCH.stopped)
    page.reload()
    open_report_dialog(page)
    expect(dialog.locator("#share-open")).to_have_text(FRENCH.share_offer)
    expect(dialog.locator("#share-status")).to_have_text("")


def test_quick_exit_in_the_report_dialog_leaves_for_a_neutral_site(
    open_feed: OpenFeed, live_server: LiveServer, settings: Settings
) -> None:
    settings.RELAIS_QUICK_EXIT_URL = f"{live_server.url}/api/v1/health"
    page = open_feed(locale="en-GB")
    dialog = open_report_dialog(page)
    exit_button = dialog.get_by_role("button", name="Quick exit", exact=True)
    expect(exit_button).to_be_visible()  # on the form already, before any card
    send_report(page, dialog, category="Harassment", danger="No")
    expect(exit_button).to_be_visible()
    with page.expect_navigation(url=f"{live_server.url}/api/v1/health"):
        exit_button.click()
    page.go_back()
    expect(page).not_to_have_url(f"{live_server.url}/")
