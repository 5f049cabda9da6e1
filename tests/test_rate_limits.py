"""Rate limits over HTTP: per API key, per client address on /help, help first when refused; shared by
separate servers through a real Redis; open when the cache fails."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings

from relais.ratelimit import Rate, parse_rate
from relais.reports.models import Report
from relais.tenants.services import add_platform
from tests.test_api import AT_2259, report_body
from tests.test_serve import serve

AT_10S = "2026-11-25T22:59:10+01:00"
"""Ten seconds into a minute: a per-minute window has 50 s left."""


def post_report(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/reports", body, content_type="application/json")


def help_client(address: str, forwarded_for: str | None = None) -> Client:
    if forwarded_for is None:
        return Client(REMOTE_ADDR=address)
    return Client(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded_for)


# --- the setting, pure ---


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("600/minute", Rate(600, 60)),
        ("1/second", Rate(1, 1)),
        (" 10 / Hours ", Rate(10, 3600)),
        ("5000/day", Rate(5000, 86400)),
        ("off", None),
        ("", None),
    ],
)
def test_rates_are_read_as_n_per_unit(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["600", "0/minute", "ten/minute", "5/week", "-1/second", "5/minute/2"])
def test_a_bad_rate_is_refused(text: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)


def test_relais_check_refuses_a_bad_rate() -> None:
    with override_settings(RELAIS_RATE_LIMIT="lots"), pytest.raises(SystemCheckError, match="RELAIS_RATE_LIMIT"):
        call_command("check")


def test_relais_check_warns_when_production_counts_per_process(capsys: pytest.CaptureFixture[str]) -> None:
    with override_settings(PRODUCTION=True):
        call_command("check", "--tag", "caches")
    printed = capsys.readouterr()
    assert "relais.W101" in printed.out + printed.err


# --- per API key ---


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="3/minute")
def test_a_key_over_its_limit_gets_429_with_retry_after_until_the_window_ends(api: Client) -> None:
    with time_machine.travel(AT_10S, tick=False):
        answers = [api.get("/api/v1/reports/00000000-0000-0000-0000-000000000000") for _ in range(4)]
        assert [a.status_code for a in answers] == [404, 404, 404, 429]
        refused = answers[-1]
        assert refused["Retry-After"] == "50"
        assert refused["Access-Control-Allow-Origin"] == "*"  # a web page's card still shows the numbers
        assert refused["Access-Control-Expose-Headers"] == "Retry-After"
        assert refused["Content-Type"] == "application/json"
        assert "Too many requests" in refused.json()["detail"]
    with time_machine.travel("2026-11-25T23:00:00+01:00", tick=False):
        assert api.get("/api/v1/reports/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="1/minute")
def test_limits_are_per_key(api: Client) -> None:
    _, other_key = add_platform(name="Other Social")
    other = Client(headers={"Authorization": f"Bearer {other_key}"})
    with time_machine.travel(AT_10S, tick=False):
        assert api.get("/api/v1/reports/x").status_code == 404
        assert api.get("/api/v1/reports/x").status_code == 429
        assert other.get("/api/v1/reports/x").status_code == 404


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="1/minute")
@time_machine.travel(AT_2259, tick=False)
def test_a_refused_report_still_carries_its_help_card(api: Client) -> None:
    first = post_report(api, report_body(platform_report_id="first"))
    refused = post_report(api, report_body(platform_report_id="second"))
    assert (first.status_code, refused.status_code) == (201, 429)
    assert int(refused["Retry-After"]) >= 1
    data = refused.json()
    assert data["stored"] is False
    assert "send the same report again" in data["detail"]
    # The card the view would have given: the same reporter at the same instant got this one.
    assert data["help"] == first.json()["help"]
    assert data["help"]["primary"]["uri"] == "tel:3018"
    assert Report.objects.count() == 1


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="1/minute")
@time_machine.travel(AT_2259, tick=False)
def test_a_refused_report_in_danger_gets_the_emergency_number_and_the_platforms_presentation() -> None:
    _, key = add_platform(name="Clip Social", presentation="link")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert post_report(client, report_body(platform_report_id="first")).status_code == 201
    refused = post_report(client, report_body(platform_report_id="second"))
    assert refused.json()["help"]["helplines"][0]["id"] == "fr-3018"
    assert refused.json()["help"]["primary"]["kind"] == "web"
    danger = post_report(client, report_body(platform_report_id="third", category="threat", danger="immediate"))
    assert danger.status_code == 429
    assert danger.json()["help"]["primary"]["uri"] == "tel:17"


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="1/minute")
def test_a_refused_body_that_is_not_a_report_gets_a_plain_429(api: Client) -> None:
    with time_machine.travel(AT_10S, tick=False):
        post_report(api, report_body())
        refused = post_report(api, {"platform_report_id": "x"})
    assert refused.status_code == 429
    assert refused.json()["stored"] is False
    assert "help" not in refused.json()


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="off", RELAIS_HELP_RATE_LIMIT="off")
def test_off_means_no_limit(api: Client) -> None:
    with time_machine.travel(AT_10S, tick=False):
        assert {api.get("/api/v1/reports/x").status_code for _ in range(50)} == {404}
        client = help_client("198.51.100.50")
        assert {client.get("/api/v1/help", {"country": "FR"}).status_code for _ in range(50)} == {200}


@override_settings(RELAIS_RATE_LIMIT="1/minute")
def test_calls_without_a_key_are_not_counted_against_any(client: Client) -> None:
    with time_machine.travel(AT_10S, tick=False):
        assert {client.get("/api/v1/health").status_code for _ in range(5)} == {200}
        assert {client.get("/api/openapi.json").status_code for _ in range(3)} == {200}


# --- /api/v1/help per client address ---


@override_settings(RELAIS_HELP_RATE_LIMIT="2/minute")
def test_help_is_limited_per_address_and_a_refusal_keeps_the_emergency_numbers() -> None:
    query = {"country": "FR", "language": "fr", "category": "threat", "danger": "immediate"}
    with time_machine.travel(AT_10S, tick=False):
        mine = help_client("198.51.100.7")
        assert [mine.get("/api/v1/help", query).status_code for _ in range(2)] == [200, 200]
        refused = mine.get("/api/v1/help", query)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "50"
        data = refused.json()
        assert "Too many requests" in data["detail"]
        assert data["emergency"][0]["number"] == "17"
        assert "helplines" not in data
        assert help_client("198.51.100.8").get("/api/v1/help", query).status_code == 200
        invalid = mine.get("/api/v1/help", {"country": "France"})
        assert invalid.status_code == 429
        assert "emergency" not in invalid.json()


@override_settings(RELAIS_HELP_RATE_LIMIT="1/minute", RELAIS_PROXY_COUNT=1)
def test_behind_a_proxy_the_client_is_the_address_it_forwarded() -> None:
    with time_machine.travel(AT_10S, tick=False):
        # The proxy (127.0.0.1) appended the client's address; what the client wrote before it is not trusted.
        first = help_client("127.0.0.1", forwarded_for="10.0.0.1, 203.0.113.9")
        second = help_client("127.0.0.1", forwarded_for="10.0.0.1, 203.0.113.10")
        assert first.get("/api/v1/help", {"country": "FR"}).status_code == 200
        assert second.get("/api/v1/help", {"country": "FR"}).status_code == 200
        spoofed = help_client("127.0.0.1", forwarded_for="198.51.100.99, 203.0.113.9")
        assert spoofed.get("/api/v1/help", {"country": "FR"}).status_code == 429


@override_settings(RELAIS_HELP_RATE_LIMIT="1/minute", RELAIS_PROXY_COUNT=0)
def test_without_proxies_the_forwarded_header_is_ignored() -> None:
    with time_machine.travel(AT_10S, tick=False):
        assert help_client("198.51.100.20", "203.0.113.99").get("/api/v1/help", {"country": "FR"}).status_code == 200
        assert help_client("198.51.100.20", "203.0.113.98").get("/api/v1/help", {"country": "FR"}).status_code == 429


@override_settings(RELAIS_HELP_RATE_LIMIT="1/minute")
def test_ipv6_clients_are_counted_per_64() -> None:
    with time_machine.travel(AT_10S, tick=False):
        assert help_client("2001:db8:1:2::1").get("/api/v1/help", {"country": "FR"}).status_code == 200
        assert help_client("2001:db8:1:2::ffff").get("/api/v1/help", {"country": "FR"}).status_code == 429
        assert help_client("2001:db8:1:3::1").get("/api/v1/help", {"country": "FR"}).status_code == 200


# --- the cache ---


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@override_settings(
    RELAIS_HELP_RATE_LIMIT="1/minute",
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    },
)
def test_when_the_cache_is_down_each_process_counts_alone_and_nothing_waits() -> None:
    client = help_client("198.51.100.30")
    started = time.monotonic()
    assert [client.get("/api/v1/help", {"country": "FR"}).status_code for _ in range(4)] == [200, 429, 429, 429]
    # One failed attempt, then the cache is left alone for a while rather than slowing every request.
    assert time.monotonic() - started < 2


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="1000/minute")
def test_large_limits_are_shared_in_batches_yet_never_refuse_below_the_limit(api: Client) -> None:
    """1,000/minute: this process adds its hits to the shared counter every 10 hits (or every second),
    and always before refusing: the 1,001st call is refused, not one before."""
    with time_machine.travel(AT_10S, tick=False):
        statuses = [api.get("/api/v1/reports/x").status_code for _ in range(1001)]
    assert statuses == [404] * 1000 + [429]


def test_openapi_documents_429_on_limited_operations(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    help_429 = doc["paths"]["/api/v1/help"]["get"]["responses"]["429"]
    assert help_429["content"]["application/json"]["schema"]["$ref"].endswith("/HelpRateLimitedOut")
    report_429 = doc["paths"]["/api/v1/reports"]["post"]["responses"]["429"]
    assert report_429["content"]["application/json"]["schema"]["$ref"].endswith("/ReportRateLimitedOut")
    assert "Retry-After" in report_429["headers"]
    assert "429" in doc["paths"]["/api/v1/reports/{report_id}"]["get"]["responses"]
    assert "429" not in doc["paths"]["/api/v1/health"]["get"]["responses"]


# --- shared by separate servers, through a real Redis ---


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_two_servers_sharing_redis_count_together(tmp_path: Path) -> None:
    """Two `relais serve` processes of two workers each (as on two machines), one database, one Redis: a
    key's calls are counted together. 300/minute is shared in batches of 3, so the four workers let through
    between 300 and 300 + 4 x 2 calls, whichever server each call reaches."""
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis must be up on 127.0.0.1:6379 under CI (the python-svc machines start it)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "RELAIS_DATA_DIR": str(tmp_path),
        "RELAIS_CACHE_URL": "redis://127.0.0.1:6379/0",
        "RELAIS_RATE_LIMIT": "300/minute",
        "RELAIS_FAKE_NOW": "",
    }
    relais = str(Path(sys.executable).with_name("relais"))
    subprocess.run([relais, "migrate", "-v0"], env=env, check=True)
    added = subprocess.run(
        [relais, "platform", "add", f"Shared {uuid.uuid4().hex[:8]}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    key = added.stdout.strip().splitlines()[-1]
    servers = [serve(env), serve(env)]
    bases = [next(server) for server in servers]
    try:
        if time.time() % 60 > 45:  # keep the calls inside one minute's window
            time.sleep(61 - time.time() % 60)
        statuses = []
        for i in range(340):
            request = urllib.request.Request(
                f"{bases[i % 2]}/api/v1/reports/00000000-0000-0000-0000-000000000000",
                headers={"Authorization": f"Bearer {key}"},
            )
            statuses.append(get_with(request))
        assert set(statuses) == {404, 429}
        assert 300 <= statuses.count(404) <= 308
    finally:
        for server in servers:
            server.close()


def get_with(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
