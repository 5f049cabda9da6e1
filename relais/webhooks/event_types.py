"""The events Relais sends, who may subscribe to which, and the payload version. Pure.

Event types are dot-delimited (Standard Webhooks). A type's payload schema is stable within a `version`
(in `data.version`); an incompatible change gets a new version, announced before it is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime

VERSION = 1

REPORT_CREATED = "report.created"
REPORT_SHARED = "report.shared"
SHARE_WITHDRAWN = "report.share_withdrawn"
CASE_STATUS_CHANGED = "case.status_changed"
NOTICE_ESCALATED = "notice.escalated"
NOTICE_DECIDED = "notice.decided"
APPEAL_DECIDED = "appeal.decided"
PILEON_AGAINST_MINOR = "pileon.against_minor"

SENT = (
    REPORT_CREATED,
    REPORT_SHARED,
    SHARE_WITHDRAWN,
    CASE_STATUS_CHANGED,
    NOTICE_ESCALATED,
    NOTICE_DECIDED,
    APPEAL_DECIDED,
    PILEON_AGAINST_MINOR,
)
ALL = SENT

FOR_PLATFORMS = frozenset(ALL) - {PILEON_AGAINST_MINOR}
FOR_HELPLINES = frozenset(ALL) - {REPORT_CREATED}
"""A helpline hears of a report only once the reporter shares it; only a helpline hears of a pile-on against a
child (the platform has it in its queue)."""


def check_event_types(requested: list[str], *, helpline: bool) -> list[str]:
    """The requested types, deduplicated in a stable order; ValueError naming what cannot be subscribed."""
    allowed = FOR_HELPLINES if helpline else FOR_PLATFORMS
    unknown = [t for t in requested if t not in ALL]
    if unknown:
        raise ValueError(f"unknown event type {', '.join(unknown)} (known: {', '.join(ALL)})")
    refused = [t for t in requested if t not in allowed]
    if refused:
        raise ValueError(f"{', '.join(refused)} is not sent to {'helplines' if helpline else 'platforms'}")
    if not requested:
        raise ValueError("subscribe to at least one event type")
    return list(dict.fromkeys(requested))


def iso(instant: datetime) -> str:
    """The events' timestamps: UTC, with a `Z` (what Standard Webhooks and most receivers parse)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
