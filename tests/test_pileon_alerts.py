"""Pile-on alerts in the helpline console (ADR 0034, addendum): the helplines the webhook reaches see a panel
on their queue — platform, count, since when, category, nothing about anyone — and mark each as handled, once,
in their access log. Another helpline's alert, or one about a platform the helpline holds no case from, does
not exist for it. An alert ends by itself one window after the pile-on was last seen going on."""

from __future__ import annotations

import html
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from relais import clock
from relais.handoffs import readable
from relais.handoffs import services as handoffs
from relais.handoffs.models import AccessEvent, Case, PileOnAlertHandled
from relais.moderation import pileons
from relais.moderation import services as moderation
from relais.moderation.models import Notice, PileOn
from relais.reports.models import Report
from relais.tenants.models import Helpline, Platform
from relais.tenants.services import add_moderator, add_platform
from tests.test_console import NOW, World, make_report, signed_in
from tests.test_console import world as world  # the shared fixture

pytestmark = pytest.mark.django_db
PANEL = re.compile(r'<section class="pileon-alerts".*?</section>', re.S)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def raid(platform: Platform, n: int, *, age: int = 14, prefix: str = "raid", category: str = "harassment") -> None:
    """`n` reports by different reporters about @bully (report_body's reported profile)."""
    for i in range(n):
        reporter = {"country": "FR", "language": "fr", "age": age, "pseudonym": f"u-{prefix}-{i}"}
        make_report(platform, ident=f"{prefix}-{i}", reporter=reporter, category=category)


def partner(platform: Platform, helpline: Helpline, ident: str = "earlier") -> Case:
    """A case shared with `helpline` from one of the platform's reports, about someone else: a partnership."""
    report = make_report(platform, ident=ident, content=[{"kind": "profile", "url": f"https://x.example/@{ident}"}])
    return share_with(platform, report, helpline)


def share_with(platform: Platform, report: Report, helpline: Helpline) -> Case:
    case, _ = handoffs.share_report(
        platform=platform,
        report=report,
        helpline_id=helpline.directory_id,
        given_at=clock.now(),
        text_version="fr-2026-11",
        scope=["report"],
        now=clock.now(),
    )
    return case


def queue_panel(client: Client) -> str:
    page = html.unescape(client.get(reverse("console:queue")).content.decode())
    found = PANEL.search(page)
    return " ".join(found.group(0).split()) if found else ""


def handled(client: Client, pileon_id: uuid.UUID | str) -> Any:
    return client.post(reverse("console:pileon_alert_handled", kwargs={"pileon_id": pileon_id}))


def at(delta: timedelta) -> datetime:
    return datetime.fromisoformat(NOW) + delta


def test_a_partner_helpline_sees_the_platform_the_count_since_when_and_the_category_and_nothing_else(
    world: World,
) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    pileon = PileOn.objects.get(minor=True)
    panel = queue_panel(signed_in(world.counsellor))
    assert "Pile-on alert" in panel
    text = re.sub(r"<[^>]+>", "", panel)
    assert (
        "Pile-on against a minor on Sunny Social: 5 reports since Wednesday 25 November 2026, 22:59 (Harassment)"
        in text
    )
    # Nothing about anyone: no account, no reporter's pseudonym, no content, no age; one id, the pile-on's.
    for personal in ("bully", "social.example", "u-raid", "nul", "14 ans", "age"):
        assert personal not in panel
    assert set(UUID.findall(panel)) == {str(pileon.pk)}
    french = Client(headers={"Accept-Language": "fr"})
    french.force_login(world.counsellor.user)
    text = re.sub(r"<[^>]+>", "", queue_panel(french))
    assert (
        "Acharnement contre un ou une mineure sur Sunny Social : 5 signalements depuis le mercredi 25 novembre 2026, "
        "22:59 (Harcèlement)"
    ) in text
    assert "Marquer comme traitée" in text


def test_the_count_grows_as_reports_join_and_is_the_webhooks_count(world: World) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    raid(world.platform, 2, prefix="later", age=30)
    [alert] = moderation.pileon_alerts_for(world.helpline, clock.now())
    assert (alert.reports, alert.platform, alert.category) == (7, "Sunny Social", "harassment")
    assert "7 reports since" in re.sub(r"<[^>]+>", "", queue_panel(signed_in(world.counsellor)))


def test_the_most_frequent_category_is_named(world: World) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 2, category="harassment")
    raid(world.platform, 3, prefix="threat", category="threat")
    [alert] = moderation.pileon_alerts_for(world.helpline, clock.now())
    assert alert.category == "threat"


