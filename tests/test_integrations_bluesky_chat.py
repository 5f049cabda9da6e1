"""Bluesky's help message end to end: a report through `createReport`, then the chat message from the service's
account, where the reporter's chat setting allows it.

A threading `http.server` on 127.0.0.1 stands in for the service account's PDS and, behind its
`atproto-proxy: did:web:api.bsky.chat#bsky_chat` header, the chat service: createSession, refreshSession,
app.bsky.actor.getProfile (the reporter as the account sees them: `associated.chat.allowIncoming`,
`viewer.followedBy`), chat.bsky.convo.getConvoForMembers, getMessages and sendMessage, shaped as the lexicons
of bluesky-social/atproto say (lexicons/chat/bsky/convo/*.json, lexicons/chat/bsky/actor/declaration.json,
read 2026-12-03). The PLC directory is the one of test_integrations_bluesky.py; tasks run on the database
backend through `db_worker --batch`, and time_machine moves the clock to each retry.
"""

from __future__ import annotations

import io
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from relais.integrations.bluesky import adapter, resolver
from relais.integrations.models import Connection, HelpMessage
from relais.reports.links import reporter_url
from relais.reports.models import Report
from relais.tenants.services import add_platform
from tests.test_integrations_bluesky import LXM, REPORTER, SERVICE, T0, Host, Reporter, report_body
from tests.test_integrations_bluesky import plc as plc
from tests.test_webhooks_delivery import run_worker

ACCOUNT = "did:plc:relaisaccount2345abcdefg"
PASSWORD = "abcd-efgh-ijkl-mnop"
PROXY = "did:web:api.bsky.chat#bsky_chat"


@dataclass
class Pds:
    url: str = ""
    allow_incoming: dict[str, str | None] = field(default_factory=dict)
    """A reporter's declaration (None: no record)."""
    followers: set[str] = field(default_factory=set)
    """Who follows the service's account."""
    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    down: int = 0
    """Answer this many of the next requests with 503."""
    sessions: int = 0
    refreshes: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    lose_answer: int = 0
    """Store this many of the next messages but answer 503 (the answer lost on the way back)."""


def _pds_server() -> Iterator[Pds]:
    state = Pds()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _token(self) -> str:
            return self.headers.get("Authorization", "").removeprefix("Bearer ")

        def _new_session(self) -> None:
            state.sessions += 1
            access, refresh = (
                f"access-{state.sessions}-{state.refreshes}",
                f"refresh-{state.sessions}-{state.refreshes}",
            )
            state.access.add(access)
            state.refresh.add(refresh)
            self._answer(200, {"accessJwt": access, "refreshJwt": refresh, "handle": "relais.example", "did": ACCOUNT})

        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            nsid = parts.path.removeprefix("/xrpc/")
            query = parse_qs(parts.query)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
            state.requests.append(f"{method} {nsid}")
            if state.down > 0:
                state.down -= 1
                return self._answer(503, {"error": "InternalServerError", "message": "down"})
            if nsid == "com.atproto.server.createSession":
                if body != {"identifier": ACCOUNT, "password": PASSWORD}:
                    return self._answer(
                        401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
                    )
                return self._new_session()
            if nsid == "com.atproto.server.refreshSession":
                if self._token() not in state.refresh:
                    return self._answer(400, {"error": "ExpiredToken", "message": "Token has expired"})
                state.refresh.discard(self._token())
                state.refreshes += 1
                return self._new_session()
            if self._token() not in state.access:
                return self._answer(400, {"error": "ExpiredToken", "message": "Token has expired"})
            if nsid == "app.bsky.actor.getProfile":
                actor = query["actor"][0]
                profile: dict[str, Any] = {"did": actor, "handle": "alice.example", "viewer": {}}
                setting = state.allow_incoming.get(actor)
                if setting is not None:
                    profile["associated"] = {"chat": {"allowIncoming": setting}}
                if actor in state.followers:
                    profile["viewer"]["followedBy"] = f"at://{actor}/app.bsky.graph.follow/3kabc"
                return self._answer(200, profile)
            if self.headers.get("atproto-proxy") != PROXY:
                return self._answer(400, {"error": "InvalidRequest", "message": "no proxy"})
            if nsid == "chat.bsky.convo.getConvoForMembers":
                [member] = query["members"]
                members = [{"did": ACCOUNT, "handle": "relais.example"}, {"did": member, "handle": "alice.example"}]
                return self._answer(
                    200,
                    {
                        "convo": {
                            "id": f"convo-{member}",
                            "rev": "1",
                            "members": members,
                            "muted": False,
                            "unreadCount": 0,
                        }
                    },
                )
            if nsid == "chat.bsky.convo.getMessages":
                convo = query["convoId"][0]
                listed = [
                    {
                        "id": str(i),
                        "rev": "1",
                        "text": m["message"]["text"],
                        "sender": {"did": ACCOUNT},
                        "sentAt": "2026-11-25T22:00:00Z",
                    }
                    for i, m in enumerate(state.sent)
                    if m["convoId"] == convo
                ]
                return self._answer(200, {"messages": listed})
            if nsid == "chat.bsky.convo.sendMessage":
                state.sent.append(body)
                if state.lose_answer > 0:
                    state.lose_answer -= 1
                    return self._answer(503, {"error": "InternalServerError", "message": "lost"})
                view = {
                    "id": str(len(state.sent)),
                    "rev": "1",
                    "text": body["message"]["text"],
                    "sender": {"did": ACCOUNT},
                    "sentAt": "2026-11-25T22:00:00Z",
                }
                return self._answer(200, view)
            return self._answer(404, {"error": "MethodNotImplemented", "message": nsid})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

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


