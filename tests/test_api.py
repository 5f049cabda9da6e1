"""Report intake and help over HTTP (Django's test client against the real URL conf and database)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from relais.directory.api_schemas import HelpCardOut
from relais.reports.models import Report, ReportedContent
from relais.tenants.services import add_platform

AT_2259 = "2026-11-25T22:59:00+01:00"
AT_2300 = "2026-11-25T23:00:00+01:00"


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "platform_report_id": "rep-1",
        "category": "harassment",
        "reporter": {"country": "FR", "language": "fr", "age": 14, "pseudonym": "u-7f3a"},
        "content": [
            {"kind": "message", "content_id": "m-1", "text": "t'es nul, personne ne t'aime"},
            {"kind": "profile", "url": "https://social.example/@bully"},
        ],
        "description": "Ça dure depuis la rentrée.",
        "reported_at": "2026-11-25T22:58:00+01:00",
    }
    body.update(overrides)
    return body


def post(client: Client, body: Any, **headers: str) -> Any:
    return client.post("/api/v1/reports", body, content_type="application/json", headers=headers)


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_a_report_is_stored_and_answered_with_the_help_card(api: Client) -> None:
    response = post(api, report_body())
    assert response.status_code == 201
    data = response.json()
    assert data["stored"] is True
    assert data["received_at"].startswith("2026-11-25T21:59:00")
    card = data["help"]
    assert card["primary"] == {
        "helpline_id": "fr-3018",
        "kind": "phone",
        "label": "Appeler le 3018",
        "uri": "tel:3018",
        "emergency": False,
        "label_language": "fr",
    }
    assert card["helplines"][0]["channels"][0]["closes_at"] == "2026-11-25T23:00:00+01:00"
    HelpCardOut.model_validate(card)  # what we render matches what OpenAPI documents
    report = Report.objects.get(id=data["id"])
    assert (report.category, report.reporter_age, report.reporter_pseudonym) == ("harassment", 14, "u-7f3a")
    assert report.help_card == card
    assert list(report.content.values_list("kind", flat=True)) == ["message", "profile"]


@pytest.mark.django_db
def test_a_retried_report_returns_the_first_one_and_stores_nothing_more(api: Client) -> None:
    with time_machine.travel(AT_2259, tick=False):
        first = post(api, report_body())
    with time_machine.travel(AT_2300, tick=False):
        again = post(api, report_body())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["help"] == first.json()["help"]
    assert Report.objects.count() == 1
    assert ReportedContent.objects.count() == 2


@pytest.mark.django_db
def test_times_are_stored_as_instants_whatever_offset_was_sent(api: Client) -> None:
    """PostgreSQL refuses offsets past 15:59; the instant is what matters, so it is kept in UTC."""
    body = report_body(content=[{"kind": "post", "posted_at": "2026-01-22T21:29:29+23:16"}])
    created = post(api, body).json()
    assert api.get(f"/api/v1/reports/{created['id']}").json()["content"][0]["posted_at"] == "2026-01-21T22:13:29+00:00"


@pytest.mark.django_db
def test_the_same_platform_id_from_another_platform_is_another_report(api: Client) -> None:
    _, other_key = add_platform(name="Other Social")
    other = Client(headers={"Authorization": f"Bearer {other_key}"})
    assert post(api, report_body()).status_code == 201
    assert post(other, report_body()).status_code == 201
    assert Report.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_report() -> None:
    _, key = add_platform(name="Racy Social")
    statuses: list[int] = []

    def send() -> None:
        try:
            statuses.append(post(Client(headers={"Authorization": f"Bearer {key}"}), report_body()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_a_platform_reads_its_own_report_and_gets_404_for_anothers(api: Client) -> None:
    created = post(api, report_body()).json()
    mine = api.get(f"/api/v1/reports/{created['id']}")
    assert mine.status_code == 200
    assert mine.json()["content"][0]["text"] == "t'es nul, personne ne t'aime"
    assert mine.json()["reporter"]["pseudonym"] == "u-7f3a"

    _, other_key = add_platform(name="Nosy Social")
    foreign = Client(headers={"Authorization": f"Bearer {other_key}"}).get(f"/api/v1/reports/{created['id']}")
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": "No such report"}
    assert api.get("/api/v1/reports/not-a-uuid").status_code == 404
    assert api.get("/api/v1/reports/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer rls_wrong"}, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Bearer"}],
)
def test_a_missing_or_bad_key_is_401_json(headers: dict[str, str]) -> None:
    for response in (post(Client(), report_body(), **headers), Client().get("/api/v1/reports/x", headers=headers)):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert "API key" in response.json()["detail"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_revoked_key_is_refused(api: Client, platform_key: tuple[Any, str]) -> None:
    platform_key[0].api_keys.update(revoked_at="2026-01-01T00:00:00Z")
    assert post(api, report_body()).status_code == 401


INVALID = [
    ("platform_report_id", {"platform_report_id": ""}),
    ("platform_report_id", {"platform_report_id": "has space"}),
    ("category", {"category": "rudeness"}),
    ("danger", {"danger": "maybe"}),
    ("reporter.country", {"reporter": {"country": "FRA", "language": "fr"}}),
    ("reporter.language", {"reporter": {"country": "FR", "language": "français"}}),
    ("reporter.age", {"reporter": {"country": "FR", "language": "fr", "age": -1}}),
    ("reporter.age", {"reporter": {"country": "FR", "language": "fr", "age": True}}),
    ("reporter.age", {"reporter": {"country": "FR", "language": "fr", "age": "14 ans"}}),
    ("reporter.timezone", {"reporter": {"country": "FR", "language": "fr", "timezone": "Paris"}}),
    ("reporter.country", {"reporter": {"language": "fr"}}),
    ("reporter.nickname", {"reporter": {"country": "FR", "language": "fr", "nickname": "x"}}),
    ("content", {"content": []}),
    ("content", {"content": [{"kind": "post"}] * 51}),
    ("content.0.kind", {"content": [{"kind": "tweet"}]}),
    ("content.0.url", {"content": [{"kind": "post", "url": "javascript:alert(1)"}]}),
    ("content.0.posted_at", {"content": [{"kind": "post", "posted_at": "2026-11-25T10:00:00"}]}),
    ("content.0.posted_at", {"content": [{"kind": "post", "posted_at": 1764000000}]}),
    ("description", {"description": "x" * 5001}),
    ("reported_at", {"reported_at": "yesterday"}),
    ("reported_at", {"reported_at": "2026-11-25 22:58"}),
    ("reported_at", {"reported_at": "1900-01-01T00:00:00Z"}),
    ("description", {"description": "lone \udc00 surrogate"}),
    ("content.0.text", {"content": [{"kind": "post", "text": "\ud800"}]}),
    ("categry", {"categry": "harassment"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "change"), INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)])
def test_every_invalid_field_is_a_422_naming_it(api: Client, field: str, change: dict[str, Any]) -> None:
    response = post(api, report_body(**change))
    assert response.status_code == 422, response.content
    data = response.json()
    assert field in [e["field"] for e in data["errors"]], data
    assert field in data["detail"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{not json", "[]", "null", '"text"', ""])
def test_a_body_that_is_not_a_json_object_is_a_4xx(api: Client, body: str) -> None:
    response = api.post("/api/v1/reports", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


@pytest.mark.django_db(transaction=True)  # the failure must not poison a test-wide transaction
@time_machine.travel(AT_2259, tick=False)
def test_a_report_whose_storage_fails_still_gets_its_help_card(api: Client) -> None:
    """No mock: the reports table really disappears for the duration of the request."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE reports_report RENAME TO reports_report_away")
    try:
        response = post(api, report_body())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE reports_report_away RENAME TO reports_report")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    data = response.json()
    assert data["stored"] is False
    assert data["help"]["primary"]["uri"] == "tel:3018"
    assert "send the same report again" in data["detail"]
    # The platform retries once storage is back: one report, not two.
    assert post(api, report_body()).status_code == 201
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the failure must not poison a test-wide transaction
@time_machine.travel(AT_2259, tick=False)
def test_when_even_the_key_cannot_be_checked_help_still_flows(platform_key: tuple[Any, str]) -> None:
    client = Client(headers={"Authorization": f"Bearer {platform_key[1]}"})
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE tenants_apikey RENAME TO tenants_apikey_away")
    try:
        response = post(client, report_body())
        reading = client.get("/api/v1/reports/00000000-0000-0000-0000-000000000000")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE tenants_apikey_away RENAME TO tenants_apikey")
    assert response.status_code == 503
    assert response.json()["help"]["primary"]["uri"] == "tel:3018"
    assert reading.status_code == 503
    assert "help" not in reading.json()


