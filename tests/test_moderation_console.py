"""The moderation console over HTTP: Django's test client against the real URL conf, database and services.

A platform's moderators see its notices in priority order, claim one, decide it with a statement of reasons
(or see every problem named next to its field, with nothing written), and decide appeals against a
colleague's decision. Every page is walled: anonymous, another platform's moderator, a helpline's staff
and an account with no role get a sign-in, a 404 or a "no access" page — never a 500 and never a notice.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from relais import clock
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.handoffs import services as handoffs
from relais.handoffs.models import Case
from relais.moderation import services
from relais.moderation.models import (
    Appeal,
    Decision,
    Notice,
    NoticeStatus,
    NotifierStanding,
    TransparencyAccount,
    TrustedFlaggerStatus,
)
from relais.reports.models import Report
from relais.reports.schemas import ReportIn
from relais.reports.services import receive_report
from relais.tenants.models import Helpline, Moderator, Platform, StaffMember
from relais.tenants.services import add_helpline, add_moderator, add_platform, add_staff
from tests.test_api import report_body
from tests.test_moderation import arcom_designates

PASSWORD = "a long moderator passphrase"
NOW = "2026-11-25T21:00:00+00:00"
pytestmark = pytest.mark.django_db


REMOVED = services.DecisionInput(
    outcome="restricted",
    facts="Insults.",
    terms_ground="§4.2",
    explanation="Harassment.",
    category="STATEMENT_CATEGORY_CYBER_VIOLENCE",
    visibility=("DECISION_VISIBILITY_CONTENT_REMOVED",),
)
"""A short restriction, for the pages that show a decision rather than test its statement."""


@dataclass
class World:
    platform: Platform
    other_platform: Platform
    helpline: Helpline
    counsellor: StaffMember
    moderator: Moderator
    colleague: Moderator
    lead: Moderator
    stranger: Moderator
    """A moderator of the other platform."""
    nobody: User
    """An account with no role anywhere."""


@pytest.fixture
def world(db: None, settings: Any) -> World:
    settings.RELAIS_FAKE_NOW = NOW
    platform, _ = add_platform(name="Sunny Social", country="IE")
    other, _ = add_platform(name="Other Social", country="IE")
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    arcom_designates(helpline)
    counsellor, _ = add_staff(username="camille", helpline=helpline, password=PASSWORD)
    moderator, _ = add_moderator(username="alex", platform=platform, password=PASSWORD)
    User.objects.filter(pk=moderator.user.pk).update(first_name="Alex")
    moderator.refresh_from_db()
    colleague, _ = add_moderator(username="bea", platform=platform, password=PASSWORD)
    lead, _ = add_moderator(username="lee", platform=platform, role="lead", password=PASSWORD)
    stranger, _ = add_moderator(username="sam", platform=other, password=PASSWORD)
    nobody = User.objects.create_user(username="nobody", password=PASSWORD)
    return World(platform, other, helpline, counsellor, moderator, colleague, lead, stranger, nobody)


def make_report(platform: Platform, ident: str, *, received_at: datetime | None = None, **overrides: Any) -> Report:
    body = report_body(platform_report_id=ident, **overrides)
    body["reporter"] = {**body["reporter"], "pseudonym": f"u-{ident}"}
    data = ReportIn.model_validate(body)
    at = received_at or clock.now()
    card = current().cards.card_json(
        HelpRequest(
            country="FR", language="fr", category=data.category, danger=data.danger, age=14, timezone="Europe/Paris"
        ),
        at,
    )
    report, _ = receive_report(platform=platform, data=data, help_card=card, received_at=at)
    return report


def escalated(world: World, ident: str = "esc") -> Notice:
    """A report shared with the 3018, then escalated by its counsellor: a trusted flagger's notice."""
    report = make_report(world.platform, ident)
    case, _ = handoffs.share_report(
        platform=world.platform,
        report=report,
        helpline_id="fr-3018",
        given_at=clock.now(),
        text_version="fr-2026-11",
        scope=["report", "content"],
        now=clock.now(),
    )
    return services.escalate(
        actor=handoffs.Actor.staff(world.counsellor),
        case=case,
        escalation=services.Escalation(
            category="harassment",
            ground_kind="incompatible",
            ground="Community guidelines §4.2: bullying and harassment",
            explanation="Daily insults to a 14-year-old since September.",
            content_positions=(0,),
            urgent=False,
        ),
        now=clock.now(),
    )


def ordinary(world: World, ident: str = "r1", **overrides: Any) -> Notice:
    return Notice.objects.get(report=make_report(world.platform, ident, **overrides), source="article_16")


def signed_in(user: User, language: str = "en", **options: Any) -> Client:
    client = Client(headers={"Accept-Language": language}, **options)
    client.force_login(user)
    return client


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"moderation:{name}", kwargs=kwargs or None)


