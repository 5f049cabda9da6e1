"""`RELAIS_WEBHOOK_ALLOWED_NETWORKS` (ADR 0035): in production an operator may deliver webhooks to receivers in
the networks they list, and to nothing else that is not public; a list that would open the cloud metadata
address is refused at start-up.

The receiver is the signature-checking one of test_webhooks_delivery.py on 127.0.0.1. Other private addresses
are proven refused on what was attempted (a stand-in `socket.create_connection` that records), never by
sending to them; tests/dns.py's guard would refuse the connection anyway.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core import checks

from relais.webhooks import targets
from relais.webhooks.checks import allowed_networks_errors
from relais.webhooks.models import Delivery
from tests import dns
from tests import test_webhooks_delivery as delivery_tests
from tests.test_webhooks_delivery import Receiver, World, register, report, run_worker

receivers = delivery_tests.receivers
webhook_settings = delivery_tests.webhook_settings
world = delivery_tests.world

LOOPBACK = targets.parse_networks("127.0.0.0/8")


# --- the pure rule ---


def test_a_listed_network_admits_its_addresses_and_nothing_beside_them() -> None:
    networks = targets.parse_networks("10.20.0.0/16, fd12:3456::/48 127.0.0.0/8")
    assert [str(n) for n in networks] == ["10.20.0.0/16", "fd12:3456::/48", "127.0.0.0/8"]
    assert targets.allowed_address("10.20.3.4", networks)
    assert targets.allowed_address("fd12:3456::9", networks)
    assert targets.allowed_address("::ffff:10.20.3.4", networks)  # the same host, written as IPv6
    assert not targets.allowed_address("10.21.0.1", networks)
    assert not targets.allowed_address("192.168.1.1", networks)
    assert not targets.allowed_address("::ffff:192.168.1.1", networks)
    assert not targets.allowed_address("64:ff9b::c0a8:101", networks)  # NAT64 of 192.168.1.1
    assert not targets.allowed_address("not an address", networks)
    assert not targets.allowed_address("10.20.3.4", ())


def test_the_metadata_addresses_are_never_allowed_whatever_is_listed() -> None:
    # A list that holds them is refused at start-up; the rule refuses them even if one slipped through.
    everything = targets.parse_networks("0.0.0.0/0, ::/0")
    assert not targets.allowed_address("169.254.169.254", everything)
    assert not targets.allowed_address("::ffff:169.254.169.254", everything)
    assert not targets.allowed_address("fd00:ec2::254", everything)
    assert targets.metadata_overlap(everything) == ["0.0.0.0/0", "::/0"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("0.0.0.0/0", "contains a cloud metadata address: 0.0.0.0/0"),
        ("10.0.0.0/8, 169.254.0.0/16", "contains a cloud metadata address: 169.254.0.0/16"),
        ("169.254.169.254/32", "contains a cloud metadata address"),
        ("fd00::/8", "contains a cloud metadata address: fd00::/8"),
        ("10.0.0.1/8", "'10.0.0.1/8' is not a network in CIDR form"),
        ("intranet", "'intranet' is not a network in CIDR form"),
    ],
)
def test_a_list_that_is_not_networks_or_opens_the_metadata_address_is_refused_at_start_up(
    value: str, fragment: str
) -> None:
    [error] = allowed_networks_errors(value)
    assert error.id == "relais.E105"
    assert fragment in error.msg


def test_a_narrow_list_passes_the_start_up_checks(settings: Any) -> None:
    assert allowed_networks_errors("") == []
    assert allowed_networks_errors("127.0.0.0/8, 10.20.30.0/24, fd12:3456::/48") == []
    settings.RELAIS_WEBHOOK_ALLOWED_NETWORKS = "0.0.0.0/0"
    assert "relais.E105" in {message.id for message in checks.run_checks()}


# --- through the real API and worker, in production settings ---


@pytest.fixture
def production(webhook_settings: Any) -> Any:
    webhook_settings.PRODUCTION = True
    # Production seals the reporters' words with its own evidence key (relais.E301): give it one.
    webhook_settings.RELAIS_EVIDENCE_KEYS = "2026a:" + "A" * 43 + "="
    return webhook_settings


def register_url(world: World, url: str) -> Any:
    return world.api.post(
        "/api/v1/webhooks/endpoints",
        {"url": url, "event_types": ["report.created"]},
        content_type="application/json",
    )


@pytest.mark.django_db(transaction=True)
def test_without_the_setting_production_refuses_a_receiver_on_this_machine(
    world: World, receivers: tuple[Receiver, Receiver], production: Any
) -> None:
    refused = register_url(world, receivers[0].url)
    assert refused.status_code == 422
    assert "url" in refused.content.decode()


@pytest.mark.django_db(transaction=True)
def test_with_the_setting_a_receiver_on_127_0_0_1_gets_signed_deliveries_in_production(
    world: World, receivers: tuple[Receiver, Receiver], production: Any
) -> None:
    production.RELAIS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    receiver = receivers[0]
    register(world.api, receiver, ["report.created"])  # http://127.0.0.1:PORT/hooks/relais
    report(world, "rep-inside")
    run_worker()
    [request] = receiver.requests
    assert request.verified_by == [True]
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.django_db(transaction=True)
def test_with_the_setting_other_private_addresses_stay_refused(
    world: World, production: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    production.RELAIS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    for url in ("http://10.0.0.5/hooks", "https://10.0.0.5/hooks", "https://192.168.1.10/hooks"):
        refused = register_url(world, url)
        assert refused.status_code == 422, url
    monkeypatch.setitem(dns.NAMES, "hooks.office.test", ["10.1.2.3"])
    assert register_url(world, "https://hooks.office.test/relais").status_code == 422
    monkeypatch.setitem(dns.NAMES, "hooks.office.test", ["127.0.0.1", "169.254.169.254"])
    assert register_url(world, "http://hooks.office.test/relais").status_code == 422


@pytest.mark.django_db(transaction=True)
def test_a_name_moved_out_of_the_listed_network_after_registration_is_refused_without_connecting(
    world: World, production: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registered while it pointed into 127.0.0.0/8, then rebound to another private address and to the
    metadata address: each attempt is refused on the resolved address before any connection is tried."""
    production.RELAIS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    monkeypatch.setitem(dns.NAMES, "hooks.inside.test", ["127.0.0.1"])
    assert register_url(world, "http://hooks.inside.test:9/relais").status_code == 201
    tried: list[Any] = []

    def record(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        tried.append(address)
        raise ConnectionRefusedError("recorded, not connected")

    monkeypatch.setattr(socket, "create_connection", record)
    for n, rebound in enumerate(["10.0.0.5", "169.254.169.254"]):
        monkeypatch.setitem(dns.NAMES, "hooks.inside.test", [rebound])
        report(world, f"rep-{n}")
        run_worker()
    errors = sorted(Delivery.objects.values_list("last_error", flat=True))
    assert (
        errors
        == ["refused: hooks.inside.test is reached over http:// outside RELAIS_WEBHOOK_ALLOWED_NETWORKS (not retried)"]
        * 2
    )
    assert tried == []
