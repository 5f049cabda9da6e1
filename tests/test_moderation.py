"""The trusted-flagger loop through its services, on the real database: notices in, the queue's order,
decisions with statements of reasons, what each side is told, appeals and misuse."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.test import Client

from relais.handoffs.models import AccessEvent, Case
from relais.handoffs.services import Actor
from relais.moderation import services
from relais.moderation import statement_of_reasons as sor
from relais.moderation.models import AppealStatus, Notice, NoticeStatus, NotifierStanding, Source, TrustedFlaggerStatus
from relais.moderation.services import DecisionInput, Escalation, ModerationError, ModeratorActor
from relais.reports.models import Report
from relais.tenants.models import Helpline, Platform
from relais.tenants.services import add_helpline, add_moderator, add_platform, add_staff
from relais.webhooks.endpoints import create_endpoint
from relais.webhooks.models import Delivery
from tests.test_api import post, report_body

NOW = datetime.fromisoformat("2026-11-25T21:00:00+00:00")

RESTRICT = DecisionInput(
    outcome="restricted",
    facts="Messages insulting a 14-year-old every day for three weeks, sent from one account.",
    ground="incompatible",
    terms_ground="Community guidelines §4.2: bullying and harassment",
    explanation="Repeated degrading messages aimed at a minor are harassment under §4.2.",
    category="STATEMENT_CATEGORY_CYBER_VIOLENCE",
    keywords=("KEYWORD_CYBER_HARASSMENT",),
    category_additions=("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",),
    visibility=("DECISION_VISIBILITY_CONTENT_REMOVED",),
    account="DECISION_ACCOUNT_SUSPENDED",
    account_type="ACCOUNT_TYPE_PRIVATE",
    territorial_scope=("FR",),
    content_language="FR",
    end_dates={"account": date(2026, 12, 25)},
)
NO_ACTION = DecisionInput(outcome="no_action", facts="The messages are banter between friends.")


@pytest.fixture
def platform(db: None) -> Platform:
    return add_platform(name="Sunny Social", country="IE")[0]


def arcom_designates(helpline: Helpline) -> TrustedFlaggerStatus:
    """The 3018's status as Arcom awarded it (valid Union-wide, so on a platform established in Ireland)."""
    return TrustedFlaggerStatus.objects.create(
        helpline=helpline,
        authority="Arcom",
        awarded_in="FR",
        scope="EU",
        areas=["harassment", "cyberbullying", "sextortion", "non_consensual_intimate_imagery"],
        awarded_on=date(2024, 11, 6),
        source_url="https://www.arcom.fr/",
    )


@pytest.fixture
def hotline(db: None) -> Helpline:
    line = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")[0]
    arcom_designates(line)
    return line


def report(platform: Platform, ident: str, *, received_at: datetime = NOW, **body: Any) -> Report:
    from relais.tenants.models import ApiKey

    _, key = ApiKey.issue(platform)
    client = Client(headers={"Authorization": f"Bearer {key}"})
    import time_machine

    with time_machine.travel(received_at, tick=False):
        response = post(client, report_body(platform_report_id=ident, **body))
    assert response.status_code == 201, response.content
    return Report.objects.get(id=response.json()["id"])


def shared_case(rep: Report, helpline: Helpline) -> Case:
    from relais.handoffs.services import share_report

    case, _ = share_report(
        platform=rep.platform,
        report=rep,
        helpline_id=helpline.directory_id,
        given_at=NOW,
        text_version="v1",
        scope=["report", "content"],
        now=NOW,
    )
    return case


def counsellor(helpline: Helpline) -> Actor:
    return Actor.staff(add_staff(username=f"c-{helpline.slug}", helpline=helpline)[0])


def moderator(platform: Platform, name: str = "mod-a") -> ModeratorActor:
    return ModeratorActor.person(add_moderator(username=name, platform=platform)[0])


