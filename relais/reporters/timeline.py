"""What became of a report, as the reporter reads it: received → shared → escalated → decided → appeal.

Pure (no Django): the page's view gathers the facts, this orders them into steps, and the template says each
step in the reader's language. Why a separate module: the order and the "what can I still do" rule (the appeal
period, Art. 20 DSA, runs for a decision not to act too) are what a reporter relies on, so they are tested on
their own, at any instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class StepKind(StrEnum):
    RECEIVED = "received"
    SHARED = "shared"
    SHARE_STOPPED = "share_stopped"
    ESCALATED = "escalated"
    DECIDED = "decided"
    APPEAL_OPEN_UNTIL = "appeal_open_until"
    APPEAL_PERIOD_ENDED = "appeal_period_ended"
    APPEALED = "appealed"
    APPEAL_DECIDED = "appeal_decided"
    RESOLVED_ON_PLATFORM = "resolved_on_platform"
    WAITING = "waiting"


@dataclass(frozen=True)
class Share:
    helpline: str
    shared_at: datetime
    stopped_at: datetime | None = None


@dataclass(frozen=True)
class AppealFacts:
    received_at: datetime
    by_reporter: bool
    decided_at: datetime | None = None
    reversed: bool = False
    summary: str = ""
    summary_language: str | None = None
    """The language `summary` is written in, when Relais wrote it; None: the moderator's words, as written."""


@dataclass(frozen=True)
class DecisionFacts:
    id: str
    decided_at: datetime
    summary: str
    appeal_until: datetime
    on_reporters_notice: bool
    """A decision on the reporter's own notice (they may appeal it), not on a helpline's escalation."""
    appeals: tuple[AppealFacts, ...] = ()
    summary_language: str | None = None


@dataclass(frozen=True)
class NoticeFacts:
    escalated_by: str | None
    """The helpline's name for an escalation; None for the reporter's own notice."""
    received_at: datetime
    decision: DecisionFacts | None = None
    resolved_on_platform_at: datetime | None = None
    """The platform's own moderators closed the report on their side (Mastodon's `action_taken`), outside
    Relais's decisions: the reporter then has an answer, so the page stops saying it waits for one."""


@dataclass(frozen=True)
class Step:
    kind: StepKind
    at: datetime | None
    helpline: str = ""
    summary: str = ""
    reversed: bool = False
    decision_id: str = ""
    summary_language: str | None = None


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...]
    can_appeal: tuple[str, ...] = field(default=())
    """Ids of decisions the reporter may appeal now (in force, period running, no appeal of theirs waiting)."""


def timeline(*, received_at: datetime, shares: list[Share], notices: list[NoticeFacts], now: datetime) -> Timeline:
    """The steps so far, oldest first, then what is still possible (`now` decides whether an appeal is)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    steps: list[Step] = [Step(StepKind.RECEIVED, received_at)]
    for share in shares:
        steps.append(Step(StepKind.SHARED, share.shared_at, helpline=share.helpline))
        if share.stopped_at is not None:
            steps.append(Step(StepKind.SHARE_STOPPED, share.stopped_at, helpline=share.helpline))
    can_appeal: list[str] = []
    upcoming: list[Step] = []
    for notice in notices:
        if notice.escalated_by is not None:
            steps.append(Step(StepKind.ESCALATED, notice.received_at, helpline=notice.escalated_by))
        if notice.resolved_on_platform_at is not None:
            steps.append(Step(StepKind.RESOLVED_ON_PLATFORM, notice.resolved_on_platform_at))
        decision = notice.decision
        if decision is None:
            continue
        steps.append(
            Step(
                StepKind.DECIDED,
                decision.decided_at,
                summary=decision.summary,
                decision_id=decision.id,
                summary_language=decision.summary_language,
            )
        )
        for appeal in decision.appeals:
            if appeal.by_reporter:
                steps.append(Step(StepKind.APPEALED, appeal.received_at, decision_id=decision.id))
            if appeal.decided_at is not None:
                steps.append(
                    Step(
                        StepKind.APPEAL_DECIDED,
                        appeal.decided_at,
                        summary=appeal.summary,
                        reversed=appeal.reversed,
                        summary_language=appeal.summary_language,
                    )
                )
        if not decision.on_reporters_notice:
            continue
        waiting = any(a.by_reporter and a.decided_at is None for a in decision.appeals)
        if now < decision.appeal_until:
            upcoming.append(Step(StepKind.APPEAL_OPEN_UNTIL, decision.appeal_until, decision_id=decision.id))
            if not waiting:
                can_appeal.append(decision.id)
        else:
            upcoming.append(Step(StepKind.APPEAL_PERIOD_ENDED, decision.appeal_until, decision_id=decision.id))
    if not any(n.decision is not None or n.resolved_on_platform_at is not None for n in notices):
        upcoming.append(Step(StepKind.WAITING, None))
    steps.sort(key=lambda s: (s.at is None, s.at))
    return Timeline(steps=(*steps, *upcoming), can_appeal=tuple(can_appeal))
