"""What a notifier is shown of a decision: the moderator's own words as written, else plain words in the
reader's language, written when they are read (ADR 0021).

Nothing generated is stored: `Decision.summary` holds only what a moderator wrote, so the same decision
reads « Le message a été retiré… » on a French report and "The message was removed…" on an English one, and
better wording reaches old decisions too. This module feeds plain_words.py from the database; the callers
choose the reader's language:

- the platform's API and webhooks, and a helpline's: the report's language (`notifier_language`), since
  the summary is addressed to the reporter, whom the platform shows it to and the counsellor may read it to;
- the consoles: the console's active language (the moderator or counsellor reads it).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from relais import clock
from relais.moderation import plain_words
from relais.moderation.models import Appeal, AppealStatus, Decision, Notice


def notifier_language(notice: Notice) -> str:
    """The language the notice's reporter wrote their report in (BCP 47). A purged report leaves none: the
    summary is then English (plain_words.reader_language), though nobody reads a purged report's outcome."""
    report = notice.report
    return report.reporter_language if report is not None else ""


def _content(notice: Notice) -> tuple[str, int]:
    """The kind and number of the items the notice is about (all of the report's for the reporter's own)."""
    report = notice.report
    if report is None:
        return "other", 1
    positions = set(notice.content_positions)
    items = [c for c in report.content.all() if not positions or c.position in positions]
    kinds = {c.kind for c in items}
    return (kinds.pop() if len(kinds) == 1 else "other"), max(1, len(items))


def facts_of(decision: Decision) -> plain_words.DecisionFacts:
    """The decision's facts for plain_words: its stored statement of reasons, and what the notice knows."""
    kind, count = _content(decision.notice)
    return plain_words.DecisionFacts.from_statement(
        decision.statement,
        outcome=decision.outcome,
        appeal_deadline=decision.appeal_deadline,
        zone=ZoneInfo(decision.platform.zone or "UTC"),
        content_kind=kind,
        content_count=count,
        manifestly_unfounded=decision.manifestly_unfounded,
        on_appeal=decision.on_appeal_id is not None,
    )


def summary_for(decision: Decision, language: str) -> str:
    """What the notifier is told of `decision`, for a reader of `language` (BCP 47): the moderator's own
    summary as they wrote it, else the plain words of plain_words.decision_summary."""
    own = decision.summary.strip()
    if own:
        return own
    return plain_words.decision_summary(facts_of(decision), language, clock.now())


def summary_language(decision: Decision, language: str) -> str | None:
    """`fr` or `en`: the language `summary_for` wrote in; None when it gives the moderator's words, whose
    language Relais does not know."""
    return None if decision.summary.strip() else plain_words.reader_language(language)


def _in_force_after(appeal: Appeal) -> Decision:
    """The decision in force once the appeal was decided: its replacement if reversed, else the first."""
    if appeal.status == AppealStatus.REVERSED:
        replacement = next(iter(appeal.resulting_decisions.all()), None)
        if replacement is not None:
            return replacement
    return appeal.decision


def appeal_summary_for(appeal: Appeal, language: str) -> str:
    """What the notifier is told when `appeal` is decided (upheld or reversed): who appealed, whether the
    decision stands, and what is in force now. An open appeal has no outcome to tell: ValueError."""
    if appeal.status not in (AppealStatus.UPHELD, AppealStatus.REVERSED):
        raise ValueError("the appeal is not decided yet")
    in_force = _in_force_after(appeal)
    facts = plain_words.AppealFacts(
        appellant=appeal.appellant,  # type: ignore[arg-type]  # the model's two choices
        status=appeal.status,  # type: ignore[arg-type]  # checked above
        in_force=facts_of(in_force),
        as_written=in_force.summary,
    )
    return plain_words.appeal_summary(facts, language, clock.now())
