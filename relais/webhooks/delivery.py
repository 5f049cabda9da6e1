"""Delivering webhook events: claim, send, record, retry, in turn between endpoints.

How a delivery travels (ADR 0008):
1. `emit.emit` writes one `Delivery` per subscribed endpoint *in the transaction of the change* (a report
   stored, a case shared...), so an event exists exactly when its change does; after the commit it
   enqueues the `deliver` task with the delivery's id.
2. `attempt_delivery` (the task's body) claims the delivery with a lease in a short locked transaction,
   sends it outside any transaction, then records the attempt and decides (`retry.py`): delivered,
   try again later (a task enqueued with `run_after`), or dead letter.
3. Every claim also enqueues a "watchdog" run at the lease's end: if the worker dies mid-request, that
   run finds the lease expired and tries again, so a crash delays a delivery but does not lose it.
   `relais webhooks sweep` re-enqueues anything due that has no task (a crash between commit and enqueue).

Running the task twice is harmless: a run that finds the delivery delivered, not yet due, claimed by
another sender or waiting behind an earlier event for the same object returns without sending.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from relais import clock
from relais.deferral import due_at
from relais.webhooks import retry, signing
from relais.webhooks.event_types import iso
from relais.webhooks.models import Attempt, Delivery, Endpoint
from relais.webhooks.transport import Response, post

USER_AGENT = "Relais-Webhooks/1"


LEASE_MARGIN_SECONDS = 5.0


def schedule() -> retry.Schedule:
    return retry.Schedule(max_attempts=settings.RELAIS_WEBHOOK_MAX_ATTEMPTS)


def enqueue(pk: int, run_after: datetime | None = None) -> None:
    from relais.webhooks.tasks import deliver

    if run_after is None:
        deliver.enqueue(pk)
    elif deliver.get_backend().supports_defer:
        deliver.using(run_after=due_at(run_after)).enqueue(pk)  # rq would run it up to a second early


def heads(rows: Iterable[tuple[int, str]]) -> list[int]:
    """The earliest delivery of each subject: the only one of its object that may be sent now."""
    first: dict[str, int] = {}
    for pk, subject in rows:
        if subject not in first or pk < first[subject]:
            first[subject] = pk
    return sorted(first.values())


def signing_secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    current = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        current.append(endpoint.previous_secret)
    return current


def disable_endpoint(*, endpoint_id: Any, reason: str, now: datetime) -> bool:
    """Stop sending (deliveries are kept, held, until the endpoint is enabled again)."""
    return bool(
        Endpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=True).update(
            disabled_at=now, disabled_reason=reason[:300]
        )
    )


@dataclass(frozen=True)
class _Claim:
    pk: int
    token: str
    number: int
    url: str
    body: bytes
    headers: dict[str, str]
    started_at: datetime


def _claim(pk: int, now: datetime) -> _Claim | str:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("endpoint").filter(pk=pk).first()
        if delivery is None:
            return "gone"
        if delivery.status != Delivery.Status.PENDING:
            return f"already {delivery.status}"
        if delivery.erased_at is not None:
            # Erased while its task waited in the queue (erase_about cancels too; this holds whatever the order).
            delivery.status, delivery.finished_at = Delivery.Status.CANCELLED, now
            delivery.claim, delivery.claimed_until = "", None
            delivery.save(update_fields=["status", "finished_at", "claim", "claimed_until"])
            _kick_endpoint(delivery.endpoint_id, now)
            return "cancelled: its content was erased"
        endpoint = delivery.endpoint
        if not endpoint.enabled:
            return "held: endpoint disabled"
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return "not due yet"
        if delivery.claimed_until is not None and delivery.claimed_until > now:
            return "being sent by another worker"
        earlier = Delivery.objects.filter(
            endpoint_id=endpoint.pk, subject=delivery.subject, status=Delivery.Status.PENDING, pk__lt=pk
        )
        if earlier.exists():
            return "waiting for an earlier event about the same object"
        # One attempt at a time per endpoint: the endpoint's row lock orders two claims for it (PostgreSQL).
        Endpoint.objects.select_for_update().filter(pk=endpoint.pk).values_list("pk").first()
        sending = Delivery.objects.filter(
            endpoint_id=endpoint.pk, status=Delivery.Status.PENDING, claimed_until__gt=now
        ).exclude(pk=pk)
        if sending.exists():
            return "held: another delivery to this endpoint is being sent"
        if delivery.attempts >= settings.RELAIS_WEBHOOK_MAX_ATTEMPTS:
            # Only reachable when attempts were claimed but never recorded (workers dying on it).
            delivery.status = Delivery.Status.FAILED
            delivery.finished_at = now
            delivery.last_error = f"gave up after {delivery.attempts} attempts that could not complete"
            delivery.claim, delivery.claimed_until = "", None
            delivery.save(update_fields=["status", "finished_at", "last_error", "claim", "claimed_until"])
            _kick_endpoint(endpoint.pk, now)
            return "gave up"
        token = secrets.token_hex(16)
        lease_end = now + lease()
        delivery.attempts += 1
        delivery.claim = token
        delivery.claimed_until = lease_end
        delivery.save(update_fields=["attempts", "claim", "claimed_until"])
        Endpoint.objects.filter(pk=endpoint.pk).update(last_attempt_at=now)
        # The watchdog: if this worker dies before recording the attempt, this run retries it.
        transaction.on_commit(partial(enqueue, pk, lease_end), robust=True)
        body = delivery.body.encode()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signing.headers(
                secrets=signing_secrets(endpoint, now),
                msg_id=delivery.message_id,
                timestamp=int(now.timestamp()),
                body=body,
            ),
        }
        return _Claim(pk, token, delivery.attempts, endpoint.url, body, headers, now)


def lease() -> timedelta:
    """How long a claim holds a delivery and its endpoint: never shorter than an attempt can last, so no
    second worker sends the same delivery (or to the same endpoint) while the first still may."""
    deadline = settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS
    return timedelta(seconds=max(settings.RELAIS_WEBHOOK_LEASE_SECONDS, deadline))


def sendable(now: datetime) -> QuerySet[Delivery]:
    """Deliveries that may be sent now: due, not held, the earliest pending about their object to their
    endpoint, and to an endpoint no attempt is under way for (one at a time per endpoint)."""
    pending = Delivery.Status.PENDING
    sending = Delivery.objects.filter(endpoint_id=OuterRef("endpoint_id"), status=pending, claimed_until__gt=now)
    earlier = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"), subject=OuterRef("subject"), status=pending, pk__lt=OuterRef("pk")
    )
    return (
        Delivery.objects.filter(status=pending, endpoint__disabled_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .exclude(Exists(sending))
        .exclude(Exists(earlier))
    )


def next_turn(now: datetime) -> int | None:
    """The delivery to send next: of the endpoints with something sendable, the one whose last attempt is
    oldest (never tried first), its earliest delivery. Round robin between endpoints, so a tenant whose
    receiver is slow or down gets one attempt in turn, not the worker."""
    order = (F("endpoint__last_attempt_at").asc(nulls_first=True), "pk")
    pk: int | None = sendable(now).order_by(*order).values_list("pk", flat=True).first()
    return pk


def attempt_delivery(pk: int) -> str:
    """The `deliver` task: one attempt, at the delivery whose turn it is (`next_turn`), which is `pk` unless
    another endpoint has waited longer. Returns what happened. Every delivery has a task, so a run that
    sends another's leaves its own to a later run; a run that finds nothing to send costs one query."""
    now = clock.now()
    turn = next_turn(now)
    claim = _claim(turn, now) if turn is not None else "nothing due"
    note = "" if turn == pk else f"delivery {turn}'s turn: "
    if isinstance(claim, str):
        if turn == pk:
            return claim  # it was ours, and it cannot go (asking again would only report what this claim did)
        # nothing else waits (or another worker took it first): ours, if it can go
        claim, note = _claim(pk, now), ""
        if isinstance(claim, str):
            return claim
    response = post(claim.url, claim.body, claim.headers)
    return note + _record(claim, response, clock.now())