def test_the_panel_and_the_webhook_select_the_same_helplines(world: World) -> None:
    """One rule (handoffs.access.partner_cases): the 3018 holds a case from Sunny Social, the 119 does not."""
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    alerted = {h for h in (world.helpline, world.other_helpline) if moderation.pileon_alerts_for(h, clock.now())}
    assert alerted == set(moderation.partner_helplines(world.platform)) == {world.helpline}
    partner(world.platform, world.other_helpline, ident="for-119")  # the 119 becomes a partner: it sees it too
    assert moderation.pileon_alerts_for(world.other_helpline, clock.now())
    assert set(moderation.partner_helplines(world.platform)) == {world.helpline, world.other_helpline}


def test_another_helplines_alert_and_another_platforms_are_never_shown_and_a_404_to_act_on(world: World) -> None:
    other_platform, _ = add_platform(name="Other Place")
    partner(world.platform, world.helpline)
    partner(other_platform, world.other_helpline, ident="other")  # the 119 works with Other Place only
    raid(world.platform, 5)
    raid(other_platform, 5, prefix="there")
    mine = PileOn.objects.get(platform=world.platform)
    theirs = PileOn.objects.get(platform=other_platform)
    assert [a.pileon_id for a in moderation.pileon_alerts_for(world.helpline, clock.now())] == [mine.pk]
    assert [a.pileon_id for a in moderation.pileon_alerts_for(world.other_helpline, clock.now())] == [theirs.pk]
    counsellor = signed_in(world.counsellor)
    assert "Other Place" not in queue_panel(counsellor)
    for foreign in (theirs.pk, uuid.uuid4()):
        assert handled(counsellor, foreign).status_code == 404
    assert handled(signed_in(world.stranger), mine.pk).status_code == 404
    assert not PileOnAlertHandled.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.PILEON_ALERT_HANDLED).exists()


def test_a_pile_on_reported_by_adults_is_no_alert(world: World) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 5, age=30)
    pileon = PileOn.objects.get()
    assert not pileon.minor
    assert moderation.pileon_alerts_for(world.helpline, clock.now()) == []
    assert queue_panel(signed_in(world.counsellor)) == ""
    assert handled(signed_in(world.counsellor), pileon.pk).status_code == 404


def test_marking_handled_is_once_per_helpline_logged_and_idempotent(world: World) -> None:
    partner(world.platform, world.helpline)
    partner(world.platform, world.other_helpline, ident="for-119")
    raid(world.platform, 5)
    pileon = PileOn.objects.get()
    counsellor = signed_in(world.counsellor)
    done = handled(counsellor, pileon.pk)
    assert (done.status_code, done["Location"]) == (302, reverse("console:queue"))
    again = handled(signed_in(world.supervisor), pileon.pk)  # a colleague, a second tab: nothing more
    assert again.status_code == 302
    [mark] = PileOnAlertHandled.objects.all()
    assert (mark.helpline, mark.handled_by, mark.handled_by_label) == (world.helpline, world.counsellor.user, "Camille")
    [event] = AccessEvent.objects.filter(action=AccessEvent.Action.PILEON_ALERT_HANDLED)
    assert (event.case, event.helpline, event.actor, event.actor_label) == (
        None,
        world.helpline,
        world.counsellor.user,
        "Camille",
    )
    assert event.detail == f"pile-on {pileon.pk} on Sunny Social"
    assert readable.access_event_words(event.action, event.detail) == (
        "marked as handled the alert of a pile-on against a minor on Sunny Social"
    )
    page = html.unescape(counsellor.get(reverse("console:queue")).content.decode())
    assert "Alert marked as handled." in page
    log = re.sub(r"<[^>]+>", "", page[page.index('id="helpline-log"') :])
    assert "Camille marked as handled the alert of a pile-on against a minor on Sunny Social" in " ".join(log.split())
    assert 'id="helpline-log"' not in signed_in(world.stranger).get(reverse("console:queue")).content.decode()
    assert queue_panel(counsellor) == ""
    # The 119 has not handled it: it is still on its panel.
    assert [a.pileon_id for a in moderation.pileon_alerts_for(world.other_helpline, clock.now())] == [pileon.pk]