RESTRICT: dict[str, Any] = {
    "outcome": "restricted",
    "visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "account": "DECISION_ACCOUNT_SUSPENDED",
    "end_account": "2026-12-25",
    "account_type": "ACCOUNT_TYPE_PRIVATE",
    "ground": "incompatible",
    "terms_ground": "Community guidelines §4.2: bullying and harassment",
    "explanation": "Repeated degrading messages aimed at a minor are harassment under §4.2.",
    "facts": "Messages insulting a minor every day for three weeks, sent from one account.",
    "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "keywords": ["KEYWORD_CYBER_HARASSMENT"],
    "category_additions": ["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"],
    "territory_all": "on",
    "content_types": ["CONTENT_TYPE_TEXT"],
    "content_language": "FR",
    "automated_decision": "not_automated",
    "application_date": "2026-11-25",
    "summary": "",
}
NO_ACTION: dict[str, Any] = {
    "outcome": "no_action",
    "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "automated_decision": "not_automated",
    "facts": "Banter between friends, both sides joking.",
    "manifestly_unfounded": "on",
}


def rendered_order(page: str) -> list[str]:
    return re.findall(r'data-notice-id="([0-9a-f-]+)"', page)


def row_of(page: str, notice: Notice) -> str:
    """A queue row's HTML: from its notice id to the next row, or the end of the list."""
    row = page[page.index(f'data-notice-id="{notice.pk}"') :]
    ends = [i for i in (row.find("data-notice-id=", 1), row.find("</ol>")) if i > 0]
    return row[: min(ends)]


# --- the queue ---------------------------------------------------------------------------------------


def test_an_escalation_tops_the_queue_above_an_older_ordinary_report(world: World, settings: Any) -> None:
    older = ordinary(world, "older", received_at=clock.now() - timedelta(hours=20), category="self_harm")
    notice = escalated(world)
    reporters_own = Notice.objects.get(report=notice.report, source="article_16")
    settings.RELAIS_FAKE_NOW = "2026-11-25T23:00:00+00:00"
    response = signed_in(world.moderator.user).get(url("queue"))
    assert response.status_code == 200
    page = response.content.decode()
    # One row per reported content: the reporter's own notice goes with the escalation of the same report.
    assert rendered_order(page) == [str(notice.pk), str(older.pk)]
    first = row_of(page, notice)
    assert "2 notices about this content" in first
    assert "user u-esc" in first  # who sent the other one: the reporter
    assert "“t&#x27;es nul, personne ne t&#x27;aime”" in first  # the reported text's start
    assert str(reporters_own.pk) not in page
    assert "Trusted flagger" in first
    assert "3018 (e-Enfance)" in first
    assert "due in 22 h" in first
    # The due time is in the platform's zone (Europe/Paris by default), with an ISO instant for machines.
    assert '<time datetime="2026-11-26T21:00:00+00:00">' in first
    assert "no decided notice yet" in first
    assert "not claimed" in first
    older_row = row_of(page, older)
    assert "overdue by" not in older_row  # 20 h of 72: still in time
    assert "about this content" not in older_row  # a notice alone says nothing of groups


@pytest.mark.parametrize(
    ("language", "count", "applies", "recorded", "busy"),
    [
        (
            "en",
            "2 notices about this content",
            "This decision applies to the 2 notices about the same content.",
            "Decision recorded for the 2 notices about this content.",
            "Nothing was decided: bea is working on another notice about this content.",
        ),
        (
            "fr",
            "2 notifications sur ce contenu",
            "Cette décision vaut pour les 2 notifications sur le même contenu.",
            "Décision enregistrée pour les 2 notifications sur ce contenu.",
            "Rien n&#x27;a été décidé : bea traite une autre notification sur ce contenu.",
        ),
    ],
)
def test_one_row_per_content_says_how_many_notices_and_the_form_decides_them_all(
    world: World, language: str, count: str, applies: str, recorded: str, busy: str
) -> None:
    notice = escalated(world)
    reporters_own = Notice.objects.get(report=notice.report, source="article_16")
    client = signed_in(world.moderator.user, language=language)
    row = row_of(client.get(url("queue")).content.decode(), notice)
    assert count in row
    assert "“t&#x27;es nul, personne ne t&#x27;aime”" in row
    page = client.get(url("notice", notice_id=notice.pk)).content.decode()
    assert applies in page
    assert url("notice", notice_id=reporters_own.pk) in page
    # A colleague holds the other notice: nothing is decided, and the moderator is told who.
    services.claim(actor=services.ModeratorActor.person(world.colleague), notice=reporters_own, now=clock.now())
    refused = client.post(url("decide", notice_id=notice.pk), RESTRICT)
    assert refused.status_code == 422
    assert busy in refused.content.decode()
    assert not Decision.objects.exists()
    services.release(actor=services.ModeratorActor.person(world.colleague), notice=reporters_own)
    done = client.post(url("decide", notice_id=notice.pk), RESTRICT, follow=True).content.decode()
    assert recorded in done
    assert set(Decision.objects.values_list("notice_id", flat=True)) == {notice.pk, reporters_own.pk}
    assert rendered_order(client.get(url("queue")).content.decode()) == []


