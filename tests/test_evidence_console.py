"""The counsellor's side of evidence: the case page's section and the PDF/ZIP downloads, over HTTP with the
real console, its access rules and both logs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from relais import clock
from relais.evidence import services
from relais.evidence.models import CustodyEvent
from relais.evidence.schemas import EvidenceItemIn
from relais.handoffs import case_codes
from relais.handoffs.models import AccessEvent, Case
from relais.reports.models import Report, ReportedContent
from tests.test_console import World, make_report, share, signed_in, world  # noqa: F401  (a fixture)
from tests.test_evidence import JPEG, PNG, evidence_store, flip_one_byte, pdf_text  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
WITH_CONTENT = ("report", "content")
WORDS = "Signalé : « tu vas voir demain à la sortie »"


def send_evidence(world: World, report: Report) -> None:
    """The platform's upload, through the same services as the API."""
    specs = [
        EvidenceItemIn(kind="text", text=WORDS, author_handle="@Zoé"),
        EvidenceItemIn(kind="image", file="shot"),
        EvidenceItemIn(kind="image", file="photo"),
    ]
    files = {
        "shot": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        "photo": SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg"),
    }
    services.receive_evidence(
        platform=world.platform, report=report, checked=services.check_upload(specs, files), now=clock.now()
    )


@pytest.fixture
def case(world: World) -> Case:
    report = make_report(world.platform)
    send_evidence(world, report)
    return share(world, report, scope=WITH_CONTENT)


def url(name: str, case: Case, **query: str) -> str:
    path = reverse(f"console:{name}", kwargs={"case_id": case.pk})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_case_page_lists_the_evidence_and_offers_the_packs(world: World, case: Case) -> None:
    page = signed_in(world.counsellor).get(url("case", case))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="evidence"' in html
    assert "3 items preserved by Relais" in html
    assert "@Zoé" in html
    assert url("evidence_pdf", case) in html
    assert url("evidence_zip", case) in html
    for item in case.report.evidence.all():  # type: ignore[union-attr]
        assert item.sha256 in html
    assert "tu vas voir demain" not in html  # the content stays in the packs


def test_the_section_says_the_content_was_not_shared_and_the_packs_are_not_found(world: World) -> None:
    report = make_report(world.platform)
    send_evidence(world, report)
    case = share(world, report, scope=("report",))
    client = signed_in(world.counsellor)
    html = client.get(url("case", case)).content.decode()
    assert "the reporter did not agree to share the content, so its evidence is not shown" in html
    assert url("evidence_pdf", case) not in html
    for name in ("evidence_pdf", "evidence_zip"):
        assert client.get(url(name, case)).status_code == 404
    assert not CustodyEvent.objects.exclude(action="received").exists()


def test_downloading_the_pdf_is_an_export_in_both_logs(world: World, case: Case) -> None:
    response = signed_in(world.counsellor).get(url("evidence_pdf", case))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="relais-evidence-')
    text = pdf_text(response.content)
    assert "Dossier de preuves" in text
    assert case_codes.display(case.code) in text
    assert "pour 3018 (e-Enfance)" in text
    export = CustodyEvent.objects.get(action="exported")
    assert (export.actor_label, export.party, export.detail) == (
        "Camille (3018 (e-Enfance))",
        "3018 (e-Enfance)",
        "PDF pack of 3 items and 2 reported items",
    )
    logged = AccessEvent.objects.get(case=case, action=AccessEvent.Action.EVIDENCE_EXPORTED)
    assert (logged.actor, logged.detail) == (world.counsellor.user, "PDF pack of 3 items and 2 reported items")


def test_opening_the_pdf_in_the_browser_is_a_view(world: World, case: Case) -> None:
    response = signed_in(world.counsellor).get(url("evidence_pdf", case, inline="1", lang="en"))
    assert response["Content-Disposition"].startswith("inline;")
    assert "Evidence pack" in pdf_text(response.content)
    assert AccessEvent.objects.filter(case=case, action=AccessEvent.Action.EVIDENCE_VIEWED).count() == 1
    assert CustodyEvent.objects.filter(action="viewed").count() == 1


