"""Escalating a case from the helpline console, and the platform's decision coming back to the case page."""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest

from relais import clock
from relais.handoffs.models import AccessEvent
from relais.moderation import services as moderation
from relais.moderation.models import Notice, TrustedFlaggerStatus
from relais.tenants.services import add_moderator
from tests import test_console
from tests.test_console import ESCALATION, World, share, signed_in, url
from tests.test_moderation import RESTRICT

pytestmark = pytest.mark.django_db
world = test_console.world


def designate(world: World) -> None:
    world.platform.country = "IE"
    world.platform.save()
    TrustedFlaggerStatus.objects.create(
        helpline=world.helpline,
        authority="Arcom",
        awarded_in="FR",
        scope="EU",
        areas=["harassment"],
        awarded_on=date(2024, 11, 6),
        source_url="https://www.arcom.fr/",
    )


def test_a_trusted_flaggers_escalation_is_sent_logged_and_shown_waiting(world: World) -> None:
    designate(world)
    case = share(world)
    client = signed_in(world.counsellor)
    page = client.get(url("case", case)).content.decode()
    assert "trusted flagger" in page
    assert "Arcom" in page
    response = client.post(url("escalate", case), ESCALATION)
    assert (response.status_code, response["Location"]) == (302, url("case", case) + "#platform")
    notice = Notice.objects.get(case=case)
    assert (notice.source, notice.content_positions, notice.ground) == (
        "trusted_flagger",
        [0],
        "Code pénal art. 222-33-2-2",
    )
    case.refresh_from_db()
    assert case.status == "escalated"
    assert AccessEvent.objects.filter(case=case, action="escalated", actor=world.counsellor.user).exists()
    page = client.get(url("case", case)).content.decode()
    assert "Waiting for a moderator." in page
    assert "Send to the platform" not in page  # one escalation at a time


def test_without_the_status_the_counsellor_is_told_why_before_sending(world: World) -> None:
    case = share(world)
    page = signed_in(world.counsellor).get(url("case", case)).content.decode()
    assert "ordinary notice" in page
    assert "no trusted-flagger status" in page
    signed_in(world.counsellor).post(url("escalate", case), ESCALATION)
    assert Notice.objects.get(case=case).source == "other_notification"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ground": ""}, "This field is required."),
        ({"content_positions": "9"}, "Select a valid choice"),
        ({"ground_kind": "rude"}, "Select a valid choice"),
    ],
)
def test_a_bad_escalation_is_shown_next_to_the_field_and_nothing_is_sent(
    world: World, change: dict[str, Any], message: str
) -> None:
    case = share(world)
    response = signed_in(world.counsellor).post(url("escalate", case), {**ESCALATION, **change})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Notice.objects.filter(case=case).exists()


def test_a_closed_case_cannot_be_escalated(world: World) -> None:
    case = share(world)
    case.status = "closed"
    case.save()
    response = signed_in(world.counsellor).post(url("escalate", case), ESCALATION)
    assert response.status_code == 422
    assert "cannot become escalated" in response.content.decode()


def test_the_decision_and_the_redress_come_back_to_the_case(world: World, settings: Any) -> None:
    designate(world)
    case = share(world)
    client = signed_in(world.counsellor)
    client.post(url("escalate", case), ESCALATION)
    moderator = moderation.ModeratorActor.person(add_moderator(username="mo", platform=world.platform)[0])
    notice = Notice.objects.get(case=case)
    moderation.decide(actor=moderator, notice=notice, data=RESTRICT, now=clock.now() + timedelta(hours=1))
    page = client.get(url("case", case)).content.decode()
    assert "Action taken" in page
    platform_side = html.unescape(page.split('id="platform"')[1].split("</section>")[0])
    assert "The message was removed: it breaks the platform's rules (harassment)." in platform_side  # plain words
    assert "Rule applied: Community guidelines §4.2: bullying and harassment." in platform_side
    assert "DECISION_" not in platform_side
    french = client.get(url("case", case), headers={"Accept-Language": "fr"}).content.decode()
    in_french = html.unescape(french.split('id="platform"')[1].split("</section>")[0])
    told = 'Mesure prise</strong> — <span class="outcome__summary">Le message a été retiré : il enfreint les règles'
    assert told in in_french
    assert "Restricted:" not in in_french
    assert "can contest it until" in page
    assert "Send to the platform" in page  # decided: a new escalation is possible
