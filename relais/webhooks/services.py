"""Webhook use cases: manage endpoints, record events, and deliver them.

How a delivery travels (ADR 0008):
1. `emit` writes one `Delivery` per subscribed endpoint *in the transaction of the change* (a report
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

import logging
import random
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from typing import Any

import httpx
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.module_loading import import_string

from relais import clock
from relais.deferral import due_at
from relais.tenants.models import Helpline, Platform
from relais.webhooks import event_types, retry, signing, targets, transport
from relais.webhooks.models import Attempt, Delivery, Endpoint

logger = logging.getLogger(__name__)
Tenant = Platform | Helpline
USER_AGENT = "Relais-Webhooks/1"
LEASE_MARGIN_SECONDS = 5.0


class WebhookError(ValueError):
    """A request that cannot be done as asked; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ReplayRefused(Exception):
    pass


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def schedule() -> retry.Schedule:
    return retry.Schedule(max_attempts=settings.RELAIS_WEBHOOK_MAX_ATTEMPTS)


# --- endpoints ---


def check_url(url: str) -> str:
    try:
        return targets.check_url(url, production=settings.PRODUCTION, resolve=resolver(), allowed=allowed_networks())
    except ValueError as exc:
        raise WebhookError("url", str(exc)) from None


def _tenant_fields(tenant: Tenant) -> dict[str, Any]:
    return {"platform": tenant} if isinstance(tenant, Platform) else {"helpline": tenant}


@transaction.atomic
def create_endpoint(
    *, tenant: Tenant, url: str, event_types_: list[str], description: str, now: datetime
) -> tuple[Endpoint, str]:
    """Register an endpoint; returns it and its signing secret, which is shown this once."""
    checked = check_url(url)
    try:
        types = event_types.check_event_types(list(event_types_), helpline=isinstance(tenant, Helpline))
    except ValueError as exc:
        raise WebhookError("event_types", str(exc)) from None
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        **_tenant_fields(tenant),
        url=checked,
        event_types=types,
        description=description.strip(),
        secret=secret,
        created_at=now,
    )
    return endpoint, secret


def delete_endpoint(*, endpoint: Endpoint) -> None:
    """Its pending deliveries and its log go with it (a running attempt finds nothing to record)."""
    endpoint.delete()


