from __future__ import annotations

import uuid

from django.db import models

from relais.evidence.sealed_text import SealedTextField
from relais.tenants.models import Helpline, Platform


class Endpoint(models.Model):
    """A URL a tenant (a platform or a helpline) asked us to POST signed events to.

    HMAC needs the signing secret itself, so it cannot be hashed; it is sealed at rest with the evidence key
    ring instead (SealedTextField, ADR 0011 "At rest"), so a database dump alone does not let anyone forge
    our signatures. It is shown to the tenant once, at creation or rotation. During a rotation the previous
    secret signs too, until `previous_secret_expires_at`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_endpoints"
    )
    helpline = models.ForeignKey(
        Helpline, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2048)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types sent to this URL.")
    secret = SealedTextField(context="webhooks.Endpoint.secret")
    previous_secret = SealedTextField(blank=True, context="webhooks.Endpoint.previous_secret")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    failure_streak = models.PositiveIntegerField(default=0, help_text="Failed attempts in a row (any success resets).")
    last_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When an attempt to it last started: whose turn is next (round robin)."
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(platform__isnull=False) & models.Q(helpline__isnull=True))
                | (models.Q(platform__isnull=True) & models.Q(helpline__isnull=False)),
                name="webhook_endpoint_one_tenant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform or self.helpline}: {self.url}"

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


class Delivery(models.Model):
    """One event for one endpoint, written in the transaction of the change that caused it.

    The integer primary key is the order of creation: deliveries with the same `subject` (the report or
    case the event is about) to the same endpoint are sent in that order. `uid` is the id tenants see.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed (dead letter)"
        CANCELLED = "cancelled", "cancelled"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, help_text="`webhook-id`: the same for every attempt and replay.")
    event_type = models.CharField(max_length=40)
    subject = models.CharField(max_length=80, help_text="The object the event is about, e.g. report:<uuid>.")
    body = models.TextField(blank=True, help_text="The JSON sent; erased when consent is withdrawn.")
    erased_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, help_text="The sender working on it now.")
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    replay_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays")

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "delivered", "failed", "cancelled"]),
                name="webhook_delivery_status_valid",
            )
        ]
        indexes = [
            models.Index(fields=["endpoint", "subject", "status", "id"], name="delivery_order"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint.url} ({self.status})"


class Attempt(models.Model):
    """One HTTP request of a delivery: what came back and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique")]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error} ({self.outcome})"