@pytest.fixture
def pds() -> Iterator[Pds]:
    yield from _pds_server()


def connect(*args: str, stdin: str = PASSWORD + "\n") -> list[str]:
    out = io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("bluesky", "connect", "agora", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue().splitlines()


@dataclass
class World:
    alice: Reporter
    pds: Pds
    traveller: Any


@pytest.fixture
def world(settings: Any, transactional_db: None, plc: Host, pds: Pds) -> Iterator[World]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    resolver.forget_documents()
    alice = Reporter(REPORTER, "secp256k1")
    plc.documents[f"/{alice.did}"] = alice.document()
    plc.documents[f"/{ACCOUNT}"] = {
        "id": ACCOUNT,
        "alsoKnownAs": ["at://relais.example"],
        "verificationMethod": [],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds.url}],
    }
    with time_machine.travel(T0, tick=False) as traveller:
        add_platform(name="Agora", slug="agora")
        lines = connect(
            "--service-did", SERVICE, "--country", "FR", "--timezone", "Europe/Paris", "--plc-url", plc.url,
            "--send-help", "--app-password-stdin", "--account-did", ACCOUNT,
        )  # fmt: skip
        assert f"chat_account: {ACCOUNT} on {pds.url}" in lines
        yield World(alice, pds, traveller)
    resolver.forget_documents()


def report(world: World, language: str = "fr-FR", **changes: Any) -> Any:
    headers = {"Authorization": f"Bearer {world.alice.jwt()}", "Accept-Language": language}
    body = json.dumps(report_body(**changes)).encode()
    answer = Client().post(f"/xrpc/{LXM}", body, content_type="application/json", headers=headers)
    assert answer.status_code == 200, answer.content
    return answer


def run_until_quiet(world: World, rounds: int = 6) -> None:
    for _ in range(rounds):
        run_worker()
        later = (
            DBTaskResult.objects.filter(status="READY")
            .order_by("run_after")
            .values_list("run_after", flat=True)
            .first()
        )
        if later is None:
            return
        world.traveller.move_to(later + timedelta(seconds=1))
    run_worker()


# --- pure ---


@pytest.mark.parametrize(
    ("profile", "allowed"),
    [
        ({"associated": {"chat": {"allowIncoming": "all"}}}, True),
        ({"associated": {"chat": {"allowIncoming": "none"}}, "viewer": {"followedBy": "at://x"}}, False),
        ({"associated": {"chat": {"allowIncoming": "following"}}}, False),
        ({"associated": {"chat": {"allowIncoming": "following"}}, "viewer": {"followedBy": "at://x"}}, True),
        ({}, False),  # no declaration: the app's default, following
        ({"viewer": {"followedBy": "at://x"}}, True),
        ({"associated": {"chat": {"allowIncoming": "friends-of-friends"}}}, False),  # unknown: not sent
    ],
)
def test_the_reporters_chat_setting_decides(profile: dict[str, Any], allowed: bool) -> None:
    assert adapter.chat_allowance(profile).allowed is allowed


