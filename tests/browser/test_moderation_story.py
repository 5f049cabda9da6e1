"""The trusted-flagger loop, told end to end in two real browsers: a 3018 counsellor escalates a shared case
to the platform; the platform's moderator finds it at the top of the queue, above an older ordinary report,
claims it and decides it with a statement of reasons (after the form has named what was missing); the
counsellor reloads the case and reads the outcome and the appeal deadline. The reporter's own notice about
the same content rides in the escalation's queue row (with the reported text's start) and is decided with it.
Every moderation page is checked with axe-core and for sideways scrolling on a phone, in French and in English."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais import clock
from relais.handoffs.models import Case
from relais.handoffs.services import share_report
from relais.moderation import services
from relais.moderation.models import Decision, Notice
from relais.tenants.models import Platform
from relais.tenants.services import add_helpline, add_moderator, add_platform, add_staff
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.test_moderation import arcom_designates
from tests.test_moderation_console import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long moderation passphrase"
NOW = "2026-11-25T21:00:00+00:00"


@dataclass(frozen=True)
class Words:
    """What each language's pages say at the steps the story goes through."""

    locale: str
    lang: str
    sign_in: str
    queue_title: str
    claimed: str
    problems: str
    facts_required: str
    recorded: str
    grouped: str
    applies: str
    decided: str
    summary: str
    appeals_title: str
    statements_title: str
    account_until: str


FRENCH = Words(
    locale="fr-FR",
    lang="fr",
    sign_in="Se connecter",
    queue_title="Notifications à décider pour Sunny Social",
    claimed="Vous avez pris en charge cette notification",
    problems="Il y a 1 problème : rien n'a été enregistré.",
    facts_required="La base de données de transparence exige ce champ.",
    recorded="Décision enregistrée pour les 2 notifications sur ce contenu.",
    grouped="2 notifications sur ce contenu",
    applies="Cette décision vaut pour les 2 notifications sur le même contenu.",
    decided="Décidée",
    summary="Les messages ont été retirés et le compte suspendu un mois.",
    appeals_title="Recours",
    statements_title="Exposés des motifs",
    account_until="Compte suspendu — jusqu'au vendredi 25 décembre 2026",
)
ENGLISH = Words(
    locale="en-GB",
    lang="en",
    sign_in="Sign in",
    queue_title="Notices to decide for Sunny Social",
    claimed="You claimed this notice",
    problems="There is 1 problem: nothing was saved.",
    facts_required="The Transparency Database requires this field.",
    recorded="Decision recorded for the 2 notices about this content.",
    grouped="2 notices about this content",
    applies="This decision applies to the 2 notices about the same content.",
    decided="Decided",
    summary="The messages were removed and the account suspended for a month.",
    appeals_title="Appeals",
    statements_title="Statements of reasons",
    account_until="Account suspended — until Friday 25 December 2026",
)


@dataclass(frozen=True)
class Scene:
    platform: Platform
    case: Case
    older: Notice


@pytest.fixture
def scene(transactional_db: None, settings: Settings) -> Scene:
    """A platform established in Ireland, the 3018 as its trusted flagger, a counsellor, two moderators,
    an ordinary report from 20 hours ago, and a report shared with the 3018 just now."""
    settings.RELAIS_FAKE_NOW = NOW
    platform, _ = add_platform(name="Sunny Social", country="IE")
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    arcom_designates(helpline)
    add_staff(username="camille", helpline=helpline, password=PASSWORD)
    add_moderator(username="ines", platform=platform, password=PASSWORD)
    add_moderator(username="yann", platform=platform, role="lead", password=PASSWORD)
    now = clock.now()
    older = make_report(platform, "older", received_at=now - timedelta(hours=20), category="threat")
    shared = make_report(platform, "shared", received_at=now)
    case, _ = share_report(
        platform=platform,
        report=shared,
        helpline_id="fr-3018",
        given_at=now,
        text_version="fr-2026-11",
        scope=["report", "content", "description"],
        now=now,
    )
    return Scene(platform=platform, case=case, older=Notice.objects.get(report=older))


def _context(browser: Browser, words: Words) -> BrowserContext:
    context = browser.new_context(locale=words.locale, timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(10_000)
    return context


def _sign_in(page: Page, username: str, words: Words) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=words.sign_in, exact=True).click()


