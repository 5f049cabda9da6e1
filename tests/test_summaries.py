"""Decisions in plain words where notifiers read them: the platform's API and webhooks, the helpline's, and the
consoles. A French report is told in French, an English one in English; the consoles speak their own language;
a moderator's own words are shown as written; only those are stored (ADR 0021)."""

from __future__ import annotations

import importlib
from typing import Any

import orjson
import pytest
import time_machine
from django.apps import apps as django_apps

from relais.moderation.models import Decision
from relais.tenants.models import Helpline
from relais.webhooks.endpoints import create_endpoint
from relais.webhooks.models import Delivery
from tests import test_moderation_api
from tests.test_moderation_api import (
    NO_ACTION,
    RESTRICT,
    T0,
    World,
    call,
    decide,
    escalated,
    notice_of,
    ok,
    reported,
)

world = test_moderation_api.world

FR_RESTRICTED = (
    "Les contenus ont été retirés : ils enfreignent les règles de la plateforme (harcèlement). Règle appliquée : "
    "Community guidelines §4.2: bullying and harassment. Le compte qui les a publiés a été suspendu jusqu'au 25 "
    "décembre 2026. Tu peux contester jusqu'au 25 mai 2027."
)
EN_RESTRICTED = (
    "The items were removed: they break the platform's rules (harassment). Rule applied: Community guidelines "
    "§4.2: bullying and harassment. The account that posted them was suspended until 25 December 2026. You can "
    "appeal until 25 May 2027."
)


def english(**changes: Any) -> dict[str, Any]:
    return {"reporter": {"country": "FR", "language": "en-GB", "age": 14, "pseudonym": "u-en"}, **changes}


def appealed(w: World, decision_id: str, reason: str) -> Any:
    """The user whose content it is appeals (Art. 20)."""
    body = {"appellant": "affected_user", "reason": reason}
    return ok(call(w.api, "post", f"/moderation/decisions/{decision_id}/appeals", body), 201)


def answer(w: World, appeal_id: str, *, reverse: bool, explanation: str) -> Any:
    """A second moderator decides the appeal; reversing a restriction lifts it."""
    body = {"moderator": "mod-b", "reverse": reverse, "explanation": explanation}
    return ok(call(w.api, "post", f"/moderation/appeals/{appeal_id}/decision", body))


def bodies(event_type: str, **tenant: Any) -> list[dict[str, Any]]:
    return [
        orjson.loads(d.body)["data"]
        for d in Delivery.objects.filter(event_type=event_type, **tenant).order_by("created_at", "id")
    ]


@pytest.mark.django_db
def test_the_platform_reads_each_decision_in_its_reports_language(world: World) -> None:
    w = world
    create_endpoint(
        tenant=w.platform, url="https://social.example/hook", event_types_=["notice.decided"], description="", now=T0
    )
    with time_machine.travel(T0, tick=False):
        french = reported(w, "fr-1")
        anglais = reported(w, "en-1", **english())
        decide(w, notice_of(french), RESTRICT)
        decided = decide(w, notice_of(anglais), RESTRICT)
        fr_report = ok(call(w.api, "get", f"/reports/{french}"))
        en_report = ok(call(w.api, "get", f"/reports/{anglais}"))
    assert (decided["summary"], decided["summary_language"]) == (EN_RESTRICTED, "en")
    [fr_notice] = fr_report["notices"]
    [en_notice] = en_report["notices"]
    assert (fr_notice["summary"], fr_notice["summary_language"]) == (FR_RESTRICTED, "fr")
    assert (en_notice["summary"], en_notice["summary_language"]) == (EN_RESTRICTED, "en")
    assert [(b["platform_report_id"], b["summary"], b["summary_language"]) for b in bodies("notice.decided")] == [
        ("fr-1", FR_RESTRICTED, "fr"),
        ("en-1", EN_RESTRICTED, "en"),
    ]
    # Nothing generated is stored: the words are written when read, in the reader's language.
    assert list(Decision.objects.values_list("summary", flat=True)) == ["", ""]


@pytest.mark.django_db
def test_the_helpline_reads_the_reporters_language_on_the_case_and_in_its_webhook(world: World) -> None:
    w = world
    create_endpoint(
        tenant=Helpline.objects.get(directory_id="fr-3018"),
        url="https://3018.example/hook",
        event_types_=["notice.decided", "appeal.decided"],
        description="",
        now=T0,
    )
    with time_machine.travel(T0, tick=False):
        report_id = reported(w, "en-1", **english())
        path, escalation = escalated(w, report_id)
        decision = decide(w, escalation["id"], RESTRICT, moderator="mod-a")
        appeal = appealed(w, decision["id"], "It was a joke.")
        answered = answer(w, appeal["id"], reverse=False, explanation="Daily insults to a child are not a joke.")
        case = ok(call(w.helpline, "get", path))
    mine = next(n for n in case["notices"] if n["id"] == escalation["id"])
    told = (
        "The message was removed: it breaks the platform's rules (harassment). Rule applied: Community guidelines "
        "§4.2: bullying and harassment. The account that sent it was suspended until 25 December 2026."
    )
    assert mine["summary"] == told + " You can appeal until 25 May 2027."
    appeal_told = (
        "The person who sent the message appealed the decision: after looking at it again, the platform is keeping "
        "it. " + told + " You can appeal until 25 May 2027."
    )
    assert mine["appeal"] == {
        "status": "upheld",
        "explanation": "Daily insults to a child are not a joke.",
        "summary": appeal_told,
    }
    assert answered["summary"] == appeal_told
    # The reporter's own notice about the same content was decided with the escalation (ADR 0027): the
    # helpline holding the report hears both, each in the reporter's language.
    told_helpline = bodies("notice.decided", endpoint__helpline__isnull=False)
    assert sorted(b["source_type"] for b in told_helpline) == ["article_16", "trusted_flagger"]
    [notice_decided] = [b for b in told_helpline if b["notice_id"] == escalation["id"]]
    assert (notice_decided["summary"], notice_decided["summary_language"]) == (mine["summary"], "en")
    [appeal_decided] = bodies("appeal.decided", endpoint__helpline__isnull=False)
    assert (appeal_decided["summary"], appeal_decided["summary_language"]) == (appeal_told, "en")


