"""Use cases shared by every inbound adapter: connect, seal and open credentials, take a mapped report in
through intake's own service, and send the reporter the help message (retried with backoff)."""

from __future__ import annotations

import json
import logging
import random
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import ValidationError

from relais import clock
from relais.deferral import due_at
from relais.evidence import crypto, reported, vault
from relais.evidence import services as evidence
from relais.evidence.schemas import EvidenceItemIn
from relais.http import field_errors
from relais.integrations.discourse import adapter as discourse
from relais.integrations.inbound import Media
from relais.integrations.matrix import adapter as matrix
from relais.integrations.models import (
    Connection,
    HelpMessage,
    Kind,
    MediaFetch,
    PlatformResolution,
    PostFetch,
    bluesky_category_map,
    discourse_category_map,
    matrix_category_map,
)
from relais.moderation.models import Notice, Source
from relais.reports import links
from relais.reports.api import help_for
from relais.reports.models import Report, ReportedContent
from relais.reports.schemas import ReportIn
from relais.reports.services import canonical_of, receive_report
from relais.tenants.models import Platform
from relais.tenants.services import update_platform
from relais.webhooks import delivery as webhook_delivery
from relais.webhooks import retry, targets
from relais.webhooks import transport as webhook_transport

logger = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 12
"""Mastodon's webhook form refuses a shorter secret."""


class ConnectionRefused(ValueError):
    """A connection cannot be made as asked; the message names the option."""


