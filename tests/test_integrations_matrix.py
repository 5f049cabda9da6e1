"""Matrix (Synapse) end to end: `relais matrix connect`, then polls of Synapse's admin API for event reports
through the shared path into intake, and the server notice telling each reporter that help exists.

The payloads are relais/integrations/matrix/fixtures, copied verbatim from Synapse's documentation (see the
README there). Synapse is a threading `http.server` on 127.0.0.1 that pages the reports as Synapse does
(`from`/`limit`/`dir`, `next_token`), checks the Bearer token, and records the server notices; the tasks run
on the database backend through `db_worker --batch`, and time_machine moves the clock to each retry.
"""

from __future__ import annotations

import base64
import copy
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
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_tasks_db.models import DBTaskResult

from relais.evidence import crypto
from relais.integrations.matrix import adapter
from relais.integrations.models import Connection, HelpMessage
from relais.moderation.models import Notice
from relais.reports.links import reporter_url
from relais.reports.models import Report, ReportedContent
from relais.tenants.services import add_platform
from tests.test_webhooks_delivery import run_worker

FIXTURES = Path(__file__).parent.parent / "relais/integrations/matrix/fixtures"
T0 = datetime.fromisoformat("2026-11-25T22:59:00+01:00")
TOKEN = "syt_YWRtaW4_relaisTestToken_0a1b2c"
REPORTS = "/_synapse/admin/v1/event_reports"


def documented_list() -> dict[str, Any]:
    answer: dict[str, Any] = json.loads((FIXTURES / "event_reports.json").read_text())
    return answer


def documented_details() -> dict[str, Any]:
    answer: dict[str, Any] = json.loads((FIXTURES / "event_report_details.json").read_text())
    return answer


DEFAULTS = adapter.Defaults(homeserver_host="matrix.example", category_map={"categories": {}}, language_fallback="fr")


# --- the mapping, pure ---


def test_a_documented_report_reads_as_a_report_with_the_event_the_room_and_the_reporter() -> None:
    mapped = adapter.read_details(documented_details(), DEFAULTS)
    report = mapped.report
    assert mapped.reporter_user_id == "@foo:matrix.org"
    assert report["platform_report_id"] == "matrix:matrix.example:2"
    assert report["category"] == "other"  # "foo" names no harm
    assert report["reporter"] == {"language": "fr", "pseudonym": "matrix:@foo:matrix.org"}
    assert report["reported_at"].startswith("2019-10-12T")
    assert report["description"] == "foo\n\nRoom: Matrix HQ #alias1:matrix.org !ERAgBpSOcCCuTJqQPk:matrix.org"
    [item] = report["content"]
    assert item["text"] == "matrix.org: This Week in Matrix"
    assert item["author_handle"] == "@foobar:matrix.org"
    assert item["content_id"] == "$bNUFCwGzWca1meCGkjp-zwslF-GfVcXukvRLI1_FaVY"
    assert item["url"].startswith("https://matrix.to/#/%21ERAgBpSOcCCuTJqQPk%3Amatrix.org/%24bNUFCw")
    assert item["posted_at"].startswith("2020-06-16T")


def test_fields_synapse_adds_later_are_ignored_and_an_encrypted_event_has_no_text() -> None:
    details = documented_details()
    details["a_field_of_synapse_2030"] = {"anything": [1, 2]}
    details["event_json"] = {"type": "m.room.encrypted", "content": {"ciphertext": "…", "algorithm": "m.megolm"}}
    [item] = adapter.read_details(details, DEFAULTS).report["content"]
    assert "text" not in item
    assert item["kind"] == "message"


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("he keeps harassing me in DMs", "harassment"),
        ("Harcèlement depuis des semaines", "harassment"),
        ("death threat", "threat"),
        ("racist slurs", "hate"),
        ("he is sharing my nudes", "non_consensual_intimate_imagery"),
        ("posted my address", "doxxing"),
        ("talks about suicide", "self_harm"),
        ("spam", "other"),
        ("", "other"),
        ("harassment and racist insults", "other"),  # two harms named: not guessed
        ("skills", "other"),  # a word that contains `kill` but does not begin with it
    ],
)
def test_the_reason_gives_a_category_only_when_it_names_one_harm_plainly(reason: str, category: str) -> None:
    assert adapter.category_of(reason, {"categories": {}}) == category


def test_the_connections_map_names_words_of_its_own() -> None:
    assert adapter.category_of("Code 7 please", {"categories": {"7": "sextortion"}}) == "sextortion"