def test_an_overdue_notice_says_by_how_much_and_the_record_counts_unfounded_notices(world: World) -> None:
    first = ordinary(world, "a")
    services.decide(
        actor=services.ModeratorActor.person(world.moderator),
        notice=first,
        data=services.DecisionInput(outcome="no_action", facts="Nothing there.", manifestly_unfounded=True),
        now=clock.now(),
    )
    # The same reporter again (the pseudonym is the notifier), urgent, three hours ago: overdue by 2 h.
    again = make_report(world.platform, "a2", received_at=clock.now() - timedelta(hours=3), danger="immediate")
    Report.objects.filter(pk=again.pk).update(reporter_pseudonym="u-a")
    Notice.objects.filter(report=again).update(notifier="reporter:u-a")
    page = signed_in(world.moderator.user).get(url("queue")).content.decode()
    assert "overdue by 2 h" in page
    assert "Immediate danger" in page
    assert "1 of 1 decided notice manifestly unfounded" in page


def test_decided_and_suspended_notices_are_on_their_own_page(world: World) -> None:
    decided = ordinary(world, "d")
    services.decide(
        actor=services.ModeratorActor.person(world.moderator),
        notice=decided,
        data=services.DecisionInput(outcome="no_action", facts="Nothing there."),
        now=clock.now(),
    )
    suspended = ordinary(world, "s")
    Notice.objects.filter(pk=suspended.pk).update(status=NoticeStatus.SUSPENDED)
    client = signed_in(world.moderator.user)
    assert rendered_order(client.get(url("queue")).content.decode()) == []
    page = client.get(url("decided")).content.decode()
    assert rendered_order(page) == [str(decided.pk)]
    assert "No action" in page
    assert url("notice", notice_id=suspended.pk) in page


# --- claiming -----------------------------------------------------------------------------------------


def test_claim_then_a_colleague_is_told_who_works_on_it_and_a_lead_can_take_it_over(world: World) -> None:
    notice = escalated(world)
    client = signed_in(world.moderator.user)
    response = client.post(url("claim", notice_id=notice.pk))
    assert response.status_code == 302
    assert response["Location"].endswith("#work")
    notice.refresh_from_db()
    assert (notice.status, notice.claimed_by, notice.claimed_label) == ("claimed", world.moderator.user, "Alex")
    assert "You claimed this notice" in client.get(url("notice", notice_id=notice.pk)).content.decode()
    assert "claimed by Alex" in client.get(url("queue")).content.decode()

    colleague = signed_in(world.colleague.user)
    page = colleague.post(url("claim", notice_id=notice.pk), follow=True).content.decode()
    assert "Alex is working on this notice." in page
    assert "Release it" not in page
    refused = colleague.post(url("decide", notice_id=notice.pk), NO_ACTION)
    assert refused.status_code == 422
    assert "Alex is working on this notice." in refused.content.decode()
    assert colleague.post(url("release", notice_id=notice.pk), follow=True).status_code == 200
    notice.refresh_from_db()
    assert notice.claimed_by == world.moderator.user

    lead = signed_in(world.lead.user)
    assert "Take it over (lead)" in lead.get(url("notice", notice_id=notice.pk)).content.decode()
    lead.post(url("claim", notice_id=notice.pk))
    notice.refresh_from_db()
    assert notice.claimed_by == world.lead.user
    lead.post(url("release", notice_id=notice.pk))
    notice.refresh_from_db()
    assert notice.status == "open"
    assert notice.claimed_by_id is None


# --- deciding -----------------------------------------------------------------------------------------


def test_the_form_comes_pre_filled_from_the_notice(world: World) -> None:
    notice = escalated(world)
    page = signed_in(world.moderator.user).get(url("notice", notice_id=notice.pk)).content.decode()
    assert re.search(r'value="STATEMENT_CATEGORY_CYBER_VIOLENCE"[^>]*selected', page)
    assert re.search(r'value="KEYWORD_CYBER_HARASSMENT"[^>]*checked', page)
    assert re.search(r'value="STATEMENT_CATEGORY_PROTECTION_OF_MINORS"[^>]*checked', page)  # the reporter is 14
    assert re.search(r'name="terms_ground"[^>]*value="Community guidelines §4.2', page)
    assert re.search(r'value="incompatible"[^>]*checked', page)
    assert re.search(r'value="FR"[^>]*checked', page)  # the reporter's country
    assert "Daily insults to a 14-year-old since September." in page
    assert "named in the notice" in page
    assert "without any personal data" in page  # the facts' help text


