"""Statements of reasons to the Transparency Database, over real HTTP to a local stand-in for it.

The stand-in is the webhook tests' threading receiver on 127.0.0.1 (tests/test_webhooks_delivery.py), told
what to answer: 201, a 422 naming `statement_<i>` or `existing_puids` as the database does
(digital-services-act/transparency-database: StatementMultipleAPIController, PuidNotUniqueMultipleException),
a 500, a 429 with Retry-After, or a sleep past our timeout.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import orjson
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from relais.deferral import due_at
from relais.moderation import services, transparency
from relais.moderation.models import Decision, Notice, TransparencyAccount
from relais.tenants.models import Platform
from relais.tenants.services import add_platform
from tests.test_moderation import NO_ACTION, RESTRICT
from tests.test_webhooks_delivery import Receiver, start_receiver

NOW = datetime.fromisoformat("2026-11-25T21:00:00+00:00")
TOKEN = "tdb-token-123"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def tdb() -> Iterator[Receiver]:
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def platform(db: None, tdb: Receiver, settings: Any) -> Platform:
    settings.RELAIS_TRANSPARENCY_TIMEOUT_SECONDS = 0.5
    platform = add_platform(name="Sunny Social", country="IE")[0]
    TransparencyAccount.objects.create(platform=platform, base_url=f"http://127.0.0.1:{tdb.port}/", token=TOKEN)
    return platform


def decided(platform: Platform, count: int, *, outcome: str = "restricted") -> list[Decision]:
    """`count` decisions, one a second from NOW (so their order is known), through the decide service."""
    actor = services.ModeratorActor.api(platform, "mod-a")
    made = []
    for i in range(count):
        at = NOW + timedelta(seconds=i)
        notice = services.ranked(
            Notice(platform=platform, source="article_16", category="harassment", received_at=at, acknowledged_at=at)
        )
        notice.save(force_insert=True)
        data = RESTRICT if outcome == "restricted" else NO_ACTION
        made.append(services.decide(actor=actor, notice=notice, data=data, now=at))
    return made


def sent(tdb: Receiver) -> list[list[dict[str, Any]]]:
    """The statements of each request the database received."""
    return [json.loads(r.body)["statements"] for r in tdb.requests]


def after(count: int) -> datetime:
    return NOW + timedelta(seconds=count)


def answer(status: int, body: dict[str, Any] | None = None, **headers: str) -> tuple[Any, ...]:
    return ("status", status, {**JSON, **headers}, orjson.dumps(body or {}))


@pytest.mark.django_db
def test_due_statements_are_accepted_with_201(platform: Platform, tdb: Receiver) -> None:
    decisions = decided(platform, 3)
    assert all(d.submission_due_at == d.decided_at for d in decisions)
    tdb.then(answer(201, {"statements": [{"uuid": "…", "puid": d.puid} for d in decisions]}))
    summary = transparency.submit_due(str(platform.id), now=after(10))
    assert (summary.requests, summary.submitted, summary.failed) == (1, 3, 0)
    [request] = tdb.requests
    assert request.path == "/api/v1/statements"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert (request.headers["content-type"], request.headers["accept"]) == ("application/json", "application/json")
    assert sent(tdb) == [[d.statement for d in decisions]]
    for d in Decision.objects.all():
        assert (d.submitted_at, d.submission_due_at, d.submission_attempts, d.submission_error) == (
            after(10),
            None,
            1,
            "",
        )
    # Nothing is due any more: a second run sends nothing.
    assert transparency.submit_due(str(platform.id), now=after(20)).requests == 0


@pytest.mark.django_db
def test_a_statement_refused_with_422_fails_alone_and_the_others_go_again_at_once(
    platform: Platform, tdb: Receiver
) -> None:
    decisions = decided(platform, 3)
    refusal = {"errors": {"statement_1": {"decision_facts": ["The decision facts field is required."]}}}
    tdb.then(answer(422, refusal), answer(201))
    summary = transparency.submit_due(str(platform.id), now=after(10))
    assert (summary.requests, summary.submitted, summary.failed) == (2, 2, 1)
    first, second = sent(tdb)
    assert [s["puid"] for s in first] == [d.puid for d in decisions]
    assert [s["puid"] for s in second] == [decisions[0].puid, decisions[2].puid]
    refused = Decision.objects.get(pk=decisions[1].pk)
    assert refused.submitted_at is None
    assert refused.submission_due_at is None
    assert "HTTP 422" in refused.submission_error
    assert "decision facts field is required" in refused.submission_error
    assert Decision.objects.filter(submitted_at=after(10)).count() == 2
    out = StringIO()
    call_command("statements", "failed", stdout=out)
    assert refused.puid in out.getvalue()


@pytest.mark.django_db
def test_a_500_is_retried_later_and_then_submitted(
    platform: Platform, tdb: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    [decision] = decided(platform, 1)
    tdb.then(answer(500), answer(201))
    with django_capture_on_commit_callbacks(execute=True):
        summary = transparency.submit_due(str(platform.id), now=after(10))
    assert (summary.requests, summary.submitted, summary.errors) == (1, 0, ["HTTP 500"])
    decision.refresh_from_db()
    assert decision.submitted_at is None
    assert decision.submission_attempts == 1
    assert decision.submission_error == "attempt 1: HTTP 500"
    assert decision.submission_due_at is not None
    assert after(20) <= decision.submission_due_at <= after(10) + timedelta(seconds=12.5)  # 10 s + up to 25 %
    # The task is enqueued again for then (database backend: a deferred job row).
    job = DBTaskResult.objects.get(task_path="relais.moderation.tasks.submit_statements")
    assert job.run_after == due_at(decision.submission_due_at)  # the next whole second (relais/deferral.py)
    assert job.args_kwargs["args"] == [str(platform.id)]
    # Not yet due: nothing is sent.
    assert transparency.submit_due(str(platform.id), now=after(15)).requests == 0
    assert transparency.submit_due(str(platform.id), now=after(60)).submitted == 1
    again = Decision.objects.get(pk=decision.pk)
    assert (again.submitted_at, again.submission_attempts, again.submission_error) == (after(60), 2, "")


@pytest.mark.django_db
def test_a_429_waits_for_its_retry_after(platform: Platform, tdb: Receiver) -> None:
    [decision] = decided(platform, 1)
    tdb.then(answer(429, {"message": "Too Many Attempts."}, **{"Retry-After": "600"}))
    transparency.submit_due(str(platform.id), now=after(10))
    decision.refresh_from_db()
    assert decision.submission_due_at == after(610)


@pytest.mark.django_db
def test_a_lost_answer_then_a_duplicate_puid_422_counts_as_submitted(platform: Platform, tdb: Receiver) -> None:
    """The database stored the batch but its answer never came (timeout); the retry is refused because it
    already holds those puids: they are in, not failed."""
    decisions = decided(platform, 2)
    duplicate = {
        "message": "The platform identifier(s) are not all unique within this call.",
        "errors": {
            "puid": ["The platform identifier(s) are not all unique within this call."],
            "existing_puids": [decisions[0].puid],
        },
    }
    tdb.then(("sleep", 1.0), answer(422, duplicate), answer(201))
    first = transparency.submit_due(str(platform.id), now=after(10))
    assert first.errors == ["timeout after 0.5 s"]
    second = transparency.submit_due(str(platform.id), now=after(3600))
    assert (second.requests, second.submitted, second.failed) == (2, 2, 0)
    assert sent(tdb)[2] == [decisions[1].statement]
    assert set(Decision.objects.values_list("submitted_at", flat=True)) == {after(3600)}


@pytest.mark.django_db
def test_150_due_statements_go_as_100_then_50_oldest_first(platform: Platform, tdb: Receiver) -> None:
    decisions = decided(platform, 150)
    summary = transparency.submit_due(str(platform.id), now=after(200))
    assert (summary.requests, summary.submitted) == (2, 150)
    batches = sent(tdb)
    assert [len(b) for b in batches] == [100, 50]
    assert [s["puid"] for b in batches for s in b] == [d.puid for d in decisions]


@pytest.mark.django_db
def test_giving_up_after_the_configured_attempts_is_recorded(platform: Platform, tdb: Receiver, settings: Any) -> None:
    settings.RELAIS_TRANSPARENCY_MAX_ATTEMPTS = 2
    [decision] = decided(platform, 1)
    tdb.then(answer(503), answer(503))
    transparency.submit_due(str(platform.id), now=after(10))
    summary = transparency.submit_due(str(platform.id), now=after(3600))
    assert summary.failed == 1
    decision.refresh_from_db()
    assert decision.submission_due_at is None
    assert decision.submitted_at is None
    assert decision.submission_error == "gave up after 2 attempts; the last: HTTP 503"
    assert transparency.submit_due(str(platform.id), now=after(7200)).requests == 0


@pytest.mark.django_db
def test_without_an_active_account_nothing_is_sent(platform: Platform, tdb: Receiver) -> None:
    """The null backend: statements stay in the export (GET /api/v1/moderation/statements)."""
    TransparencyAccount.objects.update(active=False)
    [decision] = decided(platform, 1)
    assert decision.submission_due_at is None  # decided while no account was active
    summary = transparency.submit_due(str(platform.id), now=after(10))
    assert (summary.requests, summary.skipped) == (
        0,
        "no active Transparency Database account (statements stay in the export)",
    )
    # Due from before the account was switched off: still nothing is sent.
    Decision.objects.update(submission_due_at=NOW)
    assert transparency.submit_due(str(platform.id), now=after(10)).requests == 0
    other = add_platform(name="No Account")[0]
    decided(other, 1)
    assert transparency.submit_due(str(other.id), now=after(10)).requests == 0
    assert tdb.requests == []
    assert Decision.objects.filter(submitted_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_the_console_backend_logs_the_batch_instead_of_sending_it(
    platform: Platform, tdb: Receiver, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.RELAIS_TRANSPARENCY_BACKEND = "console"
    [decision] = decided(platform, 1)
    with caplog.at_level(logging.INFO, logger="relais.moderation.transparency"):
        assert transparency.submit_due(str(platform.id), now=after(10)).submitted == 1
    assert tdb.requests == []
    assert decision.puid in caplog.text
    assert "STATEMENT_CATEGORY_CYBER_VIOLENCE" in caplog.text


@pytest.mark.django_db
def test_in_production_an_account_pointing_at_a_local_address_is_refused(
    platform: Platform, tdb: Receiver, settings: Any
) -> None:
    settings.PRODUCTION = True
    [decision] = decided(platform, 1)
    summary = transparency.submit_due(str(platform.id), now=after(10))
    assert tdb.requests == []
    assert summary.requests == 1
    decision.refresh_from_db()
    assert decision.submission_error.startswith("attempt 1: refused: the account's URL must start with https://")
    assert decision.submission_due_at is not None


@pytest.mark.django_db
def test_deciding_enqueues_the_submission_and_the_task_sends_it(
    platform: Platform, tdb: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        [decision] = decided(platform, 1)
    assert [[s["puid"] for s in batch] for batch in sent(tdb)] == [[decision.puid]]
    decision.refresh_from_db()
    assert decision.submitted_at is not None
    # A decision not to act has no statement: nothing to submit.
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        decided(platform, 1, outcome="no_action")
    assert len(tdb.requests) == 1


@pytest.mark.django_db
@time_machine.travel(after(10), tick=False)
def test_the_sweep_and_the_submit_command(
    platform: Platform, tdb: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    decided(platform, 2)
    decided(add_platform(name="No Account")[0], 1)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("statements", "sweep", stdout=out)
    assert out.getvalue().strip() == "1 platforms enqueued."
    assert DBTaskResult.objects.filter(task_path="relais.moderation.tasks.submit_statements").count() == 1
    out = StringIO()
    call_command("statements", "submit", "--platform", platform.slug, stdout=out)
    assert out.getvalue().strip() == f"{platform.slug}: 1 requests, 2 submitted, 0 failed for good"


@pytest.mark.django_db
@time_machine.travel(after(3600), tick=False)
def test_statements_decided_before_the_account_are_sent_by_a_backfill(
    platform: Platform, tdb: Receiver, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Art. 24(5) wants every statement in the database, not only those decided once the account existed."""
    TransparencyAccount.objects.update(active=False)
    before = decided(platform, 3)
    refused = before[2]
    Decision.objects.filter(pk=refused.pk).update(submission_error="statement_0: refused by the database")
    out = StringIO()
    with pytest.raises(CommandError, match="no active Transparency Database account"):
        call_command("statements", "backfill", platform.slug, stdout=out)
    monkeypatch.setattr("sys.stdin", StringIO(f"{TOKEN}\n"))
    call_command(
        "statements",
        "account",
        platform.slug,
        "--token-stdin",
        "--base-url",
        f"http://127.0.0.1:{tdb.port}/",
        stdout=out,
    )
    assert "2 earlier statements were never submitted; `relais statements backfill sunny-social` sends them." in (
        out.getvalue()
    )
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("statements", "backfill", platform.slug, stdout=out)
    assert out.getvalue().strip() == f"{platform.slug}: 2 statements of reasons queued for submission."
    assert DBTaskResult.objects.filter(task_path="relais.moderation.tasks.submit_statements").count() == 1
    tdb.then(answer(201, {"statements": [{"uuid": "…", "puid": d.puid} for d in before[:2]]}))
    summary = transparency.submit_due(str(platform.id), now=after(3600))
    assert (summary.requests, summary.submitted) == (1, 2)
    assert sent(tdb) == [[d.statement for d in before[:2]]]
    # The refused one stays with its error; nothing is left to backfill.
    assert Decision.objects.get(pk=refused.pk).submitted_at is None
    assert transparency.backfill(str(platform.id), now=after(3601)) == 0
