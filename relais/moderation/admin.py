"""Operators can read notices, decisions and appeals, never change them: a decision changes only on appeal,
in the console, so that the record of what was decided (and undone) stays whole. What operators do set up
is edited here: a helpline's trusted-flagger status, a platform's Transparency Database account, and a
notifier's Art. 23 standing (to lift a suspension early, say)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from relais.handoffs.admin import ReadOnly
from relais.moderation.models import (
    Appeal,
    Decision,
    Notice,
    NotifierStanding,
    TransparencyAccount,
    TrustedFlaggerStatus,
)


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ["received_at", "platform", "source", "category", "status", "danger_immediate", "claimed_label"]
    list_filter = ["platform", "source", "status", "danger_immediate"]
    fields = [
        "platform",
        "source",
        "helpline",
        "notifier",
        "category",
        "danger_immediate",
        "reporter_age",
        "ground_kind",
        "ground",
        "explanation",
        "content_positions",
        "received_at",
        "acknowledged_at",
        "status",
        "claimed_label",
        "claimed_at",
        "decided_at",
    ]


@admin.register(Decision)
class DecisionAdmin(ReadOnly):
    list_display = ["decided_at", "platform", "outcome", "moderator_label", "puid", "submitted_at"]
    list_filter = ["platform", "outcome", "manifestly_unfounded"]
    search_fields = ["puid"]
    fields = [
        "puid",
        "platform",
        "outcome",
        "moderator_label",
        "decided_at",
        "manifestly_unfounded",
        "summary",
        "statement",
        "informed_at",
        "appeal_deadline",
        "reversed_by",
        "submitted_at",
        "submission_attempts",
        "submission_error",
        "submission_due_at",
    ]


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = ["received_at", "appellant", "status", "decided_by_label", "decided_at"]
    list_filter = ["status", "appellant"]
    fields = [
        "decision",
        "appellant",
        "reason",
        "received_at",
        "status",
        "decided_by_label",
        "decided_at",
        "explanation",
    ]


@admin.register(TrustedFlaggerStatus)
class TrustedFlaggerStatusAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["helpline", "authority", "awarded_in", "scope", "awarded_on", "revoked_on"]
    list_filter = ["authority", "awarded_in", "scope"]


@admin.register(TransparencyAccount)
class TransparencyAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["platform", "base_url", "active"]  # never the token
    list_filter = ["active"]


@admin.register(NotifierStanding)
class NotifierStandingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["platform", "notifier", "warned_at", "suspended_until", "reason"]
    list_filter = ["platform"]
    search_fields = ["notifier"]
