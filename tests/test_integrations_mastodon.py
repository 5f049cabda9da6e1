"""Mastodon's admin webhook end to end: Mastodon's documented payload, signed as Mastodon signs it, through
the endpoint into intake, and the help message to a local HTTP server standing in for the instance.

The payload is docs.joinmastodon.org's own example (relais/integrations/mastodon/fixtures/report_created.json,
copied verbatim). The instance is a threading `http.server` on 127.0.0.1 answering from a script; the help
message runs on the database task backend through `db_worker --batch`, and time_machine moves the clock to
each retry. The signature is computed here with hmac/hashlib, not with relais.integrations.signatures.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import io
import json
import logging
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection as db
from django.test import Client
from django_tasks_db.models import DBTaskResult
from PIL import Image

from relais.evidence import crypto
from relais.evidence.models import EvidenceItem
from relais.integrations import categories
from relais.integrations.mastodon import adapter
from relais.integrations.models import Connection, HelpMessage, MediaFetch, PlatformResolution
from relais.moderation.models import Notice
from relais.reports.links import reporter_url
from relais.reports.models import Report, ReportedContent
from relais.tenants.models import Platform
from relais.tenants.services import add_platform
from tests.test_webhooks_delivery import run_worker

FIXTURE = Path(__file__).parent.parent / "relais/integrations/mastodon/fixtures/report_created.json"
T0 = datetime.fromisoformat("2026-11-25T22:59:00+01:00")
TOKEN = "relais-test-token-0123456789"
DROPPED = ["bobisaburger@emailservice.com", "12.34.56.78", "98.76.54.32", "I would love to be a member"]
"""The reporter's e-mail, IP addresses and invite text, as the fixture carries them."""


def documented_payload() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(FIXTURE.read_text())
    return payload


# --- the mapping, pure ---


def test_mastodons_documented_payload_reads_as_a_report_without_the_reporters_email_or_addresses() -> None:
    read = adapter.read(
        documented_payload(),
        adapter.Defaults(
            instance_host="social.example", category_map={"rules": {"2": "harassment"}}, language_fallback="fr"
        ),
    )
    report = read.report
    assert report["platform_report_id"] == "mastodon:social.example:8437"
    assert report["category"] == "harassment"  # rule 2, mapped
    assert report["reporter"]["language"] == "en"  # the reporter's locale
    [item] = report["content"]
    assert item["text"] == "Here is some content"
    assert item["url"] == "https://someothermastodonsite.com/@cheeseperson/111301083360371621"
    assert item["author_handle"] == "@cheeseperson@someothermastodonsite.com"
    assert item["author_profile_url"] == "https://someothermastodonsite.com/@cheeseperson"
    assert item["posted_at"] == "2023-10-26T11:29:13.000Z"
    assert read.reporter == adapter.Reporter(account_id="123456789", username="bobisaburger", local=True)
    as_text = json.dumps(report)
    for dropped in DROPPED:
        assert dropped not in as_text


@pytest.mark.parametrize(
    ("mapping", "category", "rules", "expected"),
    [
        ({}, "spam", [], "other"),
        ({"categories": {"legal": "threat"}}, "legal", [], "threat"),
        ({"categories": {"violation": "hate"}, "rules": {"7": "doxxing"}}, "violation", ["3", "7"], "doxxing"),
        ({"categories": {"violation": "hate"}, "rules": {"7": "doxxing"}}, "violation", ["3"], "hate"),
        ({"categories": {"violation": "hate"}}, "a_category_of_mastodon_5", [], "other"),
    ],
)
def test_the_category_map_names_rules_first_and_anything_unknown_is_other(
    mapping: dict[str, Any], category: str, rules: list[str], expected: str
) -> None:
    assert categories.category_for(mapping, category=category, rule_ids=rules) == expected


def test_a_category_map_naming_no_relais_category_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"rules\.2: 'meanness' is not a Relais category"):
        categories.check_map({"rules": {"2": "meanness"}})


def test_status_html_becomes_the_text_a_person_read() -> None:
    html = '<p>First &amp; <a href="https://x/@a" class="u-url mention">@<span>a</span></a></p><p>line<br />two</p>'
    assert adapter.text_of(html) == "First & @a\n\nline\ntwo"


# --- the instance, standing in ---


