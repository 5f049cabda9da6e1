"""Managing webhook endpoints over HTTP: the secret shown once, URL rules, and the wall between tenants."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from relais.evidence import services as evidence_services
from relais.tenants.models import Helpline, Platform
from relais.tenants.services import add_helpline, add_platform
from relais.webhooks.models import Delivery, Endpoint
from tests.test_api import post, report_body

HOOK = "http://127.0.0.1:9/hooks"  # never called: these tests run no worker


@pytest.fixture
def clients(db: None) -> dict[str, Client]:
    _, sunny = add_platform(name="Sunny Social")
    _, other = add_platform(name="Other Social")
    _, line = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    return {
        name: Client(headers={"Authorization": f"Bearer {key}"})
        for name, key in (("sunny", sunny), ("other", other), ("helpline", line))
    }


def create(client: Client, **body: Any) -> Any:
    payload = {"url": HOOK, "event_types": ["report.created"], **body}
    return client.post("/api/v1/webhooks/endpoints", payload, content_type="application/json")


def test_registering_an_endpoint_shows_its_secret_once(clients: dict[str, Client]) -> None:
    response = create(clients["sunny"], description="Trust & safety queue")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["url"] == HOOK
    assert data["event_types"] == ["report.created"]
    assert data["enabled"] is True
    assert data["secret"].startswith("whsec_")
    assert len(base64.b64decode(data["secret"].removeprefix("whsec_"), validate=True)) >= 24
    listed = clients["sunny"].get("/api/v1/webhooks/endpoints").json()
    assert [e["id"] for e in listed] == [data["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in clients["sunny"].get(f"/api/v1/webhooks/endpoints/{data['id']}").json()


def test_a_helpline_registers_its_own_endpoints_for_helpline_events(clients: dict[str, Client]) -> None:
    created = create(clients["helpline"], event_types=["report.shared", "case.status_changed", "notice.escalated"])
    assert created.status_code == 201, created.content
    refused = create(clients["helpline"], event_types=["report.shared", "report.created"])
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "event_types"
    assert "not sent to helplines" in refused.json()["errors"][0]["message"]
    assert len(clients["helpline"].get("/api/v1/webhooks/endpoints").json()) == 1
    assert clients["sunny"].get("/api/v1/webhooks/endpoints").json() == []


BAD = [
    ({"url": "ftp://hooks.example.org/x"}, "url", "https://"),
    ({"url": "http://hooks.example.org/x"}, "url", "only for 127.0.0.1"),
    ({"url": "https://user:pw@hooks.example.org/x"}, "url", "user name"),
    ({"url": "not a url"}, "url", ""),
    ({"url": "https://" + "a" * 2050}, "url", ""),
    ({"event_types": []}, "event_types", ""),
    ({"event_types": ["report.deleted"]}, "event_types.0", ""),
    ({"secret": "mine"}, "secret", ""),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_an_invalid_endpoint_is_a_422_naming_the_field(
    clients: dict[str, Client], change: dict[str, Any], field: str, message: str
) -> None:
    response = create(clients["sunny"], **change)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert message in errors[0]["message"]
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/hooks", "https://"),
        ("https://127.0.0.1/hooks", "local"),
        ("https://localhost/hooks", "local"),
        ("https://10.0.0.8/hooks", "private"),
        ("https://169.254.169.254/latest/meta-data/", "private"),
        ("https://[::1]/hooks", "local"),
    ],
)
def test_in_production_loopback_and_private_targets_are_refused(
    clients: dict[str, Client], settings: Any, url: str, message: str
) -> None:
    settings.PRODUCTION = True
    response = create(clients["sunny"], url=url)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/hooks",
        "https://[fd00::1]/hooks",
        "https://[64:ff9b::7f00:1]/hooks",
        "https://[2002:7f00:1::]/hooks",
        "https://[::127.0.0.1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hooks",
    ],
)
@pytest.mark.parametrize("production", [False, True])
def test_private_targets_and_ipv6_forms_of_them_are_refused_in_every_mode(
    clients: dict[str, Client], settings: Any, url: str, production: bool
) -> None:
    settings.PRODUCTION = production
    response = create(clients["sunny"], url=url)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], "private" in error["message"]) == ("url", True)
    assert not Endpoint.objects.exists()


def test_in_development_this_machine_by_name_is_still_accepted(clients: dict[str, Client]) -> None:
    for url in ("http://127.0.0.1:9/hooks", "http://localhost:9/hooks", "http://[::1]:9/hooks"):
        assert create(clients["sunny"], url=url).status_code == 201


def test_deleting_an_endpoint_removes_it_and_its_deliveries(clients: dict[str, Client]) -> None:
    endpoint = create(clients["sunny"]).json()
    assert post(clients["sunny"], report_body()).status_code == 201
    assert Delivery.objects.count() == 1
    assert clients["sunny"].delete(f"/api/v1/webhooks/endpoints/{endpoint['id']}").status_code == 204
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()
    assert clients["sunny"].get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").status_code == 404


def test_rotating_keeps_the_previous_secret_for_the_overlap(clients: dict[str, Client]) -> None:
    endpoint = create(clients["sunny"]).json()
    rotated = clients["sunny"].post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != endpoint["secret"]
    stored = Endpoint.objects.get()
    assert (stored.secret, stored.previous_secret) == (rotated.json()["secret"], endpoint["secret"])
    shown = clients["sunny"].get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").json()
    assert shown["previous_secret_valid_until"] is not None


def test_another_tenants_endpoints_and_deliveries_are_404_everywhere(clients: dict[str, Client]) -> None:
    endpoint = create(clients["sunny"]).json()
    assert post(clients["sunny"], report_body()).status_code == 201
    delivery = Delivery.objects.get()
    delivery.status = Delivery.Status.FAILED
    delivery.save()
    eid, did = endpoint["id"], str(delivery.uid)
    calls = [
        ("get", f"/api/v1/webhooks/endpoints/{eid}"),
        ("delete", f"/api/v1/webhooks/endpoints/{eid}"),
        ("post", f"/api/v1/webhooks/endpoints/{eid}/rotate-secret"),
        ("post", f"/api/v1/webhooks/endpoints/{eid}/enable"),
        ("get", f"/api/v1/webhooks/endpoints/{eid}/deliveries"),
        ("post", f"/api/v1/webhooks/deliveries/{did}/replay"),
    ]
    for intruder in ("other", "helpline"):
        for method, path in calls:
            response = getattr(clients[intruder], method)(path)
            assert response.status_code == 404, (intruder, method, path)
            assert response.json()["detail"].startswith("No such")
        assert clients[intruder].get("/api/v1/webhooks/endpoints").json() == []
        assert clients[intruder].get("/api/v1/webhooks/dead-letters").json() == []
    # Malformed ids are the same 404, even for the owner.
    assert clients["sunny"].get("/api/v1/webhooks/endpoints/not-a-uuid").status_code == 404
    assert clients["sunny"].post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay").status_code == 404
    # The owner still has everything, untouched.
    assert clients["sunny"].get(f"/api/v1/webhooks/endpoints/{eid}").status_code == 200
    assert len(clients["sunny"].get("/api/v1/webhooks/dead-letters").json()) == 1
    assert Endpoint.objects.get().secret == endpoint["secret"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/webhooks/endpoints"),
        ("post", "/api/v1/webhooks/endpoints"),
        ("get", "/api/v1/webhooks/endpoints/00000000-0000-0000-0000-000000000000"),
        ("delete", "/api/v1/webhooks/endpoints/00000000-0000-0000-0000-000000000000"),
        ("post", "/api/v1/webhooks/endpoints/00000000-0000-0000-0000-000000000000/rotate-secret"),
        ("post", "/api/v1/webhooks/endpoints/00000000-0000-0000-0000-000000000000/enable"),
        ("get", "/api/v1/webhooks/endpoints/00000000-0000-0000-0000-000000000000/deliveries"),
        ("get", "/api/v1/webhooks/dead-letters"),
        ("post", "/api/v1/webhooks/deliveries/00000000-0000-0000-0000-000000000000/replay"),
    ],
)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer rls_not-a-key"}])
@pytest.mark.django_db
def test_without_a_valid_key_every_webhook_call_is_401(method: str, path: str, headers: dict[str, str]) -> None:
    response = getattr(Client(headers=headers), method)(path)
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]


def test_the_openapi_document_lists_the_webhook_calls(client: Client, db: None) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/webhooks/endpoints",
        "/api/v1/webhooks/endpoints/{endpoint_id}",
        "/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret",
        "/api/v1/webhooks/endpoints/{endpoint_id}/enable",
        "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries",
        "/api/v1/webhooks/dead-letters",
        "/api/v1/webhooks/deliveries/{delivery_id}/replay",
    } <= set(paths)


def test_an_operator_registers_rotates_and_disables_an_endpoint_in_the_admin(clients: dict[str, Client]) -> None:
    ops = Client()
    ops.force_login(User.objects.create_superuser("ops", "ops@example.org", "a long admin password"))
    platform = Platform.objects.get(slug="sunny-social")
    form = {"platform": platform.pk, "url": HOOK, "description": "", "event_types": ["report.created"]}
    refused = ops.post("/admin/webhooks/endpoint/add/", {**form, "url": "http://hooks.example.org/x"})
    assert refused.status_code == 200
    assert "only for 127.0.0.1" in refused.content.decode()
    both = ops.post("/admin/webhooks/endpoint/add/", {**form, "helpline": Helpline.objects.get().pk})
    assert "either a platform or a helpline" in both.content.decode()

    added = ops.post("/admin/webhooks/endpoint/add/", form, follow=True)
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in added.content.decode()  # shown once, in the confirmation
    assert clients["sunny"].get(f"/api/v1/webhooks/endpoints/{endpoint.id}").status_code == 200

    rotated = ops.post(
        "/admin/webhooks/endpoint/", {"action": "rotate", "_selected_action": [endpoint.pk]}, follow=True
    )
    endpoint.refresh_from_db()
    assert endpoint.secret in rotated.content.decode()
    assert endpoint.previous_secret
    ops.post("/admin/webhooks/endpoint/", {"action": "disable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "disabled by ops (admin)")
    assert ops.get("/admin/webhooks/endpoint/").status_code == 200
    assert ops.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").status_code == 200


def test_start_up_refuses_task_settings_that_would_stall_or_double_send(settings: Any) -> None:
    from relais.webhooks.checks import webhook_settings

    assert webhook_settings(None) == []
    settings.PRODUCTION = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.RELAIS_WEBHOOK_LEASE_SECONDS = settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS
    assert [e.id for e in webhook_settings(None)] == ["relais.E101", "relais.E102"]


# --- signing secrets sealed at rest (ADR 0011, "At rest") ---


def _raw_secrets() -> tuple[str, str]:
    """The columns as a database dump has them (no model field to open them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret, previous_secret FROM webhooks_endpoint")
        (row,) = cursor.fetchall()
    return row[0], row[1]


def test_a_database_dump_shows_no_signing_secret_and_rekey_keeps_them(clients: dict[str, Client]) -> None:
    endpoint = create(clients["sunny"]).json()
    rotated = clients["sunny"].post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/rotate-secret").json()
    secret, previous = _raw_secrets()
    assert secret.startswith("sealed:")
    assert previous.startswith("sealed:")
    for clear in (endpoint["secret"], rotated["secret"]):
        for part in (clear, clear.removeprefix("whsec_")):
            assert part not in secret + previous
    stored = Endpoint.objects.get()
    assert (stored.secret, stored.previous_secret) == (rotated["secret"], endpoint["secret"])
    # rekey re-seals what is not under the first key (here: a row written in clear before the migration)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE webhooks_endpoint SET secret = %s", [rotated["secret"]])
    assert evidence_services.reseal_texts() == 1
    assert _raw_secrets()[0].startswith("sealed:")
    assert Endpoint.objects.get().secret == rotated["secret"]