def test_a_valid_decision_writes_the_decision_and_its_statement(world: World) -> None:
    notice = escalated(world)
    client = signed_in(world.moderator.user)
    client.post(url("claim", notice_id=notice.pk))
    response = client.post(url("decide", notice_id=notice.pk), RESTRICT)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].endswith("#decision")
    decision = Decision.objects.get(notice=notice)
    assert decision.outcome == "restricted"
    assert decision.moderator == world.moderator.user
    statement = decision.statement
    assert statement is not None
    assert statement["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert statement["incompatible_content_ground"] == RESTRICT["terms_ground"]
    assert statement["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert statement["end_date_account_restriction"] == "2026-12-25"
    assert len(statement["territorial_scope"]) == 30  # "the whole EU and EEA"
    page = client.get(response["Location"]).content.decode()
    # The reporter's own notice about the same content is decided with it, with its own statement.
    assert "Decision recorded for the 2 notices about this content." in page
    reporters = Decision.objects.get(notice__report=notice.report, notice__source="article_16")
    assert (reporters.outcome, (reporters.statement or {}).get("source_type")) == ("restricted", "SOURCE_ARTICLE_16")
    assert "Appeals accepted until" in page
    assert '<time datetime="2027-05-25T21:59:59.999999+00:00">' in page  # end of the day in Paris (summer)
    assert "&quot;puid&quot;: &quot;relais-" in page  # the statement, as pretty JSON
    assert 'name="outcome"' not in page  # no second decision
    again = client.post(url("decide", notice_id=notice.pk), RESTRICT)
    assert again.status_code == 422
    assert "decided already" in again.content.decode()
    assert Decision.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        # What the Transparency Database would refuse, named next to the field a moderator can fix.
        (
            {"visibility": [], "account": "", "end_account": "", "terms_ground": ""},
            {"visibility": "Choose at least one restriction", "terms_ground": "requires this field"},
        ),
        ({"facts": ""}, {"facts": "requires this field"}),
        ({"content_types": []}, {"content_types": "requires this field"}),
        ({"ground": "illegal"}, {"legal_ground": "requires this field"}),
        # What the form itself refuses.
        ({"end_account": "2026-11-01"}, {"end_account": "before the date the restriction is applied"}),
        ({"end_visibility": "2026-12-01", "visibility": []}, {"end_visibility": "Choose this restriction first"}),
        ({"application_date": "25/11/2026"}, {"application_date": "Enter a valid date"}),
        ({"category": "STATEMENT_CATEGORY_GOSSIP"}, {"category": "Select a valid choice"}),
        ({"manifestly_unfounded": "on"}, {"manifestly_unfounded": "cannot be manifestly unfounded"}),
        ({"outcome": ""}, {"outcome": "This field is required"}),
    ],
)
def test_an_invalid_decision_names_each_field_and_writes_nothing(
    world: World, change: dict[str, Any], fields: dict[str, str]
) -> None:
    notice = escalated(world)
    response = signed_in(world.moderator.user).post(url("decide", notice_id=notice.pk), {**RESTRICT, **change})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-summary"' in page
    for field, message in fields.items():
        error = re.search(rf'<p class="field-error" id="id_{field}_error">([^<]*)</p>', page)
        assert error is not None, (field, page)
        assert message in error.group(1)
        assert re.search(rf'<a href="#id_{field}(_0)?">[^<]*{re.escape(message)}', page), field
    assert not Decision.objects.exists()
    notice.refresh_from_db()
    assert notice.status == "open"
    # What was typed stays in the form.
    assert RESTRICT["explanation"] in page


GARBAGE: dict[str, Any] = {
    "outcome": "obliterate",
    "visibility": ["DECISION_VISIBILITY_VAPORISED"],
    "monetary": "DECISION_MONETARY_FINE",
    "provision": "x",
    "account": "DECISION_ACCOUNT_BANISHED",
    "account_type": "ACCOUNT_TYPE_ROBOT",
    "ground": "vibes",
    "also_illegal": "maybe",
    "reference_url": "not a url",
    "category": "",
    "category_additions": ["STATEMENT_CATEGORY_GOSSIP"],
    "keywords": ["KEYWORD_RUDE"],
    "territorial_scope": ["XX"],
    "content_types": ["CONTENT_TYPE_SMELL"],
    "content_language": "KL",
    "automated_decision": "robot",
    "application_date": "2026-13-45",
    "end_visibility": "yesterday",
    "explanation": "x" * 2001,
    "summary": "y" * 501,
}


def test_garbage_in_every_field_is_named_field_by_field_never_a_500(world: World) -> None:
    notice = escalated(world)
    response = signed_in(world.moderator.user).post(url("decide", notice_id=notice.pk), GARBAGE)
    assert response.status_code == 422
    page = response.content.decode()
    for field in GARBAGE:
        assert f'id="id_{field}_error"' in page, field
    assert not Decision.objects.exists()