def test_the_zip_holds_the_originals(world: World, case: Case) -> None:
    response = signed_in(world.counsellor).get(url("evidence_zip", case))
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(name.endswith("files/02-image.png") for name in names)
    assert (
        AccessEvent.objects.get(case=case, action=AccessEvent.Action.EVIDENCE_EXPORTED).detail
        == "ZIP pack of 3 items and 2 reported items"
    )


@pytest.mark.parametrize("name", ["evidence_pdf", "evidence_zip"])
@pytest.mark.parametrize("visitor", ["anonymous", "other helpline"])
def test_no_one_outside_the_helpline_gets_a_pack(world: World, case: Case, name: str, visitor: str) -> None:
    client = Client() if visitor == "anonymous" else signed_in(world.stranger)
    response = client.get(url(name, case))
    assert response.status_code in (302, 404)
    assert response.status_code == (302 if visitor == "anonymous" else 404)
    assert not CustodyEvent.objects.exclude(action="received").exists()
    assert not AccessEvent.objects.filter(action__startswith="evidence").exists()


def test_a_withdrawn_case_has_no_pack(world: World, case: Case) -> None:
    from relais.handoffs.services import withdraw_consent

    assert case.report is not None
    withdraw_consent(platform=world.platform, report=case.report, now=clock.now())
    assert signed_in(world.counsellor).get(url("evidence_pdf", case)).status_code == 404


def test_a_failed_integrity_check_is_a_message_on_the_case_page_not_a_pack(
    world: World,
    case: Case,
    evidence_store: Path,
) -> None:
    assert case.report is not None
    photo = case.report.evidence.get(position=3)
    flip_one_byte(evidence_store / photo.storage_name)
    response = signed_in(world.counsellor).get(url("evidence_pdf", case), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/console/cases/{case.pk}/#evidence")
    assert (
        "The evidence pack was not made: item 3 no longer matches what the platform sent" in response.content.decode()
    )
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EVIDENCE_EXPORTED).exists()
    assert CustodyEvent.objects.filter(action="integrity_failed", item=photo).count() == 1


def test_a_changed_reported_item_is_named_on_the_case_page_in_french(world: World, case: Case) -> None:
    ReportedContent.objects.filter(report=case.report, position=0).update(text="rien")
    client = signed_in(world.counsellor)
    response = client.get(url("evidence_pdf", case), follow=True, headers={"Accept-Language": "fr"})
    assert "élément signalé 1 ne correspond plus à ce que la plateforme a envoyé" in response.content.decode()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EVIDENCE_EXPORTED).exists()
    failed = CustodyEvent.objects.get(action="integrity_failed")
    assert (failed.item, failed.party) == (None, world.helpline.name)


def test_a_repeated_picture_is_flagged_on_the_case_page(world: World, case: Case) -> None:
    other = make_report(world.platform, ident="rep-2")
    specs = [EvidenceItemIn(kind="image", file="again")]
    files: dict[str, Any] = {"again": SimpleUploadedFile("again.png", PNG, content_type="image/png")}
    services.receive_evidence(
        platform=world.platform, report=other, checked=services.check_upload(specs, files), now=clock.now()
    )
    second = share(world, other, scope=WITH_CONTENT)
    html = signed_in(world.counsellor).get(url("case", second)).content.decode()
    assert "This image was already reported 1 time." in html


def test_the_evidence_section_speaks_french(world: World, case: Case) -> None:
    client = Client(headers={"Accept-Language": "fr"})
    client.force_login(world.counsellor.user)
    html = client.get(url("case", case)).content.decode()
    assert '<h2 id="evidence-title" class="section-title">Preuves</h2>' in html
    assert "3 éléments conservés par Relais" in html
    assert "Télécharger le dossier PDF" in html
