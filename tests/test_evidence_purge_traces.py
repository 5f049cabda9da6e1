"""What a retention purge leaves behind: no payload about the purged report or its cases in the webhook
delivery log, no event about it sent afterwards (even by a task already queued), no empty evidence folder."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from relais import clock
from relais.evidence.models import PurgeRecord
from relais.handoffs.models import Case
from relais.webhooks.models import Delivery
from relais.webhooks.tasks import deliver
from tests.test_evidence import evidence_store, full_upload  # noqa: F401  (fixtures)
from tests.test_webhooks_delivery import (  # noqa: F401  (fixtures)
    HELPLINE_EVENTS,
    PLATFORM_EVENTS,
    Receiver,
    World,
    drain,
    receivers,
    register,
    report,
    set_status,
    share,
    webhook_settings,
    world,
)


def about(*subjects: str) -> list[Delivery]:
    return list(Delivery.objects.filter(subject__in=subjects).order_by("id"))


@pytest.mark.django_db(transaction=True)
def test_a_purged_report_leaves_no_payload_no_pending_event_and_no_folder(
    world: World, receivers: tuple[Receiver, Receiver], evidence_store: Path
) -> None:
    to_platform, to_helpline = receivers
    register(world.api, to_platform, PLATFORM_EVENTS)
    register(world.console, to_helpline, HELPLINE_EVENTS)
    purged = report(world, "rep-1")
    assert full_upload(world.api, purged).status_code == 201
    code = share(world, purged, ["report", "pseudonym"])
    case_id = str(Case.objects.get(report_id=purged).id)
    drain(world.traveller)  # created and shared: received
    set_status(world, code, "closed")  # queued for both, never sent: the purge comes first
    assert (evidence_store / purged).is_dir()
    world.traveller.shift(timedelta(days=400))
    kept = report(world, "rep-2")
    sent_before = len(to_platform.requests), len(to_helpline.requests)

    out = io.StringIO()
    call_command("purge", stdout=out)
    drain(world.traveller)  # runs the tasks queued for the cancelled deliveries, too

    assert "Webhook deliveries about them: 2 cancelled before being sent, 5 payloads erased." in out.getvalue()
    after = to_platform.requests[sent_before[0] :] + to_helpline.requests[sent_before[1] :]
    assert [(r.event["type"], r.event["data"]["platform_report_id"]) for r in after] == [("report.created", "rep-2")]
    scrubbed = about(f"report:{purged}", f"case:{case_id}")
    assert [(d.event_type, d.status) for d in scrubbed] == [
        ("report.created", "delivered"),
        ("report.shared", "delivered"),
        ("report.shared", "delivered"),
        ("case.status_changed", "cancelled"),
        ("case.status_changed", "cancelled"),
    ]
    assert all(d.body == "" and d.erased_at is not None for d in scrubbed)
    assert all(d.delivered_at is not None for d in scrubbed if d.status == "delivered")  # the log keeps its times
    assert "rep-1" not in "".join(Delivery.objects.values_list("body", flat=True))
    assert "rep-2" in about(f"report:{kept}")[0].body
    refused = world.api.post(f"/api/v1/webhooks/deliveries/{scrubbed[0].uid}/replay")
    assert refused.status_code == 409
    assert "erased" in refused.json()["detail"]

    record = PurgeRecord.objects.get()
    assert (record.reports, record.cases, record.deliveries_cancelled) == (1, 1, 2)
    assert record.deliveries_erased == 5
    assert not (evidence_store / purged).exists()
    assert evidence_store.exists()


@pytest.mark.django_db(transaction=True)
def test_a_delivery_erased_while_its_task_waits_is_not_sent(world: World, receivers: tuple[Receiver, Receiver]) -> None:
    to_platform, _ = receivers
    register(world.api, to_platform, ["report.created"])
    report_id = report(world, "rep-1")
    delivery = Delivery.objects.get()
    # Erased but still pending: the purge cancels as it erases; this is the worker's own check at send time.
    Delivery.objects.filter(pk=delivery.pk).update(body="", erased_at=clock.now())
    assert deliver.call(delivery.pk) == "cancelled: its content was erased"
    drain(world.traveller)
    assert to_platform.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.subject) == ("cancelled", f"report:{report_id}")
