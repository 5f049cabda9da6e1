"""Sharing a report with a helpline, and the helpline's API, over HTTP against the real database."""

from __future__ import annotations

import io
import json
import re
import uuid
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
from tests.test_moderation_api import ESCALATION

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


def lookup(client: Client, code: str) -> Any:
    """The look-up a helpline's software makes with the code the reporter gave: in the body, never the path."""
    return client.post("/api/v1/helpline/cases/lookup", {"code": code}, content_type="application/json")


def case_path(client: Client, code: str) -> str:
    """The path of the case `code` finds (a look-up, logged as such): `/api/v1/helpline/cases/<id>`."""
    found = lookup(client, code)
    assert found.status_code == 200, found.content
    return f"/api/v1/helpline/cases/{found.json()['id']}"


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
    case = lookup(helpline[1], code.lower().replace("-", " "))
    assert case.status_code == 200
    data = case.json()
    assert data["code"] == code
    assert data["id"] == str(Case.objects.get().id)
    assert data["report"]["category"] == "harassment"
    assert data["report"]["age"] == 14
    assert data["content"][0]["text"] == "t'es nul, personne ne t'aime"
    assert data["description"] is None  # not in the scope
    assert data["help_card"] is None
    assert data["pseudonym"] == "u-••••3a"
    assert data["pseudonym_masked"] is True
    assert [e["action"] for e in data["access_log"]] == ["shared", "looked_up", "viewed"]
    # Read again by its id: a look, logged as one, and no second look-up.
    again = helpline[1].get(f"/api/v1/helpline/cases/{data['id']}")
    assert again.status_code == 200
    assert [e["action"] for e in again.json()["access_log"]] == ["shared", "looked_up", "viewed", "viewed"]


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_a_full_scope_shows_the_words_the_help_card_and_the_pseudonym(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    scope = ["report", "content", "description", "help_card", "pseudonym"]
    code = code_of(share(api, reported, consent={**CONSENT, "scope": scope}))
    data = lookup(helpline[1], code).json()
    assert data["description"] == "Ça dure depuis la rentrée."
    assert data["help_card"]["primary"]["uri"] == "tel:3018"
    assert data["help_shown_at"].startswith("2026-11-25T21:59:00")
    assert (data["pseudonym"], data["pseudonym_masked"]) == ("u-7f3a", False)


@pytest.mark.django_db
def test_the_helpline_works_the_case_notes_status_follow_up(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    client = helpline[1]
    path = case_path(client, code_of(share(api, reported)))
    noted = client.post(f"{path}/notes", {"text": "Rappel prévu."}, content_type="application/json")
    assert noted.status_code == 201
    assert noted.json()["notes"][0]["text"] == "Rappel prévu."
    moved = client.post(
        f"{path}/status",
        {"status": "in_progress", "follow_up_on": "2026-12-01"},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["follow_up_on"]) == ("in_progress", "2026-12-01")
    refused = client.post(f"{path}/status", {"status": "new"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "status"
    assert "cannot become new" in refused.json()["detail"]
    empty = client.post(f"{path}/notes", {"text": "   "}, content_type="application/json")
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
    client.post(f"{case_path(client, ids[2])}/status", {"status": "closed"}, content_type="application/json")
    listed = client.get("/api/v1/helpline/cases").json()
    assert [c["code"] for c in listed] == [ids[1], ids[0], ids[2]]
    # Each summary carries the id to address the case by, without its code.
    by_code = {case_codes.display(c.code): str(c.id) for c in Case.objects.all()}
    assert [c["id"] for c in listed] == [by_code[code] for code in (ids[1], ids[0], ids[2])]
    assert client.get(f"/api/v1/helpline/cases/{listed[0]['id']}").json()["code"] == ids[1]
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
    path = case_path(client, code)
    client.post(f"{path}/notes", {"text": "Appel reçu."}, content_type="application/json")
    withdrawn = api.delete(f"/api/v1/reports/{reported}/share")
    assert withdrawn.json() == {"withdrawn": 1}
    for response in (
        lookup(client, code),
        client.get(path),
        client.post(f"{path}/notes", {"text": "x"}, content_type="application/json"),
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
    case_id = Case.objects.get().id
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
        ("post", "/api/v1/helpline/cases/lookup", {"code": code}),
        ("get", f"/api/v1/helpline/cases/{case_id}", None),
        ("post", f"/api/v1/helpline/cases/{case_id}/notes", {"text": "x"}),
        ("post", f"/api/v1/helpline/cases/{case_id}/status", {"status": "closed"}),
        ("get", f"/api/v1/helpline/cases/{case_id}/escalation", None),
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
        assert lookup(client, wrong).status_code == 404
    refused = lookup(client, code)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    # Paused whatever is typed, even text that cannot be a code.
    assert lookup(client, "not-a-code").status_code == 429


class Recording(Client):
    """A helpline's software that remembers the path and query string of every request it sends."""

    def __init__(self, **defaults: Any) -> None:
        super().__init__(**defaults)
        self.sent: list[str] = []

    def request(self, **request: Any) -> Any:
        self.sent.append(f"{request['PATH_INFO']}?{request.get('QUERY_STRING', '')}")
        return super().request(**request)


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_no_case_code_reaches_a_url_or_the_servers_log_in_the_whole_helpline_story(
    api: Client, reported: str, json_log: io.StringIO
) -> None:
    """ADR 0030: the code goes in a look-up's body once; every later call names the case's opaque id."""
    _, key = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    software = Recording(headers={"Authorization": f"Bearer {key}"})
    code = code_of(share(api, reported))
    digits = code.replace("-", "")
    forms = {code, digits, code.replace("-", " "), code.lower(), digits[:4] + " " + digits[4:], misheard(code)}
    start = len(json_log.getvalue())  # from here on, only what the helpline's calls write

    assert lookup(software, other_code(code)).status_code == 404  # a wrong code: Django logs the path
    assert lookup(software, misheard(code)).status_code == 422  # a misheard one
    found = lookup(software, code.replace("-", " "))
    assert found.status_code == 200
    case_id = found.json()["id"]
    path = f"/api/v1/helpline/cases/{case_id}"
    assert software.get("/api/v1/helpline/cases").json()[0]["id"] == case_id
    assert software.get(path).json()["code"] == code
    note = {"text": "Rappel prévu."}
    noted = software.post(f"{path}/notes", note, content_type="application/json", headers={"Idempotency-Key": "n-1"})
    replayed = software.post(f"{path}/notes", note, content_type="application/json", headers={"Idempotency-Key": "n-1"})
    assert (noted.status_code, replayed.status_code, replayed["Idempotent-Replayed"]) == (201, 201, "true")
    moved = software.post(f"{path}/status", {"status": "in_progress"}, content_type="application/json")
    assert moved.status_code == 200
    standing = software.get(f"{path}/escalation", {"category": "harassment"})
    assert standing.status_code == 200
    escalated = software.post(f"{path}/escalate", ESCALATION, content_type="application/json")
    assert escalated.status_code == 201, escalated.content
    assert software.get(path).json()["status"] == "escalated"

    assert len(software.sent) == 11
    for sent in software.sent:
        assert not any(form in sent for form in forms), sent
        assert not re.search(r"[0-9]{4}", sent.replace(case_id, "")), sent  # nor any run of a code's digits
    written = json_log.getvalue()[start:]
    assert not any(form in written for form in forms)
    entries = [json.loads(line) for line in written.splitlines()]
    requests = [e for e in entries if e["logger"] == "relais.request"]
    assert len(requests) == len(software.sent)  # one line per request, each naming its route's pattern
    assert {e["route"] for e in requests} == {
        "api/v1/helpline/cases",
        "api/v1/helpline/cases/lookup",
        "api/v1/helpline/cases/<case_id>",
        "api/v1/helpline/cases/<case_id>/notes",
        "api/v1/helpline/cases/<case_id>/status",
        "api/v1/helpline/cases/<case_id>/escalation",
        "api/v1/helpline/cases/<case_id>/escalate",
    }
    # Django's warnings for the 404 and the 422 name the look-up's path, which holds no code.
    warned = [e["message"] for e in entries if e["logger"] == "django.request"]
    assert warned
    assert all(message.endswith("/api/v1/helpline/cases/lookup") for message in warned)
    # Every look is still in the case's access log: the look-up, then each answer that showed the case.
    actions = list(AccessEvent.objects.order_by("at", "pk").values_list("action", flat=True))
    assert actions[:3] == ["shared", "looked_up", "viewed"]
    assert actions.count("looked_up") == 1
    assert actions.count("viewed") == 5  # the look-up, two reads, the note (once: the retry was replayed), the status


@pytest.mark.django_db
def test_a_case_id_that_is_not_an_id_is_a_422_naming_it_and_an_unknown_one_a_404(
    api: Client, reported: str, helpline: tuple[Helpline, Client]
) -> None:
    code = code_of(share(api, reported))
    client = helpline[1]
    for suffix, body in [  # a body for a POST, none for a GET
        ("", None),
        ("/notes", {"text": "x"}),
        ("/status", {"status": "closed"}),
        ("/escalation", None),
        ("/escalate", ESCALATION),
    ]:
        # A code where the id goes (as the API took it before ADR 0030) is not an id.
        for not_an_id in (code, "not-an-id"):
            path = f"/api/v1/helpline/cases/{not_an_id}{suffix}"
            response = client.post(path, body, content_type="application/json") if body else client.get(path)
            assert response.status_code == 422, (path, response.content)
            assert [e["field"] for e in response.json()["errors"]] == ["case_id"]
        path = f"/api/v1/helpline/cases/{uuid.uuid4()}{suffix}"
        response = client.post(path, body, content_type="application/json") if body else client.get(path)
        assert response.status_code == 404, path
    assert CaseNote.objects.count() == 0
    assert Case.objects.get().status == "new"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "code"), ({"code": ""}, "code"), ({"code": "4" * 101}, "code"), ({"code": "x", "case": "y"}, "case")],
)
def test_a_bad_look_up_is_a_422_naming_the_field(
    helpline: tuple[Helpline, Client], body: dict[str, Any], field: str
) -> None:
    response = helpline[1].post("/api/v1/helpline/cases/lookup", body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]


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
        response = lookup(client, typed)
        assert response.status_code == 422, typed
        body = response.json()
        assert body["errors"][0]["field"] == "code"
        assert says in body["errors"][0]["message"]
    assert lookup(client, code).status_code == 200  # four misread look-ups, no pause
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
        found = lookup(client, typed)
        assert found.status_code == 200
        assert found.json()["code"] == "K7QM-4X2P"
    path = case_path(client, "k7qm-4x2p")
    noted = client.post(f"{path}/notes", {"text": "Appel reçu."}, content_type="application/json")
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


def test_openapi_documents_the_look_up_and_no_path_takes_a_code(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    lookup_op = doc["paths"]["/api/v1/helpline/cases/lookup"]["post"]
    assert {"200", "401", "404", "422", "429"} <= set(lookup_op["responses"])
    assert lookup_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/LookupIn")
    by_id = doc["paths"]["/api/v1/helpline/cases/{case_id}"]["get"]
    assert {"200", "401", "404", "422"} <= set(by_id["responses"])
    [parameter] = [p for p in by_id["parameters"] if p["in"] == "path"]
    assert (parameter["name"], parameter["schema"]["format"]) == ("case_id", "uuid")
    for suffix, method in [("notes", "post"), ("status", "post"), ("escalation", "get"), ("escalate", "post")]:
        assert "404" in doc["paths"][f"/api/v1/helpline/cases/{{case_id}}/{suffix}"][method]["responses"]
    assert not [path for path in doc["paths"] if "{code}" in path]
    assert "id" in doc["components"]["schemas"]["CaseSummaryOut"]["required"]