def normalised_instance(url: str) -> str:
    """`https://host[:port]`: the instance's origin, which the API paths hang from."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConnectionRefused("--instance: expected https://your.instance")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConnectionRefused("--instance: give the instance's address alone, without a path")
    if settings.PRODUCTION and parts.scheme != "https":
        raise ConnectionRefused("--instance: https:// in production (the token travels with every message)")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _context(connection_id: Any, what: str) -> str:
    return f"relais-integration:{connection_id}:{what}"


def seal(connection: Connection, what: str, value: str) -> bytes:
    """Sealed as evidence is, bound to this connection and field: a blob copied elsewhere does not open."""
    return crypto.seal(value.encode(), vault.keyring(), context=_context(connection.pk, what))


def unseal(connection: Connection, what: str) -> str:
    blob = bytes(getattr(connection, f"{what}_sealed") or b"")
    if not blob:
        return ""
    return crypto.open_sealed(blob, vault.keyring(), context=_context(connection.pk, what)).decode()


def connect(
    *,
    platform: Platform,
    kind: str,
    instance_url: str,
    token: str,
    secret: str | None = None,
    reporter_country: str | None = None,
    reporter_timezone: str | None = None,
    api_username: str = "",
    now: datetime,
) -> tuple[Connection, str]:
    """A new connection (or the instance's, renewed: a second `connect` replaces the credentials) and its
    secret, to paste into the platform's webhook form. Sets the platform's reporter defaults when given."""
    instance = normalised_instance(instance_url)
    if secret is None:
        secret = secrets.token_urlsafe(32)
    secret = secret.strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConnectionRefused(f"--secret-stdin: the secret must have at least {MIN_SECRET_LENGTH} characters")
    with transaction.atomic():
        if reporter_country is not None or reporter_timezone is not None:
            update_platform(platform=platform, reporter_country=reporter_country, reporter_timezone=reporter_timezone)
        connection = Connection.objects.filter(kind=kind, instance_url=instance).first()
        if connection is not None and connection.platform_id != platform.pk:
            raise ConnectionRefused(f"--instance: {instance} is already connected to another platform")
        if connection is None:
            connection = Connection(platform=platform, kind=kind, instance_url=instance, created_at=now)
            if kind == Kind.DISCOURSE:
                connection.category_map = discourse_category_map()
            elif kind == Kind.MATRIX:
                connection.category_map = matrix_category_map()
        connection.api_username = api_username.strip()
        connection.secret_sealed = seal(connection, "secret", secret)
        connection.token_sealed = seal(connection, "token", token.strip()) if token.strip() else b""
        connection.save()
    from relais.integrations.access import forget_connections  # access builds on this module

    forget_connections()
    return connection, secret


SERVICE_DID = re.compile(r"^did:(web:[a-z0-9.-]+(%3A[0-9]{1,5})?|plc:[a-z2-7]{24})$")


def connect_bluesky(
    *,
    platform: Platform,
    service_did: str,
    plc_url: str,
    reporter_country: str | None = None,
    reporter_timezone: str | None = None,
    account_did: str | None = None,
    app_password: str | None = None,
    now: datetime,
) -> Connection:
    """The moderation service `service_did` (new, or the same DID connected again: the PLC directory and the
    reporter defaults are updated). Reports need no secret: each carries a JWT signed by its reporter, checked
    against their DID document (ADR 0033). The help message does: `app_password` is the service account's
    (`account_did`, the service's own DID by default), sealed as the other platforms' tokens are; its PDS is
    read from the account's DID document now, through the same resolver and egress checks."""
    service_did = service_did.strip()
    if not SERVICE_DID.match(service_did):
        raise ConnectionRefused("--service-did: expected did:web:your.host or did:plc:…")
    plc = plc_url.strip().rstrip("/")
    parts = urlsplit(plc)
    local = not settings.PRODUCTION and (parts.hostname or "") in targets.LOCAL_HOSTS
    if not parts.hostname or not (parts.scheme == "https" or (local and parts.scheme == "http")):
        raise ConnectionRefused(
            "--plc-url: expected https://plc.directory (http:// only for 127.0.0.1 outside production)"
        )
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ConnectionRefused("--plc-url: give the directory's address alone, without a path")
    account, pds = "", ""
    if app_password is not None:
        account = (account_did or service_did).strip()
        if not SERVICE_DID.match(account):
            raise ConnectionRefused("--account-did: expected did:plc:… or did:web:your.host")
        pds = bluesky_pds(account, plc_url=plc)
    # Its addresses are checked at every fetch (resolver.py), as a webhook's are.
    with transaction.atomic():
        if reporter_country is not None or reporter_timezone is not None:
            update_platform(platform=platform, reporter_country=reporter_country, reporter_timezone=reporter_timezone)
        connection = Connection.objects.filter(kind=Kind.BLUESKY, service_did=service_did).first()
        if connection is not None and connection.platform_id != platform.pk:
            raise ConnectionRefused(f"--service-did: {service_did} is already connected to another platform")
        if connection is None:
            connection = Connection(
                platform=platform,
                kind=Kind.BLUESKY,
                # What the unique (kind, instance_url) holds for Bluesky: the service's profile, one per DID.
                instance_url=f"https://bsky.app/profile/{service_did}",
                service_did=service_did,
                category_map=bluesky_category_map(),
                created_at=now,
            )
            connection.secret_sealed = b""
        connection.plc_url = plc
        if app_password is not None:
            connection.account_did, connection.pds_url = account, pds
            connection.token_sealed = seal(connection, "token", app_password.strip())
            connection.session_sealed = b""  # a new password: the next message opens a new session
        connection.save()
    return connection


def bluesky_pds(did: str, *, plc_url: str) -> str:
    """The account's PDS, from its DID document (`#atproto_pds`); ConnectionRefused naming --account-did."""
    from relais.integrations.bluesky import adapter as bluesky
    from relais.integrations.bluesky import resolver

    try:
        return bluesky.pds_endpoint(resolver.did_document(did, plc_url=plc_url, fresh=True), did)
    except (bluesky.AuthRefused, bluesky.Invalid) as exc:
        message = str(exc.message if isinstance(exc, bluesky.AuthRefused) else exc).replace("issuer's", "account's")
        raise ConnectionRefused(f"--account-did: {did}: {message}") from None


def reseal_connections() -> int:
    """Seal every connection's secret and token again under the first evidence key (after `relais evidence
    newkey` put a new one first, before the old one is dropped); returns how many were resealed."""
    count = 0
    for connection in Connection.objects.all():
        secret, token = unseal(connection, "secret"), unseal(connection, "token")
        connection.secret_sealed = seal(connection, "secret", secret)
        connection.token_sealed = seal(connection, "token", token) if token else b""
        connection.session_sealed = b""  # Bluesky: a session is opened again with the resealed password
        connection.save(update_fields=["secret_sealed", "token_sealed", "session_sealed"])
        count += 1
    from relais.integrations.access import forget_connections  # access builds on this module

    forget_connections()
    return count


def note_refusal(connection: Connection, reason: str, now: datetime) -> None:
    """The last refused delivery, for the admin: a platform whose deliveries all fail shows why. The reason
    names what was wrong, never what was sent."""
    Connection.objects.filter(pk=connection.pk).update(last_refusal=reason[:300], last_refusal_at=now)


@dataclass(frozen=True)
class Received:
    report: Report
    created: bool


def take_in(
    *,
    connection: Connection,
    data: ReportIn,
    help_card: dict[str, Any],
    help_to: str | None,
    resolved_at: datetime | None,
    now: datetime,
    media: Sequence[Media] = (),
) -> Received:
    """The mapped report through intake's own service (same dedup, notice, webhooks, card), then — for a new
    report and a connection that sends help — its help message queued after commit. `help_to` is the local
    reporter's username (None: remote, or nothing to send). `resolved_at`: the instance says it acted.
    `media`: the reported statuses' pictures and videos, fetched after commit into the report's evidence."""
    with transaction.atomic():
        report, created = receive_report(platform=connection.platform, data=data, help_card=help_card, received_at=now)
        if created and connection.send_help and help_to:
            message = HelpMessage.objects.create(
                connection=connection,
                report=report,
                recipient=help_to,
                language=data.reporter.language,
                created_at=now,
                next_attempt_at=now,
            )
            transaction.on_commit(partial(_enqueue, message.pk), robust=True)
        if created and media:
            fetches = MediaFetch.objects.bulk_create(
                MediaFetch(
                    connection=connection,
                    report=report,
                    url=m.url,
                    kind=m.kind,
                    content_id=m.content_id,
                    created_at=now,
                    next_attempt_at=now,
                )
                for m in dict.fromkeys(media)
            )
            for fetch in fetches:
                transaction.on_commit(partial(_enqueue_fetch, fetch.pk), robust=True)
        if resolved_at is not None:
            record_resolution(connection=connection, report=report, resolved_at=resolved_at, now=now)
    return Received(report, created)


def record_resolution(*, connection: Connection, report: Report, resolved_at: datetime, now: datetime) -> None:
    """Once per notice: a later `report.updated` of a resolved report changes nothing."""
    notice = Notice.objects.filter(report=report, source=Source.ARTICLE_16).order_by("received_at").first()
    if notice is None:
        return
    PlatformResolution.objects.get_or_create(
        notice=notice, defaults={"connection": connection, "resolved_at": resolved_at, "recorded_at": now}
    )


# --- the help message ---


def schedule() -> retry.Schedule:
    """The webhooks' schedule (ADR 0008): times 3 from 10 s, capped at 6 h, 12 attempts over a day and more."""
    return webhook_delivery.schedule()


def _enqueue(pk: int, run_after: datetime | None = None) -> None:
    from relais.integrations.tasks import send_help_message

    if run_after is None:
        send_help_message.enqueue(pk)
    elif send_help_message.get_backend().supports_defer:
        send_help_message.using(run_after=due_at(run_after)).enqueue(pk)
    # else (the immediate backend): `relais mastodon sweep` sends what is due.


def help_text(*, username: str, language: str, link: str) -> str:
    """The message: the reporter alone mentioned, in their language, the link to their page. Nothing from the
    report itself (the reported account is never named, so never notified)."""
    with translation.override("fr" if language.lower().startswith("fr") else "en"):
        return _(
            "@{username} Thank you for your report. Help exists: people can listen to you and advise you, "
            "free of charge. Your private page (keep it to yourself): {link}"
        ).format(username=username, link=link)


def attempt_help_message(pk: int) -> str:
    """The `send_help_message` task: one attempt, if the message is still to send and due. Safe to run twice:
    a sent message is never sent again, and the instance dedupes on the Idempotency-Key (Mastodon keeps it
    an hour) should two workers race."""
    now = clock.now()
    message = HelpMessage.objects.select_related("connection", "report").filter(pk=pk).first()
    if message is None:
        return "gone"
    if message.status != HelpMessage.Status.PENDING:
        return f"already {message.status}"
    if message.next_attempt_at is not None and message.next_attempt_at > now:
        return "not due"
    connection = message.connection
    link = links.reporter_url(message.report)
    if link is None:
        HelpMessage.objects.filter(pk=pk).update(status=HelpMessage.Status.FAILED, last_error="link revoked")
        return "link revoked: not sent"
    if connection.kind == Kind.DISCOURSE:
        return _record(message, _discourse_private_message(message, link), clock.now())
    if connection.kind == Kind.MATRIX:
        return _record(message, _matrix_server_notice(message, link), clock.now())
    if connection.kind == Kind.BLUESKY:
        from relais.integrations.bluesky import chat  # it builds on this module

        sent = chat.send(message, link)
        if isinstance(sent, chat.NotAllowed):
            return _record_not_allowed(message, sent.why)
        return _record(message, sent, clock.now())
    body = json.dumps(
        {
            "status": help_text(username=message.recipient, language=message.language, link=link),
            "visibility": "direct",
            "language": "fr" if message.language.lower().startswith("fr") else "en",
        }
    ).encode()
    headers = {
        "Authorization": f"Bearer {unseal(connection, 'token')}",
        "Content-Type": "application/json",
        "Idempotency-Key": f"relais-help-{message.report_id}",
        "User-Agent": "Relais",
    }
    response = webhook_transport.post(f"{connection.instance_url}/api/v1/statuses", body, headers)
    return _record(message, response, clock.now())


def help_title(language: str) -> str:
    """The private message's title on Discourse (which requires one): it says what the message is about."""
    with translation.override("fr" if language.lower().startswith("fr") else "en"):
        return _("Your report: help exists")


def _discourse_private_message(message: HelpMessage, link: str) -> webhook_transport.Response:
    """`POST /posts.json` with `archetype=private_message` to the flagger alone, as the API user. Discourse has
    no idempotency key: a sent message is marked sent at once, and only a pending one is ever attempted."""
    connection = message.connection
    body = json.dumps(
        {
            "title": help_title(message.language),
            "raw": help_text(username=message.recipient, language=message.language, link=link),
            "archetype": "private_message",
            "target_recipients": message.recipient,
        }
    ).encode()
    headers = {
        "Api-Key": unseal(connection, "token"),
        "Api-Username": connection.api_username or "system",
        "Content-Type": "application/json",
        "User-Agent": "Relais",
    }
    return webhook_transport.post(f"{connection.instance_url}/posts.json", body, headers)


def _record(message: HelpMessage, response: webhook_transport.Response, now: datetime) -> str:
    outcome = retry.Outcome.GIVE_UP if response.refused else retry.classify(response.status_code)
    if response.status_code == 401 or response.status_code == 403:
        outcome = retry.Outcome.GIVE_UP  # a revoked or under-scoped token: a person must renew it
    message.attempts += 1
    message.last_status_code = response.status_code
    message.last_error = response.error[:300]
    if outcome == retry.Outcome.DELIVERED:
        message.status = HelpMessage.Status.SENT
        message.sent_at = now
        message.next_attempt_at = None
    else:
        later = None
        if outcome == retry.Outcome.RETRY:
            later = schedule().next_attempt(
                attempts_made=message.attempts,
                now=now,
                rand=random.random(),  # noqa: S311 - jitter, not a secret
                retry_after=retry.parse_retry_after(response.retry_after, now),
            )
        if later is None:
            message.status = HelpMessage.Status.FAILED
            message.next_attempt_at = None
            why = "not retried" if outcome == retry.Outcome.GIVE_UP else f"gave up after {message.attempts} attempts"
            message.last_error = f"{response.error} ({why})"[:300]
            logger.warning("integrations: help message %s failed: %s", message.pk, message.last_error)
        else:
            message.next_attempt_at = later
            transaction.on_commit(partial(_enqueue, message.pk, later), robust=True)
    HelpMessage.objects.filter(pk=message.pk, status=HelpMessage.Status.PENDING).update(
        status=message.status,
        attempts=message.attempts,
        last_status_code=message.last_status_code,
        last_error=message.last_error,
        sent_at=message.sent_at,
        next_attempt_at=message.next_attempt_at,
    )
    return f"{outcome} ({response.status_code or response.error})"


def _record_not_allowed(message: HelpMessage, why: str) -> str:
    """The reporter's own settings refuse the message: recorded for the admin, never retried, not an error."""
    HelpMessage.objects.filter(pk=message.pk, status=HelpMessage.Status.PENDING).update(
        status=HelpMessage.Status.NOT_ALLOWED,
        attempts=message.attempts + 1,
        last_error=why[:300],
        next_attempt_at=None,
    )
    return f"not allowed: {why}"


def sweep(*, now: datetime, limit: int = 1000) -> int:
    """Queue every pending message that is due (a worker that died, a backend that cannot defer)."""
    return _queue_due(HelpMessage.objects.filter(status=HelpMessage.Status.PENDING), _enqueue, now, limit)


def _queue_due(pending: QuerySet[Any], enqueue: Callable[[int], None], now: datetime, limit: int) -> int:
    due = list(
        pending.filter(next_attempt_at__lte=now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        enqueue(pk)
    return len(due)


# --- media of reported statuses, kept as evidence ---


def _enqueue_fetch(pk: int, run_after: datetime | None = None) -> None:
    from relais.integrations.tasks import fetch_media

    if run_after is None:
        fetch_media.enqueue(pk)
    elif fetch_media.get_backend().supports_defer:
        fetch_media.using(run_after=due_at(run_after)).enqueue(pk)


@dataclass(frozen=True)
class Download:
    data: bytes | None
    status_code: int | None
    error: str


def download(url: str, headers: dict[str, str] | None = None) -> Download:
    """One GET (with `headers` besides the User-Agent): no redirects, no proxy from the environment, a timeout on every phase, at most the evidence
    size limit read; in production only to public addresses (as webhooks are sent)."""
    if settings.PRODUCTION:
        host = targets.host_of(url)
        try:
            addresses = targets.system_resolver(host)
        except OSError as exc:
            return Download(None, None, f"DNS: {exc}"[:300])
        if not addresses or not all(targets.public_address(a) for a in addresses):
            return Download(None, 0, f"refused: {host} resolves to a non-public address")
    limit = settings.RELAIS_EVIDENCE_MAX_BYTES
    try:
        with (
            httpx.Client(
                timeout=settings.RELAIS_WEBHOOK_TIMEOUT_SECONDS,
                follow_redirects=False,
                trust_env=False,
                proxy=settings.RELAIS_WEBHOOK_PROXY or None,
            ) as client,
            client.stream("GET", url, headers={"User-Agent": "Relais", **(headers or {})}) as answer,
        ):
            if answer.status_code != 200:
                return Download(None, answer.status_code, f"HTTP {answer.status_code}")
            chunks, size = [], 0
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if size > limit:
                    return Download(None, 0, f"larger than RELAIS_EVIDENCE_MAX_BYTES ({limit:,} bytes)")
                chunks.append(chunk)
            return Download(b"".join(chunks), 200, "")
    except httpx.TimeoutException:
        return Download(None, None, "timeout")
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return Download(None, 0, f"refused: {exc}"[:300])
    except httpx.HTTPError as exc:
        return Download(None, None, f"connection error: {type(exc).__name__}"[:300])


def attempt_media_fetch(pk: int) -> str:
    """The `fetch_media` task: fetch one picture or video and keep it as the report's evidence. Safe to run
    twice: a kept item is not fetched again, and evidence dedupes the same bytes for the same report."""
    now = clock.now()
    fetch = MediaFetch.objects.select_related("report__platform").filter(pk=pk).first()
    if fetch is None or fetch.status != MediaFetch.Status.PENDING:
        return "nothing to do"
    if fetch.next_attempt_at is not None and fetch.next_attempt_at > now:
        return "not due"
    got = download(fetch.url)
    fetch.attempts += 1
    fetch.last_error = got.error
    if got.data is not None:
        try:
            spec = EvidenceItemIn.model_validate({"kind": fetch.kind, "file": "media", "content_id": fetch.content_id})
            checked = evidence.check_upload([spec], {"media": SimpleUploadedFile("media", got.data)})
            evidence.receive_evidence(platform=fetch.report.platform, report=fetch.report, checked=checked, now=now)
        except evidence.EvidenceRefused as exc:
            fetch.status, fetch.last_error = MediaFetch.Status.FAILED, str(exc)[:300]
        else:
            fetch.status = MediaFetch.Status.KEPT
        fetch.next_attempt_at, fetch.finished_at = None, now
    else:
        later = None
        if retry.classify(got.status_code) == retry.Outcome.RETRY:
            later = schedule().next_attempt(attempts_made=fetch.attempts, now=now, rand=random.random())  # noqa: S311
        if later is None:
            fetch.status, fetch.next_attempt_at, fetch.finished_at = MediaFetch.Status.FAILED, None, now
        else:
            fetch.next_attempt_at = later
            transaction.on_commit(partial(_enqueue_fetch, fetch.pk, later), robust=True)
    fetch.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "finished_at"])
    return f"{fetch.status} ({got.status_code or got.error})"


# --- Discourse: a flag stored at once, completed from the forum's review API after ---


def take_in_flag(
    *,
    connection: Connection,
    data: ReportIn,
    help_card: dict[str, Any],
    flag: discourse.Flag,
    now: datetime,
) -> Received:
    """The flag as the webhook carried it, through the shared path — stored before anything slow, so the
    reporter's help never waits on the forum — and, for a new report, the one call to the forum's review API
    queued after commit (the post's author, the flagger's username when the webhook named only an id). A flag
    the forum's moderators have acted on is recorded as resolved on the platform, once."""
    with transaction.atomic():
        received = take_in(
            connection=connection,
            data=data,
            help_card=help_card,
            help_to=flag.flagger_username or None,
            # Discourse's reviewable has no time of its transition: the delivery's is the nearest.
            resolved_at=now if flag.dealt_with else None,
            now=now,
        )
        if received.created:
            fetch = PostFetch.objects.create(
                connection=connection,
                report=received.report,
                reviewable_id=flag.reviewable_id,
                created_at=now,
                next_attempt_at=now,
            )
            transaction.on_commit(partial(_enqueue_post_fetch, fetch.pk), robust=True)
    return received


def _enqueue_post_fetch(pk: int, run_after: datetime | None = None) -> None:
    from relais.integrations.tasks import fetch_post

    if run_after is None:
        fetch_post.enqueue(pk)
    elif fetch_post.get_backend().supports_defer:
        fetch_post.using(run_after=due_at(run_after)).enqueue(pk)


def sweep_post_fetches(*, now: datetime, limit: int = 1000) -> int:
    """Queue every call to a forum's API that is due (a worker that died, a backend that cannot defer)."""
    return _queue_due(PostFetch.objects.filter(status=PostFetch.Status.PENDING), _enqueue_post_fetch, now, limit)


def discourse_defaults(connection: Connection) -> discourse.Defaults:
    return discourse.Defaults(
        forum_url=connection.instance_url,
        forum_host=(urlsplit(connection.instance_url).hostname or "").lower(),
        category_map=connection.category_map,
        language_fallback=connection.language_fallback,
    )


def attempt_post_fetch(pk: int) -> str:
    """The `fetch_post` task: one call to `GET /review/<id>.json`; fills what the stored item lacks (never
    overwrites what the webhook gave), takes the item's fingerprint again, and queues the flagger's help
    message if none exists yet. Retried with the webhooks' schedule while the forum is down."""
    now = clock.now()
    fetch = PostFetch.objects.select_related("connection", "report").filter(pk=pk).first()
    if fetch is None or fetch.status != PostFetch.Status.PENDING:
        return "nothing to do"
    if fetch.next_attempt_at is not None and fetch.next_attempt_at > now:
        return "not due"
    connection = fetch.connection
    headers = {
        "Api-Key": unseal(connection, "token"),
        "Api-Username": connection.api_username or "system",
        "Accept": "application/json",
    }
    got = download(f"{connection.instance_url}/review/{fetch.reviewable_id}.json", headers)
    fetch.attempts += 1
    fetch.last_error = got.error
    review = None
    if got.data is not None:
        try:
            review = discourse.read_review(json.loads(got.data), discourse_defaults(connection))
        except (ValueError, discourse.Unmappable) as exc:
            fetch.status, fetch.last_error = PostFetch.Status.FAILED, f"unreadable answer: {exc}"[:300]
            fetch.next_attempt_at, fetch.finished_at = None, now
    with transaction.atomic():
        if review is not None:
            _complete(fetch, review, now)
            fetch.status, fetch.next_attempt_at, fetch.finished_at = PostFetch.Status.DONE, None, now
        elif fetch.status == PostFetch.Status.PENDING:
            later = None
            if retry.classify(got.status_code) == retry.Outcome.RETRY:
                later = schedule().next_attempt(attempts_made=fetch.attempts, now=now, rand=random.random())  # noqa: S311
            if later is None:
                fetch.status, fetch.next_attempt_at, fetch.finished_at = PostFetch.Status.FAILED, None, now
            else:
                fetch.next_attempt_at = later
                transaction.on_commit(partial(_enqueue_post_fetch, fetch.pk, later), robust=True)
        fetch.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "finished_at"])
    return f"{fetch.status} ({got.status_code or got.error})"


