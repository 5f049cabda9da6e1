from __future__ import annotations

import uuid

from django.db import models

from relais.reports.models import Report, ReportedContent

KINDS = ("text", "image", "video")


class EvidenceItem(models.Model):
    """One preserved item of a report: a message's text, a picture or a short video, as the platform sent it.

    The content itself is never in the database: it is a sealed blob in the evidence storage
    (`storage_name`, AES-GCM under `key_id`), and `sha256` is the hash of its plaintext, checked on every read.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField(help_text="1, 2, 3… in the order received, per report.")
    content = models.ForeignKey(
        ReportedContent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
        help_text="The reported item this preserves, when the platform named it by its content_id.",
    )
    kind = models.CharField(max_length=10, choices=[(k, k) for k in KINDS])
    media_type = models.CharField(max_length=60, help_text="Detected from the content, never the client's claim.")
    size = models.PositiveBigIntegerField(help_text="Bytes of plaintext.")
    sha256 = models.CharField(max_length=64)
    pdq = models.CharField(max_length=64, blank=True, help_text="PDQ hash (hex) of a picture; empty otherwise.")
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    repeat_of_count = models.PositiveIntegerField(
        default=0, help_text="Earlier reports (any platform) with the same picture by PDQ, when this one arrived."
    )
    author_handle = models.CharField(max_length=200, blank=True)
    author_profile_url = models.URLField(max_length=2048, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    original_name = models.CharField(max_length=200, blank=True, help_text="The uploaded file's name, cleaned.")
    storage_name = models.CharField(max_length=300)
    key_id = models.CharField(max_length=32, help_text="The key that sealed the blob (RELAIS_EVIDENCE_KEYS).")

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="evidence_position_unique"),
            models.UniqueConstraint(fields=["report", "sha256"], name="evidence_once_per_report"),
            models.CheckConstraint(condition=models.Q(kind__in=KINDS), name="evidence_kind_valid"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} #{self.position} ({self.kind})"


class CustodyEvent(models.Model):
    """The chain of custody: who sent, viewed, exported an item or a report's evidence, and when.

    Written by services.py only, never edited; it says who and what was done, never what the content is.
    """

    class Action(models.TextChoices):
        RECEIVED = "received", "received"
        VIEWED = "viewed", "viewed"
        EXPORTED = "exported", "exported"
        INTEGRITY_FAILED = "integrity_failed", "failed its integrity check"
        RESEALED = "resealed", "re-encrypted under a new key"
        LEGAL_HOLD_SET = "legal_hold_set", "legal hold set"
        LEGAL_HOLD_LIFTED = "legal_hold_lifted", "legal hold lifted"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="custody_log")
    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, null=True, blank=True, related_name="custody")
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=200, help_text="Who, as shown: a person, a platform, an operator.")
    party = models.CharField(max_length=200, help_text="The organisation acting: a platform, a helpline, Relais.")
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="custody_by_report")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class PurgeRecord(models.Model):
    """One retention purge: what went, how much, when and why — no content, no id of a report or a person."""

    at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    trigger = models.CharField(max_length=60, help_text="`relais purge`, or the background task.")
    reports = models.PositiveIntegerField()
    evidence_items = models.PositiveIntegerField()
    evidence_bytes = models.PositiveBigIntegerField()
    cases = models.PositiveIntegerField(help_text="Closed helpline cases deleted with their reports.")
    oldest_days = models.PositiveIntegerField(help_text="Days the oldest purged report was kept past its start.")
    blobs_left = models.PositiveIntegerField(
        default=0, help_text="Stored files that could not be deleted (swept later by `relais evidence sweep`)."
    )
    deliveries_cancelled = models.PositiveIntegerField(
        default=0, help_text="Webhook deliveries about the purged reports and cases cancelled before being sent."
    )
    deliveries_erased = models.PositiveIntegerField(
        default=0, help_text="Webhook deliveries about them whose payload was erased (the rows stay, for the log)."
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reports} reports"
