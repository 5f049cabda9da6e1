"""Retention against the real database and storage: what `relais purge --dry-run` shows, what the purge
deletes (rows and stored files), what it never touches (legal holds, open cases), and what it records."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from relais import clock
from relais.evidence.models import CustodyEvent, EvidenceItem, PurgeRecord
from relais.evidence.tasks import purge_expired
from relais.handoffs import services as handoffs
from relais.handoffs.models import AccessEvent, Case, CaseNote, Consent
from relais.reports.models import Report, ReportedContent
from relais.tenants.models import Helpline
from tests.test_api import post, report_body
from tests.test_evidence import (  # noqa: F401  (fixtures)
    JPEG,
    PNG,
    TEXT,
    evidence_store,
    full_upload,
    helpline,
    share,
    stored_files,
)

pytestmark = pytest.mark.django_db
T0 = datetime.fromisoformat("2026-01-10T10:00:00+01:00")


def at(days: float) -> time_machine.travel:
    return time_machine.travel(T0 + timedelta(days=days), tick=False)


@dataclass
class Reports:
    """A — never shared; B — on legal hold; C — its case still open; D — its case closed on day 200;
    E — received on day 100."""

    a: str
    b: str
    c: str
    d: str
    e: str


def send(api: Client, ident: str) -> str:
    report_id = str(post(api, report_body(platform_report_id=ident)).json()["id"])
    assert full_upload(api, report_id).status_code == 201
    return report_id


@pytest.fixture
def reports(api: Client, helpline: Helpline) -> Reports:
    with at(0):
        a, b, c, d = (send(api, ident) for ident in "abcd")
        api.post(f"/api/v1/reports/{b}/legal-hold", {"reason": "PV 2026/77"}, content_type="application/json")
        share(api, c)
        share(api, d)
    case_d = Case.objects.get(report_id=d)
    with at(200):
        handoffs.add_note(actor=handoffs.Actor.api_key(helpline), case=case_d, text="Clos.", now=clock.now())
        handoffs.set_status(actor=handoffs.Actor.api_key(helpline), case=case_d, status="closed", now=clock.now())
    with at(100):
        e = send(api, "e")
    return Reports(a, b, c, d, e)


def dry_run() -> str:
    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    return out.getvalue()


def remaining() -> set[str]:
    return {str(pk) for pk in Report.objects.values_list("pk", flat=True)}


def test_the_dry_run_shows_what_would_go_and_deletes_nothing(reports: Reports, evidence_store: Path) -> None:
    with at(364):
        assert dry_run().endswith(
            "0 reports would be purged (retention 365 days): 0 evidence items, 0 kB, 0 closed cases.\n"
        )
    with at(366):
        output = dry_run()
    assert output.splitlines()[0].startswith(f"{reports.a}\t366 days since it was received\t3 evidence items (")
    assert output.splitlines()[-1].startswith("1 reports would be purged (retention 365 days): 3 evidence items")
    for other in (reports.b, reports.c, reports.d, reports.e):
        assert other not in output
    assert "t'es nul" not in output
    assert len(remaining()) == 5
    assert len(stored_files(evidence_store)) == 15
    assert not PurgeRecord.objects.exists()


def test_the_purge_deletes_due_reports_with_their_files_and_records_only_counts(
    reports: Reports, evidence_store: Path
) -> None:
    with at(366):
        out = io.StringIO()
        call_command("purge", stdout=out)
    assert "1 reports purged" in out.getvalue()
    assert remaining() == {reports.b, reports.c, reports.d, reports.e}
    assert not EvidenceItem.objects.filter(report_id=reports.a).exists()
    assert not ReportedContent.objects.filter(report_id=reports.a).exists()
    assert not CustodyEvent.objects.filter(report_id=reports.a).exists()
    assert not (evidence_store / reports.a).exists()  # no empty folder naming a purged report
    assert len(stored_files(evidence_store)) == 12
    record = PurgeRecord.objects.get()
    assert (record.reports, record.evidence_items, record.cases, record.oldest_days, record.blobs_left) == (
        1,
        3,
        0,
        366,
        0,
    )
    assert record.evidence_bytes == len(PNG) + len(JPEG) + len(TEXT.encode())
    assert record.trigger == "relais purge"
    assert record.reason == "retention: 365 days after receipt or after the last case closed"
    written = " ".join(str(getattr(record, field.name)) for field in PurgeRecord._meta.fields)
    for report_id in (reports.a, reports.b, reports.c, reports.d, reports.e):
        assert report_id not in written


def test_a_closed_case_restarts_the_clock_and_goes_with_its_report(reports: Reports) -> None:
    case_d = Case.objects.get(report_id=reports.d)
    with at(564):
        assert purge_expired.call() == 2  # A and E: a year after they were received
    assert remaining() == {reports.b, reports.c, reports.d}
    with at(566):
        assert purge_expired.call() == 1  # D: a year after its case closed
    assert remaining() == {reports.b, reports.c}
    assert not Case.objects.filter(pk=case_d.pk).exists()
    assert not CaseNote.objects.filter(case_id=case_d.pk).exists()
    assert not AccessEvent.objects.filter(case_id=case_d.pk).exists()
    assert not Consent.objects.filter(report_id=reports.d).exists()
    assert PurgeRecord.objects.order_by("at").last().cases == 1  # type: ignore[union-attr]


def test_a_legal_hold_and_an_open_case_keep_a_report_until_they_end(reports: Reports, api: Client) -> None:
    with at(1000):
        purge_expired.call()
        assert remaining() == {reports.b, reports.c}
        api.delete(f"/api/v1/reports/{reports.b}/legal-hold")
        case_c = Case.objects.get(report_id=reports.c)
        handoffs.set_status(
            actor=handoffs.Actor.api_key(case_c.helpline), case=case_c, status="closed", now=clock.now()
        )
        purge_expired.call()
    assert remaining() == {reports.c}  # its case closed today: kept another year
    with at(1366):
        purge_expired.call()
    assert remaining() == set()


def test_a_withdrawn_share_counts_as_closed_from_the_withdrawal(reports: Reports, api: Client) -> None:
    with at(300):
        assert api.delete(f"/api/v1/reports/{reports.c}/share").json() == {"withdrawn": 1}
    with at(664):
        purge_expired.call()
        assert reports.c in remaining()
    with at(666):
        purge_expired.call()
        assert reports.c not in remaining()
