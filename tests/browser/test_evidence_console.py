"""A counsellor, in a real phone-sized Chromium, finds the evidence on a shared case and downloads the PDF pack
to hand to the police: the section is accessible, fits the screen, and the download is the real pack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, expect
from pypdf import PdfReader
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from relais import clock
from relais.evidence import services
from relais.evidence.models import EvidenceItem
from relais.evidence.schemas import EvidenceItemIn
from relais.handoffs import case_codes
from relais.handoffs.models import AccessEvent, Case
from relais.handoffs.services import share_report
from relais.tenants.models import StaffMember
from relais.tenants.services import add_helpline, add_platform, add_staff
from tests.browser.conftest import PHONE, assert_accessible, assert_no_sideways_scroll, screenshot
from tests.test_console import make_report
from tests.test_evidence import JPEG, PNG, evidence_store  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long counsellor passphrase"
NOW = "2026-11-25T22:59:00+01:00"


@pytest.fixture
def shared_case(transactional_db: None, settings: Settings) -> tuple[Case, StaffMember]:
    settings.RELAIS_FAKE_NOW = NOW
    platform, _ = add_platform(name="Sunny Social")
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    member, _ = add_staff(username="camille", helpline=helpline, password=PASSWORD)
    report = make_report(platform)
    specs = [
        EvidenceItemIn(kind="text", text="Tout le monde sait que t'es nulle, Léa", author_handle="@Zoé_la_star 😀"),
        EvidenceItemIn(kind="image", file="capture", author_handle="@Zoé_la_star 😀"),
        EvidenceItemIn(kind="image", file="photo"),
    ]
    files = {
        "capture": SimpleUploadedFile("capture.png", PNG, content_type="image/png"),
        "photo": SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg"),
    }
    services.receive_evidence(
        platform=platform, report=report, checked=services.check_upload(specs, files), now=clock.now()
    )
    case, _ = share_report(
        platform=platform,
        report=report,
        helpline_id="fr-3018",
        given_at=clock.now(),
        text_version="fr-2026-11",
        scope=["report", "content"],
        now=clock.now(),
    )
    return case, member


def test_a_counsellor_downloads_the_evidence_pack_from_the_case_page(
    browser: Browser, live_server: LiveServer, axe: Axe, shared_case: tuple[Case, StaffMember], tmp_path: Path
) -> None:
    case, member = shared_case
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/console/login/")
        page.locator("#id_username").fill("camille")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter", exact=True).click()
        page.goto(f"{live_server.url}/console/cases/{case.pk}/")

        section = page.locator("#evidence")
        expect(section.get_by_role("heading", level=2)).to_have_text("Preuves")
        expect(section).to_contain_text("3 éléments conservés par Relais")
        expect(section).to_contain_text("@Zoé_la_star 😀")
        expect(section.locator(".content-item")).to_have_count(3)
        section.scroll_into_view_if_needed()
        assert_accessible(axe, page, "case page with evidence (fr)")
        assert_no_sideways_scroll(page)
        screenshot(page, "console-case-evidence-fr")

        with page.expect_download() as download_info:
            section.get_by_role("link", name="Télécharger le dossier PDF").click()
        download = download_info.value
        assert re.fullmatch(r"relais-evidence-[0-9a-f]{8}\.pdf", download.suggested_filename)
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        text = "\n".join(p.extract_text() for p in PdfReader(saved).pages)
        assert "Dossier de preuves" in text
        assert case_codes.display(case.code) in text
        assert "t'es nulle, Léa" in text
        for item in EvidenceItem.objects.all():
            assert item.sha256 in text

        page.reload()
        log = page.locator(".access-log__row").first
        expect(log).to_contain_text("camille")
        assert AccessEvent.objects.filter(case=case, action=AccessEvent.Action.EVIDENCE_EXPORTED).count() == 1
        assert member.user.username == "camille"
    finally:
        context.close()
