"""`Idempotency-Key` on the API's POSTs, over HTTP against the real database (no mocks: failures are real
renamed tables, concurrency is real threads held back by a real database lock)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings

from relais.handoffs.models import CaseNote
from relais.idempotency import keys
from relais.idempotency.middleware import _InFlight
from relais.idempotency.models import IdempotencyKey
from relais.reports.models import Report
from relais.tenants.models import Platform
from relais.tenants.services import add_helpline, add_platform
from tests.test_api import AT_2259, AT_2300, report_body
from tests.test_handoffs_api import CONSENT

KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def post(client: Client, body: Any, key: str | None = KEY, path: str = "/api/v1/reports") -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(path, body, content_type="application/json", headers=headers)


def client_for(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


# --- the header, pure ---


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (KEY, KEY),
        (f'"{KEY}"', KEY),  # the draft's sf-string form
        ('"a \\"quoted\\" key"', 'a "quoted" key'),
        ("x" * 255, "x" * 255),
        ("with spaces inside", "with spaces inside"),
        ("  padded  ", "padded"),
    ],
)
def test_valid_keys_bare_or_quoted(raw: str, key: str) -> None:
    assert keys.parse_key(raw) == key


@pytest.mark.parametrize("raw", ["", "   ", '""', "x" * 256, "clé", "tab\there", '"bad \\n escape"', '"a"b"'])
def test_invalid_keys(raw: str) -> None:
    with pytest.raises(keys.InvalidKey):
        keys.parse_key(raw)


def test_the_fingerprint_covers_method_path_query_and_body() -> None:
    base = keys.fingerprint("POST", "/api/v1/reports", "", b"{}")
    assert base == keys.fingerprint("POST", "/api/v1/reports", "", b"{}")
    assert base != keys.fingerprint("POST", "/api/v1/reports/x/share", "", b"{}")
    assert base != keys.fingerprint("POST", "/api/v1/reports", "a=1", b"{}")
    assert base != keys.fingerprint("POST", "/api/v1/reports", "", b"{ }")


# --- replays ---


@pytest.mark.django_db
def test_a_replay_returns_the_first_answer_and_runs_nothing_more(api: Client) -> None:
    with time_machine.travel(AT_2259, tick=False):
        first = post(api, report_body())
    with time_machine.travel(AT_2300, tick=False):  # the 3018 has closed since: the card would differ
        again = post(api, report_body())
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert (Report.objects.count(), IdempotencyKey.objects.count()) == (1, 1)


@pytest.mark.django_db
def test_quoted_and_bare_forms_are_the_same_key(api: Client) -> None:
    assert post(api, report_body(), key=KEY).status_code == 201
    again = post(api, report_body(), key=f'"{KEY}"')
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422_naming_the_conflict(api: Client) -> None:
    assert post(api, report_body()).status_code == 201
    other = post(api, report_body(platform_report_id="rep-2"))
    assert other.status_code == 422
    data = other.json()
    assert data["errors"][0]["field"] == "Idempotency-Key"
    assert data["errors"][0]["type"] == "idempotency_key_reused"
    assert "Idempotency-Key" in data["detail"]
    assert "another request" in data["detail"]
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_on_another_route_is_a_422(api: Client) -> None:
    report_id = post(api, report_body()).json()["id"]
    shared = post(api, {"helpline_id": "fr-3018", "consent": CONSENT}, path=f"/api/v1/reports/{report_id}/share")
    assert shared.status_code == 422
    assert shared.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["", "x" * 256, "clé"])
def test_an_invalid_key_is_a_422_naming_the_header_and_runs_nothing(api: Client, raw: str) -> None:
    response = post(api, report_body(), key=raw)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
    assert "255 printable ASCII" in response.json()["detail"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_keys_are_per_tenant(api: Client) -> None:
    _, other_key = add_platform(name="Other Social")
    assert post(api, report_body()).status_code == 201
    theirs = post(client_for(other_key), report_body())
    assert theirs.status_code == 201
    assert not theirs.has_header("Idempotent-Replayed")
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_a_4xx_answer_is_final_and_replayed(api: Client) -> None:
    """The draft: a retry gets the result of the completed request, success or error."""
    missing = "/api/v1/reports/00000000-0000-0000-0000-000000000000/share"
    first = post(api, {"helpline_id": "fr-3018", "consent": CONSENT}, path=missing)
    again = post(api, {"helpline_id": "fr-3018", "consent": CONSENT}, path=missing)
    assert first.status_code == again.status_code == 404
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_an_unknown_api_key_is_still_a_401_and_nothing_is_kept() -> None:
    response = post(client_for("rls_nobody"), report_body(), key="")
    assert response.status_code == 401
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_without_the_header_nothing_is_kept_and_gets_ignore_it(api: Client) -> None:
    created = post(api, report_body(), key=None).json()
    read = api.get(f"/api/v1/reports/{created['id']}", headers={"Idempotency-Key": KEY})
    assert read.status_code == 200
    assert not read.has_header("Idempotent-Replayed")
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_helpline_posts_are_idempotent_too(api: Client) -> None:
    _, helpline_key = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    report_id = post(api, report_body(), key=None).json()["id"]
    code = post(api, {"helpline_id": "fr-3018", "consent": CONSENT}, path=f"/api/v1/reports/{report_id}/share").json()
    helpline = client_for(helpline_key)
    found = post(helpline, {"code": code["case_code"]}, key=None, path="/api/v1/helpline/cases/lookup").json()
    path = f"/api/v1/helpline/cases/{found['id']}/notes"
    first = post(helpline, {"text": "Rappel prévu."}, path=path)
    again = post(helpline, {"text": "Rappel prévu."}, path=path)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert CaseNote.objects.count() == 1
    # The helpline's keys are its own: the platform's key KEY above did not collide with it.
    assert IdempotencyKey.objects.filter(helpline__isnull=False).count() == 1


# --- expiry ---


@pytest.mark.django_db
def test_a_key_is_remembered_for_the_configured_hours_then_forgotten(api: Client) -> None:
    with time_machine.travel("2026-11-25T10:00:00+01:00", tick=False):
        first = post(api, report_body()).json()
    with time_machine.travel("2026-11-26T09:59:00+01:00", tick=False):
        assert post(api, report_body(platform_report_id="rep-2")).status_code == 422  # within 24 h
    with time_machine.travel("2026-11-26T10:01:00+01:00", tick=False):
        fresh = post(api, report_body(platform_report_id="rep-2"))
    assert fresh.status_code == 201
    assert fresh.json()["id"] != first["id"]
    assert IdempotencyKey.objects.count() == 1


@pytest.mark.django_db
def test_the_purge_command_deletes_expired_keys(api: Client, capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel("2026-11-25T10:00:00+01:00", tick=False):
        post(api, report_body(), key="old")
    with time_machine.travel("2026-11-26T09:00:00+01:00", tick=False):
        post(api, report_body(platform_report_id="rep-2"), key="recent")
    with time_machine.travel("2026-11-26T11:00:00+01:00", tick=False), override_settings(RELAIS_IDEMPOTENCY_HOURS=24):
        call_command("purge_idempotency_keys")
    assert "1 expired" in capsys.readouterr().out
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


# --- failures: 5xx are not final, and the key store never stands between a reporter and help ---


@contextmanager
def table_away(table: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")


@pytest.mark.django_db(transaction=True)
@time_machine.travel(AT_2259, tick=False)
def test_a_5xx_is_not_kept_so_the_retry_runs_again(api: Client) -> None:
    with table_away("reports_report"):
        failed = post(api, report_body())
    assert failed.status_code == 503
    assert failed.json()["help"]["primary"]["uri"] == "tel:3018"
    assert IdempotencyKey.objects.count() == 0
    retried = post(api, report_body())
    assert retried.status_code == 201
    assert not retried.has_header("Idempotent-Replayed")
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@time_machine.travel(AT_2259, tick=False)
def test_when_the_key_store_fails_the_report_is_still_taken_with_its_help_card(api: Client) -> None:
    with table_away("idempotency_idempotencykey"):
        response = post(api, report_body())
    assert response.status_code == 201
    assert response.json()["help"]["primary"]["uri"] == "tel:3018"
    # Report intake's own deduplication still holds for the retry that now finds a working key store.
    again = post(api, report_body())
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    assert Report.objects.count() == 1


# --- concurrency, with real threads ---


@contextmanager
def reports_table_held() -> Iterator[None]:
    """Holds a real lock that makes a report's INSERT wait: SQLite's write lock (BEGIN IMMEDIATE), or a
    PostgreSQL table lock that still lets reads through."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE reports_report IN EXCLUSIVE MODE")
        yield


