"""Operating Relais over HTTP: readiness, /metrics, one log line per request and per task (ADR 0026)."""

from __future__ import annotations

import io
import json
import os
import socket
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.parser import text_string_to_metric_families

from relais.logs import redact
from tests.test_api import post, report_body

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
TOKEN = "scrape-me-0123456789"
CODE = "4821-093-755-1627"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- Readiness ---


@pytest.mark.django_db
def test_health_still_answers_without_touching_the_database(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert len(queries) == 0


@pytest.mark.django_db
@override_settings(RELAIS_TASKS_BACKEND="immediate", TASKS=IMMEDIATE_TASKS)
def test_ready_checks_the_database_the_cache_and_the_worker_without_a_key(client: Client) -> None:
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "cache": "ok", "worker": "ok"}}


def waiting_task(minutes_ago: float, **fields: Any) -> DBTaskResult[Any, Any]:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="relais.evidence.tasks.purge_expired",
        backend_name="default",
        run_after=get_date_max(),
        **fields,
    )
    DBTaskResult.objects.filter(id=task.id).update(enqueued_at=timezone.now() - timedelta(minutes=minutes_ago))
    return task


@pytest.mark.django_db
@override_settings(RELAIS_TASKS_BACKEND="database", TASKS=DATABASE_TASKS, RELAIS_READY_WORKER_SECONDS=300)
def test_a_task_waiting_with_no_worker_running_makes_the_process_not_ready(client: Client) -> None:
    waiting_task(minutes_ago=1)
    assert client.get("/api/v1/ready").status_code == 200  # waiting, but not for long
    waiting_task(minutes_ago=10)
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "worker": "failed"}
    assert response.json()["detail"] == "Not ready: worker failed."
    # A worker that started a task a minute ago is running (only busy): ready again.
    waiting_task(minutes_ago=20, status="SUCCESSFUL", started_at=timezone.now() - timedelta(minutes=1))
    assert client.get("/api/v1/ready").status_code == 200


@pytest.mark.django_db
def test_a_cache_that_does_not_answer_makes_the_process_not_ready(client: Client) -> None:
    lost_redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    with override_settings(CACHES=lost_redis, RELAIS_TASKS_BACKEND="immediate", TASKS=IMMEDIATE_TASKS):
        response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failed"
    assert response.json()["checks"]["database"] == "ok"
    assert "cache" in response.json()["detail"]


def test_openapi_documents_readiness_without_a_key(client: Client) -> None:
    operation = client.get("/api/openapi.json").json()["paths"]["/api/v1/ready"]["get"]
    assert set(operation["responses"]) >= {"200", "503"}
    assert "security" not in operation


# --- Metrics ---


def scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert CODE not in text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_without_a_token_there_is_no_metrics_page(client: Client) -> None:
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
@override_settings(RELAIS_METRICS_TOKEN=TOKEN)
def test_metrics_need_the_token(client: Client) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


@pytest.mark.django_db
@override_settings(RELAIS_METRICS_TOKEN=TOKEN)
def test_metrics_count_requests_by_route_help_cards_and_reports(api: Client, client: Client) -> None:
    before = scrape(client)
    assert client.get("/api/v1/help", {"country": "FR", "age": "14"}).status_code == 200
    assert post(api, report_body()).status_code == 201
    assert post(api, report_body(category="nonsense")).status_code == 422
    assert api.get(f"/api/v1/helpline/cases/{CODE}").status_code in (401, 404)
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("relais_help_cards_served_total", via="help") == 1
    assert grew("relais_help_cards_served_total", via="report") == 1
    assert grew("relais_reports_stored_total") == 1
    assert grew("relais_reports_refused_total", reason="422") == 1
    assert grew("relais_request_duration_seconds_count", route="api/v1/help", method="GET", status="200") == 1
    case_routes = [labels for (name, labels) in after if name == "relais_request_duration_seconds_count"]
    assert any(("route", "api/v1/helpline/cases/<case_id>") in labels for labels in case_routes)
    assert after[("relais_database_up", ())] == 1


