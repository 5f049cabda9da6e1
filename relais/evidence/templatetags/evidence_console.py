"""The "Evidence" section of the counsellor's case page, as an inclusion tag.

The case page belongs to the handoffs console and is logged as a whole (services.view_case); this tag only
lists what was preserved — kinds, times, sizes, hashes, repeats — and links to the packs, whose every
opening is logged by views.py. Pictures are shown through views.py (blurred by default, ADR 0028), which
writes each to the chain of custody. Without `content` in the consent, it says so and lists nothing.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from relais.evidence.access import CONTENT_SCOPE, items_of
from relais.handoffs.models import Case

register = template.Library()


@register.inclusion_tag("evidence/_case_section.html")
def evidence_section(case: Case, scope: frozenset[str] | set[str], blur: bool = True) -> dict[str, Any]:
    shared = CONTENT_SCOPE in scope
    items = list(items_of(case.report)) if shared and case.report is not None else []
    return {
        "shared": shared,
        "items": items,
        "blur": blur,
        "pictures": {
            item.position: reverse("console:evidence_picture", kwargs={"case_id": case.pk, "position": item.position})
            for item in items
            if item.kind == "image"
        },
        "repeats": sum(1 for item in items if item.repeat_of_count),
        "pdf_url": reverse("console:evidence_pdf", kwargs={"case_id": case.pk}),
        "zip_url": reverse("console:evidence_zip", kwargs={"case_id": case.pk}),
    }
