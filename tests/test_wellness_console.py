"""Wellness by default in both consoles (ADR 0028), over HTTP with the real consoles, services and database.

A moderator opening a notice sees each preserved picture blurred and in greyscale, behind its own "Show"
control; a notice about the worst harms starts with a warning and keeps its text folded. Each person can
turn the blur off for themselves in "Your settings"; a bad value is refused with the field named. The
counsellor's case page shows evidence pictures the same way.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from relais import clock
from relais.evidence import services as evidence
from relais.evidence.models import CustodyEvent, EvidenceItem
from relais.evidence.schemas import EvidenceItemIn
from relais.handoffs import services as handoffs
from relais.handoffs.models import Case
from relais.moderation.models import Notice
from relais.reports.models import Report
from tests.test_evidence import JPEG, PNG, evidence_store, flip_one_byte  # noqa: F401  (a fixture)
from tests.test_moderation_console import World, make_report, signed_in, url, world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
BLURRED = 'class="picture picture--blurred"'
PICTURE = re.compile(r'<img class="picture__image" src="([^"]+)" alt="([^"]+)"')


def send_pictures(world: World, report: Report) -> None:
    """The platform's upload of a message and two pictures, through the same services as the API."""
    specs = [
        EvidenceItemIn(kind="text", text="t'es nul"),
        EvidenceItemIn(kind="image", file="shot"),
        EvidenceItemIn(kind="image", file="photo"),
    ]
    files = {
        "shot": SimpleUploadedFile("shot.png", PNG, content_type="image/png"),
        "photo": SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg"),
    }
    evidence.receive_evidence(
        platform=world.platform, report=report, checked=evidence.check_upload(specs, files), now=clock.now()
    )


def notice_with_pictures(world: World, ident: str = "pic", **overrides: Any) -> Notice:
    report = make_report(world.platform, ident, **overrides)
    send_pictures(world, report)
    return Notice.objects.get(report=report, source="article_16")


def notice_page(client: Client, notice: Notice) -> str:
    response = client.get(url("notice", notice_id=notice.pk))
    assert response.status_code == 200
    return response.content.decode()


# --- pictures on the notice page ----------------------------------------------------------------------


def test_pictures_are_blurred_by_default_behind_a_show_control(world: World) -> None:
    notice = notice_with_pictures(world)
    page = notice_page(signed_in(world.moderator.user), notice)
    assert page.count(BLURRED) == 2
    assert page.count('<details class="picture__reveal">') == 2
    assert page.count("Show the picture") == 2
    assert "Blurred and in greyscale until you show them" in page
    pictures = PICTURE.findall(page)
    assert [alt for _, alt in pictures] == ["Picture 2 sent by the platform", "Picture 3 sent by the platform"]
    assert ' style="' not in page  # the strict CSP allows no inline style (ADR 0024)


def test_a_picture_is_served_re_encoded_and_written_to_the_chain_of_custody(world: World) -> None:
    notice = notice_with_pictures(world)
    client = signed_in(world.moderator.user)
    src = PICTURE.findall(notice_page(client, notice))[0][0]
    response = client.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content != PNG
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.format == "JPEG"
    viewed = CustodyEvent.objects.get(report=notice.report, action=CustodyEvent.Action.VIEWED)
    assert viewed.item is not None
    assert viewed.item.position == 2
    assert viewed.party == "Sunny Social"


@pytest.mark.parametrize("position", [1, 4])
def test_a_text_item_or_a_missing_position_is_no_picture(world: World, position: int) -> None:
    notice = notice_with_pictures(world)
    response = signed_in(world.moderator.user).get(url("picture", notice_id=notice.pk, position=position))
    assert response.status_code == 404


def test_another_platforms_moderator_gets_no_picture(world: World) -> None:
    notice = notice_with_pictures(world)
    response = signed_in(world.stranger.user).get(url("picture", notice_id=notice.pk, position=2))
    assert response.status_code == 404
    assert not CustodyEvent.objects.filter(action=CustodyEvent.Action.VIEWED).exists()


def test_a_changed_picture_is_refused_and_the_failure_is_in_the_chain_of_custody(
    world: World, evidence_store: Path
) -> None:
    notice = notice_with_pictures(world)
    item = EvidenceItem.objects.get(report=notice.report, position=2)
    flip_one_byte(evidence_store / item.storage_name)
    response = signed_in(world.moderator.user).get(url("picture", notice_id=notice.pk, position=2))
    assert response.status_code == 409
    assert "no longer matches" in response.content.decode()
    assert CustodyEvent.objects.filter(item=item, action=CustodyEvent.Action.INTEGRITY_FAILED).exists()
    assert not CustodyEvent.objects.filter(action=CustodyEvent.Action.VIEWED).exists()


# --- the setting -------------------------------------------------------------------------------------


def test_the_settings_page_is_in_the_navigation_and_starts_blurred(world: World) -> None:
    client = signed_in(world.moderator.user)
    queue = client.get(url("queue")).content.decode()
    assert f'href="{url("settings")}"' in queue
    page = client.get(url("settings")).content.decode()
    assert re.search(r'<input type="radio" name="pictures" value="blurred"[^>]*checked', page)


