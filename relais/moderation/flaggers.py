"""Whether a helpline's escalation counts as a trusted flagger's notice (DSA Art. 22). Pure.

Art. 22(1) gives priority to notices from trusted flaggers "acting within their designated area of
expertise". The status is awarded by one Member State's Digital Services Coordinator (Art. 22(2): Arcom
for e-Enfance, 6 Nov 2024) and is recognised by every provider in the Union, so a French flagger counts
for a platform established in Ireland. A status can also be recorded for a single country (a national
scheme outside the DSA, or a platform's own programme): then it counts only there.

Without the status an escalation is still a notice — `SOURCE_TYPE_OTHER_NOTIFICATION` — decided in the
ordinary order; the counsellor is told why before sending.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from relais.moderation.statement_of_reasons import TERRITORIES

EU_WIDE = "EU"
"""A status awarded under the DSA: valid in the whole Union (and, through the EEA, IS, LI, NO)."""


@dataclass(frozen=True)
class Status:
    authority: str
    awarded_in: str
    scope: str
    """`EU` for a DSA status, or one ISO country code where the status alone applies."""
    areas: frozenset[str]
    """Report categories within the flagger's designated area of expertise."""
    awarded_on: date
    revoked_on: date | None = None


@dataclass(frozen=True)
class Standing:
    trusted: bool
    reason: str
    authority: str | None = None


def standing(statuses: Iterable[Status], *, platform_country: str, category: str, on: date) -> Standing:
    """The first status that covers this platform, category and day; otherwise why none does."""
    reasons: list[str] = []
    for status in statuses:
        if status.awarded_on > on or (status.revoked_on is not None and status.revoked_on <= on):
            reasons.append(f"the status from {status.authority} is not in force on {on.isoformat()}")
        elif not _covers(status.scope, platform_country):
            reasons.append(
                f"the status from {status.authority} does not cover a platform established in "
                f"{platform_country or 'an unknown country'}"
            )
        elif category not in status.areas:
            reasons.append(f"{category} is outside the area of expertise designated by {status.authority}")
        else:
            return Standing(True, f"trusted flagger designated by {status.authority}", status.authority)
    return Standing(False, "; ".join(reasons) or "the helpline holds no trusted-flagger status")


def _covers(scope: str, platform_country: str) -> bool:
    if scope == EU_WIDE:
        return platform_country in TERRITORIES
    return scope == platform_country
