"""The counsellor's case page warns before the worst content, as the moderators' pages do (ADR 0028)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from relais import clock
from relais.handoffs import services as handoffs
from relais.handoffs.models import Case
from tests.test_moderation_console import World, make_report, signed_in
from tests.test_moderation_console import world as world  # the shared fixture

pytestmark = pytest.mark.django_db


def shared(w: World, ident: str, category: str) -> Case:
    report = make_report(w.platform, ident, category=category)
    case, _ = handoffs.share_report(
        platform=w.platform,
        report=report,
        helpline_id="fr-3018",
        given_at=clock.now(),
        text_version="fr-2026-11",
        scope=["report", "content"],
        now=clock.now(),
    )
    return case


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("en", "Possibly distressing content: self-harm or suicide."),
        ("fr", "Contenu possiblement choquant : automutilation ou suicide."),
    ],
)
def test_a_self_harm_case_is_announced_before_its_content(world: World, language: str, warning: str) -> None:
    case = shared(world, "sh", "self_harm")
    page = signed_in(world.counsellor.user, language).get(reverse("console:case", kwargs={"case_id": case.pk}))
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert warning in text
    assert text.index(warning) < text.index("t'es nul")


def test_an_everyday_harassment_case_carries_no_warning(world: World) -> None:
    case = shared(world, "h", "harassment")
    page = signed_in(world.counsellor.user).get(reverse("console:case", kwargs={"case_id": case.pk}))
    assert 'class="content-warning"' not in page.content.decode()