# --- Synapse, standing in ---


@dataclass
class Synapse:
    """The event reports admin API and the server notices admin API, as documented."""

    url: str = ""
    token: str = TOKEN
    reports: dict[int, dict[str, Any]] = field(default_factory=dict)
    page_cap: int = 1
    """Synapse answers at most `limit`; this one at most one report a page, so paging is exercised."""
    notice_script: deque[int] = field(default_factory=deque)
    details_script: deque[int] = field(default_factory=deque)
    requests: list[str] = field(default_factory=list)
    notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Every PUT: the transaction id and the body."""

    def add(self, report_id: int, *, user_id: str, reason: str, body: str) -> None:
        details = copy.deepcopy(documented_details())
        details.update(id=report_id, user_id=user_id, reason=reason, event_id=f"$event{report_id}")
        details["event_json"]["content"]["body"] = body
        self.reports[report_id] = details


@pytest.fixture
def synapse() -> Iterator[Synapse]:
    state = Synapse()
    state.reports[2] = documented_details()
    listed = {entry["id"]: entry for entry in documented_list()["event_reports"]}
    state.reports[3] = {**listed[3], "event_json": copy.deepcopy(documented_details()["event_json"])}
    state.reports[3]["event_json"]["content"]["body"] = "you will regret it"

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, code: int, data: Any) -> None:
            raw = json.dumps(data).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _authorised(self) -> bool:
            state.requests.append(f"{self.command} {self.path}")
            if self.headers.get("Authorization") == f"Bearer {state.token}":
                return True
            self._answer(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."})
            return False

        def do_GET(self) -> None:
            if not self._authorised():
                return
            parts = urlsplit(self.path)
            if parts.path == REPORTS:
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                start, limit = int(query.get("from", "0")), min(int(query.get("limit", "100")), state.page_cap)
                ordered = sorted(state.reports, reverse=query.get("dir", "b") == "b")
                page = ordered[start : start + limit]
                answer: dict[str, Any] = {
                    "event_reports": [{k: v for k, v in state.reports[i].items() if k != "event_json"} for i in page],
                    "total": len(ordered),
                }
                if start + limit < len(ordered):
                    answer["next_token"] = start + limit
                self._answer(200, answer)
            elif parts.path.startswith(f"{REPORTS}/") and parts.path[len(REPORTS) + 1 :].isdigit():
                found = state.reports.get(int(parts.path[len(REPORTS) + 1 :]))
                code = state.details_script.popleft() if state.details_script else 200
                if code != 200:
                    self._answer(code, {"errcode": "M_UNKNOWN", "error": "Internal server error"})
                elif found:
                    self._answer(200, found)
                else:
                    self._answer(404, {"errcode": "M_NOT_FOUND"})
            else:
                self._answer(404, {"errcode": "M_UNRECOGNIZED"})

        def do_PUT(self) -> None:
            if not self._authorised():
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            txn = self.path.rsplit("/", 1)[1]
            state.notices.append((txn, body))
            code = state.notice_script.popleft() if state.notice_script else 200
            self._answer(code, {"event_id": f"$notice{len(state.notices)}"} if code == 200 else {"errcode": "M_X"})

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


def connect(homeserver: str, *args: str, slug: str = "agora", stdin: str = TOKEN + "\n") -> list[str]:
    out = io.StringIO()
    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("matrix", "connect", slug, "--homeserver", homeserver, "--token-stdin", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue().splitlines()


def poll(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("matrix", "poll", *args, stdout=out, stderr=err)
    return out.getvalue()


@dataclass
class World:
    traveller: Any


@pytest.fixture
def world(settings: Any, transactional_db: None, synapse: Synapse) -> Iterator[World]:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    with time_machine.travel(T0, tick=False) as traveller:
        add_platform(name="Agora", slug="agora")
        connect(synapse.url, "--country", "FR", "--timezone", "Europe/Paris", "--send-help")
        yield World(traveller)


def run_until_quiet(world: World, rounds: int = 6) -> None:
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
def test_connect_prints_what_the_admin_needs_and_keeps_the_token_sealed(settings: Any) -> None:
    add_platform(name="Agora", slug="agora")
    lines = connect("https://Matrix.Example/", "--country", "FR", "--language", "fr")
    assert lines == [
        "homeserver: https://matrix.example",
        "poll: relais matrix poll agora (from cron or a timer; or add --every 60)",
        "backlog: the first poll takes in every report Synapse holds, oldest first",
    ]
    connection = Connection.objects.get()
    assert (connection.kind, connection.language_fallback, connection.poll_cursor) == ("matrix", "fr", 0)
    assert TOKEN.encode() not in bytes(connection.token_sealed)
    assert not connection.send_help  # opt-in
    assert connection.platform.reporter_country == "FR"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("homeserver", "stdin", "named"),
    [
        ("https://matrix.example/_matrix", TOKEN, "--homeserver"),
        ("matrix.example", TOKEN, "--homeserver"),
        ("https://matrix.example", "", "--token-stdin"),
    ],
)
def test_connect_refuses_a_bad_option_by_name(homeserver: str, stdin: str, named: str) -> None:
    add_platform(name="Agora", slug="agora")
    with pytest.raises(CommandError, match=named):
        connect(homeserver, stdin=stdin)
    assert not Connection.objects.exists()


# --- polling ---


def test_a_poll_stores_each_report_once_and_each_reporter_gets_one_server_notice_with_their_page(
    world: World, synapse: Synapse
) -> None:
    assert poll("agora") == f"{synapse.url}: 2 new report(s), 0 already stored\n"
    assert sum(r.startswith(f"GET {REPORTS}?") for r in synapse.requests) == 2  # paged by next_token
    reports = {r.platform_report_id: r for r in Report.objects.all()}
    assert set(reports) == {"matrix:127.0.0.1:2", "matrix:127.0.0.1:3"}
    first = reports["matrix:127.0.0.1:2"]
    assert (first.reporter_country, first.reporter_language, first.category) == ("FR", "en", "other")
    assert first.reporter_pseudonym == "matrix:@foo:matrix.org"
    item = ReportedContent.objects.get(report=first)
    assert (item.text, item.author_handle) == ("matrix.org: This Week in Matrix", "@foobar:matrix.org")
    assert Notice.objects.count() == 2
    assert Connection.objects.get().poll_cursor == 3

    run_until_quiet(world)
    notices = {body["user_id"]: (txn, body) for txn, body in synapse.notices}
    assert set(notices) == {"@foo:matrix.org", "@bar:matrix.org"}  # the reporters, never the sender
    txn, body = notices["@foo:matrix.org"]
    assert txn == f"relais-help-{first.pk}"
    assert body["content"]["msgtype"] == "m.text"
    link = reporter_url(first)
    assert link is not None
    assert link in body["content"]["body"]
    assert "@foobar" not in json.dumps(body)
    assert Client().get(link.removeprefix("https://relais.example")).status_code == 200
    assert set(HelpMessage.objects.values_list("status", flat=True)) == {HelpMessage.Status.SENT}

    assert poll("agora") == f"{synapse.url}: 0 new report(s), 0 already stored\n"  # nothing newer
    Connection.objects.update(poll_cursor=0)  # a cursor lost: the reports are seen again
    assert poll() == f"{synapse.url}: 0 new report(s), 2 already stored\n"
    run_until_quiet(world)
    assert Report.objects.count() == 2
    assert len(synapse.notices) == 2

    synapse.add(4, user_id="@chloe:matrix.org", reason="Harcèlement", body="je sais où tu habites")
    assert poll("agora") == f"{synapse.url}: 1 new report(s), 0 already stored\n"
    assert Report.objects.get(platform_report_id="matrix:127.0.0.1:4").category == "harassment"


def test_the_notice_is_in_the_connections_language_and_retried_while_synapse_refuses_it(
    world: World, synapse: Synapse
) -> None:
    Connection.objects.update(language_fallback="fr")
    del synapse.reports[3]
    synapse.notice_script.extend([503, 502])
    poll("agora")
    run_until_quiet(world)
    message = HelpMessage.objects.get()
    assert (message.status, message.attempts) == (HelpMessage.Status.SENT, 3)
    assert len({txn for txn, _body in synapse.notices}) == 1  # one transaction id: Synapse ignores repeats
    body = synapse.notices[-1][1]["content"]["body"]
    assert body.startswith("Merci pour votre signalement. De l'aide existe")
    assert str(reporter_url(Report.objects.get())) in body


def test_the_poll_task_takes_the_reports_in_on_the_worker(world: World, synapse: Synapse) -> None:
    from relais.integrations.tasks import poll_matrix

    poll_matrix.enqueue(str(Connection.objects.get().pk))
    run_until_quiet(world)
    assert Report.objects.count() == 2
    assert len(synapse.notices) == 2


def test_a_bad_token_is_reported_clearly_and_stores_nothing(world: World, synapse: Synapse) -> None:
    synapse.token = "a-token-synapse-revoked"
    with pytest.raises(CommandError, match=r"Synapse refused the access token \(HTTP 401\)"):
        poll("agora")
    assert not Report.objects.exists()
    connection = Connection.objects.get()
    assert connection.last_refusal.startswith("Synapse refused the access token (HTTP 401)")
    assert "--token-stdin" in connection.last_refusal
    assert (connection.poll_cursor, connection.polled_at) == (0, None)


def test_a_report_gone_or_unreadable_is_passed_over_and_the_others_are_stored(world: World, synapse: Synapse) -> None:
    synapse.add(4, user_id="not a matrix id", reason="x", body="y")
    synapse.add(5, user_id="@dan:matrix.org", reason="x", body="y")
    poll("agora")
    assert set(Report.objects.values_list("platform_report_id", flat=True)) == {
        "matrix:127.0.0.1:2",
        "matrix:127.0.0.1:3",
        "matrix:127.0.0.1:5",
    }
    connection = Connection.objects.get()
    assert connection.last_refusal.startswith("event report 4 passed over: user_id:")
    assert connection.poll_cursor == 5


def test_synapse_failing_mid_poll_keeps_what_was_stored_and_the_next_poll_resumes(
    world: World, synapse: Synapse
) -> None:
    synapse.details_script.extend([200, 502])  # report 2 read, then Synapse fails on report 3
    with pytest.raises(CommandError, match="Synapse did not answer event report 3: HTTP 502"):
        poll("agora")
    assert list(Report.objects.values_list("platform_report_id", flat=True)) == ["matrix:127.0.0.1:2"]
    assert Connection.objects.get().poll_cursor == 2
    assert poll("agora") == f"{synapse.url}: 1 new report(s), 0 already stored\n"
    run_until_quiet(world)
    assert sorted(body["user_id"] for _txn, body in synapse.notices) == ["@bar:matrix.org", "@foo:matrix.org"]


def test_a_connection_that_does_not_send_help_sends_no_notice(world: World, synapse: Synapse) -> None:
    Connection.objects.update(send_help=False)
    poll("agora")
    run_until_quiet(world)
    assert Report.objects.count() == 2
    assert not synapse.notices
    assert not HelpMessage.objects.exists()


def test_skip_backlog_starts_after_the_newest_report_and_checks_the_token(world: World, synapse: Synapse) -> None:
    lines = connect(synapse.url, "--skip-backlog")
    assert "backlog: skipped, the first report taken in will be newer than #3" in lines
    assert poll("agora").startswith(f"{synapse.url}: 0 new report(s)")
    synapse.add(4, user_id="@chloe:matrix.org", reason="", body="…")
    assert poll("agora").startswith(f"{synapse.url}: 1 new report(s)")
    with pytest.raises(CommandError, match=r"--skip-backlog: Synapse refused the access token \(HTTP 401\)"):
        connect(synapse.url, "--skip-backlog", stdin="wrong\n")


def test_a_homeserver_on_a_private_address_is_refused_in_production(
    world: World, synapse: Synapse, settings: Any
) -> None:
    dev_key = base64.b64encode(crypto.development_key(settings.SECRET_KEY)).decode()
    settings.RELAIS_EVIDENCE_KEYS = f"{crypto.DEVELOPMENT_KEY_ID}:{dev_key}"  # production requires a key ring
    settings.PRODUCTION = True  # the egress filter webhooks use: only public addresses
    with pytest.raises(CommandError, match="non-public address"):
        poll("agora")
    assert not synapse.requests
    assert not Report.objects.exists()


# --- walls between platforms ---


def test_another_platform_cannot_take_the_homeserver_nor_poll_it(world: World, synapse: Synapse) -> None:
    add_platform(name="Rival", slug="rival")
    with pytest.raises(CommandError, match="already connected to another platform"):
        connect(synapse.url, slug="rival")
    with pytest.raises(CommandError, match="no Matrix homeserver connected to 'rival'"):
        poll("rival")
    assert not synapse.requests
    assert Connection.objects.get().platform.slug == "agora"
    poll("agora")
    assert set(Report.objects.values_list("platform__slug", flat=True)) == {"agora"}