@transaction.atomic
def rotate_secret(*, endpoint: Endpoint, now: datetime) -> tuple[str, datetime]:
    """A new secret, returned once. The old one keeps signing (beside the new one) for the overlap, so the
    receiver can switch without losing a request; a second rotation within it drops the oldest."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    until = now + timedelta(hours=settings.RELAIS_WEBHOOK_SECRET_OVERLAP_HOURS)
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = until
    locked.secret = signing.new_secret()
    locked.save(update_fields=["previous_secret", "previous_secret_expires_at", "secret"])
    endpoint.refresh_from_db()
    return locked.secret, until


def signing_secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    current = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        current.append(endpoint.previous_secret)
    return current


@transaction.atomic
def enable_endpoint(*, endpoint: Endpoint, now: datetime) -> Endpoint:
    """Send again to a disabled endpoint: what was held while it was off goes out now, in order."""
    Endpoint.objects.filter(pk=endpoint.pk).update(disabled_at=None, disabled_reason="", failure_streak=0)
    pending = Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING)
    pending.update(next_attempt_at=now)
    for pk in _heads(pending.values_list("pk", "subject")):
        transaction.on_commit(partial(_enqueue, pk), robust=True)
    endpoint.refresh_from_db()
    return endpoint


def disable_endpoint(*, endpoint_id: Any, reason: str, now: datetime) -> bool:
    """Stop sending (deliveries are kept, held, until the endpoint is enabled again)."""
    return bool(
        Endpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=True).update(
            disabled_at=now, disabled_reason=reason[:300]
        )
    )


# --- events ---


@cache
def _subscriptions_sql(owner: str) -> str:
    """The ORM writes the statement once per process; each event only runs it (compiling it every time
    cost more than running it)."""
    queryset = Endpoint.objects.filter(**{f"{owner}_id": 0}).order_by("created_at", "id")
    sql, _ = queryset.values_list("id", "event_types", "disabled_at").query.sql_with_params()
    return sql


def subscribed(tenant: Tenant, event_type: str) -> list[tuple[Any, bool]]:
    """(id, enabled) of each endpoint of `tenant` subscribed to `event_type`, as committed now.

    Read on every event, in the caller's transaction, and not cached: an endpoint registered a moment ago
    gets the event, a deleted one does not (staleness zero; ADR 0008, "Subscriptions"). A plain cursor
    because through the ORM (compiling, Endpoint objects) the same read cost a fifth of report intake; what
    is left is its round trip, which is also what checking a cache's freshness would cost.
    """
    with connection.cursor() as cursor:
        cursor.execute(_subscriptions_sql("platform" if isinstance(tenant, Platform) else "helpline"), [tenant.pk])
        rows = cursor.fetchall()
    # JSON comes back as text from a plain cursor (jsonb as Django sets psycopg up; TEXT on SQLite).
    return [
        (pk, disabled_at is None)
        for pk, types, disabled_at in rows
        if event_type in (orjson.loads(types) if isinstance(types, str | bytes) else types)
    ]


def envelope(event_type: str, data: dict[str, Any], occurred_at: datetime) -> str:
    """The signed body: a versioned `{"type", "timestamp", "data"}`, the same for every endpoint and attempt."""
    return orjson.dumps(
        {"type": event_type, "timestamp": iso(occurred_at), "data": {**data, "version": event_types.VERSION}}
    ).decode()


def pending_delivery(*, endpoint_id: Any, event_type: str, subject: str, body: str, now: datetime) -> Delivery:
    """A delivery not yet saved: `emit` saves it, and report intake on PostgreSQL takes its values for the
    rows its single statement writes (reports/postgresql.py), so both write the same."""
    return Delivery(
        endpoint_id=endpoint_id,
        message_id=f"msg_{secrets.token_hex(16)}",
        event_type=event_type,
        subject=subject,
        body=body,
        created_at=now,
        next_attempt_at=now,
    )


def send_after_commit(pks: Iterable[int]) -> None:
    """Queue the sending of these deliveries once their transaction commits (at once outside one)."""
    for pk in pks:
        transaction.on_commit(partial(_enqueue, pk), robust=True)


def emit(
    *,
    event_type: str,
    subject: str,
    data: dict[str, Any],
    occurred_at: datetime,
    platform: Platform | None = None,
    helpline: Helpline | None = None,
) -> list[Delivery]:
    """Record `event_type` for every endpoint of the tenant subscribed to it. Call it inside the
    transaction of the change: the deliveries commit (or roll back) with it, and are sent after commit.

    `data` must already be cut to what this tenant may see (see events.py); `version` is added here."""
    if event_type not in event_types.SENT:
        raise ValueError(f"{event_type} is not an event Relais sends")
    if (platform is None) == (helpline is None):
        raise ValueError("an event goes to one tenant: a platform or a helpline")
    tenant: Tenant = platform if platform is not None else helpline  # type: ignore[assignment]
    endpoints = subscribed(tenant, event_type)
    if not endpoints:
        return []
    body = envelope(event_type, data, occurred_at)
    now = clock.now()
    created = []
    for endpoint_id, _ in endpoints:
        delivery = pending_delivery(endpoint_id=endpoint_id, event_type=event_type, subject=subject, body=body, now=now)
        delivery.save(force_insert=True)
        created.append(delivery)
    send_after_commit(d.pk for d, (_, enabled) in zip(created, endpoints, strict=True) if enabled)
    return created


@dataclass(frozen=True)
class Erased:
    """What an erasure did: deliveries cancelled before they were sent, and payloads blanked (all of them,
    sent or not; the rows stay, with their status and times, for the delivery log)."""

    cancelled: int
    erased: int


def _cancel_and_erase(deliveries: QuerySet[Delivery], reason: str, now: datetime) -> Erased:
    cancelled = deliveries.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CANCELLED, finished_at=now, last_error=reason[:300], claim="", claimed_until=None
    )
    erased = deliveries.filter(erased_at__isnull=True).update(body="", erased_at=now)
    return Erased(cancelled=cancelled, erased=erased)


def cancel_for_subject(*, helpline: Helpline, subject: str, reason: str, now: datetime) -> int:
    """Stop what is still to be sent to `helpline` about `subject`, and erase what was sent (its
    payloads): used when the reporter withdraws consent. Returns how many were cancelled."""
    mine = Delivery.objects.filter(endpoint__helpline=helpline, subject=subject)
    return _cancel_and_erase(mine, reason, now).cancelled


def erase_about(*, subjects: Iterable[str], reason: str, now: datetime) -> Erased:
    """Cancel every pending delivery about `subjects` (events.report_subject, events.case_subject), to any
    endpoint, and erase the payload of every delivery about them: used when a report is purged, so nothing
    about it is sent afterwards or kept in the log. Call it in the purge's transaction."""
    return _cancel_and_erase(Delivery.objects.filter(subject__in=list(subjects)), reason, now)


