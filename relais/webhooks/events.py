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

from datetime import datetime
from typing import TYPE_CHECKING

from relais.handoffs.case_codes import display
from relais.webhooks import event_types
from relais.webhooks.services import cancel_for_subject, emit, iso

if TYPE_CHECKING:
    from relais.handoffs.models import Case
    from relais.reports.models import Report


def report_subject(report: Report) -> str:
    return f"report:{report.id}"


def case_subject(case: Case) -> str:
    return f"case:{case.id}"


def _report_ids(report: Report) -> dict[str, str]:
    return {"report_id": str(report.id), "platform_report_id": report.platform_report_id}


def report_created(report: Report) -> None:
    emit(
        event_type=event_types.REPORT_CREATED,
        subject=report_subject(report),
        platform=report.platform,
        occurred_at=report.received_at,
        data={
            **_report_ids(report),
            "category": report.category,
            "danger": report.danger,
            "received_at": iso(report.received_at),
        },
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