def send_in_thread(client: Client, body: dict[str, Any], out: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            out.append(post(client, body))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_until(condition: Any, timeout: float = 4.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_a_second_request_while_the_first_runs_is_a_409_and_does_not_run(platform_key: tuple[Platform, str]) -> None:
    platform, key = platform_key
    client = client_for(key)
    assert post(client, report_body(platform_report_id="warm-up"), key="warm-up").status_code == 201
    in_flight = _InFlight(platform, KEY)
    first: list[Any] = []
    with reports_table_held():
        thread = send_in_thread(client, report_body(), first)
        wait_until(lambda: cache.get(in_flight.name) is not None)
        second = post(client, report_body())
        other_body = post(client, report_body(platform_report_id="rep-2"))
    thread.join(10)
    assert second.status_code == 409
    assert second["Retry-After"] == "1"
    assert "still being processed" in second.json()["detail"]
    assert other_body.status_code == 409
    assert first[0].status_code == 201
    assert cache.get(in_flight.name) is None  # released: the retry now replays
    replay = post(client, report_body())
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert replay.content == first[0].content
    assert Report.objects.filter(platform_report_id="rep-1").count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_twins_in_processes_that_share_no_cache_take_effect_once(platform_key: tuple[Platform, str]) -> None:
    """A cache that remembers nothing is what two workers with local-memory caches see of each other: both
    twins run, and the database's unique constraint makes the loser undo its work and replay the winner."""
    _, key = platform_key
    client = client_for(key)
    helpline_line, helpline_key = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    report_id = post(client, report_body(), key=None).json()["id"]
    code = post(
        client, {"helpline_id": "fr-3018", "consent": CONSENT}, key=None, path=f"/api/v1/reports/{report_id}/share"
    )
    helpline = client_for(helpline_key)
    found = post(helpline, {"code": code.json()["case_code"]}, key=None, path="/api/v1/helpline/cases/lookup")
    path = f"/api/v1/helpline/cases/{found.json()['id']}/notes"
    answers: list[Any] = []

    def note() -> None:
        try:
            answers.append(post(helpline, {"text": "Appel reçu."}, path=path))
        finally:
            connection.close()

    with transaction.atomic():  # a real lock both twins wait on, so that they overlap
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE handoffs_casenote IN EXCLUSIVE MODE")
        threads = [threading.Thread(target=note) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
    for thread in threads:
        thread.join(10)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert answers[0].content == answers[1].content
    assert CaseNote.objects.count() == 1
    assert IdempotencyKey.objects.filter(helpline=helpline_line).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_retries_runs_the_request_once(platform_key: tuple[Platform, str]) -> None:
    _, key = platform_key
    client = client_for(key)
    answers: list[Any] = []
    threads = [send_in_thread(client, report_body(), answers) for _ in range(6)]
    for thread in threads:
        thread.join(10)
    ran = [a for a in answers if a.status_code != 409 and not a.has_header("Idempotent-Replayed")]
    assert len(answers) == 6
    assert len(ran) == 1
    assert ran[0].status_code == 201
    assert {a.status_code for a in answers} <= {201, 409}
    assert Report.objects.count() == 1


# --- the contract ---


def test_openapi_documents_the_header_on_every_authenticated_post(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    posts = [(path, ops["post"]) for path, ops in doc["paths"].items() if "post" in ops]
    assert {"/api/v1/reports", "/api/v1/reports/{report_id}/share"} <= {path for path, _ in posts}
    for path, operation in posts:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert names == ["Idempotency-Key"], path
        assert {"409", "422", "429"} <= set(operation["responses"]), path
    report_get = doc["paths"]["/api/v1/reports/{report_id}"]["get"]
    assert "Idempotency-Key" not in [p["name"] for p in report_get.get("parameters", [])]


def test_the_openapi_document_never_names_a_status_twice_in_one_operation(client: Client) -> None:
    """A status declared by an operation (409 for a state conflict) must not be replaced by the generic
    one the middleware documents; in JSON, 409 and "409" are the same key and the last one wins."""
    schema = client.get("/api/openapi.json").json()
    from relais.api import api

    raw = api.get_openapi_schema()
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            statuses = [str(s) for s in operation.get("responses", {})]
            assert len(statuses) == len(set(statuses)), (path, method, statuses)
    assert schema["paths"]
