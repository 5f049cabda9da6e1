"""A case's status, and which moves a counsellor may make.

new → in progress → escalated → closed, with the moves real work needs: a case can be closed from any
open state (the child got what they needed on the first call), an escalation can come back to in
progress (the platform answered, the follow-up goes on), and a closed case can be reopened (the child
called again). A case never goes back to "new": someone has looked at it.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    CLOSED = "closed"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.ESCALATED, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.ESCALATED, Status.CLOSED}),
    Status.ESCALATED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}
OPEN = frozenset({Status.NEW, Status.IN_PROGRESS, Status.ESCALATED})


class TransitionError(ValueError):
    def __init__(self, current: Status, wanted: Status) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        super().__init__(f"a case that is {current} cannot become {wanted} (allowed: {allowed})")
        self.current = current
        self.wanted = wanted


def check_transition(current: Status | str, wanted: Status | str) -> Status:
    """The new status if the move is allowed; raises TransitionError otherwise (staying put is allowed)."""
    current, wanted = Status(current), Status(wanted)
    if wanted != current and wanted not in TRANSITIONS[current]:
        raise TransitionError(current, wanted)
    return wanted
