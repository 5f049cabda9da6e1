from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from relais.handoffs import case_codes
from relais.handoffs.workflow import OPEN, Status
from relais.reports.models import Report
from relais.tenants.models import Helpline


class Consent(models.Model):
    """The reporter's consent to share a report with one helpline, as the platform recorded it.

    Kept after withdrawal (with `withdrawn_at`): it is the record of what was allowed, and when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="consents")
    helpline = models.ForeignKey(Helpline, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField(help_text="When the reporter said yes, on the platform.")
    text_version = models.CharField(max_length=100, help_text="Which consent wording the reporter saw.")
    scope = models.JSONField(help_text="What may be shown: report, content, description, help_card, pseudonym.")
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "helpline"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_helpline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.helpline}"


OPEN_FIRST = models.Case(
    models.When(status__in=sorted(s.value for s in OPEN), then=models.Value(1)),
    default=models.Value(0),
    output_field=models.SmallIntegerField(),
)
"""1 for a case still open, 0 once closed: the helpline's queue is ordered by it, then urgent, then newest."""

CASE_QUEUE_ORDER = (OPEN_FIRST, models.F("urgent"), models.F("created_at"), models.F("id"))
"""The helpline's queue, every key descending (open first, urgent first, newest first): one index, read in
order a page at a time with a keyset cursor (services.queue)."""


class Case(models.Model):
    """What a helpline works on. After a withdrawal it keeps only what the helpline wrote (its notes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=case_codes.STORED_LENGTH, unique=True)
    """Canonical (`case_codes.normalize`): fourteen digits, or eight symbols for a case shared before ADR 0016."""
    helpline = models.ForeignKey(Helpline, on_delete=models.PROTECT, related_name="cases")
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    consent = models.OneToOneField(Consent, on_delete=models.PROTECT, related_name="case")
    status = models.CharField(max_length=20, choices=[(s.value, s.value) for s in Status], default=Status.NEW)
    urgent = models.BooleanField(default=False, help_text="Danger was immediate when reported.")
    category = models.CharField(max_length=40)
    follow_up_on = models.DateField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    code_expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=[s.value for s in Status]), name="case_status_valid"),
        ]
        indexes = [
            models.Index(fields=["helpline", "status", "-created_at"], name="case_queue"),
            # The supervisor's dashboard (relais/handoffs/figures.py): a helpline's cases shared in a period.
            models.Index(fields=["helpline", "created_at"], name="case_created"),
            models.Index(
                models.F("helpline"),
                *(key.desc() for key in CASE_QUEUE_ORDER),
                condition=models.Q(withdrawn_at__isnull=True),
                name="case_queue_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.status})"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    author_label = models.CharField(max_length=200, help_text="Who wrote it, as shown (a person or an API key).")
    text = models.TextField(max_length=10000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case.code} {self.created_at:%Y-%m-%d %H:%M}"


class AccessEvent(models.Model):
    """Every look at or change to a case, by anyone. Written by the services only; never edited."""

    class Action(models.TextChoices):
        SHARED = "shared", "shared by the reporter"
        WITHDRAWN = "withdrawn", "consent withdrawn"
        LOOKED_UP = "looked_up", "opened by its code"
        VIEWED = "viewed", "viewed"
        NOTE_ADDED = "note_added", "note added"
        STATUS_CHANGED = "status_changed", "status changed"
        FOLLOW_UP_SET = "follow_up_set", "follow-up date set"
        ASSIGNED = "assigned", "assigned"
        ESCALATED = "escalated", "escalated to the platform"
        EVIDENCE_VIEWED = "evidence_viewed", "evidence viewed"
        EVIDENCE_EXPORTED = "evidence_exported", "evidence pack exported"
        PILEON_ALERT_HANDLED = "pileon_handled", "pile-on alert handled"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="access_log")
    helpline = models.ForeignKey(
        Helpline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log",
        help_text="Set for what a helpline's staff did outside any one case (a pile-on alert handled); "
        "a case's events have the case instead.",
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(helpline__isnull=False), name="access_event_about"
            ),
        ]
        indexes = [models.Index(fields=["case", "at"], name="access_by_case")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class PileOnAlertHandled(models.Model):
    """A helpline's staff member marked a pile-on alert as seen and handled (ADR 0034, addendum): it leaves
    that helpline's panel, and only that helpline's. Once per helpline and pile-on; the look is also in the
    helpline's access log (AccessEvent.Action.PILEON_ALERT_HANDLED)."""

    helpline = models.ForeignKey(Helpline, on_delete=models.CASCADE, related_name="pileon_alerts_handled")
    pileon = models.ForeignKey("moderation.PileOn", on_delete=models.CASCADE, related_name="handled_by_helplines")
    handled_at = models.DateTimeField()
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    handled_by_label = models.CharField(max_length=200, help_text="Who marked it, as shown (a person's name).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["helpline", "pileon"], name="pileon_alert_handled_once")]

    def __str__(self) -> str:
        return f"{self.helpline} handled pile-on {self.pileon_id}"


class CodeLookup(models.Model):
    """Failed code lookups, counted per person or key to slow down guessing."""

    who = models.CharField(max_length=200, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.who} {self.at}"