@dataclass
class Instance:
    """Answers POST /api/v1/statuses from a script of status codes (200 when the script is empty)."""

    url: str = ""
    script: deque[int] = field(default_factory=deque)
    files: dict[str, bytes] = field(default_factory=dict)
    """GET path → bytes (the instance's media)."""
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def instance() -> Iterator[Instance]:
    state = Instance()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append((dict(self.headers), json.loads(body) if self.path == "/api/v1/statuses" else {}))
            code = state.script.popleft() if state.script else 200
            answer = json.dumps({"id": "110000000000000001"} if code == 200 else {"error": "down"}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def do_GET(self) -> None:
            data = state.files.get(self.path)
            code = (state.script.popleft() if state.script else 200) if data is not None else 404
            self.send_response(code)
            self.send_header("Content-Length", str(len(data or b"") if code == 200 else 0))
            self.end_headers()
            if code == 200 and data:
                self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class World:
    platform: Platform
    connection: Connection
    webhook_path: str
    secret: str
    traveller: Any
    mastodon: Client


def connect(instance_url: str, *args: str, stdin: str = TOKEN + "\n") -> list[str]:
    out = io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("mastodon", "connect", "sunny", "--instance", instance_url, "--token-stdin", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue().splitlines()


@pytest.fixture
def world(settings: Any, transactional_db: None, instance: Instance) -> Iterator[World]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    with time_machine.travel(T0, tick=False) as traveller:
        platform, _key = add_platform(name="Sunny Social", slug="sunny")
        lines = connect(instance.url, "--country", "FR", "--timezone", "Europe/Paris", "--send-help")
        url, secret = lines[0].removeprefix("webhook_url: "), lines[1].removeprefix("secret: ")
        yield World(
            platform,
            Connection.objects.get(),
            url.removeprefix("https://relais.example"),
            secret,
            traveller,
            Client(),
        )


def deliver(world: World, payload: Any, *, signature: str | None = "good", raw: bytes | None = None) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {}
    if signature == "good":
        headers["X-Hub-Signature"] = "sha256=" + hmac.new(world.secret.encode(), body, hashlib.sha256).hexdigest()
    elif signature is not None:
        headers["X-Hub-Signature"] = signature
    return world.mastodon.post(world.webhook_path, data=body, content_type="application/json", headers=headers)


def nothing_stored() -> bool:
    return not Report.objects.exists() and not HelpMessage.objects.exists()


# --- connecting ---


@pytest.mark.django_db
def test_connect_prints_the_webhook_url_and_secret_and_sets_the_platforms_reporter_defaults(settings: Any) -> None:
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    add_platform(name="Sunny Social", slug="sunny")
    lines = connect("https://Social.Example/", "--country", "FR", "--timezone", "Europe/Paris")
    connection = Connection.objects.get()
    assert lines == [f"webhook_url: https://relais.example/integrations/mastodon/{connection.pk}", lines[1]]
    assert "sunny" not in lines[0]
    secret = lines[1].removeprefix("secret: ")
    assert len(secret) >= 12
    assert connection.instance_url == "https://social.example"
    platform = Platform.objects.get()
    assert (platform.reporter_country, platform.reporter_timezone) == ("FR", "Europe/Paris")
    sealed = bytes(connection.secret_sealed) + bytes(connection.token_sealed)
    assert secret.encode() not in sealed
    assert TOKEN.encode() not in sealed
    assert not connection.send_help  # opt-in


@pytest.mark.django_db
def test_connect_takes_mastodons_own_secret_from_the_second_line_and_refuses_a_short_one() -> None:
    add_platform(name="Sunny Social", slug="sunny")
    lines = connect("https://social.example", "--secret-stdin", stdin=f"{TOKEN}\nmastodons-own-secret\n")
    assert lines[1] == "secret: mastodons-own-secret"
    with pytest.raises(CommandError, match="at least 12 characters"):
        connect("https://social.example", "--secret-stdin", stdin=f"{TOKEN}\nshort\n")


# --- refusals: nothing stored ---


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_a_missing_or_wrong_signature_is_a_401_with_nothing_stored(world: World, signature: str | None) -> None:
    response = deliver(world, documented_payload(), signature=signature)
    assert response.status_code == 401
    assert nothing_stored()
    assert Connection.objects.get().last_refusal.startswith("401")


def test_a_body_signed_then_changed_is_refused(world: World) -> None:
    body = json.dumps(documented_payload()).encode()
    good = "sha256=" + hmac.new(world.secret.encode(), body, hashlib.sha256).hexdigest()
    response = deliver(world, None, signature=good, raw=body.replace(b"8437", b"8438"))
    assert response.status_code == 401
    assert nothing_stored()


def test_a_body_that_is_not_json_is_a_400_and_one_we_cannot_read_a_422(world: World) -> None:
    assert deliver(world, None, raw=b'{"event": "report.created", ').status_code == 400
    no_account = documented_payload()
    del no_account["object"]["account"]
    response = deliver(world, no_account)
    assert response.status_code == 422
    assert "object.account" in response.json()["detail"]
    assert nothing_stored()


def test_another_event_type_is_acknowledged_and_ignored(world: World) -> None:
    response = deliver(world, {"event": "account.created", "created_at": "2026-11-25T21:59:00Z", "object": {}})
    assert response.status_code == 202
    assert nothing_stored()


# --- a report, its help message, its redelivery ---


def test_a_report_is_stored_once_and_the_reporter_alone_gets_one_message_with_their_link(
    world: World, instance: Instance
) -> None:
    first = deliver(world, documented_payload())
    assert first.status_code == 200, first.content
    again = deliver(world, documented_payload())  # Mastodon's retry of the same delivery
    assert again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "created": False}
    report = Report.objects.get()
    assert report.platform_report_id.endswith(":8437")
    assert (report.reporter_country, report.reporter_language, report.category) == ("FR", "en", "other")
    assert report.help_card["country_source"] == "platform_default"
    item = ReportedContent.objects.get()
    assert (item.text, item.author_handle) == ("Here is some content", "@cheeseperson@someothermastodonsite.com")
    assert Notice.objects.filter(report=report).count() == 1
    assert not instance.requests  # the answer did not wait for the instance

    run_worker()
    run_worker()
    [(headers, status)] = instance.requests
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert status["visibility"] == "direct"
    text = status["status"]
    assert text.startswith("@bobisaburger ")
    assert [w for w in text.split() if w.startswith("@")] == ["@bobisaburger"]  # the reporter alone
    assert "cheeseperson" not in text
    assert "thirdperson" not in text
    assert reporter_url(report) in text
    assert "Help exists" in text
    assert HelpMessage.objects.get().status == HelpMessage.Status.SENT


def test_a_french_reporter_reads_the_message_in_french(world: World, instance: Instance) -> None:
    payload = documented_payload()
    payload["object"]["account"]["locale"] = "fr"
    assert deliver(world, payload).status_code == 200
    run_worker()
    [(_headers, status)] = instance.requests
    assert "De l'aide existe" in status["status"]


def test_a_remote_reporter_gets_no_message(world: World, instance: Instance) -> None:
    payload = documented_payload()
    payload["object"]["account"]["domain"] = "elsewhere.example"
    payload["object"]["account"]["locale"] = None
    assert deliver(world, payload).status_code == 200
    assert Report.objects.get().reporter_language == "en"  # the connection's fallback
    run_worker()
    assert not HelpMessage.objects.exists()
    assert not instance.requests


def test_instance_down_the_report_is_kept_and_the_message_retried_until_it_goes(
    world: World, instance: Instance
) -> None:
    instance.script.extend([503, 502])
    assert deliver(world, documented_payload()).status_code == 200
    for _ in range(3):
        run_worker()
        queued = DBTaskResult.objects.filter(status="READY").order_by("run_after")
        later = queued.values_list("run_after", flat=True).first()
        if later is not None:
            world.traveller.move_to(later + timedelta(seconds=1))
    run_worker()
    assert Report.objects.count() == 1
    assert len(instance.requests) == 3
    message = HelpMessage.objects.get()
    assert (message.status, message.attempts) == (HelpMessage.Status.SENT, 3)


def test_a_revoked_token_fails_at_once_and_shows_in_the_admin(world: World, instance: Instance) -> None:
    instance.script.append(401)
    deliver(world, documented_payload())
    run_worker()
    message = HelpMessage.objects.get()
    assert message.status == HelpMessage.Status.FAILED
    assert message.last_status_code == 401
    assert "not retried" in message.last_error


def test_a_connection_that_does_not_send_help_sends_nothing(world: World, instance: Instance) -> None:
    Connection.objects.update(send_help=False)
    deliver(world, documented_payload())
    run_worker()
    assert Report.objects.count() == 1
    assert not HelpMessage.objects.exists()


def test_the_instances_moderators_resolving_it_is_recorded_on_the_notice(world: World) -> None:
    deliver(world, documented_payload())
    updated = copy.deepcopy(documented_payload())
    updated["event"] = "report.updated"
    updated["object"].update(action_taken=True, action_taken_at="2026-11-25T22:30:00.000Z")
    assert deliver(world, updated).status_code == 200
    assert deliver(world, updated).status_code == 200
    resolution = PlatformResolution.objects.get()
    assert resolution.notice.report == Report.objects.get()
    assert resolution.resolved_at == datetime.fromisoformat("2026-11-25T22:30:00+00:00")
    assert HelpMessage.objects.count() == 1
    link = reporter_url(Report.objects.get())
    assert link is not None
    page = Client().get(link.removeprefix("https://relais.example"))
    assert page.status_code == 200
    assert "The moderators of Sunny Social have dealt with your report." in page.content.decode()
    assert "has not decided yet" not in page.content.decode()


def test_the_reporters_email_addresses_and_invite_text_are_never_stored_nor_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    deliver(world, documented_payload())
    bad = documented_payload()
    del bad["object"]["account"]["id"]
    deliver(world, bad)  # refused: its reason is recorded and logged
    run_worker()
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    with db.cursor() as cursor:
        tables = db.introspection.table_names(cursor)
    assert "integrations_connection" in tables
    stored = dump.getvalue()
    assert "bobisaburger" in stored  # the dump is real: the message's recipient is there
    for dropped in DROPPED:
        assert dropped not in stored
        assert dropped not in caplog.text


def test_rekey_seals_the_connections_under_the_new_first_key_so_the_old_one_can_go(world: World, settings: Any) -> None:
    development = base64.b64encode(crypto.development_key(settings.SECRET_KEY)).decode()
    old = settings.RELAIS_EVIDENCE_KEYS or f"{crypto.DEVELOPMENT_KEY_ID}:{development}"
    new = crypto.new_key_text("k2")
    settings.RELAIS_EVIDENCE_KEYS = f"{new},{old}"
    out = io.StringIO()
    call_command("mastodon", "rekey", stdout=out)
    assert out.getvalue().strip() == "1 connection(s) sealed under the first key"
    settings.RELAIS_EVIDENCE_KEYS = new
    assert deliver(world, documented_payload()).status_code == 200


def test_a_secret_sealed_under_a_key_since_dropped_is_a_503_not_a_crash(world: World, settings: Any) -> None:
    settings.RELAIS_EVIDENCE_KEYS = crypto.new_key_text("k2")
    response = deliver(world, documented_payload())
    assert response.status_code == 503
    assert nothing_stored()
    assert "cannot be opened" in Connection.objects.get().last_refusal


def test_the_admin_shows_connections_and_help_messages_and_edits_the_category_map(
    world: World, instance: Instance, admin_client: Client
) -> None:
    instance.script.append(401)
    deliver(world, documented_payload())
    run_worker()
    messages = admin_client.get("/admin/integrations/helpmessage/")
    assert "HTTP 401 (not retried)" in messages.content.decode()
    page = f"/admin/integrations/connection/{world.connection.pk}/change/"
    assert admin_client.get(page).status_code == 200
    form = {"category_map": '{"rules": {"2": "meanness"}}', "language_fallback": "fr", "send_help": "on"}
    refused = admin_client.post(page, form)
    assert "is not a Relais category" in refused.content.decode()
    form["category_map"] = '{"rules": {"2": "hate"}}'
    assert admin_client.post(page, form).status_code == 302
    payload = documented_payload()
    payload["object"]["id"] = "8438"
    deliver(world, payload)
    assert Report.objects.get(platform_report_id__endswith=":8438").category == "hate"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_the_reported_statuses_pictures_are_fetched_into_the_evidence_retried_while_the_instance_is_down(
    world: World, instance: Instance
) -> None:
    Connection.objects.update(send_help=False)
    picture = png()
    instance.files["/media/1.png"] = picture
    instance.script.append(503)
    payload = documented_payload()
    payload["object"]["statuses"][0]["media_attachments"] = [
        {"id": "9", "type": "image", "url": f"{instance.url}/media/1.png", "description": None},
        {"id": "10", "type": "audio", "url": f"{instance.url}/media/2.mp3"},
    ]
    assert deliver(world, payload).status_code == 200
    assert deliver(world, payload).status_code == 200  # redelivered: fetched once
    run_worker()
    fetch = MediaFetch.objects.get()
    assert (fetch.status, fetch.attempts, fetch.last_error) == (MediaFetch.Status.PENDING, 1, "HTTP 503")
    assert fetch.next_attempt_at is not None
    world.traveller.move_to(fetch.next_attempt_at + timedelta(seconds=1))
    run_worker()
    fetch.refresh_from_db()
    assert fetch.status == MediaFetch.Status.KEPT
    item = EvidenceItem.objects.get()
    assert item.sha256 == hashlib.sha256(picture).hexdigest()
    assert item.content is not None
    assert item.content.content_id == "12345678987654321"


def test_a_purged_report_takes_its_pending_help_message_and_media_fetch_and_their_queued_tasks_send_nothing(
    world: World, instance: Instance
) -> None:
    instance.files["/media/1.png"] = png()
    instance.script.extend([503, 503])  # the message and the picture both wait for a retry
    payload = documented_payload()
    payload["object"]["statuses"][0]["media_attachments"] = [
        {"id": "9", "type": "image", "url": f"{instance.url}/media/1.png", "description": None}
    ]
    assert deliver(world, payload).status_code == 200
    run_worker()
    assert HelpMessage.objects.get().status == MediaFetch.objects.get().status == "pending"
    asked = len(instance.requests)
    world.traveller.shift(timedelta(days=400))
    call_command("purge", stdout=io.StringIO())
    run_worker()  # the retries queued before the purge are due now
    assert not Report.objects.exists()
    assert not HelpMessage.objects.exists()
    assert not MediaFetch.objects.exists()
    assert not EvidenceItem.objects.exists()
    assert len(instance.requests) == asked  # no message sent to the reporter of a purged report
