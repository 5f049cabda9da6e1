from __future__ import annotations

import uuid
from datetime import date, datetime

from django.db import connection, models

from relais.directory.schema import CATEGORIES
from relais.evidence.sealed_text import SealedTextField
from relais.reports import reach
from relais.tenants.models import Platform

CONTENT_KINDS = ("message", "post", "comment", "profile", "image", "video", "live", "other")


class Report(models.Model):
    """A platform's harassment report, which is also a DSA Art. 16 notice.

    Minimisation: only what routing and a later handoff need is kept about the reporter — country,
    language, age, zone and the platform's opaque pseudonym, never a name or contact detail. The country is
    the platform's default when the report gave none (`reporter_country_assumed`, ADR 0019); the zone is
    only what the report gave (blank: the platform's default zone, else the country's, see
    `services.help_request_for`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="reports")
    platform_report_id = models.CharField(max_length=200)
    category = models.CharField(max_length=40, choices=[(c, c) for c in CATEGORIES])
    danger = models.CharField(max_length=10, choices=[("none", "none"), ("immediate", "immediate")], default="none")
    reporter_country = models.CharField(max_length=2)
    reporter_country_assumed = models.BooleanField(
        default=False, help_text="The report gave no country: this is the platform's default for its reporters."
    )
    reporter_language = models.CharField(max_length=35)
    reporter_age = models.PositiveSmallIntegerField(null=True, blank=True)
    reporter_timezone = models.CharField(max_length=64, blank=True)
    reporter_pseudonym = models.CharField(max_length=200, blank=True)
    description = SealedTextField(blank=True, max_length=5000, context="reports.Report.description")
    reported_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    help_card = models.JSONField(help_text="The help card returned to the platform, as shown to the reporter.")
    legal_hold = models.BooleanField(
        default=False, help_text="Kept past retention (a police or court request) until the hold is lifted."
    )
    legal_hold_reason = models.CharField(max_length=500, blank=True)
    legal_hold_set_at = models.DateTimeField(null=True, blank=True)
    reporter_link_salt = models.CharField(
        max_length=32, blank=True, editable=False, help_text="Salt of the reporter's private link; blank: revoked."
    )
    reporter_link_digest = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="SHA-256 of the reporter's link token (the token itself is never stored). ADR 0017.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_report_id"], name="report_unique_per_platform"),
            models.CheckConstraint(condition=models.Q(category__in=CATEGORIES), name="report_category_valid"),
            models.CheckConstraint(condition=models.Q(danger__in=["none", "immediate"]), name="report_danger_valid"),
            models.CheckConstraint(
                condition=models.Q(reporter_age__isnull=True) | models.Q(reporter_age__lte=120),
                name="report_age_plausible",
            ),
        ]
        indexes = [models.Index(fields=["platform", "-received_at"], name="report_platform_recent")]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.platform_report_id} ({self.category})"


class ReportedContent(models.Model):
    """One reported item as the platform described it: what was said, by whom (as shown), when, where.

    The platform's description is evidence too, often the only copy once the author deletes the message: its
    fingerprint (`sha256`) is taken at intake and checked on every evidence pack. Uploaded files are evidence's.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="content")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=[(k, k) for k in CONTENT_KINDS])
    url = models.URLField(max_length=2048, blank=True)
    content_id = models.CharField(max_length=200, blank=True)
    text = SealedTextField(blank=True, max_length=10000, context="reports.ReportedContent.text")
    author_handle = models.CharField(max_length=200, blank=True, help_text="The author's name as shown.")
    author_profile_url = models.URLField(max_length=2048, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the item's canonical form (relais/evidence/reported.py), taken at intake; "
        "empty for items received before it was.",
    )

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="content_position_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=CONTENT_KINDS), name="content_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.content_id or self.url}"


class ReachCount(models.Model):
    """How many reporters reached one step of the way to help, per (platform, country, helpline, ISO week).

    Counts only, never a row per reporter (ADR 0038): the funnel help shown → tapped → shared → escalated →
    decided is read from here. `bump` adds to a count in one statement, inside the transaction of the act it
    counts (a share, an escalation, a decision) or of the platform's event (`POST /reports/{id}/events`).
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="reach_counts")
    country = models.CharField(max_length=2, help_text="The reporter's country (the report's, as routed).")
    helpline = models.CharField(max_length=100, help_text="The helpline's directory id, e.g. fr-3018.")
    week = models.DateField(help_text="Monday of the ISO week, in the platform's zone.")
    step = models.CharField(max_length=12, choices=[(s, s) for s in reach.STEPS])
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "week", "country", "helpline", "step"], name="reach_one_cell"),
            models.CheckConstraint(condition=models.Q(step__in=reach.STEPS), name="reach_step_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.week} {self.country} {self.helpline} {self.step}: {self.count}"

    @classmethod
    def record(cls, *, platform: Platform, country: str, helplines: list[str], step: str, at: datetime) -> None:
        """One more reporter at `step` for each of `helplines`, in the week `at` falls in for the platform."""
        week = reach.week_of(at, reach.zone_named(platform.zone))
        cls.bump(platform_id=platform.pk, country=country, helplines=helplines, step=step, week=week)

    @classmethod
    def bump(cls, *, platform_id: int, country: str, helplines: list[str], step: str, week: date) -> None:
        """Add one to each helpline's cell, creating it at 1: `INSERT … ON CONFLICT DO UPDATE`, which SQLite
        (3.24+) and PostgreSQL both speak, so two concurrent bumps never lose one nor collide."""
        if step not in reach.STEPS:
            raise ValueError(f"unknown step {step!r}")
        if not helplines:
            return
        table = connection.ops.quote_name(cls._meta.db_table)
        params: list[int | str | date] = []
        for helpline in sorted(set(helplines)):
            params += [platform_id, country, helpline, week, step]
        rows = ", ".join(["(%s, %s, %s, %s, %s, 1)"] * (len(params) // 5))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (platform_id, country, helpline, week, step, count) VALUES {rows} "  # noqa: S608 - names are ours
                f"ON CONFLICT (platform_id, week, country, helpline, step) DO UPDATE SET count = {table}.count + 1",
                params,
            )
