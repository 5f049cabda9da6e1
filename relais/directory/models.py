from __future__ import annotations

import opening_hours
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_hours(value: str) -> None:
    if value and not opening_hours.validate(value):
        raise ValidationError("Not valid OpenStreetMap opening_hours syntax (e.g. 'Mo-Su 09:00-23:00').")


class DirectoryOverride(models.Model):
    """An operator's correction on top of the versioned data files (closure, outage, changed hours).

    The data files stay the reviewed source of truth; an override is for what cannot wait for a release,
    and it carries its reason so the next data edit can absorb or drop it.
    """

    target = models.CharField(
        max_length=100, unique=True, help_text="A helpline id (fr-3018) or a channel id (fr-3018-phone)."
    )
    enabled = models.BooleanField(default=True, help_text="Untick to hide this helpline or channel from help cards.")
    hours = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_hours],
        help_text="Replacement hours (channels only), OSM syntax.",
    )
    reason = models.TextField(help_text="Why, and the source (URL) if any.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.target


class ClosureKind(models.TextChoices):
    CLOSED = "closed", "Closed"
    HOURS = "hours", "Temporary hours"


class HelplineClosure(models.Model):
    """A helpline's own notice, set by its supervisor in the console: closed, or temporary hours, from-to.

    The reason is shown to reporters on the help card, so it is written in both languages of Relais's pages.
    Rows are never deleted by the console: ending one early sets `ends_at`, so the history stays readable.
    """

    helpline = models.ForeignKey("tenants.Helpline", on_delete=models.CASCADE, related_name="closures")
    target = models.CharField(max_length=100, help_text="The helpline's directory id, or one of its channel ids.")
    kind = models.CharField(max_length=10, choices=ClosureKind.choices)
    hours = models.CharField(max_length=500, blank=True, validators=[validate_hours])
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason_fr = models.CharField(max_length=300)
    reason_en = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="closure_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="closed", hours="") | models.Q(kind="hours") & ~models.Q(hours=""),
                name="closure_hours_only_for_temporary_hours",
            ),
        ]
        indexes = [models.Index(fields=["ends_at"])]

    def __str__(self) -> str:
        return f"{self.target} {self.kind} {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"


class DirectoryVersion(models.Model):
    """One row whose counter goes up in the same transaction as any change to overrides or closures.

    Every worker reads this single row at most every RELAIS_DIRECTORY_REFRESH_SECONDS, in a background thread,
    and reloads the overrides only when the counter moved: the cheap check ADR 0002 relies on.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    counter = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="directory_version_single_row")]

    def __str__(self) -> str:
        return f"directory overrides v{self.counter}"


class DirectoryChange(models.Model):
    """The audit log of changes to the live directory made from the consoles: who, when, what, for which line."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    helpline = models.ForeignKey("tenants.Helpline", on_delete=models.CASCADE, related_name="directory_changes")
    action = models.CharField(max_length=30)
    target = models.CharField(max_length=100)
    detail = models.CharField(max_length=600, blank=True)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"