ESCALATION = Escalation(
    category="harassment",
    ground_kind="illegal",
    ground="Code pénal art. 222-33-2-2 (harcèlement moral en ligne)",
    explanation="Daily insults to a 14-year-old since September.",
    content_positions=(0,),
    urgent=False,
)


@pytest.mark.django_db
def test_every_report_is_an_article_16_notice_acknowledged_on_receipt(platform: Platform) -> None:
    rep = report(platform, "r1")
    notice = Notice.objects.get(report=rep)
    assert (notice.source, notice.status, notice.notifier) == (Source.ARTICLE_16, "open", "reporter:u-7f3a")
    assert notice.acknowledged_at == notice.received_at == rep.received_at


@pytest.mark.django_db
def test_an_escalation_is_a_trusted_flaggers_notice_and_goes_first(platform: Platform, hotline: Helpline) -> None:
    older = report(platform, "older", received_at=NOW - timedelta(hours=20), category="self_harm")
    rep = report(platform, "r1")
    case = shared_case(rep, hotline)
    notice = services.escalate(actor=counsellor(hotline), case=case, escalation=ESCALATION, now=NOW)
    assert notice.source == Source.TRUSTED_FLAGGER
    assert notice.notifier == f"helpline:{hotline.slug}"
    case.refresh_from_db()
    assert case.status == "escalated"
    assert case.access_log.filter(action=AccessEvent.Action.ESCALATED).exists()
    rows = services.queue(platform, NOW + timedelta(minutes=5))
    assert [item.notice for item in rows] == [notice, Notice.objects.get(report=older)]
    # The reporter's own notice about the same content is no row of its own: it goes with the escalation.
    assert list(rows[0].grouped) == [Notice.objects.get(report=rep, source="article_16")]
    assert (rows[0].notices, rows[1].notices) == (2, 1)
    # One escalation at a time per case.
    with pytest.raises(ModerationError) as refused:
        services.escalate(actor=counsellor_again(hotline), case=case, escalation=ESCALATION, now=NOW)
    assert refused.value.field == "case"


def counsellor_again(helpline: Helpline) -> Actor:
    from relais.tenants.models import StaffMember

    return Actor.staff(StaffMember.objects.filter(helpline=helpline).first())  # type: ignore[arg-type]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "category", "revoked", "source", "why"),
    [
        ("IE", "harassment", None, "trusted_flagger", "Arcom"),
        ("US", "harassment", None, "other_notification", "does not cover"),
        ("IE", "impersonation", None, "other_notification", "outside the area of expertise"),
        ("IE", "harassment", date(2025, 1, 1), "other_notification", "not in force"),
    ],
)
def test_the_status_counts_only_where_when_and_for_what_it_was_awarded(
    hotline: Helpline, country: str, category: str, revoked: date | None, source: str, why: str
) -> None:
    platform = add_platform(name="Elsewhere", country=country)[0]
    TrustedFlaggerStatus.objects.update(revoked_on=revoked)
    case = shared_case(report(platform, "r1"), hotline)
    standing = services.flagger_standing(case, category, NOW)
    assert why in standing.reason
    notice = services.escalate(
        actor=counsellor(hotline),
        case=case,
        escalation=Escalation(**{**ESCALATION.__dict__, "category": category}),
        now=NOW,
    )
    assert notice.source == source


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"ground_kind": "rude"}, "ground_kind"),
        ({"ground": " "}, "ground"),
        ({"explanation": ""}, "explanation"),
        ({"content_positions": ()}, "content_positions"),
        ({"content_positions": (7,)}, "content_positions"),
    ],
)
def test_a_bad_escalation_names_the_field_and_writes_nothing(
    platform: Platform, hotline: Helpline, change: dict[str, Any], field: str
) -> None:
    case = shared_case(report(platform, "r1"), hotline)
    with pytest.raises(ModerationError) as refused:
        services.escalate(
            actor=counsellor(hotline), case=case, escalation=Escalation(**{**ESCALATION.__dict__, **change}), now=NOW
        )
    assert refused.value.field == field
    assert Notice.objects.filter(case=case).count() == 0


