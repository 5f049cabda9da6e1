"""The helpline console's forms, and the words it shows for the handoff vocabulary.

Forms check only the shape of what was typed (a date is a date, a choice is one of the choices); the
rules — which status moves are allowed, who may reassign — stay in services.py, whose HandoffError the
views show next to the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relais.directory.schema import CATEGORIES
from relais.handoffs.models import AccessEvent
from relais.handoffs.workflow import TRANSITIONS, Status
from relais.tenants.access import staff_of
from relais.tenants.models import Helpline, Role, StaffMember

STATUS_LABELS: dict[str, Promise] = {
    Status.NEW: _("New"),
    Status.IN_PROGRESS: _("In progress"),
    Status.ESCALATED: _("Escalated"),
    Status.CLOSED: _("Closed"),
}
STATUS_MOVES: dict[str, Promise] = {
    Status.IN_PROGRESS: _("Mark in progress"),
    Status.ESCALATED: _("Escalate"),
    Status.CLOSED: _("Close the case"),
}
REOPEN = _("Reopen")

CATEGORY_LABELS: dict[str, Promise] = {
    "harassment": _("Harassment"),
    "cyberbullying": _("Cyberbullying"),
    "threat": _("Threats"),
    "hate": _("Hate"),
    "sextortion": _("Sextortion"),
    "non_consensual_intimate_imagery": _("Intimate images shared without consent"),
    "impersonation": _("Impersonation"),
    "doxxing": _("Personal information exposed"),
    "self_harm": _("Self-harm"),
    "other": _("Other"),
    "grooming": _("Grooming"),
    "child_sexual_abuse_material": _("Child sexual abuse material"),
}
assert set(CATEGORY_LABELS) == set(CATEGORIES)  # noqa: S101 - one vocabulary with the API

SCOPE_LABELS: dict[str, Promise] = {
    "report": _("what happened"),
    "content": _("the reported content"),
    "description": _("the reporter's own words"),
    "help_card": _("the help card shown"),
    "pseudonym": _("the platform pseudonym"),
}

ACTION_LABELS: dict[str, Promise] = {
    AccessEvent.Action.SHARED: _("shared by the reporter"),
    AccessEvent.Action.WITHDRAWN: _("consent withdrawn"),
    AccessEvent.Action.LOOKED_UP: _("opened by its code"),
    AccessEvent.Action.VIEWED: _("viewed"),
    AccessEvent.Action.NOTE_ADDED: _("note added"),
    AccessEvent.Action.STATUS_CHANGED: _("status changed"),
    AccessEvent.Action.FOLLOW_UP_SET: _("follow-up date set"),
    AccessEvent.Action.ASSIGNED: _("assigned"),
    AccessEvent.Action.ESCALATED: _("escalated to the platform"),
    AccessEvent.Action.EVIDENCE_VIEWED: _("evidence viewed"),
    AccessEvent.Action.EVIDENCE_EXPORTED: _("evidence pack exported"),
    AccessEvent.Action.PILEON_ALERT_HANDLED: _("pile-on alert handled"),
}
SOURCE_LABELS: dict[str, Promise] = {
    "article_16": _("The reporter's own report (DSA notice)"),
    "trusted_flagger": _("Our escalation, as trusted flagger"),
    "other_notification": _("Our escalation"),
}
OUTCOME_LABELS: dict[str, Promise] = {"restricted": _("Action taken"), "no_action": _("No action")}
ROLE_LABELS: dict[str, Promise] = {Role.COUNSELLOR: _("Counsellor"), Role.SUPERVISOR: _("Supervisor")}


def error_summary(form: forms.Form) -> list[dict[str, Any]]:
    """Every error of a form, linked to its field, for the summary at the top of the page (WCAG 3.3.1).

    Both consoles show it with moderation/_errors.html (the GOV.UK Design System's error summary): a choice
    group links to its first box, any other field to itself."""
    entries: list[dict[str, Any]] = [{"anchor": None, "label": None, "message": e} for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        bound = form[name]
        grouped = bound.widget_type in ("checkboxselectmultiple", "radioselect")
        anchor = f"{bound.auto_id}_0" if grouped else bound.id_for_label
        entries.extend({"anchor": anchor, "label": bound.label, "message": error} for error in errors)
    return entries


def status_moves(current: str) -> list[tuple[str, Promise]]:
    """The buttons a case page offers: the moves workflow.py allows from `current`, in workflow order.

    "Escalated" is not a button: a case becomes escalated by sending the platform a notice (the
    escalation form), so the status never claims an escalation nobody sent."""
    allowed = TRANSITIONS[Status(current)] - {Status.ESCALATED}
    return [(s.value, REOPEN if current == Status.CLOSED else STATUS_MOVES[s]) for s in Status if s in allowed]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *STATUS_LABELS.items()]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *CATEGORY_LABELS.items()]
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Case code"),
        help_text=_(
            "The 14 digits the young person reads out, for example 4821-093-755-1627. Spaces and dashes do not matter."
        ),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )

    def __init__(self, *args: Any, digits_only: bool = True, **kwargs: Any) -> None:
        """`digits_only`: a phone or tablet shows its number pad. Off while a legacy code (with letters) can
        still find a case of the helpline (`access.legacy_codes_live`)."""
        super().__init__(*args, **kwargs)
        if digits_only:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class NoteForm(forms.Form):
    text = forms.CharField(label=_("New note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class StatusForm(forms.Form):
    status = forms.CharField(max_length=20)
    """Any text: whether the move is known and allowed is the service's answer, shown next to the buttons."""


class FollowUpForm(forms.Form):
    follow_up_on = forms.DateField(
        label=_("Follow-up date"),
        required=False,
        help_text=_("Leave empty for no follow-up."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class WellnessForm(forms.Form):
    """A console user's own wellness setting (ADR 0028): pictures blurred until revealed, or shown as sent."""

    pictures = forms.ChoiceField(
        label=_("Pictures of reported content"),
        choices=[
            ("blurred", _("Blurred and in greyscale until I choose to show them (recommended)")),
            ("shown", _("Shown as sent, in colour")),
        ],
        widget=forms.RadioSelect,
        help_text=_("Only for you. Warnings before the most distressing content are always shown."),
    )


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: StaffMember) -> str:
        user = obj.user
        return f"{user.get_full_name() or user.get_username()} ({ROLE_LABELS.get(obj.role, obj.role)})"


class AssignForm(forms.Form):
    assigned_to = StaffChoiceField(
        label=_("Assigned to"), queryset=StaffMember.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, helpline: Helpline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, StaffChoiceField)  # noqa: S101 - declared just above
        # Only this helpline's staff are offered (the service refuses anyone else too).
        field.queryset = staff_of(helpline)


GROUND_KINDS: dict[str, Promise] = {
    "illegal": _("Illegal content (name the law)"),
    "incompatible": _("Against the platform's terms (name the clause)"),
}


class EscalationForm(forms.Form):
    """A notice to the platform: what the DSA asks of a notice (Art. 16(2)), in a counsellor's words."""

    category = forms.ChoiceField(label=_("What the content is"), choices=list(CATEGORY_LABELS.items()))
    ground_kind = forms.ChoiceField(
        label=_("Why it must come down"), choices=list(GROUND_KINDS.items()), widget=forms.RadioSelect
    )
    ground = forms.CharField(
        label=_("Law or terms clause"),
        max_length=500,
        help_text=_("For example: Code pénal art. 222-33-2-2 (cyberharcèlement), or Community guidelines §4."),
    )
    explanation = forms.CharField(
        label=_("Explanation for the moderators"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why this content is illegal or against the terms. Do not add the young person's name."),
    )
    content_positions = forms.TypedMultipleChoiceField(
        label=_("Reported items concerned"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    urgent = forms.BooleanField(label=_("Urgent: the young person is in danger now"), required=False)

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["content_positions"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - declared just above
        field.choices = items
