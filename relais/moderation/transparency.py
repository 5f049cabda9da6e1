"""Statements of reasons to the Commission's Transparency Database (DSA Art. 24(5)), in batches, with retries.

The database's batch call (`POST {base_url}/api/v1/statements`, `{"statements": [...]}`, 1 to 100, Bearer
token; see ../shared/research/dsa-and-trust-safety.md §5) is all-or-nothing, and its documentation says
that whatever did not get a 2xx was not stored and must be sent again. So:

* 2xx: the whole batch is stored: `submitted_at`.
* 422 naming `statement_<i>`: those statements will be refused every time: failed for good
  (`submission_due_at` cleared, the database's errors kept in `submission_error` for a person to read);
  the others were refused only because they travelled with them, and go again at once.
* 422 naming `existing_puids`: the database already holds them — an earlier request was stored but its
  answer lost (a timeout) —, so they count as submitted; the others go again at once.
* Anything else (no answer, a timeout, 429, 5xx, a 401 for a revoked token…): tried again later with
  the webhooks' backoff and jitter (relais/webhooks/retry.py), never before a `Retry-After`, and given up
  after RELAIS_TRANSPARENCY_MAX_ATTEMPTS requests (recorded on the decision).

A batch is claimed before it is sent (its `submission_due_at` moved past a lease, rows locked with SKIP
LOCKED on PostgreSQL), so two workers never send the same statements, and a worker that dies mid-request
only delays them: they are due again when the lease ends, for the next run or `relais statements sweep`.

Without an active TransparencyAccount nothing is sent (the "null backend"): decisions then never get a
`submission_due_at`, and their statements stay available through `GET /api/v1/moderation/statements`.
`RELAIS_TRANSPARENCY_BACKEND=console` logs each batch instead of sending it (development).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

from relais import clock
from relais.deferral import due_at
from relais.moderation import statement_of_reasons as sor
from relais.moderation.models import Decision, TransparencyAccount
from relais.webhooks import retry, targets

logger = logging.getLogger(__name__)

PATH = "/api/v1/statements"
USER_AGENT = "Relais-Transparency/1"
MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""The database echoes each stored statement (about 2 kB each): 100 fit with room to spare."""
MAX_BATCHES_PER_RUN = 100
"""10,000 statements per run; a backlog larger than that continues in the next run (re-enqueued)."""


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: bytes
    error: str
    retry_after: str | None = None


@dataclass
class Summary:
    """What one run did; the task's result and the command's output."""

    requests: int = 0
    submitted: int = 0
    failed: int = 0
    retry_at: datetime | None = None
    skipped: str = ""
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.skipped:
            return f"nothing sent: {self.skipped}"
        text = f"{self.requests} requests, {self.submitted} submitted, {self.failed} failed for good"
        return text + (f", retry at {self.retry_at.isoformat()}" if self.retry_at else "")


def schedule() -> retry.Schedule:
    return retry.Schedule(max_attempts=settings.RELAIS_TRANSPARENCY_MAX_ATTEMPTS)


def lease() -> timedelta:
    """Longer than a request can take (three phases, each up to the timeout)."""
    return timedelta(seconds=3 * settings.RELAIS_TRANSPARENCY_TIMEOUT_SECONDS + 60)


def endpoint(account: TransparencyAccount) -> str:
    """The batch URL; in production HTTPS to a public address only (the webhooks' SSRF rules)."""
    return targets.check_url(account.base_url.rstrip("/") + PATH, production=settings.PRODUCTION)


# --- sending ---


def post(url: str, token: str, body: bytes) -> Answer:
    """One POST: no redirects, no proxy from the environment, a timeout on every phase, a bounded answer."""
    timeout = settings.RELAIS_TRANSPARENCY_TIMEOUT_SECONDS
    headers = {
        "authorization": f"Bearer {token}",
        "accept": "application/json",
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream("POST", url, content=body, headers=headers) as answer,
        ):
            received = bytearray()
            for chunk in answer.iter_bytes():
                received += chunk
                if len(received) > MAX_ANSWER_BYTES:
                    break
            code = answer.status_code
            error = "" if 200 <= code <= 299 else f"HTTP {code}"
            return Answer(code, bytes(received[:MAX_ANSWER_BYTES]), error, answer.headers.get("retry-after"))
    except httpx.TimeoutException:
        return Answer(None, b"", f"timeout after {timeout:g} s")
    except httpx.HTTPError as exc:
        return Answer(None, b"", f"connection error: {type(exc).__name__}: {exc}"[:300])