def test_the_link_is_a_facet_at_its_utf8_bytes() -> None:
    link = "https://relais.example/r/abc"
    message = adapter.chat_message(f"Votre page privée : {link}", link)
    [facet] = message["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert message["text"].encode()[start:end] == link.encode()
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": link}]


# --- end to end ---


def test_allowed_one_message_with_the_link_in_the_reporters_language_and_a_replay_sends_no_second(
    world: World,
) -> None:
    world.pds.allow_incoming[REPORTER] = "all"
    report(world)
    report(world)  # the PDS retrying with a new token: the same report
    run_until_quiet(world)
    [sent] = world.pds.sent
    link = reporter_url(Report.objects.get())
    assert link is not None
    assert sent["convoId"] == f"convo-{REPORTER}"
    assert sent["message"]["text"].startswith("Merci pour votre signalement. De l'aide existe")
    assert link in sent["message"]["text"]
    assert "z72i7hdynmk6r22z27h6tvur" not in json.dumps(sent)  # the reported account is never named
    message = HelpMessage.objects.get()
    assert (message.status, message.recipient) == (HelpMessage.Status.SENT, REPORTER)
    connection = Connection.objects.get()
    assert PASSWORD.encode() not in bytes(connection.token_sealed)
    assert b"access-" not in bytes(connection.session_sealed)  # the session is sealed too
    assert Client().get(link.removeprefix("https://relais.example")).status_code == 200


@pytest.mark.parametrize(
    ("setting", "follows"), [("none", True), ("following", False), (None, False)], ids=["none", "following", "absent"]
)
def test_not_allowed_no_message_and_the_admin_sees_why(world: World, setting: str | None, follows: bool) -> None:
    world.pds.allow_incoming[REPORTER] = setting
    if follows:
        world.pds.followers.add(REPORTER)
    report(world)
    run_until_quiet(world)
    assert not world.pds.sent
    message = HelpMessage.objects.get()
    assert message.status == HelpMessage.Status.NOT_ALLOWED
    assert "takes" in message.last_error
    assert Report.objects.count() == 1  # the report itself is stored and answered as ever


def test_following_and_the_reporter_follows_the_account_the_message_goes(world: World) -> None:
    world.pds.allow_incoming[REPORTER] = "following"
    world.pds.followers.add(REPORTER)
    report(world, language="en")
    run_until_quiet(world)
    [sent] = world.pds.sent
    assert sent["message"]["text"].startswith("Thank you for your report.")


def test_the_pds_down_the_report_is_stored_and_the_message_sent_when_it_is_back(world: World) -> None:
    world.pds.allow_incoming[REPORTER] = "all"
    world.pds.down = 3
    report(world)
    assert Report.objects.count() == 1
    run_until_quiet(world)
    assert len(world.pds.sent) == 1
    message = HelpMessage.objects.get()
    assert message.status == HelpMessage.Status.SENT
    assert message.attempts >= 2


def test_an_answer_lost_after_sending_is_not_sent_twice(world: World) -> None:
    world.pds.allow_incoming[REPORTER] = "all"
    world.pds.lose_answer = 1
    report(world)
    run_until_quiet(world)
    assert len(world.pds.sent) == 1  # the retry found it in getMessages
    assert HelpMessage.objects.get().status == HelpMessage.Status.SENT


def test_an_expired_session_is_refreshed_then_the_message_sent(world: World) -> None:
    world.pds.allow_incoming[REPORTER] = "all"
    report(world)
    run_until_quiet(world)
    assert world.pds.sessions == 1
    world.pds.access.clear()  # every access token has expired
    report(world, reason="and again")
    run_until_quiet(world)
    assert len(world.pds.sent) == 2
    assert world.pds.refreshes == 1
    assert world.pds.sessions == 2  # the refresh issued the new pair; no second login with the password
    assert world.pds.requests.count("POST com.atproto.server.createSession") == 1


def test_a_refused_app_password_fails_visibly_and_is_not_retried(world: World) -> None:
    world.pds.allow_incoming[REPORTER] = "all"
    plc_url = Connection.objects.get().plc_url
    args = ["--service-did", SERVICE, "--plc-url", plc_url, "--app-password-stdin", "--account-did", ACCOUNT]
    connect(*args, stdin="wrong-password\n")
    report(world)
    run_until_quiet(world)
    message = HelpMessage.objects.get()
    assert message.status == HelpMessage.Status.FAILED
    assert "app password" in message.last_error
    assert not world.pds.sent


def test_a_purged_report_takes_its_pending_message_and_its_queued_retry_sends_nothing(world: World) -> None:
    world.pds.allow_incoming[REPORTER] = "all"
    world.pds.down = 100
    report(world)
    run_worker()
    assert HelpMessage.objects.get().status == HelpMessage.Status.PENDING
    world.pds.down = 0
    world.traveller.shift(timedelta(days=400))
    call_command("purge", stdout=io.StringIO())
    run_worker()
    assert not Report.objects.exists()
    assert not HelpMessage.objects.exists()
    assert not world.pds.sent


def test_without_send_help_nothing_is_asked_of_the_pds(world: World) -> None:
    Connection.objects.update(send_help=False)
    report(world)
    run_until_quiet(world)
    assert not HelpMessage.objects.exists()
    assert world.pds.requests == []