def _complete(fetch: PostFetch, review: discourse.Review, now: datetime) -> None:
    item = ReportedContent.objects.filter(report=fetch.report).order_by("position").first()
    if item is not None:
        changed = False
        for name in ("text", "author_handle", "author_profile_url"):
            if not getattr(item, name) and getattr(review, name):
                setattr(item, name, getattr(review, name))
                changed = True
        if changed:
            item.sha256 = reported.content_sha256(canonical_of(item))
            item.save(update_fields=["text", "author_handle", "author_profile_url", "sha256"])
    connection = fetch.connection
    if (
        connection.send_help
        and review.flagger_username
        and not HelpMessage.objects.filter(report=fetch.report).exists()
    ):
        message = HelpMessage.objects.create(
            connection=connection,
            report=fetch.report,
            recipient=review.flagger_username,
            language=fetch.report.reporter_language,
            created_at=now,
            next_attempt_at=now,
        )
        transaction.on_commit(partial(_enqueue, message.pk), robust=True)


# --- Matrix: a poller on Synapse's admin API, help by server notice (ADR 0029) ---

MATRIX_PAGE_SIZE = 100
MATRIX_MAX_PAGES = 1000
MATRIX_MAX_PER_POLL = 500
"""A backlog larger than this is taken in over several polls, oldest first (the cursor moves with each)."""