@pytest.mark.django_db
def test_a_restriction_produces_a_valid_statement_and_tells_both_sides(platform: Platform, hotline: Helpline) -> None:
    for tenant in (platform, hotline):
        create_endpoint(
            tenant=tenant, url="https://receiver.example/hook", event_types_=["notice.decided"], description="", now=NOW
        )
    case = shared_case(report(platform, "r1"), hotline)
    notice = services.escalate(actor=counsellor(hotline), case=case, escalation=ESCALATION, now=NOW)
    mod = moderator(platform)
    services.claim(actor=mod, notice=notice, now=NOW)
    decision = services.decide(actor=mod, notice=notice, data=RESTRICT, now=NOW + timedelta(hours=1))
    assert decision.puid.startswith("relais-")
    assert sor.PUID.match(decision.puid)
    assert sor.validate(decision.statement or {}) == {}
    assert decision.statement is not None
    assert decision.statement["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert decision.statement["source_identity"] == "3018 (e-Enfance)"
    # Six months from the day the notifier was told, to midnight in the platform's zone (Paris by default).
    assert decision.appeal_deadline.astimezone(ZoneInfo("Europe/Paris")).isoformat().startswith("2027-05-25T23:59:59")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DECIDED
    to_platform = orjson.loads(Delivery.objects.get(endpoint__platform=platform).body)
    to_helpline = orjson.loads(Delivery.objects.get(endpoint__helpline=hotline).body)
    assert to_platform["data"]["outcome"] == to_helpline["data"]["outcome"] == "restricted"
    assert to_platform["data"]["redress"]["appeal_until"].startswith("2027-05-25")
    assert to_helpline["data"]["case_code"]
    # The helpline is not told who decided nor anything about other notifiers.
    assert "mod-a" not in str(to_helpline)
    assert "puid" not in to_helpline["data"]


@pytest.mark.django_db
def test_a_statement_the_database_would_refuse_is_refused_here_naming_the_field(platform: Platform) -> None:
    notice = Notice.objects.get(report=report(platform, "r1"))
    bad = DecisionInput(**{**RESTRICT.__dict__, "terms_ground": "", "visibility": (), "account": ""})
    with pytest.raises(services.DecisionRefused) as refused:
        services.decide(actor=moderator(platform), notice=notice, data=bad, now=NOW)
    assert {"incompatible_content_ground", "decision_visibility"} <= set(refused.value.problems)
    notice.refresh_from_db()
    assert notice.status == "open"


@pytest.mark.django_db
def test_a_notice_claimed_by_one_moderator_cannot_be_decided_by_another(platform: Platform) -> None:
    notice = Notice.objects.get(report=report(platform, "r1"))
    services.claim(actor=moderator(platform, "first"), notice=notice, now=NOW)
    with pytest.raises(ModerationError, match="first is working on it"):
        services.decide(actor=moderator(platform, "second"), notice=notice, data=NO_ACTION, now=NOW)


@pytest.mark.django_db
def test_an_appeal_goes_to_another_moderator_and_a_reversal_is_recorded(platform: Platform) -> None:
    notice = Notice.objects.get(report=report(platform, "r1"))
    first = moderator(platform, "first")
    decision = services.decide(actor=first, notice=notice, data=NO_ACTION, now=NOW)
    appeal = services.appeal(decision=decision, appellant="reporter", reason="It is still going on.", now=NOW)
    with pytest.raises(ModerationError, match="another moderator"):
        services.decide_appeal(
            actor=first, appeal_=appeal, reverse=True, explanation="x", now=NOW, new_decision=RESTRICT
        )
    decided = services.decide_appeal(
        actor=moderator(platform, "second"),
        appeal_=appeal,
        reverse=True,
        explanation="The messages target a minor daily.",
        now=NOW + timedelta(days=1),
        new_decision=RESTRICT,
    )
    assert decided.status == AppealStatus.REVERSED
    decision.refresh_from_db()
    assert decision.reversed_by is not None
    assert decision.reversed_by.outcome == "restricted"
    assert services.current_decision(notice) == decision.reversed_by


@pytest.mark.django_db
def test_appeals_close_six_months_after_the_notifier_was_told(platform: Platform) -> None:
    notice = Notice.objects.get(report=report(platform, "r1"))
    decision = services.decide(actor=moderator(platform), notice=notice, data=NO_ACTION, now=NOW)
    assert services.appeal(
        decision=decision,
        appellant="reporter",
        reason="late but in time",
        now=datetime.fromisoformat("2027-05-25T23:59:00+02:00"),
    )
    with pytest.raises(ModerationError, match="ended on 2027-05-25"):
        services.appeal(
            decision=decision,
            appellant="affected_user",
            reason="too late",
            now=datetime.fromisoformat("2027-05-26T00:00:00+02:00"),
        )


@pytest.mark.django_db
def test_a_notifier_of_unfounded_notices_is_warned_then_suspended(platform: Platform, settings: Any) -> None:
    settings.RELAIS_MISUSE_WARN_AT = 2
    settings.RELAIS_MISUSE_SUSPEND_AT = 3
    mod = moderator(platform)
    unfounded = DecisionInput(**{**NO_ACTION.__dict__, "manifestly_unfounded": True})
    for i in range(3):
        notice = Notice.objects.get(report=report(platform, f"r{i}"))
        services.decide(actor=mod, notice=notice, data=unfounded, now=NOW + timedelta(minutes=i))
    standing = NotifierStanding.objects.get(notifier="reporter:u-7f3a")
    assert standing.warned_at == NOW + timedelta(minutes=1)
    assert standing.suspended_until == NOW + timedelta(minutes=2, days=30)
    later = Notice.objects.get(report=report(platform, "r9", received_at=NOW + timedelta(hours=1)))
    assert later.status == NoticeStatus.SUSPENDED
    assert later not in [item.notice for item in services.queue(platform, NOW + timedelta(hours=1))]
    # Another reporter is not affected.
    other = Notice.objects.get(
        report=report(platform, "r10", reporter={"country": "FR", "language": "fr", "pseudonym": "u-ok"})
    )
    assert other.status == NoticeStatus.OPEN


@pytest.mark.django_db
def test_statements_export_in_decision_order_by_cursor(platform: Platform) -> None:
    mod = moderator(platform)
    for i in range(3):
        notice = Notice.objects.get(report=report(platform, f"r{i}"))
        services.decide(actor=mod, notice=notice, data=RESTRICT, now=NOW + timedelta(minutes=i))
    first = services.statements(platform, after=None, limit=2)
    rest = services.statements(platform, after=(first[-1].decided_at, first[-1].puid), limit=2)
    assert len(first) == 2
    assert len(rest) == 1
    assert sor.validate_batch([d.statement for d in first + rest if d.statement]) == {}


@pytest.mark.django_db
def test_a_purged_report_leaves_decisions_but_no_trace_of_the_reporter(platform: Platform, hotline: Helpline) -> None:
    rep = report(platform, "r1")
    case = shared_case(rep, hotline)
    escalation = services.escalate(actor=counsellor(hotline), case=case, escalation=ESCALATION, now=NOW)
    decision = services.decide(actor=moderator(platform), notice=escalation, data=RESTRICT, now=NOW)
    case.delete()
    case.consent.delete()
    rep.delete()
    for notice in Notice.objects.all():
        assert notice.report_id is None
        assert (notice.reporter_age, notice.explanation, notice.ground, notice.content_positions) == (None, "", "", [])
    assert Notice.objects.get(source="article_16").notifier == ""
    assert Notice.objects.get(source="trusted_flagger").notifier == f"helpline:{hotline.slug}"
    decision.refresh_from_db()
    assert sor.validate(decision.statement or {}) == {}
