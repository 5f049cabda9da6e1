"""The consoles say records in words: the access log, countries and languages, dates, the statement of reasons.

Each test does what a counsellor or a moderator does (changes a status, opens a case, reads a decision) and
reads the page in French and in English; the stored rows keep their values, only the page speaks.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from relais import clock
from relais.handoffs import services
from relais.handoffs.models import AccessEvent
from relais.handoffs.readable import access_event_words
from relais.moderation import statement_of_reasons as sor
from relais.moderation.models import Source
from relais.moderation.readable import statement_in_words
from tests import test_console
from tests.test_console import World, make_report, share, signed_in, url
from tests.test_moderation_rules import harassment_decision

pytestmark = pytest.mark.django_db
world = test_console.world


def _page(world: World, case_url: str, language: str) -> str:
    client = Client(headers={"Accept-Language": language})
    client.force_login(world.supervisor.user)
    return client.get(case_url).content.decode()


def _log(page: str) -> list[str]:
    """The access log's rows as read: when, then who did what (tags and spacing dropped)."""
    section = page[page.index('id="log"') :]
    rows = re.findall(r'<span class="access-log__what">(.*?)</span>\s*</li>', section, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip().replace("&#x27;", "'") for row in rows]


def test_the_access_log_says_what_happened_in_the_readers_language(world: World) -> None:
    case = share(world)
    actor = services.Actor.staff(world.supervisor)
    services.set_status(actor=actor, case=case, status="in_progress", now=clock.now())
    services.set_follow_up(actor=actor, case=case, on=date(2026, 12, 4), now=clock.now())
    services.set_follow_up(actor=actor, case=case, on=None, now=clock.now())
    services.assign(actor=actor, case=case, to=world.counsellor, now=clock.now())

    french = _log(_page(world, url("case", case), "fr"))
    english = _log(_page(world, url("case", case), "en"))

    assert french[1:] == [  # newest first; the first row is this very look
        "sami a attribué le cas à camille",
        "sami a retiré la date de suivi",
        "sami a fixé la date de suivi : vendredi 4 décembre 2026",
        "sami a changé le statut : Nouveau → En cours",
        "Sunny Social a partagé : ce qui s'est passé, le contenu signalé, la carte d'aide affichée",
    ]
    assert french[0] == "sami a consulté le cas"
    assert english[1:6] == [
        "sami viewed the case",
        "sami assigned the case to camille",
        "sami removed the follow-up date",
        "sami set the follow-up date: Friday 4 December 2026",
        "sami changed the status: New → In progress",
    ]
    assert english[-1] == "Sunny Social shared: what happened, the reported content, the help card shown"
    # The rows themselves keep what happened as it was stored.
    stored = AccessEvent.objects.filter(case=case, action=AccessEvent.Action.STATUS_CHANGED).get()
    assert stored.detail == "new → in_progress"
    assert "scope:" not in " ".join(french + english)


@pytest.mark.parametrize(
    ("action", "detail", "words"),
    [
        (
            "escalated",
            "Trusted flagger (Art. 22): harassment",
            "escalated to the platform as a trusted flagger: Harassment",
        ),
        (
            "escalated",
            "Other notification (a helpline without the status): threat",
            "escalated to the platform: Threats",
        ),
        ("evidence_viewed", "PDF pack of 1 items", "opened the evidence pack (PDF, 1 item)"),
        ("evidence_exported", "ZIP pack of 3 items", "downloaded the evidence pack (ZIP, 3 items)"),
        ("assigned", "to nobody", "unassigned the case"),
        ("looked_up", "", "opened the case with its code"),
        # A detail this version did not write is shown as stored, never hidden.
        ("status_changed", "new → archived", "status changed (new → archived)"),
        ("follow_up_set", "next week", "follow-up date set (next week)"),
        ("viewed", "through the API", "viewed (through the API)"),
    ],
)
def test_every_stored_action_reads_as_words(action: str, detail: str, words: str) -> None:
    with translation.override("en"):
        assert access_event_words(action, detail) == words


def test_the_escalation_is_logged_in_words() -> None:
    detail = f"{Source.TRUSTED_FLAGGER.label}: cyberbullying"  # as moderation.services.escalate writes it
    with translation.override("fr"):
        assert access_event_words("escalated", detail) == (
            "a signalé à la plateforme, comme signaleur de confiance : Cyberharcèlement"
        )


@pytest.mark.parametrize(
    ("language", "country", "reporter_language", "shown"),
    [
        ("fr", "FR", "fr", "France · français"),
        ("en", "FR", "fr", "France · French"),
        ("fr", "GB", "en", "Royaume-Uni · anglais"),
        ("en", "BE", "nl-BE", "Belgium · Dutch"),
        ("fr", "CA", "fr-CA", "Canada · français"),
    ],
)
def test_countries_and_languages_are_named(
    world: World, language: str, country: str, reporter_language: str, shown: str
) -> None:
    report = make_report(world.platform, reporter={"country": country, "language": reporter_language, "age": 14})
    case = share(world, report)
    page = _page(world, url("case", case), language)
    assert shown in page


def test_dates_read_naturally_with_a_machine_readable_time(world: World) -> None:
    case = share(world)
    services.set_follow_up(
        actor=services.Actor.staff(world.counsellor), case=case, on=date(2026, 12, 4), now=clock.now()
    )
    french = _page(world, url("case", case), "fr")
    english = _page(world, url("case", case), "en")
    # Shared at 22:59 in Paris (the helpline's zone); the datetime attribute is the instant in UTC.
    assert '<time datetime="2026-11-25T21:59:00+00:00">mercredi 25 novembre 2026, 22:59</time>' in french
    assert '<time datetime="2026-11-25T21:59:00+00:00">Wednesday 25 November 2026, 22:59</time>' in english
    assert '<time datetime="2026-12-04">vendredi 4 décembre 2026</time>' in french
    queue = signed_in(world.counsellor).get(reverse("console:queue")).content.decode()
    assert '<time datetime="2026-12-04">Friday 4 December 2026</time>' in queue


def test_a_statement_reads_back_in_words_with_unknown_values_kept() -> None:
    decision = harassment_decision(
        visibility=("DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_OTHER"),
        visibility_other="hidden from search",
    )
    statement = {**sor.build(decision), "category_specification": ["KEYWORD_CYBER_HARASSMENT", "KEYWORD_NEW"]}
    with translation.override("fr"):
        words = statement_in_words(statement)
        assert [(str(r.label), r.other, r.ends_on) for r in words.restrictions] == [
            ("Contenu retiré", "", None),
            ("Autre restriction de visibilité", "hidden from search", None),
            ("Compte suspendu", "", date(2026, 12, 25)),
        ]
        assert str(words.category) == "Cyberviolence"
        assert [str(k) for k in words.keywords] == ["Cyberharcèlement", "KEYWORD_NEW"]  # a newer value, as sent
        assert [str(t) for t in words.territories] == ["Belgique", "France"]
        assert str(words.content_language) == "Français"
        assert words.ground_cited == "Community Guidelines §4 Harassment and bullying"
        assert str(words.also_illegal) == "Oui"
        assert str(words.source) == "Signaleur de confiance (art. 22)"
        assert words.application_date == date(2026, 11, 25)