def test_turning_the_blur_off_shows_pictures_as_sent_for_that_moderator_only(world: World) -> None:
    notice = notice_with_pictures(world)
    client = signed_in(world.moderator.user)
    response = client.post(url("settings"), {"pictures": "shown"})
    assert response.status_code == 302
    assert "Your setting is saved." in client.get(response["Location"]).content.decode()
    world.moderator.refresh_from_db()
    assert world.moderator.blur_images is False
    page = notice_page(client, notice)
    assert BLURRED not in page
    assert "Show the picture" not in page
    assert len(PICTURE.findall(page)) == 2
    assert notice_page(signed_in(world.colleague.user), notice).count(BLURRED) == 2
    client.post(url("settings"), {"pictures": "blurred"})
    assert notice_page(client, notice).count(BLURRED) == 2


@pytest.mark.parametrize("body", [{"pictures": "sometimes"}, {}])
def test_a_bad_setting_is_refused_with_the_field_named(world: World, body: dict[str, str]) -> None:
    response = signed_in(world.moderator.user).post(url("settings"), body)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'href="#id_pictures_0"' in page
    assert "Pictures of reported content" in page
    world.moderator.refresh_from_db()
    assert world.moderator.blur_images is True


def test_the_settings_page_speaks_french(world: World) -> None:
    client = signed_in(world.moderator.user, "fr")
    page = client.get(url("settings")).content.decode()
    assert "Vos réglages" in page
    assert "Floues et en noir et blanc" in page
    refused = client.post(url("settings"), {"pictures": "x"}).content.decode()
    assert "Images du contenu signalé" in refused


# --- warnings before the worst content ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "age", "language", "warning"),
    [
        ("self_harm", 14, "en", "Possibly distressing content: self-harm or suicide."),
        ("self_harm", 14, "fr", "Contenu possiblement choquant : automutilation ou suicide."),
        ("sextortion", 14, "en", "Possibly distressing content: sexual content involving a minor."),
        ("sextortion", 14, "fr", "Contenu possiblement choquant : contenu sexuel impliquant un mineur."),
        ("sextortion", 34, "fr", "Contenu possiblement choquant : chantage à caractère sexuel."),
        ("threat", 34, "en", "Possibly distressing content: threats of violence."),
    ],
)
def test_the_worst_categories_are_announced_and_their_text_folded(
    world: World, category: str, age: int, language: str, warning: str
) -> None:
    report = make_report(world.platform, f"w-{category}-{age}", category=category)
    Notice.objects.filter(report=report).update(reporter_age=age)
    notice = Notice.objects.get(report=report, source="article_16")
    page = notice_page(signed_in(world.moderator.user, language), notice)
    assert f'<p class="content-warning" id="content-warning">{warning}</p>' in page
    assert page.index("content-warning") < page.index("t&#x27;es nul")
    folded = page[page.index('<details class="folded-content">') :]
    assert folded.index("<summary>") < folded.index("t&#x27;es nul") < folded.index("</details>")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_ordinary_category_has_no_warning_and_its_text_is_open(world: World, language: str) -> None:
    notice = Notice.objects.get(report=make_report(world.platform, "plain"), source="article_16")  # harassment
    page = notice_page(signed_in(world.moderator.user, language), notice)
    assert "content-warning" not in page
    assert "folded-content" not in page
    assert "t&#x27;es nul" in page


# --- the counsellor's case page ------------------------------------------------------------------------


def shared_case(world: World) -> Case:
    report = make_report(world.platform, "case")
    case, _ = handoffs.share_report(
        platform=world.platform,
        report=report,
        helpline_id="fr-3018",
        given_at=clock.now(),
        text_version="fr-2026-11",
        scope=["report", "content"],
        now=clock.now(),
    )
    send_pictures(world, report)
    return case


def test_the_case_page_blurs_evidence_pictures_until_the_counsellor_turns_it_off(world: World) -> None:
    case = shared_case(world)
    client = signed_in(world.counsellor.user)
    page = client.get(reverse("console:case", kwargs={"case_id": case.pk})).content.decode()
    assert page.count(BLURRED) == 2
    src = PICTURE.findall(page)[0][0]
    assert client.get(src)["Content-Type"] == "image/jpeg"
    assert client.post(reverse("console:settings"), {"pictures": "shown"}).status_code == 302
    page = client.get(reverse("console:case", kwargs={"case_id": case.pk})).content.decode()
    assert BLURRED not in page
    assert len(PICTURE.findall(page)) == 2
    assert client.post(reverse("console:settings"), {"pictures": "never"}).status_code == 422


def test_the_counsellors_settings_speak_french_and_are_in_the_navigation(world: World) -> None:
    client = signed_in(world.counsellor.user, "fr")
    page = client.get(reverse("console:settings")).content.decode()
    assert f'href="{reverse("console:settings")}" aria-current="page"' in page
    assert "Prendre soin de vous" in page


def test_a_moderator_gets_no_picture_from_the_helpline_console(world: World) -> None:
    case = shared_case(world)
    picture = reverse("console:evidence_picture", kwargs={"case_id": case.pk, "position": 2})
    assert signed_in(world.moderator.user).get(picture).status_code == 403  # a moderator is no counsellor
    assert signed_in(world.counsellor.user).get(picture).status_code == 200
