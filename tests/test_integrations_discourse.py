"""Discourse's `reviewable` webhook end to end: a flagged post, signed as Discourse signs it, through the
endpoint into intake; the one call to the forum's review API and the private message to the flagger, both
to a local HTTP server standing in for the forum.

The payloads are relais/integrations/discourse/fixtures (reconstructed from Discourse's serializers; see the
README there). The forum is a threading `http.server` on 127.0.0.1 answering from a script; the tasks run on
the database backend through `db_worker --batch`, and time_machine moves the clock to each retry. The
signature is computed here with hmac/hashlib, not with relais.integrations.signatures.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
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
from django.test import Client
from django_tasks_db.models import DBTaskResult

from relais.integrations.discourse import adapter
from relais.integrations.models import Connection, HelpMessage, PlatformResolution, PostFetch
from relais.moderation.models import Notice
from relais.reports.links import reporter_url
from relais.reports.models import Report, ReportedContent
from relais.tenants.services import add_platform
from tests.test_webhooks_delivery import run_worker

FIXTURES = Path(__file__).parent.parent / "relais/integrations/discourse/fixtures"
T0 = datetime.fromisoformat("2026-11-25T22:59:00+01:00")
API_KEY = "discourse-api-key-0123456789abcdef"


def flag_payload() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((FIXTURES / "reviewable_created.json").read_text())
    return payload


def review_answer() -> bytes:
    return (FIXTURES / "review_answer.json").read_bytes()


DEFAULTS = adapter.Defaults(
    forum_url="https://forum.example",
    forum_host="forum.example",
    category_map={"categories": {"inappropriate": "harassment"}},
    language_fallback="fr",
)


# --- the mapping, pure ---


def test_a_flagged_post_reads_as_a_report_with_the_post_and_the_flag_type_mapped() -> None:
    flag = adapter.read_flag(flag_payload(), DEFAULTS)
    assert flag is not None
    report = flag.report
    assert report["platform_report_id"] == "discourse:forum.example:1742"
    assert report["category"] == "harassment"  # `inappropriate`, mapped
    assert report["reporter"] == {"language": "fr", "pseudonym": "discourse:forum.example:88"}
    [item] = report["content"]
    assert item["text"] == "Nobody wants you here. I know where you live & I will @bea"
    assert item["url"] == "https://forum.example/t/weekend-meetup/315/4"
    assert item["content_id"] == "9051"
    assert flag.flagger_username == ""  # the webhook names the flagger by id: the review API says who


@pytest.mark.parametrize("flag_type", ["illegal", "spam", "a_custom_flag"])
def test_by_default_every_flag_type_is_other(flag_type: str) -> None:
    from relais.integrations.models import discourse_category_map

    payload = flag_payload()
    payload["reviewable"]["reviewable_scores"][0]["score_type"]["type"] = flag_type
    defaults = adapter.Defaults("https://forum.example", "forum.example", discourse_category_map(), "en")
    flag = adapter.read_flag(payload, defaults)
    assert flag is not None
    assert flag.report["category"] == "other"


def test_the_review_api_gives_the_author_and_the_flagger_never_the_author_as_flagger() -> None:
    review = adapter.read_review(json.loads(review_answer()), DEFAULTS)
    assert (review.author_handle, review.author_profile_url) == ("@grim_troll", "https://forum.example/u/grim_troll")
    assert review.flagger_username == "bea"
    selfflag = json.loads(review_answer())
    selfflag["reviewable_scores"][0]["user_id"] = 211  # the author flagging their own post
    assert adapter.read_review(selfflag, DEFAULTS).flagger_username == ""


# --- the forum, standing in ---


@dataclass
class Forum:
    """GET /review/<id>.json and POST /posts.json, each answering from its script (200 when empty)."""

    url: str = ""
    review_script: deque[int] = field(default_factory=deque)
    post_script: deque[int] = field(default_factory=deque)
    reads: list[dict[str, str]] = field(default_factory=list)
    messages: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def forum() -> Iterator[Forum]:
    state = Forum()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, code: int, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            state.reads.append(dict(self.headers))
            code = state.review_script.popleft() if state.review_script else 200
            found = self.path == "/review/1742.json"
            self._answer(code if found else 404, review_answer() if found and code == 200 else b"{}")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.messages.append((dict(self.headers), json.loads(body)))
            code = state.post_script.popleft() if state.post_script else 200
            self._answer(code, b'{"id": 9100, "topic_id": 400}' if code == 200 else b'{"errors": ["down"]}')

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
    webhook_path: str
    secret: str
    traveller: Any
    discourse: Client


def connect(forum_url: str, *args: str, stdin: str = API_KEY + "\n") -> list[str]:
    out = io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("discourse", "connect", "agora", "--forum", forum_url, "--api-key-stdin", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue().splitlines()


@pytest.fixture
def world(settings: Any, transactional_db: None, forum: Forum) -> Iterator[World]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    with time_machine.travel(T0, tick=False) as traveller:
        add_platform(name="Agora", slug="agora")
        lines = connect(forum.url, "--country", "FR", "--timezone", "Europe/Paris", "--language", "fr", "--send-help")
        url, secret = lines[0].removeprefix("webhook_url: "), lines[1].removeprefix("secret: ")
        yield World(url.removeprefix("https://relais.example"), secret, traveller, Client())


def deliver(
    world: World,
    payload: Any,
    *,
    signature: str | None = "good",
    raw: bytes | None = None,
    event: str = "reviewable_created",
    event_type: str = "reviewable",
) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {"X-Discourse-Event": event, "X-Discourse-Event-Type": event_type, "X-Discourse-Event-Id": "77"}
    if signature == "good":
        headers["X-Discourse-Event-Signature"] = (
            "sha256=" + hmac.new(world.secret.encode(), body, hashlib.sha256).hexdigest()
        )
    elif signature is not None:
        headers["X-Discourse-Event-Signature"] = signature
    return world.discourse.post(world.webhook_path, data=body, content_type="application/json", headers=headers)


def nothing_stored() -> bool:
    return not Report.objects.exists() and not HelpMessage.objects.exists() and not PostFetch.objects.exists()


def run_until_quiet(world: World, rounds: int = 4) -> None:
    """The worker, then the clock moved to the next queued task, again: every retry that is due runs."""
    for _ in range(rounds):
        run_worker()
        queued = DBTaskResult.objects.filter(status="READY").order_by("run_after")
        later = queued.values_list("run_after", flat=True).first()
        if later is None:
            return
        world.traveller.move_to(later + timedelta(seconds=1))
    run_worker()


# --- connecting ---


@pytest.mark.django_db
def test_connect_prints_the_webhook_url_and_secret_and_keeps_the_key_sealed(settings: Any) -> None:
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    add_platform(name="Agora", slug="agora")
    lines = connect("https://Forum.Example/", "--api-username", "relais-bot")
    connection = Connection.objects.get()
    assert lines == [f"webhook_url: https://relais.example/integrations/discourse/{connection.pk}", lines[1]]
    assert lines[1].startswith("secret: ")
    assert (connection.kind, connection.instance_url, connection.api_username) == (
        "discourse",
        "https://forum.example",
        "relais-bot",
    )
    assert API_KEY.encode() not in bytes(connection.token_sealed)
    assert connection.category_map["categories"]["illegal"] == "other"
    assert not connection.send_help  # opt-in


# --- refusals ---


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_a_missing_or_wrong_signature_is_a_401_with_nothing_stored(world: World, signature: str | None) -> None:
    response = deliver(world, flag_payload(), signature=signature)
    assert response.status_code == 401
    assert nothing_stored()
    assert Connection.objects.get().last_refusal.startswith("401")


def test_a_body_signed_then_changed_is_refused(world: World) -> None:
    body = json.dumps(flag_payload()).encode()
    good = "sha256=" + hmac.new(world.secret.encode(), body, hashlib.sha256).hexdigest()
    assert deliver(world, None, signature=good, raw=body.replace(b"1742", b"1743")).status_code == 401
    assert nothing_stored()


def test_a_body_that_is_not_json_is_a_400_and_one_we_cannot_read_a_422(world: World) -> None:
    assert deliver(world, None, raw=b'{"reviewable": ').status_code == 400
    no_id = flag_payload()
    del no_id["reviewable"]["id"]
    response = deliver(world, no_id)
    assert response.status_code == 422
    assert "reviewable.id" in response.json()["detail"]
    assert nothing_stored()


def test_another_event_or_another_reviewable_is_acknowledged_and_ignored(world: World) -> None:
    assert deliver(world, {"ping": "OK"}, event="ping", event_type="ping").status_code == 202
    assert deliver(world, {"post": {"id": 1}}, event="post_created", event_type="post").status_code == 202
    queued = flag_payload()
    queued["reviewable"]["type"] = "ReviewableQueuedPost"
    assert deliver(world, queued).status_code == 202
    assert nothing_stored()


# --- a flag, its completion, its help message, its redelivery ---


def test_a_flag_is_stored_at_once_completed_from_the_forum_and_the_flagger_alone_gets_one_message(
    world: World, forum: Forum
) -> None:
    first = deliver(world, flag_payload())
    assert first.status_code == 200, first.content
    again = deliver(world, flag_payload(), event="reviewable_transitioned_to")  # the same flag, later
    assert again.json() == {"id": first.json()["id"], "created": False}
    report = Report.objects.get()
    assert (report.reporter_country, report.reporter_language, report.category) == ("FR", "fr", "other")
    assert Notice.objects.filter(report=report).count() == 1
    assert not forum.reads
    assert not forum.messages

    run_until_quiet(world)
    [read] = forum.reads  # one call to the forum's API
    assert (read["Api-Key"], read["Api-Username"]) == (API_KEY, "system")
    item = ReportedContent.objects.get()
    assert (item.author_handle, item.author_profile_url) == ("@grim_troll", f"{forum.url}/u/grim_troll")
    assert item.text.startswith("Nobody wants you here.")
    [(headers, message)] = forum.messages
    assert headers["Api-Key"] == API_KEY
    assert message["archetype"] == "private_message"
    assert message["target_recipients"] == "bea"  # the flagger, never the flagged author
    assert "grim_troll" not in json.dumps(message)
    assert reporter_url(report) in message["raw"]
    assert "De l'aide existe" in message["raw"]  # the forum's language (--language fr)
    assert HelpMessage.objects.get().status == HelpMessage.Status.SENT

    deliver(world, flag_payload())  # Discourse's retry of the first delivery
    run_until_quiet(world)
    assert Report.objects.count() == 1
    assert len(forum.messages) == 1
    assert len(forum.reads) == 1


def test_forum_down_the_report_is_kept_and_the_call_and_the_message_retried(world: World, forum: Forum) -> None:
    forum.review_script.extend([503, 502])
    forum.post_script.append(503)
    assert deliver(world, flag_payload()).status_code == 200
    assert Report.objects.count() == 1  # the reporter's report, whatever the forum's state
    run_worker()
    assert PostFetch.objects.get().status == PostFetch.Status.PENDING
    run_until_quiet(world, rounds=8)
    fetch = PostFetch.objects.get()
    assert (fetch.status, fetch.attempts) == (PostFetch.Status.DONE, 3)
    message = HelpMessage.objects.get()
    assert (message.status, message.attempts, message.recipient) == (HelpMessage.Status.SENT, 2, "bea")
    assert [m["target_recipients"] for _h, m in forum.messages] == ["bea", "bea"]


def test_a_flagger_the_webhook_names_gets_help_even_when_the_forums_api_never_answers(
    world: World, forum: Forum
) -> None:
    payload = flag_payload()
    score = payload["reviewable"]["reviewable_scores"][0]
    score["user"] = {"id": 88, "username": "bea"}  # the user embedded as an object
    forum.review_script.extend([401] * 3)  # a key that cannot read the review queue
    assert deliver(world, payload).status_code == 200
    run_until_quiet(world)
    assert PostFetch.objects.get().status == PostFetch.Status.FAILED  # not retried: a person must fix the key
    [(_headers, message)] = forum.messages
    assert message["target_recipients"] == "bea"
    assert HelpMessage.objects.get().status == HelpMessage.Status.SENT


def test_a_reviewable_id_that_is_not_a_number_is_refused_before_it_reaches_the_forums_api(world: World) -> None:
    payload = flag_payload()
    payload["reviewable"]["id"] = "../admin/users"
    response = deliver(world, payload)
    assert response.status_code == 422
    assert "reviewable.id" in response.json()["detail"]
    assert nothing_stored()


def test_a_connection_that_does_not_send_help_sends_nothing(world: World, forum: Forum) -> None:
    Connection.objects.update(send_help=False)
    from relais.integrations.access import forget_connections

    forget_connections()
    deliver(world, flag_payload())
    run_until_quiet(world)
    assert len(forum.reads) == 1
    assert not forum.messages
    assert not HelpMessage.objects.exists()


def test_a_flag_raised_by_discourse_itself_has_no_flagger_to_write_to(world: World, forum: Forum) -> None:
    payload = copy.deepcopy(flag_payload())
    payload["reviewable"]["reviewable_scores"][0]["user_id"] = -1  # the system user (an automatic flag)
    assert deliver(world, payload).status_code == 200
    assert Report.objects.get().reporter_pseudonym == ""
    answer = json.loads(review_answer())
    answer["reviewable_scores"][0]["user_id"] = -1
    assert adapter.read_review(answer, DEFAULTS).flagger_username == ""


def test_sweep_queues_a_forum_call_whose_task_was_lost(world: World, forum: Forum) -> None:
    deliver(world, flag_payload())
    DBTaskResult.objects.all().delete()  # a worker's queue lost
    out = io.StringIO()
    call_command("discourse", "sweep", stdout=out)
    assert "1 forum call(s) queued" in out.getvalue()
    run_until_quiet(world)
    assert PostFetch.objects.get().status == PostFetch.Status.DONE
    assert HelpMessage.objects.get().status == HelpMessage.Status.SENT


@pytest.mark.parametrize(
    ("status", "dealt_with"),
    [(0, False), (2, True), ("rejected", True), ("deleted", True), ("pending", False), (True, False), ("later", False)],
)
def test_a_reviewable_the_moderators_acted_on_reads_as_dealt_with(status: Any, dealt_with: bool) -> None:
    payload = flag_payload()
    payload["reviewable"]["status"] = status
    flag = adapter.read_flag(payload, DEFAULTS)
    assert flag is not None
    assert flag.dealt_with is dealt_with


@pytest.mark.django_db
def test_when_the_forums_moderators_act_the_reporters_page_says_so_once(world: World, forum: Forum) -> None:
    first = deliver(world, flag_payload())
    assert first.status_code == 200, first.content
    report = Report.objects.get()
    link = reporter_url(report)
    assert link is not None
    page_path = link.removeprefix("https://relais.example")
    page = world.discourse.get(page_path)
    assert "ont traité ton signalement" not in page.content.decode()

    world.traveller.move_to(T0 + timedelta(hours=2))
    acted = flag_payload()
    acted["reviewable"]["status"] = 1  # approved: the moderators agreed with the flag
    for _ in range(2):  # Discourse retries a delivery
        answer = deliver(world, acted, event="reviewable_transitioned_to")
        assert answer.json() == {"id": str(report.id), "created": False}
    resolution = PlatformResolution.objects.get()
    assert resolution.notice.report == report
    assert resolution.resolved_at == T0 + timedelta(hours=2)
    page = world.discourse.get(page_path)
    assert "Les modérateurs de Agora ont traité ton signalement." in page.content.decode()