def _send(batch: Sequence[Decision], account: TransparencyAccount | None) -> Answer:
    body = orjson.dumps({"statements": [d.statement for d in batch]})
    if settings.RELAIS_TRANSPARENCY_BACKEND == "console":
        logger.info("statements of reasons (console backend, not sent): %s", body.decode())
        return Answer(201, b"", "")
    assert account is not None  # noqa: S101 - submit_due stops earlier without one
    try:
        url = endpoint(account)
    except ValueError as exc:
        return Answer(None, b"", f"refused: the account's URL {exc}")
    return post(url, account.token, body)


# --- claiming and recording ---


def _due(platform_id: str, now: datetime) -> QuerySet[Decision]:
    return Decision.objects.filter(platform_id=platform_id, submitted_at__isnull=True, submission_due_at__lte=now)


def _claim(platform_id: str, now: datetime) -> list[Decision]:
    """The oldest due statements (at most a batch), moved past a lease so no other run takes them."""
    with transaction.atomic():
        batch = list(
            _due(platform_id, now).select_for_update(skip_locked=True).order_by("decided_at", "puid")[: sor.BATCH_MAX]
        )
        if batch:
            Decision.objects.filter(pk__in=[d.pk for d in batch]).update(
                submission_due_at=now + lease(), submission_attempts=F("submission_attempts") + 1
            )
    for decision in batch:
        decision.submission_attempts += 1
    return batch


def _submitted(decisions: Sequence[Decision], now: datetime) -> None:
    Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(
        submitted_at=now, submission_due_at=None, submission_error=""
    )


def _failed(decision: Decision, error: str) -> None:
    Decision.objects.filter(pk=decision.pk).update(submission_due_at=None, submission_error=error[:5000])


def _again_now(decisions: Sequence[Decision], now: datetime) -> None:
    Decision.objects.filter(pk__in=[d.pk for d in decisions]).update(submission_due_at=now)


def refusals(answer: Answer, batch: Sequence[Decision]) -> tuple[dict[int, Any], set[str]] | None:
    """From a 422: the refused statements by index, and the puids the database holds already; None when
    the answer names none of this batch (then nothing can be blamed on a statement: retried later)."""
    try:
        errors = orjson.loads(answer.body).get("errors")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    if not isinstance(errors, dict):
        return None
    refused = {}
    for key, problems in errors.items():
        index = key.removeprefix("statement_")
        if key.startswith("statement_") and index.isdigit() and int(index) < len(batch):
            refused[int(index)] = problems
    existing = errors.get("existing_puids")
    known = {p for p in existing if isinstance(p, str)} if isinstance(existing, list) else set()
    known &= {d.puid for d in batch}
    return (refused, known) if refused or known else None


def _record(batch: Sequence[Decision], answer: Answer, now: datetime, summary: Summary) -> bool:
    """Write what the answer means for each statement; True when the run may go on with the next batch."""
    if answer.status_code is not None and 200 <= answer.status_code <= 299:
        _submitted(batch, now)
        summary.submitted += len(batch)
        return True
    found = refusals(answer, batch) if answer.status_code == 422 else None
    if found is not None:
        refused, known = found
        for index, problems in refused.items():
            _failed(
                batch[index],
                f"refused by the Transparency Database on {now.isoformat()} (HTTP 422): "
                + orjson.dumps(problems).decode(),
            )
        already = [d for d in batch if d.puid in known]
        _submitted(already, now)
        summary.failed += len(refused)
        summary.submitted += len(already)
        _again_now([d for i, d in enumerate(batch) if i not in refused and d.puid not in known], now)
        return True
    error = answer.error or f"HTTP {answer.status_code}"
    if answer.status_code == 422:
        error += ": " + answer.body[:500].decode("utf-8", "replace")
    summary.errors.append(error)
    wait = retry.parse_retry_after(answer.retry_after, now)
    for decision in batch:
        later = schedule().next_attempt(
            attempts_made=decision.submission_attempts,
            now=now,
            rand=random.random(),  # noqa: S311 - jitter, not a secret
            retry_after=wait,
        )
        if later is None:
            _failed(decision, f"gave up after {decision.submission_attempts} attempts; the last: {error}")
            summary.failed += 1
            continue
        Decision.objects.filter(pk=decision.pk).update(
            submission_due_at=later, submission_error=f"attempt {decision.submission_attempts}: {error}"[:5000]
        )
        summary.retry_at = later if summary.retry_at is None else min(summary.retry_at, later)
    return False


