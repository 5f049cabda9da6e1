"""The moderation API over HTTP against the real database: a helpline escalates, the platform's tool works the
queue, decides with a statement of reasons, exports statements and handles appeals; each tenant sees its own."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import hypothesis
import orjson
import pytest
import time_machine
from django.test import Client
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from relais.handoffs.schemas import CaseOut
from relais.moderation import services
from relais.moderation import statement_of_reasons as sor
from relais.moderation.models import Decision, Notice, TrustedFlaggerStatus
from relais.moderation.schemas import NoticeOut, QueueItemOut
from relais.reports.schemas import ReportOut
from relais.tenants.models import ApiKey, Helpline, Platform
from relais.tenants.services import add_helpline, add_platform
from relais.webhooks.endpoints import create_endpoint
from relais.webhooks.models import Delivery
from tests.test_api import report_body
from tests.test_api_fuzz import schema as fuzz_schema

T0 = datetime.fromisoformat("2026-11-25T22:00:00+01:00")
CONSENT = {"given_at": "2026-11-25T21:59:30+01:00", "text_version": "fr-2026-11", "scope": ["report", "content"]}
ESCALATION = {
    "category": "harassment",
    "ground_kind": "illegal",
    "ground": "Code pénal art. 222-33-2-2 (harcèlement moral en ligne)",
    "explanation": "Daily insults to a 14-year-old since September, from one account.",
    "content_positions": [0],
    "urgent": False,
}
RESTRICT: dict[str, Any] = {
    "outcome": "restricted",
    "facts": "Messages insulting a minor every day for three weeks, sent from one account.",
    "ground": "incompatible",
    "terms_ground": "Community guidelines §4.2: bullying and harassment",
    "explanation": "Repeated degrading messages aimed at a minor are harassment under §4.2.",
    "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "keywords": ["KEYWORD_CYBER_HARASSMENT"],
    "category_additions": ["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"],
    "visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "account": "DECISION_ACCOUNT_SUSPENDED",
    "account_type": "ACCOUNT_TYPE_PRIVATE",
    "territorial_scope": ["FR"],
    "content_language": "FR",
    "end_dates": {"account": "2026-12-25"},
}
NO_ACTION = {"outcome": "no_action", "facts": "The messages are banter between friends."}
PERSONAL = ["u-7f3a", "t'es nul", "personne ne t'aime", "Ça dure", "m-1", "social.example/@bully", "golden-1"]
"""What the report carried about people: none of it may reach a statement of reasons (Art. 24(5))."""


@dataclass
class World:
    platform: Platform
    api: Client
    helpline: Client
    other: Client


def client(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def make_world() -> World:
    """Sunny Social, the 3018 as a trusted flagger, and another platform, each with its own client."""
    platform, key = add_platform(name="Sunny Social", country="IE")
    line, hkey = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    TrustedFlaggerStatus.objects.create(
        helpline=line,
        authority="Arcom",
        awarded_in="FR",
        scope="EU",
        areas=["harassment", "cyberbullying", "sextortion"],
        awarded_on=date(2024, 11, 6),
        source_url="https://www.arcom.fr/",
    )
    _, okey = add_platform(name="Other Place", country="FR")
    return World(platform, client(key), client(hkey), client(okey))


def call(c: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs.update(data=orjson.dumps(body), content_type="application/json")
    return getattr(c, method)(f"/api/v1{path}", **kwargs)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def reported(w: World, ident: str, **changes: Any) -> str:
    return str(ok(call(w.api, "post", "/reports", report_body(platform_report_id=ident, **changes)), 201)["id"])


def notice_of(report_id: str) -> str:
    return str(Notice.objects.get(report_id=report_id, source="article_16").id)


def escalated(w: World, report_id: str, **changes: Any) -> tuple[str, dict[str, Any]]:
    """Shared with the 3018, then escalated by it: (the case's path, the escalation's answer)."""
    case = shared_case(w, report_id)
    return case, ok(call(w.helpline, "post", f"{case}/escalate", {**ESCALATION, **changes}), 201)


def decide(w: World, notice_id: str, body: dict[str, Any], moderator: str = "mod-a", status: int = 201) -> Any:
    return ok(
        call(w.api, "post", f"/moderation/notices/{notice_id}/decision", {**body, "moderator": moderator}), status
    )


# --- the helpline escalates, the notice goes first ---


@pytest.mark.django_db
def test_an_escalation_goes_to_the_top_of_the_queue_above_an_older_graver_report(world: World) -> None:
    w = world
    with time_machine.travel(T0 - timedelta(hours=20), tick=False):
        older = reported(w, "older", category="self_harm")
    with time_machine.travel(T0, tick=False):
        report_id = reported(w, "r1")
        case = shared_case(w, report_id)
        preview = ok(call(w.helpline, "get", f"{case}/escalation"))
        assert preview == {
            "trusted": True,
            "source_type": "trusted_flagger",
            "reason": "trusted flagger designated by Arcom",
            "authority": "Arcom",
            "category": "harassment",
        }
        outside = ok(call(w.helpline, "get", f"{case}/escalation?category=impersonation"))
        assert (outside["trusted"], outside["source_type"]) == (False, "other_notification")
        notice = ok(call(w.helpline, "post", f"{case}/escalate", ESCALATION), 201)
        assert notice["source_type"] == "trusted_flagger"
        assert "Arcom" in notice["trusted_flagger_reason"]
        queue = ok(call(w.api, "get", "/moderation/queue"))
    # The reporter's own notice about the same content is not a row of its own: it rides with the escalation.
    assert [item["id"] for item in queue] == [notice["id"], notice_of(older)]
    top = queue[0]
    for item in queue:
        QueueItemOut.model_validate(item)  # what we render matches what OpenAPI documents
    assert top["source"] == "trusted_flagger"
    assert top["helpline"] == "fr-3018"
    assert top["minor"] is True
    assert "age" not in top
    assert "reporter_age" not in str(top)
    assert top["priority"] == {
        "sla_class": "trusted_flagger",
        "due_at": "2026-11-26T21:00:00+00:00",
        "sla_used": 0.0,
        "overdue": False,
    }
    assert top["track_record"] == {"decided": 0, "unfounded": 0, "warned_at": None, "suspended_until": None}
    assert top["grouped"] == [
        {
            "notice_id": notice_of(report_id),
            "source": "article_16",
            "helpline": None,
            "status": "open",
            "received_at": "2026-11-25T21:00:00+00:00",
        }
    ]
    assert top["snippet"] == "t'es nul, personne ne t'aime"
    assert queue[1]["priority"]["sla_class"] == "minor"
    assert queue[1]["priority"]["overdue"] is False
    assert queue[1]["helpline"] is None
    assert queue[1]["grouped"] == []
    assert len(ok(call(w.api, "get", "/moderation/queue?limit=1"))) == 1


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_the_reporters_notice_and_the_escalation_of_one_content_are_one_row_decided_at_once(world: World) -> None:
    """The reporter's notice and the helpline's escalation about the same content: one queue item, led by the
    escalation, and one decision decides both, each notifier told by its own `notice.decided`."""
    w = world
    hooks = "https://sunny.example/hooks", "https://3018.example/hook"
    create_endpoint(tenant=w.platform, url=hooks[0], event_types_=["notice.decided"], description="", now=T0)
    line = Helpline.objects.get(directory_id="fr-3018")
    create_endpoint(tenant=line, url=hooks[1], event_types_=["notice.decided"], description="", now=T0)
    long_text = "Tu ne mérites pas de vivre, " * 10
    report_id = reported(w, "r1", content=[{"kind": "message", "content_id": "m-1", "text": long_text}])
    alone = reported(w, "r2", category="impersonation")
    case_path, escalation = escalated(w, report_id)
    reporters_own = notice_of(report_id)

    queue = ok(call(w.api, "get", "/moderation/queue"))
    assert [item["id"] for item in queue] == [escalation["id"], notice_of(alone)]
    for item in queue:
        QueueItemOut.model_validate(item)
    row = queue[0]
    assert [(g["notice_id"], g["source"], g["helpline"]) for g in row["grouped"]] == [
        (reporters_own, "article_16", None)
    ]
    assert row["snippet"].startswith("Tu ne mérites pas de vivre, Tu ne")
    assert len(row["snippet"]) <= 140
    assert row["snippet"].endswith("…")
    # Paging goes by the rows' leaders: the reporter's notice is on no page of its own.
    first = call(w.api, "get", "/moderation/queue?limit=1")
    [second] = ok(call(w.api, "get", f"/moderation/queue?limit=1&cursor={first['Next-Cursor']}"))
    assert second["id"] == notice_of(alone)
    # One notice's page names the others its decision will decide too.
    assert [g["notice_id"] for g in ok(call(w.api, "get", f"/moderation/notices/{reporters_own}"))["grouped"]] == [
        escalation["id"]
    ]

    decision = decide(w, escalation["id"], RESTRICT)
    assert decision["notice_id"] == escalation["id"]
    queue = ok(call(w.api, "get", "/moderation/queue"))
    assert [item["id"] for item in queue] == [notice_of(alone)]
    decided = {d.notice_id: d for d in Decision.objects.filter(notice__report_id=report_id)}
    assert {str(n) for n in decided} == {escalation["id"], reporters_own}
    assert {d.outcome for d in decided.values()} == {"restricted"}
    sources = {str(n): (d.statement or {}).get("source_type") for n, d in decided.items()}
    assert sources == {reporters_own: "SOURCE_ARTICLE_16", escalation["id"]: "SOURCE_TRUSTED_FLAGGER"}
    # Each notifier is told as by a single decision: the platform (for its reporter) and the helpline.
    for hook in hooks:
        told = [orjson.loads(d.body)["data"] for d in Delivery.objects.filter(endpoint__url=hook)]
        assert sorted(t["notice_id"] for t in told) == sorted([escalation["id"], reporters_own]), hook
        assert {t["outcome"] for t in told} == {"restricted"}
    case = ok(call(w.helpline, "get", case_path))
    assert [(n["source_type"], n["outcome"]) for n in case["notices"]] == [
        ("article_16", "restricted"),
        ("trusted_flagger", "restricted"),
    ]
    # Decided: neither can be decided again.
    assert (
        call(
            w.api, "post", f"/moderation/notices/{reporters_own}/decision", {**NO_ACTION, "moderator": "b"}
        ).status_code
        == 409
    )


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_row_whose_other_notice_another_moderator_holds_is_not_decided_at_all(world: World) -> None:
    w = world
    report_id = reported(w, "r1")
    _, escalation = escalated(w, report_id)
    ok(call(w.api, "post", f"/moderation/notices/{notice_of(report_id)}/claim", {"moderator": "mod-b"}))
    response = call(
        w.api, "post", f"/moderation/notices/{escalation['id']}/decision", {**RESTRICT, "moderator": "mod-a"}
    )
    assert response.status_code == 409, response.content
    assert "mod-b (API) is working on it" in response.json()["detail"]
    assert not Decision.objects.exists()
    assert not Delivery.objects.filter(event_type="notice.decided").exists()
    assert Notice.objects.get(id=escalation["id"]).status == "open"


def shared_case(w: World, report_id: str, helpline: Client | None = None, helpline_id: str = "fr-3018") -> str:
    """Shared with a helpline (the 3018 unless told), which looks the code up: the case's path, by its id."""
    shared = ok(
        call(w.api, "post", f"/reports/{report_id}/share", {"helpline_id": helpline_id, "consent": CONSENT}), 201
    )
    found = ok(call(helpline or w.helpline, "post", "/helpline/cases/lookup", {"code": shared["case_code"]}))
    return f"/helpline/cases/{found['id']}"


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"content_positions": [7]}, 422, "content_positions"),
        ({"ground": "   "}, 422, "ground"),
        ({"category": "gossip"}, 422, "category"),
        ({"content_positions": []}, 422, "content_positions"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_a_bad_escalation_names_the_field(world: World, change: dict[str, Any], status: int, field: str) -> None:
    case = shared_case(world, reported(world, "r1"))
    response = call(world.helpline, "post", f"{case}/escalate", {**ESCALATION, **change})
    assert response.status_code == status, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Notice.objects.exclude(source="article_16").count() == 0


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_second_escalation_waits_for_the_first_decision(world: World) -> None:
    case, _ = escalated(world, reported(world, "r1"))
    again = call(world.helpline, "post", f"{case}/escalate", ESCALATION)
    assert again.status_code == 409
    assert "still waiting" in again.json()["detail"]


# --- one notice, claiming ---


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_notice_shows_what_is_alleged_and_the_reported_items(world: World) -> None:
    _, escalation = escalated(world, reported(world, "r1"))
    notice = ok(call(world.api, "get", f"/moderation/notices/{escalation['id']}"))
    assert (notice["ground_kind"], notice["ground"]) == ("illegal", ESCALATION["ground"])
    assert notice["explanation"] == ESCALATION["explanation"]
    assert notice["content_positions"] == [0]
    assert [c["position"] for c in notice["content"]] == [0, 1]
    assert notice["content"][0]["text"] == "t'es nul, personne ne t'aime"  # the platform's own data
    assert notice["suggested"] == {
        "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "keywords": ["KEYWORD_CYBER_HARASSMENT"],
        "category_additions": ["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"],
    }
    assert notice["decisions"] == notice["appeals"] == []
    NoticeOut.model_validate(notice)
    assert call(world.api, "get", "/moderation/notices/not-a-uuid").status_code == 404


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_claimed_notice_is_held_until_its_holder_releases_it(world: World) -> None:
    w = world
    notice_id = notice_of(reported(w, "r1"))
    path = f"/moderation/notices/{notice_id}"
    claimed = ok(call(w.api, "post", f"{path}/claim", {"moderator": "mod-a"}))
    assert (claimed["status"], claimed["claimed_by"]) == ("claimed", "mod-a (API)")
    taken = call(w.api, "post", f"{path}/claim", {"moderator": "mod-b"})
    assert taken.status_code == 409
    assert "mod-a (API) is working on it" in taken.json()["detail"]
    assert call(w.api, "post", f"{path}/decision", {**NO_ACTION, "moderator": "mod-b"}).status_code == 409
    assert ok(call(w.api, "post", f"{path}/release", {"moderator": "mod-b"}))["status"] == "claimed"
    released = ok(call(w.api, "post", f"{path}/release", {"moderator": "mod-a"}))
    assert (released["status"], released["claimed_by"]) == ("open", None)
    assert call(w.api, "post", f"{path}/claim", {}).json()["errors"][0]["field"] == "moderator"


# --- decisions ---


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_statement_the_database_would_refuse_lists_every_field_and_decides_nothing(world: World) -> None:
    notice_id = notice_of(reported(world, "r1"))
    bad = {**RESTRICT, "terms_ground": "", "visibility": [], "account": None, "facts": ""}
    response = call(world.api, "post", f"/moderation/notices/{notice_id}/decision", {**bad, "moderator": "mod-a"})
    assert response.status_code == 422
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert {"terms_ground", "visibility", "facts"} <= set(errors)
    assert errors["terms_ground"]["type"] == "statement_of_reasons"
    assert "incompatible_content_ground in the Transparency Database" in errors["terms_ground"]["message"]
    assert "decision_visibility" in errors["visibility"]["message"]
    assert Decision.objects.count() == 0
    assert Notice.objects.get(id=notice_id).status == "open"
    # A value the database does not know is refused by the schema, by name, before any of that.
    unknown = call(
        world.api, "post", f"/moderation/notices/{notice_id}/decision", {**RESTRICT, "keywords": ["KEYWORD_RUDE"]}
    )
    assert unknown.status_code == 422
    assert {e["field"] for e in unknown.json()["errors"]} >= {"keywords.0", "moderator"}


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_decided_notice_cannot_be_decided_again(world: World) -> None:
    notice_id = notice_of(reported(world, "r1"))
    decision = decide(world, notice_id, NO_ACTION)
    assert (decision["outcome"], decision["statement"], decision["submission"]) == ("no_action", None, None)
    again = call(world.api, "post", f"/moderation/notices/{notice_id}/decision", {**RESTRICT, "moderator": "mod-a"})
    assert again.status_code == 409
    assert "appeal" in again.json()["detail"]
    assert notice_id not in [item["id"] for item in ok(call(world.api, "get", "/moderation/queue"))]


@pytest.mark.django_db
def test_golden_a_harassment_decision_exported_as_the_transparency_database_wants_it(world: World) -> None:
    """A helpline's escalation of daily insults to a 14-year-old, removed and the account suspended."""
    w = world
    with time_machine.travel(T0, tick=False):
        report_id = reported(
            w,
            "golden-1",
            content=[
                {
                    "kind": "message",
                    "content_id": "m-1",
                    "text": "t'es nul, personne ne t'aime",
                    "posted_at": "2026-11-20T18:00:00+01:00",
                },
                {"kind": "profile", "url": "https://social.example/@bully"},
            ],
        )
        _, escalation = escalated(w, report_id)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        decision = decide(w, escalation["id"], RESTRICT)
        page = ok(call(w.api, "get", "/moderation/statements?since=2026-11-25T00:00:00Z"))
    assert page["next_cursor"] is None
    # The reporter's own notice about the same content is decided with the escalation: a statement each.
    [body] = [s for s in page["statements"] if s["puid"] == decision["puid"]]
    [reporters] = [s for s in page["statements"] if s["puid"] != decision["puid"]]
    assert (reporters["source_type"], reporters.get("source_identity")) == ("SOURCE_ARTICLE_16", None)
    assert {k: v for k, v in reporters.items() if k not in ("source_type", "source_identity", "puid")} == {
        k: v for k, v in body.items() if k not in ("source_type", "source_identity", "puid")
    }
    assert body == decision["statement"]
    assert body == {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_monetary": None,
        "decision_provision": None,
        "decision_account": "DECISION_ACCOUNT_SUSPENDED",
        "account_type": "ACCOUNT_TYPE_PRIVATE",
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": None,
        "incompatible_content_ground": "Community guidelines §4.2: bullying and harassment",
        "incompatible_content_explanation": "Repeated degrading messages aimed at a minor are harassment under §4.2.",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "category_addition": ["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"],
        "category_specification": ["KEYWORD_CYBER_HARASSMENT"],
        "territorial_scope": ["FR"],
        "content_language": "FR",
        "content_date": "2026-11-20",
        "application_date": "2026-11-26",
        "end_date_account_restriction": "2026-12-25",
        "decision_facts": "Messages insulting a minor every day for three weeks, sent from one account.",
        "source_type": "SOURCE_TRUSTED_FLAGGER",
        "source_identity": "3018 (e-Enfance)",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": decision["puid"],
    }
    # The rules the database applies, one by one (../shared/research/dsa-and-trust-safety.md §5.2).
    assert body["category"] in sor.CATEGORIES
    assert set(body["category_specification"]) <= sor.KEYWORDS
    assert body["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert body["incompatible_content_ground"]
    assert len(body["incompatible_content_ground"]) <= 500
    assert body["incompatible_content_explanation"]
    assert len(body["incompatible_content_explanation"]) <= 2000
    assert not {"illegal_content_legal_ground", "illegal_content_explanation"} & set(body)
    assert re.fullmatch(r"[a-zA-Z0-9\-_]+", body["puid"])
    assert len(body["puid"]) <= 500
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", body[k]) for k in ("content_date", "application_date"))
    assert date(2000, 1, 1) <= date.fromisoformat(body["content_date"]) <= date(2038, 1, 1)
    assert date(2020, 1, 1) <= date.fromisoformat(body["application_date"]) <= date(2038, 1, 1)
    assert len(body["decision_facts"]) <= 5000
    assert sor.validate(body) == {}
    assert sor.validate_batch(page["statements"]) == {}
    # The application date is the platform's day (Paris: already the 26th at 00:00 local).
    # No personal data: not the reporter's pseudonym, nor what was written, nor ids of their content.
    text = orjson.dumps(page).decode()
    for personal in [*PERSONAL, report_id, escalation["id"]]:
        assert personal not in text, personal
    assert decision["redress"]["appeal_until"] == "2027-05-26T21:59:59.999999+00:00"  # midnight in Paris


@pytest.mark.django_db
def test_statements_page_by_cursor_in_batches_of_at_most_100(world: World) -> None:
    w = world
    platform = w.platform
    mod = services.ModeratorActor.api(platform, "bulk")
    with time_machine.travel(T0, tick=False):
        report_id = reported(w, "r1")
    base = Notice.objects.get(report_id=report_id)
    for i in range(250):
        notice = services.ranked(
            Notice(
                platform=platform,
                source="other_notification",
                category="harassment",
                received_at=T0,
                acknowledged_at=T0,
                report=base.report,
            )
        )
        notice.save(force_insert=True)
        data = services.DecisionInput(
            outcome="restricted" if i % 25 else "no_action",
            facts="Insults.",
            terms_ground="§4.2",
            explanation="Harassment.",
            category="STATEMENT_CATEGORY_CYBER_VIOLENCE",
            visibility=("DECISION_VISIBILITY_CONTENT_REMOVED",),
        )
        # Ten decisions per instant: the cursor must break ties by puid.
        services.decide(actor=mod, notice=notice, data=data, now=T0 + timedelta(seconds=i // 10))
    puids: list[str] = []
    cursor = None
    pages = []
    while True:
        query = "" if cursor is None else f"?cursor={cursor}"
        page = ok(call(w.api, "get", f"/moderation/statements{query}"))
        pages.append(len(page["statements"]))
        assert len(page["statements"]) <= sor.BATCH_MAX
        assert sor.validate_batch(page["statements"]) == {}
        puids += [s["puid"] for s in page["statements"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [100, 100, 40]  # 250 decisions, 10 of them no action: no statement
    assert len(set(puids)) == 240
    expected = Decision.objects.filter(outcome="restricted").order_by("decided_at", "puid")
    assert puids == [d.puid for d in expected]
    # `since` starts at an instant (inclusive); limit pages smaller.
    later = ok(call(w.api, "get", "/moderation/statements?since=2026-11-25T21:00:20Z&limit=5"))
    assert len(later["statements"]) == 5
    assert later["next_cursor"]
    assert later["statements"][0]["puid"] == expected.filter(decided_at__gte=T0 + timedelta(seconds=20))[0].puid


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=nonsense", "cursor"),
        ("cursor=WyIyMDI2LTExLTI1IiwgIm5vIHNwYWNlcyJd", "cursor"),
        ("since=yesterday", "since"),
        ("since=1700000000", "since"),
        ("since=2026-11-25T21:00:00", "since"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
    ],
)
def test_a_bad_since_cursor_or_limit_is_a_422_naming_it(world: World, query: str, field: str) -> None:
    response = call(world.api, "get", f"/moderation/statements?{query}")
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


# --- appeals ---


@pytest.mark.django_db
def test_an_appeal_is_decided_by_another_moderator_and_a_reversal_is_kept(world: World) -> None:
    w = world
    with time_machine.travel(T0, tick=False):
        notice_id = notice_of(reported(w, "r1"))
        first = decide(w, notice_id, NO_ACTION, moderator="mod-a")
        appeal = ok(
            call(
                w.api,
                "post",
                f"/moderation/decisions/{first['id']}/appeals",
                {"appellant": "reporter", "reason": "It is still going on."},
            ),
            201,
        )
        assert (appeal["status"], appeal["decision_id"], appeal["notice_id"]) == ("open", first["id"], notice_id)
        twice = call(
            w.api, "post", f"/moderation/decisions/{first['id']}/appeals", {"appellant": "reporter", "reason": "Again."}
        )
        assert twice.status_code == 409
        assert [a["id"] for a in ok(call(w.api, "get", "/moderation/appeals?status=open"))] == [appeal["id"]]
        path = f"/moderation/appeals/{appeal['id']}/decision"
        same = call(
            w.api, "post", path, {"moderator": "mod-a", "reverse": True, "explanation": "x", "decision": RESTRICT}
        )
        assert same.status_code == 422
        assert same.json()["errors"][0]["field"] == "moderator"
        needs = call(w.api, "post", path, {"moderator": "mod-b", "reverse": True, "explanation": "Daily insults."})
        assert needs.status_code == 422
        assert needs.json()["errors"][0]["field"] == "decision"
        refused = call(
            w.api,
            "post",
            path,
            {
                "moderator": "mod-b",
                "reverse": True,
                "explanation": "Daily insults.",
                "decision": {**RESTRICT, "terms_ground": ""},
            },
        )
        assert refused.status_code == 422
        assert "decision.terms_ground" in [e["field"] for e in refused.json()["errors"]]
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        decided = ok(
            call(
                w.api,
                "post",
                path,
                {
                    "moderator": "mod-b",
                    "reverse": True,
                    "explanation": "The messages target a minor daily.",
                    "decision": RESTRICT,
                },
            )
        )
        assert decided["status"] == "reversed"
        assert decided["decided_by"] == "mod-b (API)"
        replacement = decided["replacement"]
        assert replacement["outcome"] == "restricted"
        assert replacement["on_appeal"] == appeal["id"]
        assert (
            call(w.api, "post", path, {"moderator": "mod-c", "reverse": False, "explanation": "."}).status_code == 409
        )
        notice = ok(call(w.api, "get", f"/moderation/notices/{notice_id}"))
    NoticeOut.model_validate(notice)
    assert [d["id"] for d in notice["decisions"]] == [replacement["id"], first["id"]]
    assert [d["current"] for d in notice["decisions"]] == [True, False]
    assert notice["decisions"][1]["reversed_by"] == replacement["id"]
    assert [a["status"] for a in notice["appeals"]] == ["reversed"]
    assert ok(call(w.api, "get", "/moderation/appeals?status=open")) == []
    assert len(ok(call(w.api, "get", "/moderation/appeals"))) == 1


@pytest.mark.django_db
def test_after_six_months_an_appeal_is_refused_with_the_date(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        decision = decide(world, notice_of(reported(world, "r1")), NO_ACTION)
    with time_machine.travel(datetime.fromisoformat("2027-05-26T00:00:00+02:00"), tick=False):
        late = call(
            world.api,
            "post",
            f"/moderation/decisions/{decision['id']}/appeals",
            {"appellant": "affected_user", "reason": "too late"},
        )
    assert late.status_code == 409
    assert "ended on 2027-05-25" in late.json()["detail"]


# --- what the notifiers see ---


@pytest.mark.django_db
def test_the_helpline_sees_the_outcome_on_the_case_and_the_platform_on_the_report(world: World) -> None:
    w = world
    with time_machine.travel(T0, tick=False):
        report_id = reported(w, "r1")
        path, escalation = escalated(w, report_id)
        case = ok(call(w.helpline, "get", path))
        assert [n["status"] for n in case["notices"]] == ["open", "open"]
        decision = decide(w, escalation["id"], RESTRICT, moderator="alice.martin")
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        ok(
            call(
                w.api,
                "post",
                f"/moderation/decisions/{decision['id']}/appeals",
                {"appellant": "affected_user", "reason": "It was a joke."},
            ),
            201,
        )
        case = ok(call(w.helpline, "get", path))
        report = ok(call(w.api, "get", f"/reports/{report_id}"))
    CaseOut.model_validate(case)
    ReportOut.model_validate(report)
    mine = next(n for n in case["notices"] if n["id"] == escalation["id"])
    assert mine == {
        "id": escalation["id"],
        "source_type": "trusted_flagger",
        "received_at": "2026-11-25T21:00:00+00:00",
        "status": "decided",
        "decision_id": decision["id"],
        "outcome": "restricted",
        "summary": decision["summary"],
        "summary_language": "fr",
        "decided_at": "2026-11-25T21:00:00+00:00",
        "redress": {
            "appeal_until": decision["redress"]["appeal_until"],
            "internal_complaint": True,
            "out_of_court_settlement": True,
            "judicial_redress": True,
        },
        "appeal": {"status": "open", "explanation": None, "summary": None},
    }
    assert "alice.martin" not in orjson.dumps(case).decode()
    # Deciding the escalation decided the reporter's own notice about the same content, with the same outcome.
    assert [n["outcome"] for n in report["notices"]] == ["restricted", "restricted"]
    assert report["notices"][1]["redress"]["appeal_until"] == decision["redress"]["appeal_until"]


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_helpline_does_not_see_another_helplines_escalation_of_the_same_report(world: World) -> None:
    w = world
    report_id = reported(w, "r1")
    _, escalation = escalated(w, report_id)
    line, other_key = add_helpline(name="119", directory_id="fr-119")
    other = client(other_key)
    create_endpoint(
        tenant=line, url="https://119.example/hook", event_types_=["notice.decided"], description="", now=T0
    )
    path = shared_case(w, report_id, other, "fr-119")
    decide(w, escalation["id"], RESTRICT)
    case = ok(call(other, "get", path))
    assert escalation["id"] not in [n["id"] for n in case["notices"]]
    assert [n["source_type"] for n in case["notices"]] == ["article_16"]
    # The reporter's own notice, decided with the escalation about the same content, is theirs too: its
    # decision reaches every helpline holding the report; the 3018's escalation does not reach the 119.
    [delivery] = Delivery.objects.filter(endpoint__helpline=line)
    assert orjson.loads(delivery.body)["data"]["notice_id"] == notice_of(report_id)
    assert [n["outcome"] for n in case["notices"]] == ["restricted"]


# --- tenant walls ---


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_another_platform_sees_none_of_this_platforms_moderation(world: World) -> None:
    w = world
    report_id = reported(w, "r1")
    _, escalation = escalated(w, report_id)
    decision = decide(w, escalation["id"], RESTRICT)
    appeal = ok(
        call(
            w.api,
            "post",
            f"/moderation/decisions/{decision['id']}/appeals",
            {"appellant": "reporter", "reason": "More."},
        ),
        201,
    )
    o = w.other
    assert ok(call(o, "get", "/moderation/queue")) == []
    assert ok(call(o, "get", "/moderation/statements")) == {"statements": [], "next_cursor": None}
    assert ok(call(o, "get", "/moderation/appeals")) == []
    body = {"moderator": "intruder"}
    for method, path, payload in [
        ("get", f"/moderation/notices/{escalation['id']}", None),
        ("post", f"/moderation/notices/{escalation['id']}/claim", body),
        ("post", f"/moderation/notices/{escalation['id']}/release", body),
        ("post", f"/moderation/notices/{notice_of(report_id)}/decision", {**NO_ACTION, **body}),
        ("post", f"/moderation/decisions/{decision['id']}/appeals", {"appellant": "reporter", "reason": "x"}),
        ("post", f"/moderation/appeals/{appeal['id']}/decision", {**body, "reverse": False, "explanation": "x"}),
    ]:
        response = call(o, method, path, payload)
        assert response.status_code == 404, (path, response.content)
    # The reporter's notice was decided with the escalation (one content); the other platform changed nothing.
    assert Notice.objects.get(id=notice_of(report_id)).status == "decided"
    assert Decision.objects.count() == 2
    assert not Decision.objects.filter(moderator_label__startswith="intruder").exists()


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_helpline_key_is_refused_on_platform_endpoints_and_a_platform_key_on_helpline_ones(world: World) -> None:
    w = world
    case, escalation = escalated(w, reported(w, "r1"))
    for path in ["/moderation/queue", f"/moderation/notices/{escalation['id']}", "/moderation/statements"]:
        assert call(w.helpline, "get", path).status_code == 401
    assert (
        call(w.helpline, "post", f"/moderation/notices/{escalation['id']}/claim", {"moderator": "m"}).status_code == 401
    )
    assert call(w.api, "post", f"{case}/escalate", ESCALATION).status_code == 401
    assert call(w.api, "get", f"{case}/escalation").status_code == 401
    assert call(Client(), "get", "/moderation/queue").status_code == 401


# --- retries ---


@pytest.mark.django_db
@time_machine.travel(T0, tick=False)
def test_a_decision_or_appeal_sent_twice_with_one_idempotency_key_happens_once(world: World) -> None:
    w = world
    notice_id = notice_of(reported(w, "r1"))
    path = f"/moderation/notices/{notice_id}/decision"
    first = call(w.api, "post", path, {**NO_ACTION, "moderator": "mod-a"}, **{"Idempotency-Key": "d-1"})
    again = call(w.api, "post", path, {**NO_ACTION, "moderator": "mod-a"}, **{"Idempotency-Key": "d-1"})
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert Decision.objects.count() == 1
    appeals = f"/moderation/decisions/{first.json()['id']}/appeals"
    body = {"appellant": "reporter", "reason": "Still going on."}
    one = call(w.api, "post", appeals, body, **{"Idempotency-Key": "a-1"})
    two = call(w.api, "post", appeals, body, **{"Idempotency-Key": "a-1"})
    assert (one.status_code, two.status_code, two.json()) == (201, 201, one.json())
    # Without the key, the second is a conflict: an appeal from that side is open.
    assert call(w.api, "post", appeals, body).status_code == 409


# --- generated requests against real notices, appeals and cases (test_api_fuzz.py only reaches the 404s) ---

deep = fuzz_schema.include(
    path_regex=r"^/api/v1/(moderation/(notices/\{notice_id\}/decision|decisions/\{decision_id\}/appeals"
    r"|appeals/\{appeal_id\}/decision)|helpline/cases/\{case_id\}/escalate)$"
)


@pytest.mark.django_db(transaction=True)
@deep.parametrize()
@hypothesis.settings(max_examples=40, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_generated_requests_on_real_objects_are_answered_as_documented(case: Any) -> None:
    """Whatever a client sends about a notice, decision, appeal or case that exists: a documented answer, never
    a 5xx (a NUL byte in a statement, say, that PostgreSQL's JSON would refuse)."""
    # The path gets a real object's id below, so a generated path that is not an id (`case_id` is a UUID) never
    # reaches the server and the case would be judged by what was not sent; test_api_fuzz.py sends those.
    hypothesis.assume(case.meta is None or not case.meta.is_negative_at(ParameterLocation.PATH))
    platform = Platform.objects.filter(slug="fuzzed").first() or add_platform(name="Fuzzed", country="IE")[0]
    _, key = ApiKey.issue(platform)
    w = World(platform, client(key), Client(), Client())
    report_id = reported(w, uuid.uuid4().hex)
    notice_id = notice_of(report_id)
    path = case.operation.path
    if path.endswith("/escalate"):
        line = (
            Helpline.objects.filter(directory_id="fr-3018").first()
            or add_helpline(name="3018", directory_id="fr-3018")[0]
        )
        _, hkey = ApiKey.issue(line)
        path = shared_case(w, report_id, client(hkey))
        case.path_parameters = {"case_id": path.rsplit("/", 1)[1]}
        key = hkey
    elif "{notice_id}" in path:
        case.path_parameters = {"notice_id": notice_id}
    else:
        decision = decide(w, notice_id, NO_ACTION, moderator="first")
        if "{decision_id}" in path:
            case.path_parameters = {"decision_id": decision["id"]}
        else:
            appeal = ok(
                call(
                    w.api,
                    "post",
                    f"/moderation/decisions/{decision['id']}/appeals",
                    {"appellant": "reporter", "reason": "Still going on."},
                ),
                201,
            )
            case.path_parameters = {"appeal_id": appeal["id"]}
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=[positive_data_acceptance])
