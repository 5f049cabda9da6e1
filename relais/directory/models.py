from __future__ import annotations

import opening_hours
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