@dataclass(frozen=True)
class Polled:
    stored: int
    already: int
    error: str
    """Empty when the poll went through; else what stopped it, as kept on the connection for the admin."""


def matrix_defaults(connection: Connection) -> matrix.Defaults:
    return matrix.Defaults(
        homeserver_host=(urlsplit(connection.instance_url).hostname or "").lower(),
        category_map=connection.category_map,
        language_fallback=connection.language_fallback,
    )


def _synapse_failure(got: Download, what: str) -> str:
    if got.status_code in (401, 403):
        return (
            f"Synapse refused the access token (HTTP {got.status_code}) for {what}: it must be a server admin's; "
            "give a new one with `relais matrix connect … --token-stdin`"
        )
    if got.status_code == 0:
        return f"{what}: {got.error}"
    return f"Synapse did not answer {what}: {got.error}"


def poll_matrix(connection: Connection, *, now: datetime) -> Polled:
    """One poll: the event reports newer than the connection's cursor, listed newest first (`dir=b`, paged
    by `next_token` until an id the cursor has passed), then each one's details, oldest first, through the
    shared path. The cursor moves after each report is stored, so a poll cut short (Synapse down, a bad
    token) resumes where it stopped, and a report seen twice is stored once (its `platform_report_id`).

    Why newest first rather than `dir=f` from an offset: `from` is an offset, and an admin who deletes a
    handled report shifts every offset after it; ids never move."""
    base = connection.instance_url
    try:
        headers = {"Authorization": f"Bearer {unseal(connection, 'token')}", "Accept": "application/json"}
    except crypto.SealBroken:
        reason = "the token cannot be opened (RELAIS_EVIDENCE_KEYS changed?): run `relais matrix connect` again"
        return _poll_stopped(connection, 0, 0, reason, now)
    cursor = connection.poll_cursor
    new: set[int] = set()
    start = 0
    for _page in range(MATRIX_MAX_PAGES):
        got = download(f"{base}{matrix.LIST_PATH}?from={start}&limit={MATRIX_PAGE_SIZE}&dir=b", headers)
        if got.data is None:
            return _poll_stopped(connection, 0, 0, _synapse_failure(got, "the list of event reports"), now)
        try:
            page = matrix.read_page(json.loads(got.data))
        except ValueError as exc:
            return _poll_stopped(connection, 0, 0, f"unreadable list of event reports: {exc}", now)
        new.update(i for i in page.ids if i > cursor)
        if not page.ids or min(page.ids) <= cursor or page.next_token is None or page.next_token <= start:
            break
        start = page.next_token
    stored = already = 0
    defaults = matrix_defaults(connection)
    for report_id in sorted(new)[:MATRIX_MAX_PER_POLL]:
        got = download(f"{base}{matrix.LIST_PATH}/{report_id}", headers)
        if got.status_code == 404:  # deleted by an admin between the list and now
            _advance(connection, report_id)
            continue
        if got.data is None:
            return _poll_stopped(connection, stored, already, _synapse_failure(got, f"event report {report_id}"), now)
        try:
            mapped = matrix.read_details(json.loads(got.data), defaults)
            data = ReportIn.model_validate(mapped.report)
        except ValidationError as exc:
            errors = field_errors([dict(e) for e in exc.errors(include_input=False, include_url=False)])
            _skip(connection, report_id, "; ".join(f"{e['field']}: {e['message']}" for e in errors), now)
            continue
        except ValueError as exc:  # not JSON, or Unmappable: it will not become readable, so it is passed over
            _skip(connection, report_id, str(exc), now)
            continue
        help_card = help_for(data, connection.platform)
        if help_card is None:
            slug = connection.platform.slug
            reason = f"no reporter country: relais platform set {slug} --reporter-country XX"
            return _poll_stopped(connection, stored, already, reason, now)
        try:
            with transaction.atomic():
                received = take_in(
                    connection=connection,
                    data=data,
                    help_card=help_card,
                    help_to=mapped.reporter_user_id,
                    resolved_at=None,
                    now=now,
                )
                _advance(connection, report_id)
        except DatabaseError:
            logger.exception("matrix connection %s: event report %s not stored", connection.pk, report_id)
            return Polled(
                stored, already, f"event report {report_id} not stored (database error): the next poll retries"
            )
        stored, already = stored + received.created, already + (not received.created)
    Connection.objects.filter(pk=connection.pk).update(polled_at=now)
    return Polled(stored, already, "")