@pytest.mark.django_db
def test_a_link_platform_gets_the_helplines_site_as_primary() -> None:
    _, key = add_platform(name="Clip Social", presentation="link")
    with time_machine.travel(AT_2259, tick=False):
        card = post(Client(headers={"Authorization": f"Bearer {key}"}), report_body()).json()["help"]
    assert card["primary"]["kind"] == "web"
    assert card["primary"]["uri"] == "https://3018.fr/"


@pytest.mark.django_db
def test_immediate_danger_answers_with_the_emergency_number_first(api: Client) -> None:
    card = post(api, report_body(category="threat", danger="immediate")).json()["help"]
    assert card["emergency"][0]["number"] == "17"
    assert card["primary"]["uri"] == "tel:17"
    assert card["primary"]["emergency"] is True


# --- GET /api/v1/help ---


def test_help_needs_no_key_and_takes_the_instant_from_at(client: Client) -> None:
    response = client.get("/api/v1/help", {"country": "FR", "language": "fr", "age": "14", "at": AT_2300})
    assert response.status_code == 200
    card = response.json()
    assert card["generated_at"] == "2026-11-25T23:00:00+01:00"
    phone = next(c for h in card["helplines"] if h["id"] == "fr-3018" for c in h["channels"] if c["kind"] == "phone")
    assert (phone["open_now"], phone["opens_at"]) == (False, "2026-11-26T09:00:00+01:00")
    HelpCardOut.model_validate(card)


