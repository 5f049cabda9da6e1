"""Who gets `report.created`: the endpoints subscribed at the moment of the report, no more, no fewer.

Report intake reads the subscriptions on every report (no cache, ADR 0008 "Subscriptions"). These tests pin
what any future cache would have to keep: an endpoint registered a moment ago gets the very next report, a
deleted one gets nothing (and does not break intake), a disabled one has its events held, not sent. The
last test runs the real server with two worker processes, where a per-process cache would go stale.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from relais import clock
from relais.tenants.services import add_helpline, add_platform
from relais.webhooks.delivery import attempt_delivery, disable_endpoint
from relais.webhooks.models import Delivery, Endpoint
from tests.test_api import post, report_body
from tests.test_serve import RELAIS, serve

HOOK = "http://127.0.0.1:9/hooks"  # never called: no worker runs here
Capture = Callable[..., Any]


def register(client: Client, event_types: list[str] | None = None) -> str:
    response = client.post(
        "/api/v1/webhooks/endpoints",
        {"url": HOOK, "event_types": event_types or ["report.created"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def deliveries_of(report_id: str) -> dict[str, str]:
    """endpoint id → status of the `report.created` deliveries of one report."""
    rows = Delivery.objects.filter(subject=f"report:{report_id}", event_type="report.created")
    return {str(endpoint_id): status for endpoint_id, status in rows.values_list("endpoint_id", "status")}


def test_an_endpoint_registered_a_moment_ago_gets_the_very_next_report(
    api: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    assert post(api, report_body(platform_report_id="before")).status_code == 201  # intake has run once already
    endpoint = register(api)
    with django_capture_on_commit_callbacks(execute=True):
        created = post(api, report_body(platform_report_id="after"))
    assert created.status_code == 201
    assert deliveries_of(created.json()["id"]) == {endpoint: "pending"}
    assert DBTaskResult.objects.count() == 1  # and it was queued for sending


def test_a_deleted_endpoint_gets_nothing_and_intake_goes_on(api: Client) -> None:
    kept, deleted = register(api), register(api)
    assert post(api, report_body(platform_report_id="r1")).status_code == 201
    assert api.delete(f"/api/v1/webhooks/endpoints/{deleted}").status_code == 204
    created = post(api, report_body(platform_report_id="r2"))
    assert created.status_code == 201
    assert created.json()["stored"] is True
    assert deliveries_of(created.json()["id"]) == {kept: "pending"}


def test_a_disabled_endpoint_has_its_events_held_and_not_sent(
    api: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    endpoint = register(api)
    assert disable_endpoint(endpoint_id=endpoint, reason="410 Gone", now=clock.now())
    with django_capture_on_commit_callbacks(execute=True):
        created = post(api, report_body())
    assert deliveries_of(created.json()["id"]) == {endpoint: "pending"}  # held: sent if it is enabled again
    assert not DBTaskResult.objects.exists()
    delivery = Delivery.objects.get()
    assert attempt_delivery(delivery.pk) == "held: endpoint disabled"


def test_only_the_reporting_platforms_endpoints_for_this_event_type_get_it(api: Client) -> None:
    mine = register(api)
    register(api, ["report.shared"])
    _, other_key = add_platform(name="Other Social")
    register(Client(headers={"Authorization": f"Bearer {other_key}"}))
    _, helpline_key = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    register(Client(headers={"Authorization": f"Bearer {helpline_key}"}), ["report.shared"])
    created = post(api, report_body())
    assert deliveries_of(created.json()["id"]) == {mine: "pending"}
    assert Endpoint.objects.count() == 4


# --- across processes ---


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    database = tmp_path / "subscriptions.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "RELAIS_DATA_DIR": str(tmp_path),
        "RELAIS_TASKS_BACKEND": "database",
        "RELAIS_LOG_LEVEL": "WARNING",
    }
    env.pop("RELAIS_FAKE_NOW", None)
    server = serve(env)
    base = next(server)
    try:
        yield base, database
    finally:
        server.close()


def call(base: str, key: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{base}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


def test_across_worker_processes_a_new_endpoint_gets_the_next_report_and_a_deleted_one_nothing(
    two_workers: tuple[str, Path],
) -> None:
    """The endpoint is registered through one gunicorn worker and the report may land on the other, which
    has served reports before: a per-process cache there would miss the new endpoint, or write a delivery
    for a deleted one (a foreign-key error, so a report not stored)."""
    base, database = two_workers
    added = subprocess.run(
        [RELAIS, "platform", "add", "Cache Social"],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        check=True,
    )
    key = added.stdout.strip().splitlines()[-1]

    def report(name: str) -> str:
        status, data = call(base, key, "POST", "/api/v1/reports", report_body(platform_report_id=name))
        assert status == 201
        assert data["stored"] is True
        return str(data["id"])

    def endpoints_told(report_id: str) -> set[str]:
        with sqlite3.connect(database) as conn:
            rows = conn.execute(
                "SELECT endpoint_id FROM webhooks_delivery WHERE subject = ?", (f"report:{report_id}",)
            ).fetchall()
        return {str(uuid.UUID(row[0])) for row in rows}

    for round_ in range(5):
        for i in range(4):  # both workers have served reports (and would have cached "no endpoint")
            assert endpoints_told(report(f"warm-{round_}-{i}")) == set()
        _, endpoint = call(
            base, key, "POST", "/api/v1/webhooks/endpoints", {"url": HOOK, "event_types": ["report.created"]}
        )
        for i in range(3):
            assert endpoints_told(report(f"new-{round_}-{i}")) == {endpoint["id"]}
        assert call(base, key, "DELETE", f"/api/v1/webhooks/endpoints/{endpoint['id']}")[0] == 204
        for i in range(3):
            assert endpoints_told(report(f"gone-{round_}-{i}")) == set()