@pytest.mark.django_db
@override_settings(RELAIS_METRICS_TOKEN=TOKEN)
def test_metrics_show_each_endpoints_queue_and_how_late_its_oldest_delivery_is(
    client: Client, platform_key: tuple[Any, str]
) -> None:
    from relais.webhooks.models import Delivery, Endpoint

    now = timezone.now()
    endpoint = Endpoint.objects.create(
        platform=platform_key[0], url="https://hooks.example/relais", secret="s", created_at=now
    )
    for minutes_late in (5, 1):
        Delivery.objects.create(
            endpoint=endpoint,
            message_id=f"msg-{minutes_late}",
            event_type="report.created",
            subject="report:x",
            created_at=now - timedelta(minutes=minutes_late),
            next_attempt_at=now - timedelta(minutes=minutes_late),
        )
    figures = scrape(client)
    labels = (("endpoint", str(endpoint.id)),)
    assert figures[("relais_webhook_queue_depth", labels)] == 2
    assert 300 <= figures[("relais_webhook_oldest_due_lag_seconds", labels)] < 400
    assert figures[("relais_statements_waiting", ())] == 0
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).content.decode()
    assert "hooks.example" not in text


@pytest.mark.django_db
@override_settings(RELAIS_METRICS_TOKEN=TOKEN)
def test_a_replayed_report_is_not_counted_twice_and_a_rate_limited_one_is_refused_429(
    api: Client, client: Client
) -> None:
    before = scrape(client)
    assert post(api, report_body(), **{"Idempotency-Key": "k-1"}).status_code == 201
    replay = post(api, report_body(), **{"Idempotency-Key": "k-1"})
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    with override_settings(RELAIS_RATE_LIMIT="2/minute"):
        assert post(api, report_body(platform_report_id="rep-2")).status_code == 429
    after = scrape(client)
    assert after[("relais_reports_stored_total", ())] - before.get(("relais_reports_stored_total", ()), 0) == 1
    refused = ("relais_reports_refused_total", (("reason", "429"),))
    assert after[refused] - before.get(refused, 0) == 1


# --- Logs ---


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_one_json_line_per_request_with_its_id_route_and_never_the_case_code(
    api: Client, json_log: io.StringIO
) -> None:
    # A client that still puts a code in the path (ADR 0030 took codes out of paths): it is not logged either.
    response = api.get(f"/api/v1/helpline/cases/{CODE}", headers={"X-Request-Id": "lb-7f3a.42"})
    assert response["X-Request-Id"] == "lb-7f3a.42"
    written = json_log.getvalue()
    assert CODE not in written
    assert "4821" not in written
    (line,) = [entry for entry in lines(json_log) if entry["logger"] == "relais.request"]
    assert line["request_id"] == "lb-7f3a.42"
    assert line["route"] == "api/v1/helpline/cases/<case_id>"
    assert (line["method"], line["status"]) == ("GET", response.status_code)
    assert line["duration_ms"] >= 0
    assert set(line) == {"time", "level", "logger", "message", "request_id", "route", "method", "status", "duration_ms"}
    # Django's own warning for the 4xx names the path: redacted.
    django_lines = [entry for entry in lines(json_log) if entry["logger"] == "django.request"]
    assert all("/helpline/cases/[redacted]" in entry["message"] for entry in django_lines)


@pytest.mark.django_db
def test_a_reporter_link_is_redacted_and_a_report_leaves_no_words_in_the_log(
    api: Client, client: Client, json_log: io.StringIO
) -> None:
    client.get("/r/secret-reporter-token-123")
    post(api, report_body())
    written = json_log.getvalue()
    assert "secret-reporter-token-123" not in written
    assert "personne ne t'aime" not in written
    assert "u-7f3a" not in written


def test_a_request_id_is_made_when_none_or_a_strange_one_is_given(client: Client) -> None:
    made = client.get("/api/v1/health")["X-Request-Id"]
    assert len(made) == 32
    assert made.isalnum()
    for strange in ("has space", "x" * 129, "caf\u00e9"):
        answered = client.get("/api/v1/health", headers={"X-Request-Id": strange})["X-Request-Id"]
        assert answered != strange
        assert len(answered) == 32
    assert client.get("/nowhere", headers={"X-Request-Id": "a" * 128})["X-Request-Id"] == "a" * 128


@pytest.mark.django_db
@override_settings(RELAIS_TASKS_BACKEND="immediate", TASKS=IMMEDIATE_TASKS)
def test_one_json_line_per_task_with_its_name_outcome_and_duration(json_log: io.StringIO) -> None:
    from relais.evidence.tasks import purge_expired

    result = purge_expired.enqueue()
    (line,) = [entry for entry in lines(json_log) if entry["logger"] == "relais.tasks"]
    assert line["task"] == "relais.evidence.tasks.purge_expired"
    assert line["task_id"] == str(result.id)
    assert line["status"] == "SUCCESSFUL"
    assert line["duration_ms"] >= 0


