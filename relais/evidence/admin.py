"""Read-only views for operators: what was purged, and what is kept. Evidence is never edited by hand."""

from __future__ import annotations

from django.contrib import admin

from relais.evidence.models import EvidenceItem, PurgeRecord
from relais.handoffs.admin import ReadOnly


@admin.register(PurgeRecord)
class PurgeRecordAdmin(ReadOnly):
    list_display = (
        "at",
        "trigger",
        "reports",
        "evidence_items",
        "evidence_bytes",
        "cases",
        "oldest_days",
        "blobs_left",
    )


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnly):
    """Metadata only (kind, sizes, hashes, key): the content stays sealed."""

    list_display = ("report", "position", "kind", "media_type", "size", "received_at", "key_id", "repeat_of_count")
    list_filter = ("kind", "key_id")
    exclude = ("storage_name", "author_profile_url")