def skip_matrix_backlog(connection: Connection, *, now: datetime) -> str:
    """Move the cursor to the newest report Synapse holds now (the reports before a connection are left to
    the homeserver's own admins); "" or what stopped it. The one call also proves the token works."""
    headers = {"Authorization": f"Bearer {unseal(connection, 'token')}", "Accept": "application/json"}
    got = download(f"{connection.instance_url}{matrix.LIST_PATH}?from=0&limit=1&dir=b", headers)
    if got.data is None:
        return _poll_stopped(connection, 0, 0, _synapse_failure(got, "the list of event reports"), now).error
    try:
        page = matrix.read_page(json.loads(got.data))
    except ValueError as exc:
        return _poll_stopped(connection, 0, 0, f"unreadable list of event reports: {exc}", now).error
    if page.ids:
        _advance(connection, max(page.ids))
    return ""


def _advance(connection: Connection, report_id: int) -> None:
    Connection.objects.filter(pk=connection.pk, poll_cursor__lt=report_id).update(poll_cursor=report_id)
    connection.poll_cursor = max(connection.poll_cursor, report_id)


def _skip(connection: Connection, report_id: int, reason: str, now: datetime) -> None:
    note_refusal(connection, f"event report {report_id} passed over: {reason}", now)
    logger.warning("matrix connection %s: event report %s passed over: %s", connection.pk, report_id, reason)
    _advance(connection, report_id)


