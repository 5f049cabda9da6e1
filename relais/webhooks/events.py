"""What each tenant is told when something happens: the one place that cuts event data per recipient.

Called by the reports and handoffs services inside their transactions. The rules:
- a platform hears about its own reports: that one was received, shared (with which helpline, which
  scope), withdrawn, and a case's *status* — never a helpline's notes, assignee or follow-up date;
- a helpline hears about the cases shared with it, thinly: ids, the case code, category, urgency and
  scope. The report's content and the reporter's words are read through the API, where every look is
  written to the case's access log; the platform's pseudonym of the reporter is included only when the
  reporter consented to share it (scope `pseudonym`);
- nothing that identifies the reporter goes to anyone else, and after a withdrawal the helpline's
  pending events about the case are cancelled and their stored payloads erased.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from relais.handoffs.case_codes import display
from relais.moderation import summaries
from relais.webhooks import event_types
from relais.webhooks.emit import cancel_for_subject, emit
from relais.webhooks.event_types import iso

if TYPE_CHECKING:
    from relais.handoffs.models import Case
    from relais.moderation.misuse import Verdict
    from relais.moderation.models import Appeal, Decision, Notice, PileOn
    from relais.reports.models import Report
    from relais.tenants.models import Helpline


def report_subject(report: Report) -> str:
    return f"report:{report.id}"


def case_subject(case: Case) -> str:
    return f"case:{case.id}"


def _report_ids(report: Report) -> dict[str, str]:
    return {"report_id": str(report.id), "platform_report_id": report.platform_report_id}


def report_created_data(report: Report) -> dict[str, Any]:
    """What a platform hears of its own new report (also sent by report intake on PostgreSQL)."""
    return {
        **_report_ids(report),
        "category": report.category,
        "danger": report.danger,
        "received_at": iso(report.received_at),
    }


def report_created(report: Report) -> None:
    emit(
        event_type=event_types.REPORT_CREATED,
        subject=report_subject(report),
        platform=report.platform,
        occurred_at=report.received_at,
        data=report_created_data(report),
    )


def report_shared(*, case: Case, report: Report, now: datetime) -> None:
    scope = sorted(case.consent.scope)
    helpline = case.helpline
    code = display(case.code)
    emit(
        event_type=event_types.REPORT_SHARED,
        subject=report_subject(report),
        platform=report.platform,
        occurred_at=now,
        data={
            **_report_ids(report),
            "helpline_id": helpline.directory_id,
            "case_code": code,
            "scope": scope,
            "shared_at": iso(now),
        },
    )
    for_helpline = {
        "case_id": str(case.id),
        "case_code": code,
        "category": case.category,
        "urgent": case.urgent,
        "status": str(case.status),
        "scope": scope,
        "shared_at": iso(now),
        "code_expires_at": iso(case.code_expires_at),
    }
    if "pseudonym" in scope and report.reporter_pseudonym:
        for_helpline["pseudonym"] = report.reporter_pseudonym
    emit(
        event_type=event_types.REPORT_SHARED,
        subject=case_subject(case),
        helpline=helpline,
        occurred_at=now,
        data=for_helpline,
    )


def share_withdrawn(*, case: Case, report: Report, now: datetime) -> None:
    helpline = case.helpline
    cancel_for_subject(helpline=helpline, subject=case_subject(case), reason="consent withdrawn", now=now)
    emit(
        event_type=event_types.SHARE_WITHDRAWN,
        subject=report_subject(report),
        platform=report.platform,
        occurred_at=now,
        data={**_report_ids(report), "helpline_id": helpline.directory_id, "withdrawn_at": iso(now)},
    )
    emit(
        event_type=event_types.SHARE_WITHDRAWN,
        subject=case_subject(case),
        helpline=helpline,
        occurred_at=now,
        data={"case_id": str(case.id), "case_code": display(case.code), "withdrawn_at": iso(now)},
    )


def case_status_changed(*, case: Case, before: str, now: datetime) -> None:
    emit(
        event_type=event_types.CASE_STATUS_CHANGED,
        subject=case_subject(case),
        helpline=case.helpline,
        occurred_at=now,
        data={
            "case_id": str(case.id),
            "case_code": display(case.code),
            "status": str(case.status),
            "previous_status": str(before),
            "changed_at": iso(now),
        },
    )
    report = case.report
    if report is not None:
        emit(
            event_type=event_types.CASE_STATUS_CHANGED,
            subject=report_subject(report),
            platform=report.platform,
            occurred_at=now,
            data={**_report_ids(report), "helpline_id": case.helpline.directory_id, "status": str(case.status)},
        )


# --- the trusted-flagger loop (relais/moderation) ---
#
# A platform hears everything about notices on its own reports: it decides them. A helpline hears about a
# notice only through a case it holds (an escalation it sent, or a report shared with it): the outcome and
# the redress open to the reporter, never the moderator's name, the notifier's track record or another
# helpline's notice.


def _redress(decision: Decision) -> dict[str, object]:
    """Art. 17(3)(f): the ways to contest the decision, for the platform to show the reporter."""
    return {
        "appeal_until": iso(decision.appeal_deadline),
        "internal_complaint": True,
        "out_of_court_settlement": True,
        "judicial_redress": True,
    }


def _open_cases(report: Report | None, notice: Notice) -> list[Case]:
    """The cases that hear about `notice`: every open case on its report for the reporter's own notice, only
    the escalating helpline's for an escalation (another helpline holding the report hears nothing of it)."""
    if report is None:
        return []
    cases = report.cases.filter(withdrawn_at__isnull=True)
    if notice.helpline_id is not None:
        cases = cases.filter(helpline_id=notice.helpline_id)
    return list(cases.select_related("helpline"))


