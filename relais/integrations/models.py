"""Connections to the platforms people run (Mastodon first), and the help messages sent through them."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from relais.integrations import categories
from relais.moderation.models import Notice
from relais.reports.models import Report
from relais.tenants.models import Platform


class Kind(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    DISCOURSE = "discourse", "Discourse"
    MATRIX = "matrix", "Matrix (Synapse)"
    BLUESKY = "bluesky", "Bluesky (AT Protocol)"


def default_category_map() -> dict[str, Any]:
    """Mastodon's four categories; `violation` names rules, which each instance numbers itself (map them)."""
    return {"categories": {"spam": "other", "legal": "other", "violation": "other", "other": "other"}, "rules": {}}


def discourse_category_map() -> dict[str, Any]:
    """Discourse's flag types (PostActionType: `off_topic`, `inappropriate`, `spam`, `illegal`, `notify_user`,
    `notify_moderators`; custom flags have their own names). All `other` until the forum maps them: none of
    them says which harm it is, and `illegal` covers everything from a threat to a copyright claim — guessing
    would send a reporter to the wrong helpline (ADR 0023, Discourse)."""
    words = ("off_topic", "inappropriate", "spam", "illegal", "notify_user", "notify_moderators")
    return {"categories": dict.fromkeys(words, "other"), "rules": {}}


def matrix_category_map() -> dict[str, Any]:
    """Synapse's reports carry a free-text reason and nothing else: the keyword table of
    relais/integrations/matrix/adapter.py reads it (conservatively: `other` unless a word is plain). The map's
    `categories` add to the table or override it, word by word (lower case); `rules` are unused on Matrix."""
    return {"categories": {}, "rules": {}}


def bluesky_category_map() -> dict[str, Any]:
    """A report's `reasonType` token is read with the table of relais/integrations/bluesky/adapter.py (the
    tokens that name a harm a helpline takes; every other one is `other`). The map's `categories` override it,
    token by token (e.g. `"tools.ozone.report.defs#reasonChildSafetyGroom": "sextortion"`); `rules` are unused."""
    return {"categories": {}, "rules": {}}


def validate_category_map(value: Any) -> None:
    try:
        categories.check_map(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class Connection(models.Model):
    """One platform's instance sending us its reports. The id is the opaque part of the webhook URL: the URL
    names neither the platform nor the instance.

    The secret (checks the instance's signatures) and the token (posts the help messages) are sealed at rest
    with the evidence keys (AES-256-GCM, RELAIS_EVIDENCE_KEYS): a database dump alone gives neither.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    instance_url = models.URLField(max_length=300, help_text="https://… of the instance, without a path.")
    secret_sealed = models.BinaryField(editable=False)
    token_sealed = models.BinaryField(editable=False, blank=True)
    api_username = models.CharField(
        max_length=60,
        blank=True,
        help_text="Discourse: the Api-Username the API key acts as (the help messages come from this account).",
    )
    category_map = models.JSONField(
        default=default_category_map,
        validators=[validate_category_map],
        help_text=(
            'Mastodon\'s words → Relais categories: {"categories": {"spam": "other", …}, "rules": {"<rule id>": '
            '"hate", …}}. A rule the map names wins over the category; anything unknown is "other".'
        ),
    )
    language_fallback = models.CharField(
        max_length=35, default="en", help_text="The reporter's language when the instance does not say (BCP 47)."
    )
    send_help = models.BooleanField(
        default=False, help_text="Send local reporters a direct message saying that help exists, with their page."
    )
    poll_cursor = models.BigIntegerField(
        default=0,
        help_text="Matrix: the id of the newest event report taken in; each poll asks Synapse for the newer ones.",
    )
    polled_at = models.DateTimeField(null=True, blank=True, help_text="Matrix: the last poll that reached Synapse.")
    service_did = models.CharField(
        max_length=300,
        blank=True,
        db_index=True,
        help_text="Bluesky: the moderation service's DID, the `aud` of the reporters' JWTs (did:web:… or did:plc:…).",
    )
    plc_url = models.URLField(
        max_length=300, blank=True, help_text="Bluesky: the PLC directory that resolves did:plc reporters."
    )
    account_did = models.CharField(
        max_length=300,
        blank=True,
        help_text="Bluesky: the account the help messages come from (its app password is the sealed token).",
    )
    pds_url = models.URLField(
        max_length=300, blank=True, help_text="Bluesky: that account's PDS, from its DID document (#atproto_pds)."
    )
    session_sealed = models.BinaryField(
        editable=False,
        blank=True,
        default=b"",
        help_text="Bluesky: the account's session (access and refresh JWTs), sealed; renewed when it expires.",
    )
    created_at = models.DateTimeField()
    last_refusal_at = models.DateTimeField(null=True, blank=True)
    last_refusal = models.CharField(
        max_length=300, blank=True, help_text="The last delivery refused (bad signature, unreadable payload)."
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "instance_url"], name="integrations_one_connection_per_instance")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.instance_url} → {self.platform}"


class HelpMessage(models.Model):
    """The one message telling a reporter that help exists, sent from the connection's account.

    One per report (the unique report): a redelivery of the report finds it and sends nothing again. The text
    is not stored — it carries the reporter's private link — and is composed at each attempt.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        NOT_ALLOWED = "not_allowed", "not allowed by the reporter"
        """Bluesky: the reporter's chat settings do not take a message from the service's account."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="help_messages")
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="help_message")
    recipient = models.CharField(
        max_length=255,
        help_text="The local account's username (mentioned alone); on Matrix, the user id; on Bluesky, the DID.",
    )
    language = models.CharField(max_length=35)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="integrations_help_due")]

    def __str__(self) -> str:
        return f"help to @{self.recipient} ({self.status})"


class PlatformResolution(models.Model):
    """The instance's own moderators resolved the report (Mastodon's `action_taken`): an event on the report's
    DSA notice, from outside Relais, so the reporter's page can say the platform acted."""

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="platform_resolution")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="resolutions")
    resolved_at = models.DateTimeField(help_text="When the instance says it acted (action_taken_at).")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"resolved on the platform at {self.resolved_at:%Y-%m-%d %H:%M}"


class MediaFetch(models.Model):
    """A picture or video of a reported status, fetched from the instance by the worker and kept as evidence
    (sealed, hashed, in the packs) — after the answer, since the webhook must not wait for a download."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        KEPT = "kept", "kept as evidence"
        FAILED = "failed", "failed"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="media_fetches")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="media_fetches")
    url = models.URLField(max_length=2048)
    kind = models.CharField(max_length=10, help_text="image or video")
    content_id = models.CharField(max_length=200, help_text="The status it is attached to.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "url"], name="integrations_media_once_per_report")]

    def __str__(self) -> str:
        return f"{self.kind} of status {self.content_id} ({self.status})"


class PostFetch(models.Model):
    """Discourse: the one call to the forum's API that completes a flag stored with what the webhook carried
    (the post's text and author, the flagger's username for the help message). After the answer, on the
    worker, retried while the forum is down: the report never waits for it (ADR 0023, Discourse)."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DONE = "done", "done"
        FAILED = "failed", "failed"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="post_fetches")
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="post_fetch")
    reviewable_id = models.CharField(max_length=40, help_text="The forum's reviewable: GET /review/<id>.json.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "post fetches"

    def __str__(self) -> str:
        return f"reviewable {self.reviewable_id} ({self.status})"