def _poll_stopped(connection: Connection, stored: int, already: int, reason: str, now: datetime) -> Polled:
    note_refusal(connection, reason, now)
    logger.warning("matrix connection %s: poll stopped: %s", connection.pk, reason)
    return Polled(stored, already, reason[:300])


def attempt_matrix_poll(connection_id: str) -> str:
    """The `poll_matrix` task: one poll of one connection; safe to run twice (the cursor and the dedup)."""
    connection = Connection.objects.select_related("platform").filter(pk=connection_id, kind=Kind.MATRIX).first()
    if connection is None:
        return "gone"
    polled = poll_matrix(connection, now=clock.now())
    return polled.error or f"{polled.stored} stored, {polled.already} already stored"


def notice_text(*, language: str, link: str) -> str:
    """A message in a channel of its own (Matrix's server notice, Bluesky's chat): in the reporter's language,
    their page's link; nothing from the report (the reported user is never named). It mentions nobody."""
    with translation.override("fr" if language.lower().startswith("fr") else "en"):
        return _(
            "Thank you for your report. Help exists: people can listen to you and advise you, free of charge. "
            "Your private page (keep it to yourself): {link}"
        ).format(link=link)


def _matrix_server_notice(message: HelpMessage, link: str) -> webhook_transport.Response:
    """`PUT /_synapse/admin/v1/send_server_notice/<txnId>`: the transaction id is the report's, so Synapse
    ignores a retransmission should two workers race (docs/admin_api/server_notices.md)."""
    connection = message.connection
    body = json.dumps(
        {
            "user_id": message.recipient,
            "content": {"msgtype": "m.text", "body": notice_text(language=message.language, link=link)},
        }
    ).encode()
    headers = {
        "Authorization": f"Bearer {unseal(connection, 'token')}",
        "Content-Type": "application/json",
        "User-Agent": "Relais",
    }
    url = f"{connection.instance_url}{matrix.NOTICE_PATH}/relais-help-{message.report_id}"
    return webhook_transport.post(url, body, headers, method="PUT")