def test_case_codes_and_reporter_links_are_redacted_in_every_form_a_log_writes_them() -> None:
    assert redact('"GET /api/v1/helpline/cases/4821-093-755-1627/notes HTTP/1.1" 200') == (
        '"GET /api/v1/helpline/cases/[redacted]/notes HTTP/1.1" 200'
    )
    assert redact('"GET /api/v1/helpline/cases/4821%20093%20755%201627 HTTP/1.1"') == (
        '"GET /api/v1/helpline/cases/[redacted] HTTP/1.1"'
    )
    # Django logs the decoded path: a code typed with spaces.
    assert (
        redact("Not Found: /api/v1/helpline/cases/4821 093 755 1627") == "Not Found: /api/v1/helpline/cases/[redacted]"
    )
    assert redact("/api/v1/helpline/cases/K7QM-4X2P?x=1") == "/api/v1/helpline/cases/[redacted]?x=1"
    # What ADR 0030 puts in paths instead stays readable: a case's id, the look-up, the route's pattern.
    by_id = '"POST /api/v1/helpline/cases/0b0e6c2e-4d1f-4c8a-9e3b-2f1a5d6c7e8f/notes HTTP/1.1" 201'
    assert redact(by_id) == by_id
    assert redact("Not Found: /api/v1/helpline/cases/lookup") == "Not Found: /api/v1/helpline/cases/lookup"
    assert redact("GET api/v1/helpline/cases/<case_id> 404 2.1 ms") == "GET api/v1/helpline/cases/<case_id> 404 2.1 ms"
    assert redact("POST api/v1/helpline/cases/lookup 429 0.8 ms") == "POST api/v1/helpline/cases/lookup 429 0.8 ms"
    # …but only as a whole segment: a code after them is still a code.
    assert redact("/api/v1/helpline/cases/lookup 4821 093 755 1627") == "/api/v1/helpline/cases/[redacted]"
    assert redact("/api/v1/helpline/cases/lookup4821093755") == "/api/v1/helpline/cases/[redacted]"
    assert redact("GET /r/tok3n/withdraw") == "GET /r/[redacted]/withdraw"
    assert redact("/api/v1/helpline/cases?status=open") == "/api/v1/helpline/cases?status=open"


def test_under_relais_serve_every_worker_answers_the_sum_of_all_workers_counts(tmp_path: Any) -> None:
    from tests.test_serve import get, serve

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "RELAIS_DATA_DIR": str(tmp_path),
        "RELAIS_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_stale.db").write_bytes(b"left by a previous server")
    server = serve(env)
    base = next(server)
    try:
        for _ in range(6):
            assert get(f"{base}/api/v1/help?country=FR")[0] == 200
        for _ in range(4):  # whichever worker answers the scrape
            status, _, body = get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert status == 200
            served = {
                tuple(sorted(sample.labels.items())): sample.value
                for family in text_string_to_metric_families(body.decode())
                for sample in family.samples
                if sample.name == "relais_help_cards_served_total"
            }
            assert served[(("via", "help"),)] == 6
        assert not (tmp_path / "metrics" / "counter_stale.db").exists()
    finally:
        server.close()


def test_gunicorn_access_lines_carry_no_case_code() -> None:
    from gunicorn.config import Config

    from relais.logs import RedactingGunicornLogger

    typed = "/api/v1/helpline/cases/4821%20093%20755%201627"

    class Request:
        method = "GET"
        path = typed
        query = ""
        version = (1, 1)
        headers: list[tuple[str, str]] = [("REFERER", "https://relais.example" + typed)]

    class Response:
        status = "404 Not Found"
        sent = 10
        headers: list[tuple[str, str]] = []

    environ = {
        "RAW_URI": typed,
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/api/v1/helpline/cases/4821 093 755 1627",  # as gunicorn decodes it
    }
    atoms = RedactingGunicornLogger(Config()).atoms(Response(), Request(), environ, timedelta(seconds=0.01))
    written = " ".join(str(v) for v in atoms.values())
    assert "4821" not in written
    assert "1627" not in written
    assert "/api/v1/helpline/cases/[redacted]" in written
