"""Sharing a report with a helpline, and the helpline's API, over HTTP against the real database."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from relais.handoffs import case_codes
from relais.handoffs.models import AccessEvent, Case, CaseNote, Consent
from relais.tenants.access import forget_keys
from relais.tenants.models import Helpline
from relais.tenants.services import add_helpline, add_platform
from tests.test_api import AT_2259, post, report_body

CONSENT = {"given_at": "2026-11-25T22:59:30+01:00", "text_version": "fr-2026-11", "scope": ["report", "content"]}


@pytest.fixture
def helpline(db: None) -> tuple[Helpline, Client]:
    line, key = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    return line, Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def reported(api: Client) -> str:
    with time_machine.travel(AT_2259, tick=False):
        return str(post(api, report_body()).json()["id"])


def share(api: Client, report_id: str, **overrides: Any) -> Any:
    body: dict[str, Any] = {"helpline_id": "fr-3018", "consent": CONSENT}
    body.update(overrides)
    return api.post(f"/api/v1/reports/{report_id}/share", body, content_type="application/json")


def code_of(response: Any) -> str:
    return str(response.json()["case_code"])


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_sharing_gives_a_code_to_read_out_and_the_helplines_channels(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    response = share(api, reported)
    assert response.status_code == 201
    data = response.json()
    assert re.fullmatch(r"[1-9][0-9]{3}-[0-9]{3}-[0-9]{3}-[0-9]{4}", data["case_code"])
    # The words to read it out, in the reporter's language (French here), digit by digit.
    assert data["case_code_spoken"] == case_codes.spoken(data["case_code"].replace("-", ""), "fr")
    assert data["case_code_spoken"].count(" — ") == 3
    assert data["expires_at"].startswith("2026-12-25")
    assert data["helpline"]["id"] == "fr-3018"
    assert data["helpline"]["channels"][0]["uri"] == "tel:3018"
    consent = Consent.objects.get()
    assert (consent.text_version, consent.scope) == ("fr-2026-11", ["content", "report"])
    assert consent.given_at.isoformat() == "2026-11-25T21:59:30+00:00"
    # Sharing again (a retry) gives the same case, not a second one.
    again = share(api, reported)
    assert (again.status_code, code_of(again)) == (200, data["case_code"])
    assert Case.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"helpline_id": "fr-119"}, "helpline_id"),
        ({"helpline_id": "not an id"}, "helpline_id"),
        ({"consent": {**CONSENT, "scope": ["content"]}}, "consent.scope"),
        ({"consent": {**CONSENT, "scope": ["report", "address"]}}, "consent.scope.1"),
        ({"consent": {**CONSENT, "given_at": "2026-11-25 22:59"}}, "consent.given_at"),
        ({"consent": {**CONSENT, "text_version": "v 1"}}, "consent.text_version"),
        ({"consent": {"given_at": CONSENT["given_at"], "scope": ["report"]}}, "consent.text_version"),
    ],
)
def test_a_bad_share_is_a_422_naming_the_field(
    api: Client, reported: str, helpline: tuple[Helpline, Client], change: dict[str, Any], field: str
) -> None:
    response = share(api, reported, **change)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_only_the_reporting_platform_can_share_its_report(reported: str, helpline: tuple[Helpline, Client]) -> None:
    _, other_key = add_platform(name="Other Social")
    assert share(Client(headers={"Authorization": f"Bearer {other_key}"}), reported).status_code == 404
    assert share(helpline[1], reported).status_code == 401
    assert share(Client(), reported).status_code == 401
    assert Case.objects.count() == 0


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_the_helpline_finds_the_case_by_code_and_sees_only_the_consented_scope(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    code = code_of(share(api, reported))
    case = helpline[1].get(f"/api/v1/helpline/cases/{code.lower().replace('-', ' ')}")
    assert case.status_code == 200
    data = case.json()
    assert data["code"] == code
    assert data["report"]["category"] == "harassment"
    assert data["report"]["age"] == 14
    assert data["content"][0]["text"] == "t'es nul, personne ne t'aime"
    assert data["description"] is None  # not in the scope
    assert data["help_card"] is None
    assert data["pseudonym"] == "u-••••3a"
    assert data["pseudonym_masked"] is True
    assert [e["action"] for e in data["access_log"]] == ["shared", "looked_up", "viewed"]


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_a_full_scope_shows_the_words_the_help_card_and_the_pseudonym(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    scope = ["report", "content", "description", "help_card", "pseudonym"]
    code = code_of(share(api, reported, consent={**CONSENT, "scope": scope}))
    data = helpline[1].get(f"/api/v1/helpline/cases/{code}").json()
    assert data["description"] == "Ça dure depuis la rentrée."
    assert data["help_card"]["primary"]["uri"] == "tel:3018"
    assert data["help_shown_at"].startswith("2026-11-25T21:59:00")
    assert (data["pseudonym"], data["pseudonym_masked"]) == ("u-7f3a", False)


@pytest.mark.django_db
def test_the_helpline_works_the_case_notes_status_follow_up(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    code = code_of(share(api, reported))
    client = helpline[1]
    noted = client.post(
        f"/api/v1/helpline/cases/{code}/notes", {"text": "Rappel prévu."}, content_type="application/json"
    )
    assert noted.status_code == 201
    assert noted.json()["notes"][0]["text"] == "Rappel prévu."
    moved = client.post(
        f"/api/v1/helpline/cases/{code}/status",
        {"status": "in_progress", "follow_up_on": "2026-12-01"},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["follow_up_on"]) == ("in_progress", "2026-12-01")
    refused = client.post(f"/api/v1/helpline/cases/{code}/status", {"status": "new"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "status"
    assert "cannot become new" in refused.json()["detail"]
    empty = client.post(f"/api/v1/helpline/cases/{code}/notes", {"text": "   "}, content_type="application/json")
    assert empty.status_code == 422
    actions = list(AccessEvent.objects.values_list("action", flat=True))
    assert actions.count("note_added") == 1
    assert "status_changed" in actions
    assert "follow_up_set" in actions


@pytest.mark.django_db
def test_the_queue_lists_open_urgent_newest_first_and_filters(api: Client, helpline: tuple[Helpline, Client]) -> None:
    ids = []
    for n, danger in enumerate(["none", "immediate", "none"]):
        with time_machine.travel(f"2026-11-25T10:0{n}:00+01:00", tick=False):
            rid = post(api, report_body(platform_report_id=f"r{n}", danger=danger)).json()["id"]
            ids.append(code_of(share(api, rid)))
    client = helpline[1]
    client.post(f"/api/v1/helpline/cases/{ids[2]}/status", {"status": "closed"}, content_type="application/json")
    listed = client.get("/api/v1/helpline/cases").json()
    assert [c["code"] for c in listed] == [ids[1], ids[0], ids[2]]
    assert [c["code"] for c in client.get("/api/v1/helpline/cases", {"status": "closed"}).json()] == [ids[2]]
    assert client.get("/api/v1/helpline/cases", {"status": "lost"}).status_code == 422
    assert client.get("/api/v1/helpline/cases", {"category": "threat"}).json() == []


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_withdrawing_consent_closes_access_at_once_and_keeps_only_the_helplines_notes(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    code = code_of(share(api, reported))
    client = helpline[1]
    client.post(f"/api/v1/helpline/cases/{code}/notes", {"text": "Appel reçu."}, content_type="application/json")
    withdrawn = api.delete(f"/api/v1/reports/{reported}/share")
    assert withdrawn.json() == {"withdrawn": 1}
    for response in (
        client.get(f"/api/v1/helpline/cases/{code}"),
        client.post(f"/api/v1/helpline/cases/{code}/notes", {"text": "x"}, content_type="application/json"),
    ):
        assert response.status_code == 404
    assert client.get("/api/v1/helpline/cases").json() == []
    case = Case.objects.get()
    assert case.report is None
    assert CaseNote.objects.filter(case=case).count() == 1
    assert Consent.objects.get().withdrawn_at is not None
    assert case.access_log.last().action == "withdrawn"  # type: ignore[union-attr]
    # The reporter may share again later: a new consent, a new code.
    again = share(api, reported)
    assert again.status_code == 201
    assert code_of(again) != code


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other helpline", "platform", "nobody"])
def test_no_case_endpoint_answers_anyone_but_its_helpline(
    api: Client, reported: str, helpline: tuple[Helpline, Client], who: str
) -> None:
    code = code_of(share(api, reported))
    clients = {
        "other helpline": Client(
            headers={"Authorization": f"Bearer {add_helpline(name='119', directory_id='fr-119')[1]}"}
        ),
        "platform": api,
        "nobody": Client(),
    }
    client = clients[who]
    expected = 404 if who == "other helpline" else 401
    for method, path, body in [
        ("get", f"/api/v1/helpline/cases/{code}", None),
        ("post", f"/api/v1/helpline/cases/{code}/notes", {"text": "x"}),
        ("post", f"/api/v1/helpline/cases/{code}/status", {"status": "closed"}),
    ]:
        response = getattr(client, method)(path, body, content_type="application/json") if body else client.get(path)
        assert response.status_code == expected, (method, path)
        assert "report" not in response.json()
    listed = client.get("/api/v1/helpline/cases")
    if who == "other helpline":
        assert listed.json() == []
    else:
        assert listed.status_code == 401
    assert CaseNote.objects.count() == 0
    assert Case.objects.get().status == "new"


@pytest.mark.django_db
def test_guessing_codes_is_slowed_down(
    api: Client, reported: str, helpline: tuple[Helpline, Client], settings: Any
) -> None:
    settings.RELAIS_CODE_LOOKUP_LIMIT = 3
    code = code_of(share(api, reported))
    client = helpline[1]
    for wrong in ["AAAA-AAAA", other_code(code), other_code(code)]:  # a legacy code, then two of today's
        assert client.get(f"/api/v1/helpline/cases/{wrong}").status_code == 404
    refused = client.get(f"/api/v1/helpline/cases/{code}")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    # Paused whatever is typed, even text that cannot be a code.
    assert client.get("/api/v1/helpline/cases/not-a-code").status_code == 429


def other_code(code: str) -> str:
    """A well-formed code that is not `code`: what a guesser would send."""
    while (guess := case_codes.generate()) == code.replace("-", ""):
        pass  # pragma: no cover - one chance in 9·10^12
    return case_codes.display(guess)


def misheard(code: str) -> str:
    """`code` with its second digit misheard (a four for a five, say): the check digit no longer holds."""
    digits = code.replace("-", "")
    return case_codes.display(digits[0] + str((int(digits[1]) + 1) % 10) + digits[2:])


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_a_misheard_code_is_a_422_naming_the_code_and_is_not_counted_as_a_guess(
    api: Client, reported: str, helpline: tuple[Helpline, Client], settings: Any
) -> None:
    settings.RELAIS_CODE_LOOKUP_LIMIT = 2
    code = code_of(share(api, reported))
    client = helpline[1]
    digits = code.replace("-", "")
    swapped = next(
        digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :] for i in range(13) if digits[i] != digits[i + 1]
    )
    for typed, says in [
        (misheard(code), "check digit"),
        (swapped, "check digit"),
        (code[:-1], "14 digits, not 13"),
        (code.replace("-", "O", 1), "14 digits and nothing else"),
    ]:
        response = client.get(f"/api/v1/helpline/cases/{typed}")
        assert response.status_code == 422, typed
        body = response.json()
        assert body["errors"][0]["field"] == "code"
        assert says in body["errors"][0]["message"]
        # The other calls that take a code say the same.
        note = client.post(f"/api/v1/helpline/cases/{typed}/notes", {"text": "x"}, content_type="application/json")
        assert note.status_code == 422
        assert note.json()["errors"][0]["field"] == "code"
    assert client.get(f"/api/v1/helpline/cases/{code}").status_code == 200  # four misread look-ups, no pause
    assert [e.action for e in AccessEvent.objects.order_by("at", "pk")] == ["shared", "looked_up", "viewed"]


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_a_case_shared_before_digit_codes_is_still_found_by_its_old_code(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    share(api, reported)
    Case.objects.update(code="K7QM4X2P")  # a row written before ADR 0016
    client = helpline[1]
    for typed in ["K7QM-4X2P", "k7qm 4x2p"]:
        found = client.get(f"/api/v1/helpline/cases/{typed}")
        assert found.status_code == 200
        assert found.json()["code"] == "K7QM-4X2P"
    noted = client.post(
        "/api/v1/helpline/cases/k7qm-4x2p/notes", {"text": "Appel reçu."}, content_type="application/json"
    )
    assert noted.status_code == 201
    # Sharing the same report again answers with the code the reporter already holds.
    again = share(api, reported)
    assert (again.status_code, code_of(again)) == (200, "K7QM-4X2P")
    assert again.json()["case_code_spoken"] == "Kilo, sept, Quebec, Mike — quatre, X-ray, deux, Papa"


@pytest.mark.django_db(transaction=True)  # the failure must not poison a test-wide transaction
def test_when_keys_cannot_be_checked_sharing_and_cases_answer_503_not_500(api: Client, reported: str) -> None:
    _, helpline_key = add_helpline(name="3018", directory_id="fr-3018")
    forget_keys()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE tenants_apikey RENAME TO tenants_apikey_away")
    try:
        answers = [
            share(api, reported),
            api.delete(f"/api/v1/reports/{reported}/share"),
            Client(headers={"Authorization": f"Bearer {helpline_key}"}).get("/api/v1/helpline/cases"),
        ]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE tenants_apikey_away RENAME TO tenants_apikey")
    for response in answers:
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "detail" in response.json()
    assert Case.objects.count() == 0
