"""Reading a help card the way the reporter's page speaks it (pure: the card is the API's JSON).

Routing already puts the lines reachable now first, so at night the big button silently becomes another
service. A reporter who was told "call the 3018" deserves to be told that the 3018 is closed and when it
opens, before being offered what is open now (issue 12). The specialist is the first line on the card whose
topics name the harm and that is not a general line (a child helpline takes any worry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

CONTACT_KINDS = frozenset({"phone", "chat", "sms", "app", "messaging"})


@dataclass(frozen=True)
class SpecialistClosed:
    helpline_id: str
    name: str
    opens_at: datetime
    """Aware, in the card's zone."""


def specialist_closed(card: dict[str, Any], category: str) -> SpecialistClosed | None:
    """The harm's specialist when none of its ways to reach a person is open now, with its next opening."""
    for line in card.get("helplines", []):
        topics = line.get("topics", [])
        if category not in topics or "general" in topics:
            continue
        contacts = [c for c in line.get("channels", []) if c.get("kind") in CONTACT_KINDS]
        if not contacts or any(c.get("open_now") for c in contacts):
            return None
        openings = [datetime.fromisoformat(c["opens_at"]) for c in contacts if c.get("opens_at")]
        if not openings:
            return None
        return SpecialistClosed(
            helpline_id=str(line.get("id", "")), name=str(line.get("name", "")), opens_at=min(openings)
        )
    return None


def day_word(opens: date, today: date) -> str:
    """`today`, `tomorrow` or `weekday`: which phrase says the day of an opening."""
    delta = (opens - today).days
    if delta <= 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    return "weekday"