def test_a_notice_whose_report_was_purged_still_opens_and_can_be_decided(world: World) -> None:
    notice = ordinary(world)
    assert notice.report is not None
    notice.report.delete()
    client = signed_in(world.moderator.user)
    page = client.get(url("notice", notice_id=notice.pk)).content.decode()
    assert "The report was deleted under the retention rules" in page
    assert client.post(url("decide", notice_id=notice.pk), {**NO_ACTION, "manifestly_unfounded": ""}).status_code == 302


def test_the_errors_speak_french(world: World) -> None:
    notice = escalated(world)
    client = signed_in(world.moderator.user, language="fr")
    page = client.post(url("decide", notice_id=notice.pk), {**RESTRICT, "facts": ""}).content.decode()
    assert "La base de données de transparence exige ce champ." in page
    assert 'lang="fr"' in page


def test_no_action_needs_a_reason_and_a_manifestly_unfounded_notice_counts(world: World) -> None:
    notice = ordinary(world)
    client = signed_in(world.moderator.user)
    refused = client.post(url("decide", notice_id=notice.pk), {**NO_ACTION, "facts": "", "summary": ""})
    assert refused.status_code == 422
    assert re.search(r'id="id_facts_error">Say briefly why no action is taken', refused.content.decode())
    assert client.post(url("decide", notice_id=notice.pk), NO_ACTION).status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.statement, decision.manifestly_unfounded) == ("no_action", None, True)
    assert "manifestly unfounded" in client.get(url("notice", notice_id=notice.pk)).content.decode()


def test_a_suspended_notifiers_notice_shows_no_form(world: World) -> None:
    NotifierStanding.objects.create(
        platform=world.platform,
        notifier="reporter:u-late",
        suspended_until=clock.now() + timedelta(days=30),
        warned_at=clock.now() - timedelta(days=3),
    )
    notice = ordinary(world, "late")
    assert notice.status == "suspended"
    client = signed_in(world.moderator.user)
    page = client.get(url("notice", notice_id=notice.pk)).content.decode()
    assert 'name="outcome"' not in page
    assert "not processed" in page
    assert "warned on" in page
    assert "suspended until" in page
    assert client.post(url("decide", notice_id=notice.pk), NO_ACTION).status_code == 422
    claimed = client.post(url("claim", notice_id=notice.pk), follow=True).content.decode()
    assert "suspended for misuse" in claimed


# --- appeals ------------------------------------------------------------------------------------------


def decided_by(world: World, moderator: Moderator, data: services.DecisionInput | None = None) -> Decision:
    notice = ordinary(world, f"for-{moderator.user.username}")
    return services.decide(
        actor=services.ModeratorActor.person(moderator),
        notice=notice,
        data=data or services.DecisionInput(outcome="no_action", facts="Nothing there."),
        now=clock.now(),
    )


