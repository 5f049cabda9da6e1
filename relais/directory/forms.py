from __future__ import annotations

from typing import Any

import opening_hours
from django import forms
from django.utils.translation import gettext_lazy as _

from relais.directory.models import ClosureKind

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClosureForm(forms.Form):
    """A supervisor's closure or temporary hours; times are read in the helpline's zone (console_view)."""

    target = forms.ChoiceField(label=_("For"))
    kind = forms.ChoiceField(
        label=_("What changes"),
        choices=[
            (ClosureKind.CLOSED, _("Closed (holiday, outage)")),
            (ClosureKind.HOURS, _("Open on temporary hours")),
        ],
        widget=forms.RadioSelect,
        initial=ClosureKind.CLOSED,
    )
    hours = forms.CharField(
        label=_("Temporary hours"),
        required=False,
        max_length=500,
        help_text=_("Only for temporary hours. OpenStreetMap syntax, e.g. Mo-Fr 10:00-16:00"),
    )
    starts_at = forms.DateTimeField(label=_("From"), widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("Until"), widget=_DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    reason_fr = forms.CharField(
        label=_("Reason shown to reporters, in French"),
        max_length=300,
        help_text=_("e.g. Fermé le 25 décembre. En cas de danger, appelez le 112."),
    )
    reason_en = forms.CharField(
        label=_("Reason shown to reporters, in English"),
        max_length=300,
        help_text=_("e.g. Closed on 25 December. In danger, call 112."),
    )

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets  # type: ignore[attr-defined]

    def clean_hours(self) -> str:
        hours: str = self.cleaned_data.get("hours", "").strip()
        if hours and not opening_hours.validate(hours):
            raise forms.ValidationError(_("Not valid OpenStreetMap opening_hours syntax (e.g. Mo-Fr 10:00-16:00)."))
        return hours

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ClosureKind.HOURS and not data.get("hours") and "hours" not in self.errors:
            self.add_error("hours", _("Give the temporary hours."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the start."))
        return data