def _check(axe: Axe, page: Page, where: str) -> None:
    assert_accessible(axe, page, where)
    assert_no_sideways_scroll(page)
    screenshot(page, where.replace(" ", "-").replace("(", "").replace(")", ""))


@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_an_escalation_goes_first_is_decided_and_comes_back_to_the_counsellor(
    browser: Browser, live_server: LiveServer, axe: Axe, scene: Scene, words: Words
) -> None:
    counsellor_context = _context(browser, words)
    moderator_context = _context(browser, words)
    errors: list[str] = []
    try:
        # --- The counsellor escalates the shared case to the platform. ---
        counsellor = counsellor_context.new_page()
        counsellor.on("pageerror", lambda exc: errors.append(str(exc)))
        case_url = f"{live_server.url}/console/cases/{scene.case.pk}/"
        counsellor.goto(case_url)
        _sign_in(counsellor, "camille", words)
        expect(counsellor).to_have_url(case_url)
        counsellor.locator("details.escalation > summary").click()  # folded until wanted
        escalation = counsellor.locator('form[action$="/escalate"]')
        escalation.locator('input[name="ground_kind"][value="incompatible"]').check()
        escalation.locator("#id_ground").fill("Community guidelines §4.2: bullying and harassment")
        escalation.locator("#id_explanation").fill("Insultes quotidiennes envers une élève de 14 ans.")
        escalation.locator('input[name="content_positions"][value="0"]').check()
        escalation.locator('button[type="submit"]').click()
        expect(counsellor.locator(".message")).to_be_visible()
        notice = Notice.objects.get(case=scene.case)
        assert notice.trusted_flagger

        # --- The moderator, in another browser: sign in; the escalation tops the queue. ---
        moderator = moderator_context.new_page()
        moderator.on("pageerror", lambda exc: errors.append(str(exc)))
        moderator.goto(f"{live_server.url}/moderation/")
        expect(moderator).to_have_url(re.compile(r"/moderation/login/\?next=/moderation/$"))
        expect(moderator.locator("html")).to_have_attribute("lang", words.lang)
        _check(axe, moderator, f"moderation login ({words.lang})")
        _sign_in(moderator, "ines", words)

        expect(moderator.get_by_role("heading", level=1)).to_have_text(words.queue_title)
        rows = moderator.locator(".notice-row")
        expect(rows.first).to_have_attribute("data-notice-id", str(notice.pk))
        expect(rows.nth(1)).to_have_attribute("data-notice-id", str(scene.older.pk))
        # The reporter's own notice about the same content is in the escalation's row, not one of its own.
        expect(rows).to_have_count(2)
        expect(rows.first.locator(".notice-row__group")).to_contain_text(words.grouped)
        expect(rows.first.locator(".notice-row__snippet")).to_contain_text("t'es nul, personne ne t'aime")
        expect(rows.first.locator(".badge--flagger")).to_be_visible()
        expect(rows.first.locator("time").first).to_have_attribute("datetime", "2026-11-26T21:00:00+00:00")
        _check(axe, moderator, f"moderation queue ({words.lang})")

        rows.first.locator(".case-row__link").click()
        expect(moderator).to_have_url(f"{live_server.url}/moderation/notices/{notice.pk}/")
        expect(moderator.get_by_text("Insultes quotidiennes envers une élève de 14 ans.")).to_be_visible()
        expect(moderator.locator("#grouped")).to_contain_text(words.applies)
        _check(axe, moderator, f"moderation notice ({words.lang})")

        moderator.locator('form[action$="/claim"] button').click()
        expect(moderator.locator(".message--success")).to_contain_text(words.claimed)

        # --- The decision: restrict, as incompatible with the terms; first without the facts. ---
        form = moderator.locator("form.decision-form")
        form.locator('input[name="outcome"][value="restricted"]').check()
        form.locator('input[name="visibility"][value="DECISION_VISIBILITY_CONTENT_REMOVED"]').check()
        form.locator("#id_account").select_option("DECISION_ACCOUNT_SUSPENDED")
        form.locator("#id_end_account").fill("2026-12-25")
        expect(form.locator('input[name="ground"][value="incompatible"]')).to_be_checked()  # as the notice said
        expect(form.locator("#id_terms_ground")).to_have_value("Community guidelines §4.2: bullying and harassment")
        form.locator("#id_explanation").fill("Repeated degrading messages aimed at a minor: harassment under §4.2.")
        form.locator("#id_summary").fill(words.summary)
        form.locator('button[type="submit"]').click()

        summary = moderator.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator("h2")).to_have_text(words.problems)
        expect(summary.locator('a[href="#id_facts"]')).to_contain_text(words.facts_required)
        expect(moderator.locator("#id_facts_error")).to_have_text(words.facts_required)
        expect(moderator.locator("#id_summary")).to_have_value(words.summary)  # nothing typed is lost
        assert not Decision.objects.exists()
        _check(axe, moderator, f"moderation decision errors ({words.lang})")

        summary.locator('a[href="#id_facts"]').click()
        expect(moderator.locator("#id_facts")).to_be_focused()
        moderator.locator("#id_facts").fill("Messages insulting a pupil every day for three weeks, from one account.")
        moderator.locator('form.decision-form button[type="submit"]').click()

        expect(moderator.locator(".message--success")).to_contain_text(words.recorded)
        expect(moderator.locator(".case-head .badge--decided")).to_have_text(words.decided)
        decision = Decision.objects.get(notice=notice)
        reporters = Decision.objects.get(notice__report=notice.report, notice__source="article_16")
        assert reporters.outcome == decision.outcome == "restricted"
        assert decision.statement is not None
        assert decision.statement["source_type"] == "SOURCE_TRUSTED_FLAGGER"
        assert decision.statement["incompatible_content_ground"].startswith("Community guidelines §4.2")
        readable = moderator.locator(".statement-words")
        expect(readable.locator(".statement-words__restrictions")).to_contain_text(words.account_until)
        expect(readable.locator('time[datetime="2026-12-25"]')).to_be_visible()
        expect(readable).to_contain_text("Messages insulting a pupil every day for three weeks, from one account.")
        statement = moderator.locator("details.statement")
        expect(statement.locator("pre")).not_to_be_visible()  # the JSON, one click away
        statement.locator("summary").click()
        expect(statement.locator("pre")).to_contain_text(f'"puid": "{decision.puid}"')
        expect(moderator.locator(".appeal-deadline time")).to_have_attribute(
            "datetime", decision.appeal_deadline.isoformat()
        )
        _check(axe, moderator, f"moderation decided notice ({words.lang})")

        # --- The other pages: appeals (with one waiting), an appeal, statements. ---
        appeal = services.appeal(
            decision=decision, appellant="affected_user", reason="C'était une blague.", now=clock.now()
        )
        moderator.locator('.console-nav a[href="/moderation/appeals/"]').click()
        expect(moderator.get_by_role("heading", level=1)).to_have_text(words.appeals_title)
        expect(moderator.locator(f'[data-appeal-id="{appeal.pk}"]')).to_be_visible()
        _check(axe, moderator, f"moderation appeals ({words.lang})")
        moderator.locator(f'[data-appeal-id="{appeal.pk}"] a').click()
        expect(moderator.get_by_text("C'était une blague.")).to_be_visible()
        _check(axe, moderator, f"moderation appeal ({words.lang})")
        moderator.locator('.console-nav a[href="/moderation/statements/"]').click()
        expect(moderator.get_by_role("heading", level=1)).to_have_text(words.statements_title)
        expect(moderator.locator(f'[data-puid="{decision.puid}"]')).to_be_visible()
        _check(axe, moderator, f"moderation statements ({words.lang})")
        moderator.locator('.console-nav a[href="/moderation/decided/"]').click()
        expect(moderator.locator(f'[data-notice-id="{notice.pk}"]')).to_be_visible()
        _check(axe, moderator, f"moderation decided list ({words.lang})")

        # --- The counsellor reloads the case: the outcome and the appeal deadline are there. ---
        counsellor.reload()
        platform_side = counsellor.locator("#platform")
        expect(platform_side.locator(".outcome__result").last).to_contain_text(words.summary)
        deadline = decision.appeal_deadline.isoformat()
        expect(platform_side.locator(f'time[datetime="{deadline}"]').first).to_be_visible()
        assert not re.search(r"\bines\b", platform_side.inner_text())  # the helpline is not told who decided
    finally:
        counsellor_context.close()
        moderator_context.close()
    assert not errors, f"uncaught errors in the pages' scripts: {errors}"