def test_the_access_log_says_it_in_french(world: World) -> None:
    from django.utils import translation

    with translation.override("fr"):
        words = readable.access_event_words("pileon_handled", f"pile-on {uuid.uuid4()} on Sunny Social")
    expected = "a marqué comme traitée l’alerte d’un acharnement contre un ou une mineure sur Sunny Social"  # noqa: RUF001 - French typography
    assert words == expected


def test_marking_needs_a_post_and_its_csrf_token(world: World) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    pileon = PileOn.objects.get()
    client = signed_in(world.counsellor)
    url = reverse("console:pileon_alert_handled", kwargs={"pileon_id": pileon.pk})
    assert client.get(url).status_code == 405
    strict = signed_in(world.counsellor, enforce_csrf_checks=True)
    assert strict.post(url).status_code == 403
    assert not PileOnAlertHandled.objects.exists()


def test_an_alert_ends_one_window_after_the_latest_report(world: World, settings: Any) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    [alert] = moderation.pileon_alerts_for(world.helpline, clock.now())
    assert alert.ends_at == at(timedelta(hours=24))
    assert moderation.pileon_alerts_for(world.helpline, at(timedelta(hours=23, minutes=59)))
    assert moderation.pileon_alerts_for(world.helpline, at(timedelta(hours=24))) == []
    # A report twelve hours later: the raid goes on, and so does the alert.
    settings.RELAIS_FAKE_NOW = at(timedelta(hours=12)).isoformat()
    raid(world.platform, 1, prefix="next-day")
    [alert] = moderation.pileon_alerts_for(world.helpline, at(timedelta(hours=30)))
    assert (alert.reports, alert.ends_at) == (6, at(timedelta(hours=36)))
    assert moderation.pileon_alerts_for(world.helpline, at(timedelta(hours=36))) == []


def test_a_platform_with_its_own_window_ends_its_alerts_sooner(world: World, settings: Any) -> None:
    settings.RELAIS_PILEON_PLATFORMS = {world.platform.slug: (5, 6)}
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    assert moderation.pileon_alerts_for(world.helpline, at(timedelta(hours=5)))
    assert moderation.pileon_alerts_for(world.helpline, at(timedelta(hours=6))) == []


def test_a_pile_on_the_platform_has_decided_stays_one_window_then_ends(world: World, settings: Any) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    pileon = PileOn.objects.get()
    settings.RELAIS_FAKE_NOW = at(timedelta(hours=2)).isoformat()
    moderator = moderation.ModeratorActor.person(add_moderator(username="ines", platform=world.platform)[0])
    moderation.bulk_close(
        actor=moderator, notices=list(Notice.objects.filter(pileon=pileon)), note="Handled.", now=clock.now()
    )
    pileon.refresh_from_db()
    assert pileon.closed_at == at(timedelta(hours=2))
    [alert] = moderation.pileon_alerts_for(world.helpline, clock.now())
    assert (alert.closed_at, alert.reports, alert.ends_at) == (pileon.closed_at, 0, at(timedelta(hours=26)))
    text = re.sub(r"<[^>]+>", "", queue_panel(signed_in(world.counsellor)))
    assert "Pile-on against a minor on Sunny Social: reports since" in text
    assert "all decided by the platform on" in text
    assert moderation.pileon_alerts_for(world.helpline, at(timedelta(hours=26))) == []


def test_an_alert_is_read_in_three_queries_whatever_the_number(
    world: World, django_assert_max_num_queries: Any
) -> None:
    partner(world.platform, world.helpline)
    raid(world.platform, 5)
    raid(world.platform, 5, prefix="b")  # the same target: the same pile-on, now 10
    other = make_report(world.platform, ident="x", content=[{"kind": "profile", "url": "https://y.example/@z"}])
    del other
    for i in range(5):
        reporter = {"country": "FR", "language": "fr", "age": 13, "pseudonym": f"u-c-{i}"}
        make_report(
            world.platform,
            ident=f"c-{i}",
            reporter=reporter,
            content=[{"kind": "profile", "url": "https://y.example/@c"}],
        )
    with django_assert_max_num_queries(3):
        alerts = moderation.pileon_alerts_for(world.helpline, clock.now())
    assert sorted(a.reports for a in alerts) == [5, 10]


def test_alert_ends_at_is_one_window_after_it_was_last_seen() -> None:
    rule = pileons.Rule(reports=5, window=timedelta(hours=24))
    last = datetime.fromisoformat("2026-11-25T22:00:00+01:00")
    assert pileons.alert_ends_at(last, rule) == datetime.fromisoformat("2026-11-26T22:00:00+01:00")
