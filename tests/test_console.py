"""The helpline console over HTTP: Django's test client against the real URL conf, database and services."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import NoReverseMatch, reverse

from relais import clock
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.handoffs import case_codes, services
from relais.handoffs.models import AccessEvent, Case, CaseNote
from relais.reports.models import Report
from relais.reports.schemas import ReportIn
from relais.reports.services import receive_report
from relais.tenants.models import Helpline, Platform, Role, StaffMember
from relais.tenants.services import add_helpline, add_platform, add_staff
from tests.test_api import report_body
from tests.test_handoffs_api import other_code

PASSWORD = "a long counsellor passphrase"
NOW = "2026-11-25T22:59:00+01:00"
pytestmark = pytest.mark.django_db


@dataclass
class World:
    platform: Platform
    helpline: Helpline
    other_helpline: Helpline
    counsellor: StaffMember
    supervisor: StaffMember
    stranger: StaffMember
    """A counsellor of the other helpline."""


@pytest.fixture
def world(db: None, settings: Any) -> World:
    settings.RELAIS_FAKE_NOW = NOW
    platform, _ = add_platform(name="Sunny Social")
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    other, _ = add_helpline(name="119", directory_id="fr-119", slug="119")
    counsellor, _ = add_staff(username="camille", helpline=helpline, password=PASSWORD)
    User.objects.filter(pk=counsellor.user.pk).update(first_name="Camille")
    counsellor.refresh_from_db()
    supervisor, _ = add_staff(username="sami", helpline=helpline, role=Role.SUPERVISOR, password=PASSWORD)
    stranger, _ = add_staff(username="lou", helpline=other, password=PASSWORD)
    return World(platform, helpline, other, counsellor, supervisor, stranger)


def make_report(platform: Platform, *, ident: str = "rep-1", **overrides: Any) -> Report:
    body = report_body(platform_report_id=ident, **overrides)
    body["reporter"] = {**body["reporter"], "pseudonym": "u-7f3a9c"}
    data = ReportIn.model_validate(body)
    now = clock.now()
    card = current().cards.card_json(
        HelpRequest(
            country="FR", language="fr", category=data.category, danger=data.danger, age=14, timezone="Europe/Paris"
        ),
        now,
    )
    report, _ = receive_report(platform=platform, data=data, help_card=card, received_at=now)
    return report


def share(
    world: World, report: Report | None = None, *, scope: tuple[str, ...] = ("report", "content", "help_card")
) -> Case:
    report = report or make_report(world.platform)
    case, _ = services.share_report(
        platform=world.platform,
        report=report,
        helpline_id="fr-3018",
        given_at=clock.now(),
        text_version="fr-2026-11",
        scope=list(scope),
        now=clock.now(),
    )
    return case


def signed_in(member: StaffMember, **client_options: Any) -> Client:
    client = Client(headers={"Accept-Language": "en"}, **client_options)
    client.force_login(member.user)
    return client


def url(name: str, case: Case | None = None) -> str:
    return reverse(f"console:{name}", kwargs={"case_id": case.pk} if case else None)


def viewed_by(member: StaffMember) -> int:
    return AccessEvent.objects.filter(actor=member.user).count()


ESCALATION = {
    "category": "harassment",
    "ground_kind": "illegal",
    "ground": "Code pénal art. 222-33-2-2",
    "explanation": "Insultes quotidiennes à une collégienne de 14 ans.",
    "content_positions": "0",
}

# --- the tenant wall ---------------------------------------------------------------------------------

CASE_PAGES: list[tuple[str, str, dict[str, str]]] = [
    ("get", "case", {}),
    ("post", "note", {"text": "a note"}),
    ("post", "status", {"status": "in_progress"}),
    ("post", "follow_up", {"follow_up_on": "2026-12-01"}),
    ("post", "assign", {"assigned_to": ""}),
    ("post", "escalate", ESCALATION),
]


@pytest.mark.parametrize(("method", "name", "data"), CASE_PAGES)
@pytest.mark.parametrize("visitor", ["anonymous", "other helpline", "other helpline's supervisor", "no staff"])
def test_no_case_page_shows_anything_to_anyone_outside_the_helpline(
    world: World, method: str, name: str, data: dict[str, str], visitor: str
) -> None:
    case = share(world)
    if visitor == "anonymous":
        client = Client()
    elif visitor == "no staff":
        client = Client()
        client.force_login(User.objects.create_user("ops", password=PASSWORD))
    else:
        role = Role.SUPERVISOR if "supervisor" in visitor else Role.COUNSELLOR
        member, _ = add_staff(username="intruder", helpline=world.other_helpline, role=role, password=PASSWORD)
        client = signed_in(member)
    before = AccessEvent.objects.count()

    response = getattr(client, method)(url(name, case), data)

    if visitor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("console:login") + "?next=")
    elif visitor == "no staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    body = response.content.decode()
    for secret in (case.code, case_codes.display(case.code), "personne ne t'aime", "u-7f3a9c", "rentrée"):
        assert secret not in body
    assert AccessEvent.objects.count() == before, "nothing was looked at, so nothing is logged"
    case.refresh_from_db()
    assert (case.status, case.follow_up_on, case.assigned_to) == ("new", None, None)
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize("name", ["queue", "lookup"])
def test_the_queue_and_lookup_pages_show_only_the_helplines_own_cases(world: World, name: str) -> None:
    case = share(world)
    assert Client().get(url(name)).status_code == 302
    response = signed_in(world.stranger).get(url(name))
    assert response.status_code == 200
    assert case_codes.display(case.code) not in response.content.decode()
    assert str(case.pk) not in response.content.decode()
    response = signed_in(world.counsellor).get(url("queue"))
    assert str(case.pk) in response.content.decode()


def test_a_code_of_another_helpline_is_not_found(world: World) -> None:
    case = share(world)
    response = signed_in(world.stranger).post(url("lookup"), {"code": case.code})
    assert response.status_code == 404
    assert "No open case has this code" in response.content.decode()
    assert not AccessEvent.objects.filter(actor=world.stranger.user).exists()


def test_a_withdrawn_case_is_gone_at_once_from_every_page(world: World) -> None:
    case = share(world)
    client = signed_in(world.counsellor)
    assert client.get(url("case", case)).status_code == 200
    report = case.report
    assert report is not None

    services.withdraw_consent(platform=world.platform, report=report, now=clock.now())

    assert client.get(url("case", case)).status_code == 404
    assert client.post(url("note", case), {"text": "still here?"}).status_code == 404
    assert client.post(url("status", case), {"status": "in_progress"}).status_code == 404
    assert client.post(url("lookup"), {"code": case.code}).status_code == 404
    queue = client.get(url("queue")).content.decode()
    assert str(case.pk) not in queue
    assert not CaseNote.objects.exists()


# --- what the case page shows ------------------------------------------------------------------------


def test_the_case_page_shows_the_report_as_consented_and_logs_each_view(world: World) -> None:
    case = share(world)
    client = signed_in(world.counsellor)

    first = client.get(url("case", case))
    client.get(url("case", case))

    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    page = first.content.decode()
    assert "t&#x27;es nul, personne ne t&#x27;aime" in page  # the content, as the platform sent it
    assert 'href="https://social.example/@bully"' in page
    assert "Appeler le 3018" in page  # the help card's main button
    assert "Wednesday 25 November 2026, 22:59" in page  # when it was shown, in the helpline's zone, day, date, time
    assert "u-••••9c" in page  # the pseudonym is masked: not part of the consent
    assert "u-7f3a9c" not in page
    assert "rentrée" not in page  # the description was not shared
    assert "Not shared: the reporter did not agree to share what they wrote." in page
    views = AccessEvent.objects.filter(case=case, action=AccessEvent.Action.VIEWED)
    assert views.count() == 2
    assert {e.actor_label for e in views} == {"Camille"}
    assert page.count('class="access-log__row"') == 2  # shared + this view, shown on the page


def test_the_full_scope_shows_the_pseudonym_and_the_reporters_words(world: World) -> None:
    case = share(world, scope=("report", "description", "pseudonym"))
    page = signed_in(world.counsellor).get(url("case", case)).content.decode()
    assert "u-7f3a9c" in page
    assert "Ça dure depuis la rentrée." in page
    assert "Not shared: the reporter did not agree to share the content." in page
    assert "personne ne t" not in page


def test_the_console_speaks_french(world: World) -> None:
    case = share(world)
    client = Client(headers={"Accept-Language": "fr"})
    client.force_login(world.counsellor.user)
    queue = client.get(url("queue")).content.decode()
    assert '<html lang="fr">' in queue
    assert "Cas partagés avec 3018 (e-Enfance)" in queue
    page = client.get(url("case", case)).content.decode()
    assert "Journal des accès" in page
    assert "mercredi 25 novembre 2026, 22:59" in page


def test_the_access_log_cannot_be_changed_from_the_console(world: World) -> None:
    case = share(world)
    client = signed_in(world.supervisor)
    page = client.get(url("case", case)).content.decode()
    actions = set(re.findall(r'<form[^>]*action="([^"]+)"', page))
    allowed = {url(n, case) for n in ("note", "status", "follow_up", "assign", "escalate")} | {
        reverse("console:logout"),
        reverse("set_language"),
    }
    assert actions <= allowed, actions - allowed
    for name in ("log", "access_log", "event", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"console:{name}", kwargs={"case_id": case.pk})
    before = list(AccessEvent.objects.values_list("id", "action", "detail"))
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url("case", case)).status_code == 405
    after = list(AccessEvent.objects.values_list("id", "action", "detail"))
    assert after[: len(before)] == before


# --- working on a case -------------------------------------------------------------------------------


def test_a_note_is_added_then_the_page_reloads(world: World) -> None:
    case = share(world)
    client = signed_in(world.counsellor)
    response = client.post(url("note", case), {"text": "Appel reçu, elle va mieux.\nRappeler lundi."})
    assert response.status_code == 302
    assert response["Location"] == url("case", case) + "#notes"
    note = CaseNote.objects.get()
    assert (note.text, note.author) == ("Appel reçu, elle va mieux.\nRappeler lundi.", world.counsellor.user)
    page = client.get(response["Location"]).content.decode()
    assert "Appel reçu, elle va mieux." in page
    assert "Note added." in page
    assert AccessEvent.objects.filter(case=case, action=AccessEvent.Action.NOTE_ADDED).count() == 1


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_note_is_refused_next_to_the_field(world: World, text: str) -> None:
    case = share(world)
    response = signed_in(world.counsellor).post(url("note", case), {"text": text})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_text_error"' in page
    assert 'aria-invalid="true"' in page
    assert not CaseNote.objects.exists()


def test_status_moves_follow_the_workflow(world: World) -> None:
    case = share(world)
    client = signed_in(world.counsellor)
    page = client.get(url("case", case)).content.decode()
    offered = re.findall(r'name="status" value="(\w+)"', page)
    # Escalating is sending the platform a notice (its own form), not a status button.
    assert offered == ["in_progress", "closed"]

    response = client.post(url("status", case), {"status": "in_progress"})
    assert (response.status_code, response["Location"]) == (302, url("case", case) + "#work")
    case.refresh_from_db()
    assert case.status == "in_progress"
    event = AccessEvent.objects.get(case=case, action=AccessEvent.Action.STATUS_CHANGED)
    assert event.detail == "new → in_progress"

    client.post(url("status", case), {"status": "closed"})
    refused = client.post(url("status", case), {"status": "escalated"})
    assert refused.status_code == 422
    assert "cannot become escalated" in refused.content.decode()
    unknown = client.post(url("status", case), {"status": "bogus"})
    assert unknown.status_code == 422
    assert "unknown status" in unknown.content.decode()
    case.refresh_from_db()
    assert case.status == "closed"


def test_a_follow_up_date_is_set_and_cleared(world: World) -> None:
    case = share(world)
    client = signed_in(world.counsellor)
    assert client.post(url("follow_up", case), {"follow_up_on": "2026-12-01"}).status_code == 302
    case.refresh_from_db()
    assert case.follow_up_on == date(2026, 12, 1)
    bad = client.post(url("follow_up", case), {"follow_up_on": "next monday"})
    assert bad.status_code == 422
    assert 'id="id_follow_up_on_error"' in bad.content.decode()
    assert client.post(url("follow_up", case), {"follow_up_on": ""}).status_code == 302
    case.refresh_from_db()
    assert case.follow_up_on is None


def test_only_a_supervisor_reassigns_and_only_to_their_own_staff(world: World) -> None:
    case = share(world)
    counsellor = signed_in(world.counsellor)
    assert 'name="assigned_to"' not in counsellor.get(url("case", case)).content.decode()
    refused = counsellor.post(url("assign", case), {"assigned_to": world.counsellor.pk})
    assert refused.status_code == 403
    case.refresh_from_db()
    assert case.assigned_to is None
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.ASSIGNED).exists()

    supervisor = signed_in(world.supervisor)
    assert 'name="assigned_to"' in supervisor.get(url("case", case)).content.decode()
    foreign = supervisor.post(url("assign", case), {"assigned_to": world.stranger.pk})
    assert foreign.status_code == 422
    assert 'id="id_assigned_to_error"' in foreign.content.decode()
    done = supervisor.post(url("assign", case), {"assigned_to": world.counsellor.pk})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == world.counsellor.user
    assert AccessEvent.objects.get(action=AccessEvent.Action.ASSIGNED).detail == "to camille"
    assert "assigned to Camille" in supervisor.get(url("queue")).content.decode()


# --- finding a case by its code ----------------------------------------------------------------------


def test_a_typed_code_opens_the_case_by_its_uuid(world: World) -> None:
    case = share(world)
    client = signed_in(world.counsellor)
    typed = f" {case_codes.display(case.code).replace('-', '.')} "  # dots and spaces, as jotted down
    response = client.post(url("lookup"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == url("case", case)
    assert case.code not in response["Location"]
    actions = list(AccessEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["shared", "looked_up"]
    client.get(response["Location"])
    assert AccessEvent.objects.filter(case=case).last().action == "viewed"  # type: ignore[union-attr]


def test_the_lookup_is_a_post_so_the_code_stays_out_of_the_address_bar(world: World) -> None:
    case = share(world)
    client = signed_in(world.counsellor)
    page = client.get(url("lookup")).content.decode()
    assert re.search(r'<form method="post" action="/console/lookup/"', page)
    assert client.get(url("lookup"), {"code": case.code}).status_code == 200  # ignored, nothing opened
    assert viewed_by(world.counsellor) == 0


def test_too_many_wrong_codes_pause_the_lookup(world: World, settings: Any) -> None:
    settings.RELAIS_CODE_LOOKUP_LIMIT = 3
    case = share(world)
    client = signed_in(world.counsellor)
    for wrong in ["2222-2222", other_code(case.code), other_code(case.code)]:  # legacy, then today's shape
        assert client.post(url("lookup"), {"code": wrong}).status_code == 404
    response = client.post(url("lookup"), {"code": case.code})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many wrong codes" in response.content.decode()
    # Another counsellor is not slowed down by a colleague's typos.
    assert signed_in(world.supervisor).post(url("lookup"), {"code": case.code}).status_code == 302


@pytest.mark.parametrize(
    ("typed", "english", "french"),
    [
        (
            "misheard",
            "One digit is wrong, or two are swapped: ask the young person to read the code again.",
            "Un chiffre est faux, ou deux sont inversés : demandez au ou à la jeune de relire le code.",
        ),
        ("4821-093-755", "A code has 14 digits; this one has 10.", "Un code a 14 chiffres ; celui-ci en a 10."),
        ("K7QM-4X2O", "A code has only digits, 14 of them", "Un code n&#x27;a que des chiffres, 14 en tout"),
    ],
)
def test_a_misread_code_says_what_to_ask_again_and_costs_no_try(
    world: World, settings: Any, typed: str, english: str, french: str
) -> None:
    settings.RELAIS_CODE_LOOKUP_LIMIT = 1
    case = share(world)
    if typed == "misheard":
        typed = case_codes.display(case.code[:5] + str((int(case.code[5]) + 3) % 10) + case.code[6:])
    client = signed_in(world.counsellor)
    for _ in range(3):
        response = client.post(url("lookup"), {"code": typed})
        assert response.status_code == 422
        page = response.content.decode()
        assert 'id="id_code_error"' in page
        assert english in page
    client.cookies["django_language"] = "fr"
    assert french in client.post(url("lookup"), {"code": typed}).content.decode()
    assert client.post(url("lookup"), {"code": case_codes.display(case.code)}).status_code == 302  # never paused


def test_a_case_shared_before_digit_codes_is_still_found_by_its_old_code(world: World) -> None:
    case = share(world)
    Case.objects.filter(pk=case.pk).update(code="K7QM4X2P")  # a row written before ADR 0016
    client = signed_in(world.counsellor)
    # While such a code can find a case, the field lets a phone type letters.
    assert 'inputmode="numeric"' not in client.get(url("lookup")).content.decode()
    response = client.post(url("lookup"), {"code": "k7qm 4x2p"})
    assert response.status_code == 302
    assert response["Location"] == url("case", case)
    assert "K7QM-4X2P" in client.get(response["Location"]).content.decode()


def test_the_code_field_asks_for_digits_and_shows_todays_format(world: World) -> None:
    share(world)
    page = signed_in(world.counsellor).get(url("lookup")).content.decode()
    field = re.search(r"<input[^>]*id=\"id_code\"[^>]*>", page)
    assert field is not None
    assert 'inputmode="numeric"' in field.group()
    assert 'autocomplete="off"' in field.group()
    assert "for example 4821-093-755-1627" in page


def test_the_queue_puts_open_urgent_and_new_cases_first_and_filters(world: World, settings: Any) -> None:
    settings.RELAIS_FAKE_NOW = "2026-11-25T10:00:00+01:00"
    old = share(world, make_report(world.platform, ident="old"))
    settings.RELAIS_FAKE_NOW = "2026-11-25T11:00:00+01:00"
    urgent = share(world, make_report(world.platform, ident="urgent", danger="immediate", category="threat"))
    settings.RELAIS_FAKE_NOW = "2026-11-25T12:00:00+01:00"
    closed = share(world, make_report(world.platform, ident="closed"))
    newest = share(world, make_report(world.platform, ident="newest"))
    services.set_status(actor=services.Actor.staff(world.counsellor), case=closed, status="closed", now=clock.now())
    client = signed_in(world.counsellor)

    def order(**params: str) -> list[str]:
        page = client.get(url("queue"), params).content.decode()
        return re.findall(r'data-case-id="([0-9a-f-]+)"', page)

    assert order() == [str(c.pk) for c in (urgent, newest, old, closed)]
    assert order(status="closed") == [str(closed.pk)]
    assert order(category="threat") == [str(urgent.pk)]
    assert order(category="nonsense") == [str(c.pk) for c in (urgent, newest, old, closed)]
    page = client.get(url("queue")).content.decode()
    assert "Urgent" in page


# --- signing in --------------------------------------------------------------------------------------


def login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("console:login"), {"username": username, "password": password})


def test_signing_in_leads_to_the_queue_with_a_session_cookie_that_ends_with_the_browser(world: World) -> None:
    client = Client(headers={"Accept-Language": "en"})
    page = client.get(reverse("console:login")).content.decode()
    assert 'autocomplete="current-password"' in page
    response = login(client, "camille", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("console:queue"))
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # A session cookie (no expiry): gone when the browser closes.
    assert not cookie["expires"]
    assert not cookie["max-age"]
    assert client.get(reverse("console:queue")).status_code == 200
    # Signing out is a POST (with CSRF), then the console is closed again.
    assert client.post(reverse("console:logout")).status_code == 302
    assert client.get(reverse("console:queue")).status_code == 302


def test_after_five_wrong_passwords_sign_in_is_paused_even_with_the_right_one(world: World) -> None:
    client = Client(headers={"Accept-Language": "en"})
    for _ in range(4):
        response = login(client, "camille", "wrong password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    locked = login(client, "camille", "wrong password")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "10 minutes" in locked.content.decode()
    right = login(client, "camille", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # That account and that address are paused (ADR 0031): a colleague elsewhere signs in.
    assert login(Client(REMOTE_ADDR="198.51.100.7"), "sami", PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_earlier_mistakes(world: World) -> None:
    client = Client()
    for _ in range(4):
        login(client, "camille", "wrong password")
    assert login(client, "camille", PASSWORD).status_code == 302
    client.post(reverse("console:logout"))
    for _ in range(4):
        assert login(client, "camille", "wrong password").status_code == 200
    assert login(client, "camille", PASSWORD).status_code == 302


def test_the_lockout_page_speaks_french(world: World) -> None:
    client = Client(headers={"Accept-Language": "fr"})
    for _ in range(5):
        response = login(client, "camille", "mauvais mot de passe")
    assert response.status_code == 429
    assert "Connexion suspendue" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("note", {"text": "forged"}),
        ("status", {"status": "closed"}),
        ("follow_up", {"follow_up_on": "2026-12-01"}),
        ("assign", {"assigned_to": ""}),
        ("escalate", ESCALATION),
    ],
)
def test_every_form_needs_its_csrf_token(world: World, name: str, data: dict[str, str]) -> None:
    case = share(world)
    client = signed_in(world.supervisor, enforce_csrf_checks=True)
    assert client.post(url(name, case), data).status_code == 403
    case.refresh_from_db()
    assert (case.status, case.follow_up_on) == ("new", None)
    assert not CaseNote.objects.exists()
    page = client.get(url("case", case)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert client.post(url(name, case), {**data, "csrfmiddlewaretoken": token.group(1)}).status_code == 302


def test_the_login_form_needs_its_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    assert login(client, "camille", PASSWORD).status_code == 403


# --- the demo feed's share step (its back end plays the platform) -------------------------------------


def demo_report(client: Client, description: str = "") -> Any:
    body: dict[str, Any] = {
        "category": "harassment",
        "danger": "none",
        "reporter": {"country": "FR", "language": "fr"},
        "content": [{"kind": "post", "content_id": "post-2", "text": "Tout le monde sait que t'es nul."}],
    }
    if description:
        body["description"] = description
    return client.post("/demo/report", body, content_type="application/json").json()


def demo_share(client: Client, report_id: str, **overrides: Any) -> Any:
    body = {"report_id": report_id, "helpline_id": "fr-3018", "text_version": "demo-share-1.fr", **overrides}
    return client.post("/demo/share", body, content_type="application/json")


def test_the_demo_shares_only_what_its_consent_text_lists(world: World) -> None:
    client = Client()
    report = demo_report(client, description="Ça dure.")
    assert report["share"] == {"helpline_id": "fr-3018", "name": "3018"}
    response = demo_share(client, report["id"], description=True, scope=["report", "pseudonym"])
    assert response.status_code == 201
    data = response.json()
    assert re.fullmatch(r"[1-9][0-9]{3}-[0-9]{3}-[0-9]{3}-[0-9]{4}", data["case_code"])
    assert data["case_code_spoken"] == case_codes.spoken(Case.objects.get().code, "fr")
    assert data["valid_days"] == 30
    assert data["helpline"]["channels"][0]["uri"] == "tel:3018"
    case = Case.objects.get()
    assert case.consent.scope == ["content", "description", "help_card", "report"]  # never the pseudonym
    assert case.consent.text_version == "demo-share-1.fr"
    assert case.report is not None
    assert case.report.reporter_pseudonym.startswith("demo-user-")
    assert demo_share(client, report["id"]).json()["case_code"] == data["case_code"]  # a retry: same code


def test_the_demo_shares_and_withdraws_only_this_browsers_reports(world: World) -> None:
    owner = Client()
    report = demo_report(owner)
    assert demo_share(Client(), report["id"]).status_code == 404
    assert demo_share(owner, report["id"], text_version="made-up").status_code == 422
    assert demo_share(owner, report["id"]).status_code == 201
    withdraw = "/demo/share/withdraw"
    assert Client().post(withdraw, {"report_id": report["id"]}, content_type="application/json").status_code == 404
    assert Case.objects.get().withdrawn_at is None
    response = owner.post(withdraw, {"report_id": report["id"]}, content_type="application/json")
    assert (response.status_code, response.json()) == (200, {"withdrawn": 1})
    assert Case.objects.get().withdrawn_at is not None


def test_no_share_is_offered_without_a_helpline_tenant_on_the_card(db: None) -> None:
    assert demo_report(Client())["share"] is None


def _remembered(client: Client) -> Any:
    response = client.get("/")
    assert response.status_code == 200
    match = re.search(r'<script id="demo-reports" type="application/json">(.*?)</script>', response.content.decode())
    assert match, "the feed carries the session's reports"
    return json.loads(match.group(1))


def test_the_feed_remembers_this_browsers_report_and_its_code_while_shared(world: World) -> None:
    owner = Client()
    assert _remembered(owner) == {}
    report = demo_report(owner)
    code = demo_share(owner, report["id"]).json()["case_code"]

    state = _remembered(owner)["post-2"]
    assert (state["id"], state["help"]) == (report["id"], report["help"])
    assert state["shared"]["case_code"] == code
    assert state["reporter_url"] == report["reporter_url"]
    assert _remembered(Client()) == {}, "another browser sees none of it"

    owner.post("/demo/share/withdraw", {"report_id": report["id"]}, content_type="application/json")
    assert _remembered(owner)["post-2"]["shared"] is None


def test_every_demo_answer_stays_out_of_caches_referrers_and_search_engines(world: World) -> None:
    client = Client()
    report = demo_report(client)
    answers = [
        client.get("/"),
        client.post("/demo/report", {}, content_type="application/json"),
        demo_share(client, report["id"]),
        client.post("/demo/share/withdraw", {"report_id": report["id"]}, content_type="application/json"),
    ]
    for response in answers:
        assert response["Cache-Control"] == "no-store", response
        assert response["Referrer-Policy"] == "no-referrer", response
        assert response["X-Robots-Tag"] == "noindex", response
    title = re.compile(rb"<title>(.*?)</title>")
    first_visit = title.search(Client().get("/").content)
    assert first_visit, "the feed has a title"
    assert title.findall(answers[0].content) == [first_visit.group(1)], "the title says nothing of the report"
