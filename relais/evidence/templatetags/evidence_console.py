"""The "Evidence" section of the counsellor's case page, as an inclusion tag.

The case page belongs to the handoffs console and is logged as a whole (services.view_case); this tag only
lists what was preserved — kinds, times, sizes, hashes, repeats, never the content — and links to the packs,
whose every opening is logged by views.py. Without `content` in the consent, it says so and lists nothing.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from relais.evidence.access import CONTENT_SCOPE, items_of
from relais.handoffs.models import Case

register = template.Library()


@register.inclusion_tag("evidence/_case_section.html")
def evidence_section(case: Case, scope: frozenset[str] | set[str]) -> dict[str, Any]:
    shared = CONTENT_SCOPE in scope
    items = list(items_of(case.report)) if shared and case.report is not None else []
    return {
        "shared": shared,
        "items": items,
        "repeats": sum(1 for item in items if item.repeat_of_count),
        "pdf_url": reverse("console:evidence_pdf", kwargs={"case_id": case.pk}),
        "zip_url": reverse("console:evidence_zip", kwargs={"case_id": case.pk}),
    }
