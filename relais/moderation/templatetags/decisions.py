"""Decisions in the consoles, in the console's language: `{{ decision|plain_summary }}`,
`{{ appeal|plain_appeal_summary }}` (relais.moderation.summaries; the API and webhooks use the report's)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from relais.moderation import summaries
from relais.moderation.models import Appeal, Decision

register = template.Library()


@register.filter
def plain_summary(decision: Decision) -> str:
    """What the notifier is told of the decision, as the moderator or counsellor reading the page reads it."""
    return summaries.summary_for(decision, get_language() or "")


@register.filter
def plain_appeal_summary(appeal: Appeal) -> str:
    """A decided appeal's outcome and what is in force now; an open one is said by the page itself."""
    if appeal.status == "open":
        return ""
    return summaries.appeal_summary_for(appeal, get_language() or "")