def _record(claim: _Claim, response: Response, now: datetime) -> str:
    outcome = retry.Outcome.GIVE_UP if response.refused else retry.classify(response.status_code)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=claim.pk).first()
        if delivery is None:
            return "gone (endpoint deleted during the attempt)"
        Attempt.objects.create(
            delivery=delivery,
            number=claim.number,
            started_at=claim.started_at,
            status_code=response.status_code,
            latency_ms=response.latency_ms,
            error=response.error,
            outcome=outcome,
        )
        delivery.last_status_code = response.status_code
        delivery.last_latency_ms = response.latency_ms
        delivery.last_error = response.error
        fields = ["last_status_code", "last_latency_ms", "last_error"]
        if delivery.claim != claim.token or delivery.status != Delivery.Status.PENDING:
            # Cancelled meanwhile, or our lease ran out and another run took over: only the log is ours.
            delivery.save(update_fields=fields)
            return f"recorded only ({delivery.status})"
        delivery.claim = ""
        delivery.claimed_until = None
        fields += ["claim", "claimed_until"]
        endpoint_id = delivery.endpoint_id
        if outcome == retry.Outcome.DELIVERED:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = delivery.finished_at = now
            fields += ["status", "delivered_at", "finished_at"]
            Endpoint.objects.filter(pk=endpoint_id).exclude(failure_streak=0).update(failure_streak=0)
        else:
            later = None
            if outcome == retry.Outcome.RETRY:
                later = schedule().next_attempt(
                    attempts_made=delivery.attempts,
                    now=now,
                    rand=random.random(),  # noqa: S311 - jitter, not a secret
                    retry_after=retry.parse_retry_after(response.retry_after, now),
                )
            if later is not None:
                delivery.next_attempt_at = later
                fields.append("next_attempt_at")
                transaction.on_commit(partial(enqueue, claim.pk, later), robust=True)
            else:
                delivery.status = Delivery.Status.FAILED
                delivery.finished_at = now
                why = (
                    "not retried" if outcome == retry.Outcome.GIVE_UP else f"gave up after {delivery.attempts} attempts"
                )
                delivery.last_error = f"{response.error} ({why})"[:300]
                fields += ["status", "finished_at"]
            _count_failure(endpoint_id, response, now)
        delivery.save(update_fields=fields)
        _kick_endpoint(endpoint_id, now)
    return f"{outcome} ({response.status_code or response.error})"