def test_an_appeal_is_decided_by_another_moderator_not_the_first(world: World) -> None:
    decision = decided_by(world, world.moderator)
    appeal = services.appeal(decision=decision, appellant="reporter", reason="It is still going on.", now=clock.now())
    first = signed_in(world.moderator.user)
    listing = first.get(url("appeals")).content.decode()
    assert f'data-appeal-id="{appeal.pk}"' in listing
    assert "It is still going on." in first.get(url("appeal", appeal_id=appeal.pk)).content.decode()
    refused = first.post(url("appeal", appeal_id=appeal.pk), {"reverse": "uphold", "explanation": "Still banter."})
    assert refused.status_code == 422
    assert "another moderator must decide the appeal" in refused.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "open"

    second = signed_in(world.colleague.user)
    response = second.post(url("appeal", appeal_id=appeal.pk), {"reverse": "uphold", "explanation": "Banter."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == ("upheld", world.colleague.user)
    assert "Appeal decided: decision upheld." in second.get(response["Location"]).content.decode()


def test_reversing_no_action_needs_the_restriction_and_records_it(world: World) -> None:
    decision = decided_by(world, world.moderator)
    appeal = services.appeal(decision=decision, appellant="reporter", reason="It is harassment.", now=clock.now())
    client = signed_in(world.colleague.user)
    assert "When you reverse: the restriction" in client.get(url("appeal", appeal_id=appeal.pk)).content.decode()
    restriction = {f"new-{k}": v for k, v in RESTRICT.items() if k != "outcome"}
    missing = {**restriction, "new-visibility": [], "new-account": "", "new-end_account": ""}
    refused = client.post(
        url("appeal", appeal_id=appeal.pk), {"reverse": "reverse", "explanation": "On a second look.", **missing}
    )
    assert refused.status_code == 422
    assert re.search(r'id="id_new-visibility_error">Choose at least one restriction', refused.content.decode())
    assert Decision.objects.count() == 1
    response = client.post(
        url("appeal", appeal_id=appeal.pk), {"reverse": "reverse", "explanation": "On a second look.", **restriction}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.reversed_by is not None
    assert decision.reversed_by.outcome == "restricted"
    assert decision.reversed_by.on_appeal == appeal
    page = client.get(url("notice", notice_id=decision.notice_id)).content.decode()
    assert "Reversed on appeal" in page
    assert "Decided on appeal" in page


def test_a_garbled_appeal_decision_is_named_not_a_500(world: World) -> None:
    decision = decided_by(world, world.moderator)
    appeal = services.appeal(decision=decision, appellant="reporter", reason="Why?", now=clock.now())
    client = signed_in(world.colleague.user)
    response = client.post(url("appeal", appeal_id=appeal.pk), {"reverse": "shrug", "explanation": "z" * 5001})
    assert response.status_code == 422
    assert 'id="id_reverse_error"' in response.content.decode()
    assert 'id="id_explanation_error"' in response.content.decode()
    assert (
        client.post(url("appeal", appeal_id=appeal.pk), {"reverse": "uphold", "explanation": "Fine."}).status_code
        == 302
    )
    again = client.post(url("appeal", appeal_id=appeal.pk), {"reverse": "reverse", "explanation": "Changed my mind."})
    assert again.status_code == 422
    assert "This appeal is decided already." in again.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "upheld"


def test_reversing_a_restriction_lifts_it_without_a_form(world: World) -> None:
    decision = decided_by(
        world,
        world.moderator,
        REMOVED,
    )
    appeal = services.appeal(decision=decision, appellant="affected_user", reason="A joke.", now=clock.now())
    client = signed_in(world.lead.user)
    assert "Reversing a restriction lifts it" in client.get(url("appeal", appeal_id=appeal.pk)).content.decode()
    no_reason = client.post(url("appeal", appeal_id=appeal.pk), {"reverse": "reverse", "explanation": ""})
    assert no_reason.status_code == 422
    assert re.search(r'id="id_explanation_error">', no_reason.content.decode())
    client.post(url("appeal", appeal_id=appeal.pk), {"reverse": "reverse", "explanation": "It was a joke."})
    decision.refresh_from_db()
    assert decision.reversed_by is not None
    assert decision.reversed_by.outcome == "no_action"


# --- statements ---------------------------------------------------------------------------------------


def test_the_statements_page_says_where_each_statement_stands(world: World) -> None:
    actor = services.ModeratorActor.person(world.moderator)
    export = services.decide(actor=actor, notice=ordinary(world, "e"), data=REMOVED, now=clock.now())
    client = signed_in(world.moderator.user)
    page = client.get(url("statements")).content.decode()
    assert "No Transparency Database account" in page
    assert "Export only" in page
    TransparencyAccount.objects.create(platform=world.platform, token="t", base_url="https://tdb.example")
    done, due, failed = (
        services.decide(actor=actor, notice=ordinary(world, ident), data=REMOVED, now=clock.now())
        for ident in ("ok", "due", "ko")
    )
    Decision.objects.filter(pk=done.pk).update(submitted_at=clock.now(), submission_due_at=None)
    Decision.objects.filter(pk=failed.pk).update(submission_attempts=3, submission_error="HTTP 422: puid taken")
    page = client.get(url("statements")).content.decode()
    assert "https://tdb.example" in page
    found = {puid: state for state, puid in re.findall(r'statement-row--(\w+)" data-puid="([\w-]+)"', page)}
    assert found == {export.puid: "export", done.puid: "submitted", due.puid: "due", failed.puid: "failed"}
    assert "HTTP 422: puid taken" in page
    assert "3 attempts" in page


# --- walls --------------------------------------------------------------------------------------------


def every_page(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    """Every console URL with a real object of `world.platform` behind it: (method, url, data)."""
    notice = escalated(world, "wall")
    decision = decided_by(world, world.colleague)
    appeal = services.appeal(decision=decision, appellant="reporter", reason="Why?", now=clock.now())
    return [
        ("get", url("queue"), {}),
        ("get", url("decided"), {}),
        ("get", url("appeals"), {}),
        ("get", url("statements"), {}),
        ("get", url("notice", notice_id=notice.pk), {}),
        ("post", url("claim", notice_id=notice.pk), {}),
        ("post", url("release", notice_id=notice.pk), {}),
        ("post", url("decide", notice_id=notice.pk), RESTRICT),
        ("get", url("appeal", appeal_id=appeal.pk), {}),
        ("post", url("appeal", appeal_id=appeal.pk), {"reverse": "uphold", "explanation": "x"}),
    ]


@pytest.mark.parametrize("visitor", ["anonymous", "other platform's moderator", "helpline staff", "no role"])
def test_no_page_shows_anything_to_anyone_outside_the_platform(world: World, visitor: str) -> None:
    pages = every_page(world)
    users = {
        "other platform's moderator": world.stranger.user,
        "helpline staff": world.counsellor.user,
        "no role": world.nobody,
    }
    client = Client() if visitor == "anonymous" else signed_in(users[visitor])
    lists = {url("queue"), url("decided"), url("appeals"), url("statements")}
    for method, address, data in pages:
        response = getattr(client, method)(address, data)
        if visitor == "anonymous":
            assert response.status_code == 302, address
            assert response["Location"].startswith(f"{url('login')}?next="), address
        elif visitor == "other platform's moderator":
            # Their own (empty) lists; anything of this platform is a 404, as a missing id is.
            assert response.status_code == (200 if address in lists else 404), address
        else:
            assert response.status_code == 403, address
            assert "no access to a moderation console" in response.content.decode(), address
        body = response.content.decode()
        assert "Daily insults" not in body, address
        assert "Sunny Social" not in body, address
    assert Decision.objects.count() == 1  # the colleague's, made in set-up; nothing decided through the wall
    assert Appeal.objects.get().status == "open"
    assert not Notice.objects.filter(status="claimed").exists()


def test_a_foreign_or_malformed_id_is_a_404(world: World) -> None:
    client = signed_in(world.moderator.user)
    foreign = Notice.objects.get(report=make_report(world.other_platform, "theirs"))
    assert client.get(url("notice", notice_id=foreign.pk)).status_code == 404
    assert client.get("/moderation/notices/not-a-uuid/").status_code == 404
    assert client.get(url("appeal", appeal_id=foreign.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [("claim", {}), ("release", {}), ("decide", NO_ACTION)],
)
def test_every_form_needs_its_csrf_token(world: World, name: str, data: dict[str, Any]) -> None:
    notice = ordinary(world)
    client = signed_in(world.moderator.user, enforce_csrf_checks=True)
    assert client.post(url(name, notice_id=notice.pk), data).status_code == 403
    notice.refresh_from_db()
    assert notice.status == "open"
    page = client.get(url("notice", notice_id=notice.pk)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert (
        client.post(url(name, notice_id=notice.pk), {**data, "csrfmiddlewaretoken": token.group(1)}).status_code == 302
    )


def test_the_appeal_form_needs_its_csrf_token(world: World) -> None:
    decision = decided_by(world, world.moderator)
    appeal = services.appeal(decision=decision, appellant="reporter", reason="Why?", now=clock.now())
    client = signed_in(world.colleague.user, enforce_csrf_checks=True)
    assert client.post(url("appeal", appeal_id=appeal.pk), {"reverse": "uphold", "explanation": "x"}).status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "open"


# --- signing in ---------------------------------------------------------------------------------------


def login(client: Client, username: str, password: str) -> Any:
    return client.post(url("login"), {"username": username, "password": password})


def test_a_moderator_signs_in_at_moderation_login_and_out_again(world: World) -> None:
    client = Client(headers={"Accept-Language": "en"})
    page = client.get(url("queue"), follow=True).content.decode()
    assert "Sign in to the moderation console" in page
    response = login(client, "alex", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, url("queue"))
    assert "Notices to decide for Sunny Social" in client.get(url("queue")).content.decode()
    assert client.post(url("logout"))["Location"] == url("login")
    assert client.get(url("queue")).status_code == 302


def test_after_five_wrong_passwords_the_moderation_sign_in_is_paused(world: World) -> None:
    client = Client(headers={"Accept-Language": "en"})
    for _ in range(4):
        assert login(client, "alex", "wrong password").status_code == 200
    locked = login(client, "alex", "wrong password")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Sign-in paused" in body
    assert url("login") in body  # back to this console's sign-in, not the helpline's
    assert login(client, "alex", PASSWORD).status_code == 429
    # The helpline console's lockout keeps its own page.
    helpline = Client(headers={"Accept-Language": "en"})
    for _ in range(5):
        response = helpline.post(reverse("console:login"), {"username": "camille", "password": "wrong"})
    assert response.status_code == 429
    assert reverse("console:login") in response.content.decode()


def test_the_login_form_needs_its_csrf_token(world: World) -> None:
    assert login(Client(enforce_csrf_checks=True), "alex", PASSWORD).status_code == 403


# --- operators: the command and the admin -------------------------------------------------------------


def test_moderator_add_creates_an_account_with_a_generated_or_given_password(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.auth import authenticate

    out = io.StringIO()
    call_command("moderator", "add", "mo", "--platform", world.platform.slug, stdout=out)
    password = out.getvalue().split("Password (shown once): ")[1].strip()
    user = authenticate(RequestFactory().post("/"), username="mo", password=password)
    assert user is not None
    assert (user.moderator.platform, user.moderator.role) == (world.platform, "moderator")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    out = io.StringIO()
    call_command(
        "moderator", "add", "le", "--platform", world.platform.slug, "--role", "lead", "--password-stdin", stdout=out
    )
    assert "Password" not in out.getvalue()
    assert Moderator.objects.get(user__username="le").role == "lead"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="12"):
        call_command("moderator", "add", "ki", "--platform", world.platform.slug, "--password-stdin")
    with pytest.raises(CommandError, match="no platform"):
        call_command("moderator", "add", "lu", "--platform", "nowhere", stdout=io.StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("moderator", "add", "alex", "--platform", world.platform.slug, stdout=io.StringIO())


def test_operators_read_decisions_and_edit_the_flagger_status_in_the_admin(world: World) -> None:
    decision = decided_by(world, world.moderator)
    ops = User.objects.create_superuser("ops", "ops@example.org", "a long admin password")
    client = Client()
    client.force_login(ops)
    for address in (
        "/admin/moderation/notice/",
        f"/admin/moderation/notice/{decision.notice_id}/change/",
        "/admin/moderation/decision/",
        f"/admin/moderation/decision/{decision.pk}/change/",
        "/admin/moderation/appeal/",
        "/admin/moderation/trustedflaggerstatus/",
        "/admin/moderation/transparencyaccount/add/",
        "/admin/moderation/notifierstanding/add/",
        "/admin/tenants/moderator/",
    ):
        assert client.get(address).status_code == 200, address
    assert client.get("/admin/moderation/decision/add/").status_code == 403
    status = TrustedFlaggerStatus.objects.get()
    response = client.post(
        f"/admin/moderation/trustedflaggerstatus/{status.pk}/change/",
        {
            "helpline": world.helpline.pk,
            "authority": "Arcom",
            "awarded_in": "FR",
            "scope": "EU",
            "areas": '["harassment"]',
            "awarded_on": "2024-11-06",
            "revoked_on": "2026-01-01",
            "source_url": "https://www.arcom.fr/",
        },
    )
    assert response.status_code == 302, response.content.decode()
    status.refresh_from_db()
    assert status.revoked_on == date(2026, 1, 1)


def test_the_case_the_escalation_came_from_is_not_shown_to_moderators(world: World) -> None:
    """The platform gets the notice, not the helpline's case: no case code, no counsellor's notes."""
    notice = escalated(world)
    case = Case.objects.get()
    page = signed_in(world.moderator.user).get(url("notice", notice_id=notice.pk)).content.decode()
    assert case.code not in page
    assert "camille" not in page


def test_demo_data_adds_the_moderators_the_flagger_status_and_queues_earlier_reports(db: None) -> None:
    from django.conf import settings as django_settings
    from django.contrib.auth import authenticate

    from relais.demo.access import demo_platform

    earlier = make_report(demo_platform(), "before-moderation")
    Notice.objects.filter(report=earlier).delete()  # as a report sent before the queue existed
    for _ in range(2):  # it can run twice
        out = io.StringIO()
        call_command("demo_data", stdout=out)
    text = out.getvalue()
    for username, role in (("moderatrice", "moderator"), ("responsable", "lead")):
        line = next(li for li in text.splitlines() if f" {username} / " in li)
        password = line.split(" / ")[1].strip()
        user = authenticate(RequestFactory().post("/"), username=username, password=password)
        assert user is not None
        assert (user.moderator.platform.slug, user.moderator.role) == (django_settings.RELAIS_DEMO_PLATFORM, role)
    platform = Platform.objects.get(slug=django_settings.RELAIS_DEMO_PLATFORM)
    assert platform.country == "IE"
    status = TrustedFlaggerStatus.objects.get()
    assert (status.authority, status.awarded_in, status.scope, status.awarded_on) == (
        "Arcom",
        "FR",
        "EU",
        date(2024, 11, 6),
    )
    assert {"harassment", "sextortion", "hate", "doxxing"} <= set(status.areas)
    assert status.source_url.startswith("https://arcom.fr/presse/")
    assert Notice.objects.filter(report=earlier, source="article_16").count() == 1
    assert "1 notice(s) waiting in the queue" in text


@pytest.mark.parametrize(
    ("language", "told"),
    [
        ("fr", "Le message a été retiré : il enfreint les règles de la plateforme (harcèlement)."),
        ("en", "The message was removed: it breaks the platform's rules (harassment)."),
    ],
)
def test_the_console_shows_what_the_notifier_is_told_in_the_consoles_language(
    world: World, language: str, told: str
) -> None:
    """The report is in English; the moderator reads the console's language (the notifier reads theirs)."""
    notice = escalated(world)
    Report.objects.filter(notices=notice).update(reporter_language="en")
    client = signed_in(world.moderator.user, language)
    client.post(url("claim", notice_id=notice.pk))
    assert client.post(url("decide", notice_id=notice.pk), RESTRICT).status_code == 302
    page = html.unescape(client.get(url("notice", notice_id=notice.pk)).content.decode())
    summary = page.split('class="decision__summary">')[1].split("</dd>")[0]
    assert summary.startswith(told), summary
    for leftover in ("Restricted:", "visibility content removed", "Mesure prise —"):
        assert leftover not in page, leftover