def notice_escalated(*, notice: Notice, report: Report, case: Case, now: datetime) -> None:
    emit(
        event_type=event_types.NOTICE_ESCALATED,
        subject=report_subject(report),
        platform=report.platform,
        occurred_at=now,
        data={
            **_report_ids(report),
            "notice_id": str(notice.id),
            "source_type": notice.source,
            "helpline_id": case.helpline.directory_id,
            "category": notice.category,
            "urgent": notice.danger_immediate,
            "ground": notice.ground,
            "content_positions": list(notice.content_positions),
            "received_at": iso(notice.received_at),
        },
    )
    emit(
        event_type=event_types.NOTICE_ESCALATED,
        subject=case_subject(case),
        helpline=case.helpline,
        occurred_at=now,
        data={
            "case_id": str(case.id),
            "case_code": display(case.code),
            "notice_id": str(notice.id),
            "source_type": notice.source,
            "received_at": iso(notice.received_at),
        },
    )


def notice_decided(*, notice: Notice, decision: Decision, now: datetime, standing: Verdict | None) -> None:
    report = notice.report
    # The report's language for the platform and the helplines alike: the words are addressed to the
    # reporter, whom the platform shows them to and a counsellor may read them to (ADR 0021).
    language = summaries.notifier_language(notice)
    outcome = {
        "notice_id": str(notice.id),
        "decision_id": str(decision.id),
        "source_type": notice.source,
        "outcome": decision.outcome,
        "summary": summaries.summary_for(decision, language),
        "summary_language": summaries.summary_language(decision, language),
        "decided_at": iso(decision.decided_at),
        "redress": _redress(decision),
    }
    for_platform: dict[str, object] = {**outcome, "puid": decision.puid if decision.statement else None}
    if report is not None:
        for_platform.update(_report_ids(report))
    if standing is not None and standing.action != "none":
        for_platform["notifier_standing"] = {"action": str(standing.action), "reason": standing.reason}
    _tell_both(event_types.NOTICE_DECIDED, notice, for_platform, outcome, now)


def appeal_decided(*, appeal: Appeal, replacement: Decision | None, now: datetime) -> None:
    decision = appeal.decision
    notice = decision.notice
    report = notice.report
    in_force = replacement or decision
    language = summaries.notifier_language(notice)
    result = {
        "appeal_id": str(appeal.id),
        "notice_id": str(notice.id),
        "decision_id": str(decision.id),
        "appellant": appeal.appellant,
        "status": appeal.status,
        "explanation": appeal.explanation,
        "summary": summaries.appeal_summary_for(appeal, language),
        "summary_language": summaries.summary_language(in_force, language),
        "outcome": in_force.outcome,
        "replacement_decision_id": str(replacement.id) if replacement else None,
        "decided_at": iso(now),
    }
    for_platform: dict[str, object] = dict(result)
    if report is not None:
        for_platform.update(_report_ids(report))
    _tell_both(event_types.APPEAL_DECIDED, notice, for_platform, result, now)


def _tell_both(
    event_type: str, notice: Notice, for_platform: dict[str, Any], for_helplines: Mapping[str, Any], now: datetime
) -> None:
    """The platform hears of its notice; each helpline holding a case that hears of it (`_open_cases`) gets
    the helpline's cut, with its own case's id and code."""
    report = notice.report
    emit(
        event_type=event_type,
        subject=report_subject(report) if report is not None else f"notice:{notice.id}",
        platform=notice.platform,
        occurred_at=now,
        data=for_platform,
    )
    for case in _open_cases(report, notice):
        emit(
            event_type=event_type,
            subject=case_subject(case),
            helpline=case.helpline,
            occurred_at=now,
            data={"case_id": str(case.id), "case_code": display(case.code), **for_helplines},
        )


def pileon_against_minor(*, pileon: PileOn, helpline: Helpline, reports: int, category: str, now: datetime) -> None:
    """A partner helpline hears that a child is the target of a pile-on on the platform (ADR 0034): how many
    reports, since when, about what — no reporter, no target, no content (ADR 0007: none without consent)."""
    emit(
        event_type=event_types.PILEON_AGAINST_MINOR,
        subject=f"pileon:{pileon.id}",
        helpline=helpline,
        occurred_at=now,
        data={
            "pileon_id": str(pileon.id),
            "platform": pileon.platform.name,
            "reports": reports,
            "since": iso(pileon.started_at),
            "category": category,
            "formed_at": iso(pileon.formed_at),
        },
    )