def _kick_endpoint(endpoint_id: Any, now: datetime) -> None:
    """An attempt to this endpoint ended: its next sendable delivery gets a task, because the tasks of
    those that found it busy meanwhile have run and returned (per-endpoint concurrency of one)."""
    following = sendable(now).filter(endpoint_id=endpoint_id).order_by("pk").values_list("pk", flat=True).first()
    if following is not None:
        transaction.on_commit(partial(enqueue, following), robust=True)


def _count_failure(endpoint_id: Any, response: Response, now: datetime) -> None:
    Endpoint.objects.filter(pk=endpoint_id).update(failure_streak=F("failure_streak") + 1)
    streak = Endpoint.objects.filter(pk=endpoint_id).values_list("failure_streak", flat=True).first() or 0
    if retry.disables_endpoint(response.status_code):
        disable_endpoint(endpoint_id=endpoint_id, reason=f"the receiver answered 410 Gone on {iso(now)}", now=now)
    elif streak >= settings.RELAIS_WEBHOOK_DISABLE_AFTER_FAILURES:
        disable_endpoint(
            endpoint_id=endpoint_id,
            reason=f"{streak} failed attempts in a row; the last on {iso(now)}: {response.error}",
            now=now,
        )


def sweep(*, now: datetime, limit: int = 1000) -> int:
    """Enqueue every delivery that is due and that no sender holds: recovers a task lost between a commit
    and its enqueue, and drives retries on a backend that cannot defer. Safe to run at any time."""
    due = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, endpoint__disabled_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("id")
        .values_list("pk", "endpoint_id", "subject")[:limit]
    )
    first = heads((pk, f"{endpoint_id}/{subject}") for pk, endpoint_id, subject in due)
    for pk in first:
        enqueue(pk)
    return len(first)