def test_any_page_may_read_a_help_card_but_without_cookies(client: Client) -> None:
    """`<relais-help-card>` fetches from a platform's own pages; the answer is the same for everyone."""
    origin = {"Origin": "https://social.example"}
    for response in [
        client.get("/api/v1/help", {"country": "FR"}, headers=origin),
        client.get("/api/v1/help", {"country": "France"}, headers=origin),  # 422: the page can read why
    ]:
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response


def test_help_defaults_to_now(client: Client) -> None:
    with time_machine.travel("2026-11-26T08:30:00+00:00", tick=False):
        card = client.get("/api/v1/help", {"country": "FR"}).json()
    assert card["generated_at"] == "2026-11-26T09:30:00+01:00"


def test_help_for_an_unknown_country_is_a_flagged_fallback(client: Client) -> None:
    card = client.get("/api/v1/help", {"country": "ZZ", "language": "fr"}).json()
    assert card["fallback"] is True
    assert card["emergency"][0]["uri"] == "tel:112"
    assert card["helplines"]


@pytest.mark.parametrize(
    ("field", "params"),
    [
        ("country", {}),
        ("country", {"country": "France"}),
        ("age", {"country": "FR", "age": "old"}),
        ("category", {"country": "FR", "category": "spam"}),
        ("danger", {"country": "FR", "danger": "high"}),
        ("timezone", {"country": "FR", "timezone": "Mars/Olympus"}),
        ("at", {"country": "FR", "at": "2026-11-25T22:59:00"}),
        ("at", {"country": "FR", "at": "tomorrow"}),
        ("presentation", {"country": "FR", "presentation": "popup"}),
    ],
)
def test_help_rejects_bad_parameters_by_name(client: Client, field: str, params: dict[str, str]) -> None:
    response = client.get("/api/v1/help", params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_openapi_documents_the_contract(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    assert {"/api/v1/reports", "/api/v1/reports/{report_id}", "/api/v1/help", "/api/v1/health"} <= set(doc["paths"])
    post_op = doc["paths"]["/api/v1/reports"]["post"]
    assert {"200", "201", "401", "422", "503"} <= set(post_op["responses"])
    assert "HelpCardOut" in doc["components"]["schemas"]
    assert client.get("/api/docs").status_code == 200


def test_health_answers_without_the_database(client: Client) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/api/v1/nothing", 404), ("delete", "/api/v1/help", 405), ("get", "/api/v1/reports", 405)],
)
def test_api_errors_are_json_even_outside_known_routes(client: Client, method: str, path: str, status: int) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