@transaction.atomic
def replay(*, delivery: Delivery, now: datetime) -> Delivery:
    """Send a finished delivery again, as a new delivery with the same `webhook-id` (receivers that
    already processed it can recognise it). It is queued behind anything pending for the same object."""
    if delivery.erased_at is not None or not delivery.body:
        raise ReplayRefused("its content was erased (the reporter withdrew consent, or the report was purged)")
    if delivery.status == Delivery.Status.PENDING:
        raise ReplayRefused("it is still being delivered")
    if delivery.status == Delivery.Status.CANCELLED:
        raise ReplayRefused("it was cancelled")
    endpoint = Endpoint.objects.get(pk=delivery.endpoint_id)
    if not endpoint.enabled:
        raise ReplayRefused("its endpoint is disabled: enable it first")
    again = Delivery.objects.create(
        endpoint=endpoint,
        message_id=delivery.message_id,
        event_type=delivery.event_type,
        subject=delivery.subject,
        body=delivery.body,
        created_at=now,
        next_attempt_at=now,
        replay_of=delivery,
    )
    transaction.on_commit(partial(_enqueue, again.pk), robust=True)
    return again


# --- sending ---


def _enqueue(pk: int, run_after: datetime | None = None) -> None:
    from relais.webhooks.tasks import deliver

    if run_after is None:
        deliver.enqueue(pk)
    elif deliver.get_backend().supports_defer:
        deliver.using(run_after=due_at(run_after)).enqueue(pk)  # rq would run it up to a second early
    # else: a backend that cannot defer (the immediate one) leaves retries to `relais webhooks sweep`.


def _heads(rows: Iterable[tuple[int, str]]) -> list[int]:
    """The earliest delivery of each subject: the only one of its object that may be sent now."""
    first: dict[str, int] = {}
    for pk, subject in rows:
        if subject not in first or pk < first[subject]:
            first[subject] = pk
    return sorted(first.values())


@dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str
    latency_ms: int
    retry_after: str | None = None
    refused: bool = False


def resolver() -> targets.Resolver:
    """DNS, as `RELAIS_WEBHOOK_RESOLVER` names it (the system's by default; tests put a stand-in there)."""
    return import_string(settings.RELAIS_WEBHOOK_RESOLVER)  # type: ignore[no-any-return]


def allowed_networks() -> targets.Networks:
    """`RELAIS_WEBHOOK_ALLOWED_NETWORKS` (ADR 0035). Parsed on each use, which costs microseconds beside a
    request, so a test's settings override is honoured; a bad value was refused at start-up (relais.E105),
    and one that slipped past allows nothing rather than everything."""
    try:
        return _parsed_networks(settings.RELAIS_WEBHOOK_ALLOWED_NETWORKS)
    except ValueError:
        return ()


@cache
def _parsed_networks(text: str) -> targets.Networks:
    networks = targets.parse_networks(text)
    return () if targets.metadata_overlap(networks) else networks


def post(url: str, body: bytes, headers: dict[str, str], *, method: str = "POST") -> Response:
    """One POST (or `method`: Synapse's idempotent server notice is a PUT) within one wall-clock deadline (connect to the last byte of the answer's headers), to an
    address checked just before — in every mode, the name being resolved once and the connection made to
    that address (transport.py) — or through `RELAIS_WEBHOOK_PROXY`. No redirects, no proxy from the
    environment. A refusal is decided before any connection is opened."""
    timeout = settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS
    proxy = settings.RELAIS_WEBHOOK_PROXY or None
    try:
        addresses = targets.addresses_to_connect(
            url, production=settings.PRODUCTION, resolve=resolver(), allowed=allowed_networks()
        )
    except ValueError as exc:
        refused = "does not resolve" not in str(exc)
        return Response(None, (f"refused: {exc}" if refused else f"DNS: {exc}")[:300], 0, refused=refused)
    started = time.perf_counter()
    network = transport.PinnedNetwork(None if proxy else addresses, time.monotonic() + timeout)

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        with (
            httpx.Client(
                transport=transport.PinnedTransport(network, proxy), timeout=timeout, follow_redirects=False
            ) as client,
            client.stream(method, url, content=body, headers=headers) as answer,
        ):
            code = answer.status_code
            error = "" if 200 <= code <= 299 else f"HTTP {code}"
            return Response(code, error, elapsed(), answer.headers.get("retry-after"))
    except httpx.TimeoutException:
        return Response(None, f"timeout after {timeout:g} s", elapsed())
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return Response(None, f"refused: {exc}"[:300], elapsed(), refused=True)
    except httpx.HTTPError as exc:
        if network.past_deadline():  # the deadline's timer shut the socket mid-read
            return Response(None, f"timeout after {timeout:g} s", elapsed())
        return Response(None, f"connection error: {type(exc).__name__}: {exc}"[:300], elapsed())
    finally:
        network.close()


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
        transaction.on_commit(partial(_enqueue, pk, lease_end), robust=True)
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
                transaction.on_commit(partial(_enqueue, claim.pk, later), robust=True)
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
        transaction.on_commit(partial(_enqueue, following), robust=True)


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
    heads = _heads((pk, f"{endpoint_id}/{subject}") for pk, endpoint_id, subject in due)
    for pk in heads:
        _enqueue(pk)
    return len(heads)