def _refuse_invalid(batch: list[Decision], now: datetime, summary: Summary) -> list[Decision]:
    """A stored statement the database would refuse (rules changed since it was decided) is not sent."""
    valid = []
    for decision in batch:
        problems = sor.validate(decision.statement or {})
        if problems:
            _failed(decision, f"not sent on {now.isoformat()}: " + orjson.dumps(problems).decode())
            summary.failed += 1
        else:
            valid.append(decision)
    return valid


def submit_due(platform_id: str, now: datetime | None = None) -> Summary:
    """Send the platform's due statements, oldest first, 100 per request, until none is due or the
    database asks to wait; then the task is enqueued again for the earliest retry. Safe to run twice."""
    summary = Summary()
    account = TransparencyAccount.objects.filter(platform_id=platform_id, active=True).first()
    if account is None and settings.RELAIS_TRANSPARENCY_BACKEND != "console":
        summary.skipped = "no active Transparency Database account (statements stay in the export)"
        return summary
    for _ in range(MAX_BATCHES_PER_RUN):
        at = now or clock.now()
        claimed = _claim(platform_id, at)
        if not claimed:
            break
        batch = _refuse_invalid(claimed, at, summary)
        if not batch:
            continue  # all of this batch was invalid: the next one
        answer = _send(batch, account)
        summary.requests += 1
        done = clock.now() if now is None else now
        if not _record(batch, answer, done, summary):
            break
    else:
        _enqueue(platform_id, None)
    if summary.retry_at is not None:
        _enqueue(platform_id, summary.retry_at)
    logger.info("transparency database, platform %s: %s", platform_id, summary)
    return summary


def _enqueue(platform_id: str, run_after: datetime | None) -> None:
    from relais.moderation.tasks import submit_statements

    def enqueue() -> None:
        if run_after is None:
            submit_statements.enqueue(platform_id)
        elif submit_statements.get_backend().supports_defer:
            submit_statements.using(run_after=due_at(run_after)).enqueue(platform_id)
        # else: a backend that cannot defer (immediate) leaves the retry to `relais statements sweep`.

    transaction.on_commit(enqueue, robust=True)


def sweep(*, now: datetime) -> int:
    """Enqueue a run for every platform with due statements and an active account (from cron): picks up
    retries on a backend that cannot defer, runs lost in a crash, and claims whose lease ran out."""
    platforms = set(
        Decision.objects.filter(
            submitted_at__isnull=True,
            submission_due_at__lte=now,
            platform__transparency_account__active=True,
        ).values_list("platform_id", flat=True)
    )
    for platform_id in sorted(platforms):
        _enqueue(str(platform_id), None)
    return len(platforms)


def never_sent(platform_id: str) -> QuerySet[Decision]:
    """Statements of reasons never handed to the database: decided while the platform had no active account.
    Not those refused or given up (`submission_error` says why; `relais statements failed` lists them)."""
    return Decision.objects.filter(
        platform_id=platform_id,
        statement__isnull=False,
        submitted_at__isnull=True,
        submission_due_at__isnull=True,
        submission_error="",
    )


def backfill(platform_id: str, *, now: datetime) -> int | None:
    """Make the statements decided before the account existed due now, and enqueue their submission: Art. 24(5)
    asks for every decision's statement "without undue delay", not only those made after the account.
    Returns how many, or None when the platform has no active account to send them with."""
    if not TransparencyAccount.objects.filter(platform_id=platform_id, active=True).exists():
        return None
    count = never_sent(platform_id).update(submission_due_at=now)
    if count:
        _enqueue(platform_id, None)  # after the commit
    return count