@pytest.mark.django_db
def test_a_reversal_is_told_in_plain_words_and_not_frozen_in_english(world: World) -> None:
    w = world
    create_endpoint(
        tenant=w.platform, url="https://social.example/hook", event_types_=["appeal.decided"], description="", now=T0
    )
    with time_machine.travel(T0, tick=False):
        report_id = reported(w, "fr-1")
        decision = decide(w, notice_of(report_id), RESTRICT, moderator="mod-a")
        appeal = appealed(w, decision["id"], "C'était une blague.")
        answered = answer(w, appeal["id"], reverse=True, explanation="Friends joking, both sides.")
        report = ok(call(w.api, "get", f"/reports/{report_id}"))
    lifted = "Si tu n'es pas d'accord, tu peux contester jusqu'au 25 mai 2027."
    assert answered["replacement"]["summary"] == (
        "Après une contestation, la plateforme a changé sa décision. La mesure prise a été levée. " + lifted
    )
    [notice] = report["notices"]
    assert notice["summary"] == answered["replacement"]["summary"]
    expected = (
        "La personne qui a publié les contenus a contesté la décision : après un nouvel examen, la plateforme l'a "
        "changée. La mesure prise a été levée. " + lifted
    )
    assert notice["appeal"]["summary"] == expected
    [event] = bodies("appeal.decided")
    assert (event["summary"], event["summary_language"], event["outcome"]) == (expected, "fr", "no_action")
    assert Decision.objects.get(id=answered["replacement"]["id"]).summary == ""


@pytest.mark.django_db
def test_a_moderators_own_words_are_shown_as_written_everywhere(world: World) -> None:
    w = world
    own = "Nous avons retiré les messages et suspendu le compte un mois."
    with time_machine.travel(T0, tick=False):
        french = reported(w, "fr-1")
        anglais = reported(w, "en-1", **english())
        decide(w, notice_of(french), {**RESTRICT, "summary": f"  {own} "})
        decide(w, notice_of(anglais), NO_ACTION)
        fr_notice = ok(call(w.api, "get", f"/reports/{french}"))["notices"][0]
        en_notice = ok(call(w.api, "get", f"/reports/{anglais}"))["notices"][0]
    assert (fr_notice["summary"], fr_notice["summary_language"]) == (own, None)
    assert en_notice["summary"] == (
        "The platform looked at the items and is leaving them up: in its view, the items break neither the law nor "
        "its rules. Thank you for your report. If you disagree, you can appeal until 25 May 2027."
    )
    assert Decision.objects.get(notice_id=notice_of(french)).summary == own


# --- the migration: generated English is blanked, a moderator's words kept ---


@pytest.mark.django_db
def test_the_migration_blanks_only_what_the_old_code_generated(world: World) -> None:
    w = world
    with time_machine.travel(T0, tick=False):
        ids = {name: reported(w, name) for name in ("generated", "no-action", "reversed", "own")}
        decide(w, notice_of(ids["generated"]), RESTRICT)
        decide(w, notice_of(ids["no-action"]), NO_ACTION)
        decision = decide(w, notice_of(ids["reversed"]), RESTRICT, moderator="mod-a")
        appeal = appealed(w, decision["id"], "A joke.")
        answer(w, appeal["id"], reverse=True, explanation="Friends joking.")
        decide(w, notice_of(ids["own"]), {**RESTRICT, "summary": "Restricted: we removed it, as rule 4.2 says."})

    def decision_of(name: str) -> Any:
        return Decision.objects.filter(notice_id=notice_of(ids[name]), reversed_by__isnull=True)

    # As the code before ADR 0021 stored them:
    decision_of("generated").update(summary="Restricted: visibility content removed, account suspended")
    decision_of("no-action").update(summary="No action: the content was found neither illegal nor against the terms.")
    decision_of("reversed").update(summary="Reversed on appeal: Friends joking.")
    migration = importlib.import_module("relais.moderation.migrations.0002_decision_summary_as_written")
    migration.blank_generated_summaries(django_apps, None)
    assert {name: decision_of(name).get().summary for name in ids} == {
        "generated": "",
        "no-action": "",
        "reversed": "",
        "own": "Restricted: we removed it, as rule 4.2 says.",
    }
