"""Report intake on PostgreSQL is one statement (reports/postgresql.py, ADR 0015); on SQLite it is the ORM.

Both must write the same rows: the report, its content, its Art. 16 notice and its report.created deliveries.
These tests send the same report through both paths and compare every column but the fresh ids. They need
PostgreSQL (the suite's second pass, always under CI); on SQLite the ORM path is the only one and every
other intake test covers it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import orjson
import pytest
from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, transaction
from django_tasks_db.models import DBTaskResult

from relais.evidence import reported
from relais.moderation.models import Notice, NoticeStatus, NotifierStanding
from relais.reports import links, postgresql
from relais.reports.models import Report, ReportedContent
from relais.reports.schemas import ReportIn
from relais.reports.services import canonical_of, receive_report, receive_report_with_orm
from relais.tenants.models import Platform
from relais.tenants.services import add_helpline, add_platform
from relais.webhooks.endpoints import create_endpoint
from relais.webhooks.models import Delivery, Endpoint
from tests.test_api import report_body

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the single statement is PostgreSQL's path"),
]

AT = datetime(2026, 11, 25, 21, 59, 0, 123456, tzinfo=UTC)
CARD: dict[str, Any] = {"country": "FR", "helplines": [{"id": "fr-3018", "name": "3018 (e-Enfance)"}], "n": 1}


def rich(ident: str, **overrides: Any) -> ReportIn:
    """A report using every column: immediate danger, age, zone, pseudonym, three items, control characters."""
    body = report_body(
        platform_report_id=ident,
        danger="immediate",
        reporter={"country": "FR", "language": "fr-BE", "age": 13, "timezone": "Europe/Paris", "pseudonym": "u-7f"},
        content=[
            {
                "kind": "message",
                "content_id": "m-1",
                "text": "t'es nul\x07, personne ne t'aime 😡",
                "author_handle": "@Zoé\x1b_la_star",
                "author_profile_url": "https://social.example/@zoe",
            },
            {"kind": "profile", "url": "https://social.example/@bully"},
            {"kind": "image", "content_id": "i-9", "posted_at": "2026-11-24T08:15:00.5+01:00"},
        ],
        description="Ça dure\x00 depuis la rentrée.",
        **overrides,
    )
    return ReportIn.model_validate(body)


def row(instance: Any, *ignored: str) -> dict[str, Any]:
    fields = [f for f in type(instance)._meta.concrete_fields if f.name not in ignored]
    return {f.name: getattr(instance, f.attname) for f in fields}


def written(report: Report) -> dict[str, Any]:
    """What intake wrote for `report`, as read back from the database, without ids that are new each time."""
    stored = Report.objects.get(pk=report.pk)
    deliveries = Delivery.objects.filter(subject=f"report:{report.pk}").order_by("endpoint__description")
    # Each report's private link is its own (a random salt): both paths must write one that opens it.
    assert links.token_of(stored) is not None
    return {
        "report": row(stored, "id", "platform_report_id", "reporter_link_salt", "reporter_link_digest"),
        "content": [row(c, "id", "report") for c in ReportedContent.objects.filter(report=stored)],
        "notices": [row(n, "id", "report") for n in Notice.objects.filter(report=stored)],
        "deliveries": [
            {
                **row(d, "id", "uid", "endpoint", "message_id", "subject", "body"),
                "endpoint": d.endpoint.description,
                "body": event_of(d, stored),
            }
            for d in deliveries
        ],
    }


def event_of(delivery: Delivery, report: Report) -> dict[str, Any]:
    event: dict[str, Any] = orjson.loads(delivery.body)
    assert event["data"].pop("report_id") == str(report.pk)
    assert event["data"].pop("platform_report_id") == report.platform_report_id
    return event


@pytest.fixture
def platform() -> Platform:
    platform, _ = add_platform(name="Sunny Social")
    other, _ = add_platform(name="Other Social")
    helpline, _ = add_helpline(name="3018", directory_id="fr-3018")
    for tenant, name, types in (
        (platform, "created", ["report.created"]),
        (platform, "created, shared", ["report.shared", "report.created"]),
        (platform, "created, disabled", ["report.created"]),
        (platform, "shared only", ["report.shared"]),
        (other, "another platform", ["report.created"]),
        (helpline, "a helpline", ["report.shared"]),
    ):
        create_endpoint(
            tenant=tenant, url="https://receiver.example/hook", event_types_=types, description=name, now=AT
        )
    Endpoint.objects.filter(description="created, disabled").update(disabled_at=AT, disabled_reason="failing")
    return platform


def rows_per_table() -> dict[str, int]:
    return {model._meta.db_table: model._default_manager.count() for model in apps.get_models()}


def test_the_statement_writes_what_the_orm_writes(
    platform: Platform, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.RELAIS_FAKE_NOW = (AT + timedelta(milliseconds=3)).isoformat()  # when deliveries are recorded
    counts = [rows_per_table()]
    for path, ident in ((receive_report_with_orm, "a"), (receive_report, "b")):
        with django_capture_on_commit_callbacks(execute=True):  # the deliveries' tasks are rows too
            path(platform=platform, data=rich(ident), help_card=CARD, received_at=AT)
        counts.append(rows_per_table())
    # The same tables grow by the same number of rows, whichever the path (none forgotten, none added).
    added = [{t: after[t] - before[t] for t in after if after[t] != before[t]} for before, after in pairwise(counts)]
    assert added[1] == added[0]
    assert added[0] == {
        "reports_report": 1,
        "reports_reportedcontent": 3,
        "moderation_notice": 1,
        "webhooks_delivery": 3,
        "django_tasks_database_dbtaskresult": 2,
    }
    by_orm, by_sql = (Report.objects.get(platform_report_id=ident) for ident in ("a", "b"))
    assert written(by_sql) == written(by_orm)
    shown = written(by_sql)
    assert shown["report"]["description"] == "Ça dure depuis la rentrée."
    assert shown["report"]["help_card"] == CARD
    assert [c["text"] for c in shown["content"]] == ["t'es nul, personne ne t'aime 😡", "", ""]
    assert [(c["author_handle"], c["author_profile_url"]) for c in shown["content"]] == [
        ("@Zoé_la_star", "https://social.example/@zoe"),
        ("", ""),
        ("", ""),
    ]
    # The fingerprint of what was said, taken at intake over the canonical form (evidence/reported.py).
    assert [c["sha256"] for c in shown["content"]] == [
        reported.content_sha256(canonical_of(c)) for c in ReportedContent.objects.filter(report=by_sql)
    ]
    assert shown["content"][0]["sha256"] == reported.content_sha256(
        reported.canonical_content(
            kind="message",
            content_id="m-1",
            url="",
            text="t'es nul, personne ne t'aime 😡",
            author_handle="@Zoé_la_star",
            author_profile_url="https://social.example/@zoe",
            posted_at=None,
        )
    )
    assert shown["content"][2]["sha256"] == reported.content_sha256(
        b'{"author_handle":null,"author_profile_url":null,"content_id":"i-9","format":"relais-reported-content/1",'
        b'"kind":"image","posted_at":"2026-11-24T07:15:00.500000Z","text":null,"url":null}'
    )
    assert shown["content"][2]["posted_at"] == datetime(2026, 11, 24, 7, 15, 0, 500000, tzinfo=UTC)
    assert shown["notices"][0]["status"] == NoticeStatus.OPEN
    assert shown["notices"][0]["notifier"] == "reporter:u-7f"
    # Subscribed endpoints of this platform only, the disabled one included (held, not sent).
    assert [d["endpoint"] for d in shown["deliveries"]] == ["created", "created, disabled", "created, shared"]
    assert shown["deliveries"][0]["body"]["data"]["danger"] == "immediate"
    fresh = Delivery.objects.filter(subject=f"report:{by_sql.pk}")
    assert all(re.fullmatch(r"msg_[0-9a-f]{32}", d.message_id) for d in fresh)
    assert len({d.message_id for d in fresh} | {d.uid.hex for d in fresh}) == 2 * fresh.count()


def test_the_report_returned_is_the_one_stored(platform: Platform) -> None:
    returned, created = receive_report(platform=platform, data=rich("b"), help_card=CARD, received_at=AT)
    stored = Report.objects.get(platform_report_id="b")
    assert created
    assert (returned.pk, returned.received_at, returned.help_card) == (stored.pk, AT, CARD)


def test_only_the_enabled_endpoints_deliveries_are_queued_for_sending(
    platform: Platform, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = receive_report(platform=platform, data=rich("q"), help_card=CARD, received_at=AT)
    queued = {
        task.args_kwargs["args"][0] for task in DBTaskResult.objects.filter(task_path="relais.webhooks.tasks.deliver")
    }
    expected = Delivery.objects.filter(subject=f"report:{report.pk}", endpoint__disabled_at__isnull=True)
    assert queued == set(expected.values_list("pk", flat=True))
    assert len(queued) == 2


@pytest.mark.parametrize(
    ("until", "status"), [(timedelta(days=3), NoticeStatus.SUSPENDED), (-timedelta(seconds=1), NoticeStatus.OPEN)]
)
def test_a_suspended_notifiers_notice_is_recorded_suspended_on_both_paths(
    platform: Platform, until: timedelta, status: str
) -> None:
    NotifierStanding.objects.create(platform=platform, notifier="reporter:u-7f", suspended_until=AT + until)
    by_orm, _ = receive_report_with_orm(platform=platform, data=rich("a"), help_card=CARD, received_at=AT)
    by_sql, _ = receive_report(platform=platform, data=rich("b"), help_card=CARD, received_at=AT)
    assert Notice.objects.get(report=by_orm).status == Notice.objects.get(report=by_sql).status == status


def test_a_retry_returns_the_first_report_and_writes_nothing(platform: Platform) -> None:
    first, created = receive_report(platform=platform, data=rich("r"), help_card=CARD, received_at=AT)
    counts = [m.objects.count() for m in (Report, ReportedContent, Notice, Delivery, DBTaskResult)]
    again, created_again = receive_report(
        platform=platform, data=rich("r"), help_card={"other": True}, received_at=AT + timedelta(minutes=5)
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.help_card == CARD
    assert [m.objects.count() for m in (Report, ReportedContent, Notice, Delivery, DBTaskResult)] == counts


def test_a_failing_statement_inside_a_transaction_rolls_back_alone(platform: Platform) -> None:
    """The idempotency middleware holds a transaction around the view: a failed report must leave it usable."""
    impossible = rich("x").model_copy(update={"category": "not-a-category"})
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            receive_report(platform=platform, data=impossible, help_card=CARD, received_at=AT)
        report, created = receive_report(platform=platform, data=rich("y"), help_card=CARD, received_at=AT)
    assert created
    assert list(Report.objects.values_list("platform_report_id", flat=True)) == ["y"]
    assert Notice.objects.filter(report=report).count() == 1


def test_nothing_is_half_written_when_the_statement_fails(platform: Platform) -> None:
    """One statement is one transaction: an item that cannot be written takes the report with it."""
    impossible = rich("z")
    impossible.content[2] = impossible.content[2].model_copy(update={"kind": "not-a-kind"})
    with pytest.raises(DatabaseError):
        postgresql.receive_report(platform=platform, data=impossible, help_card=CARD, received_at=AT)
    assert [m.objects.count() for m in (Report, ReportedContent, Notice, Delivery)] == [0, 0, 0, 0]


def test_a_country_from_the_platforms_default_is_written_alike_on_both_paths(platform: Platform, settings: Any) -> None:
    """ADR 0019: the country a report did not give is the platform's, and the report says it was assumed."""
    settings.RELAIS_FAKE_NOW = AT.isoformat()  # when deliveries are recorded
    platform.reporter_country = "BE"
    platform.reporter_timezone = "Europe/Brussels"
    platform.save()
    for path, ident in ((receive_report_with_orm, "a"), (receive_report, "b")):
        data = rich(ident)
        data.reporter = data.reporter.model_copy(update={"country": None, "timezone": None})
        path(platform=platform, data=data, help_card=CARD, received_at=AT)
    by_orm, by_sql = (Report.objects.get(platform_report_id=ident) for ident in ("a", "b"))
    assert written(by_sql) == written(by_orm)
    stored = written(by_sql)["report"]
    assert (stored["reporter_country"], stored["reporter_country_assumed"], stored["reporter_timezone"]) == (
        "BE",
        True,
        "",
    )
    by_orm_sent, _ = receive_report_with_orm(platform=platform, data=rich("c"), help_card=CARD, received_at=AT)
    by_sql_sent, _ = receive_report(platform=platform, data=rich("d"), help_card=CARD, received_at=AT)
    assert [r.reporter_country_assumed for r in Report.objects.filter(pk__in=[by_orm_sent.pk, by_sql_sent.pk])] == [
        False,
        False,
    ]


def test_both_paths_store_the_same_target_key_and_form_one_pile_on(platform: Platform) -> None:
    """ADR 0034: the key is computed from the same unsaved rows; four reports through the ORM and a fifth
    through the statement (about the same account) form one pile-on of five."""
    from relais.moderation.models import PileOn

    for path, ident in ((receive_report_with_orm, "k-orm"), (receive_report, "k-sql")):
        path(platform=platform, data=rich(ident), help_card=CARD, received_at=AT)
    keys = set(
        Notice.objects.filter(report__platform_report_id__in=["k-orm", "k-sql"]).values_list("target_key", flat=True)
    )
    assert len(keys) == 1
    assert next(iter(keys)).startswith("account:")
    for i in range(2):
        receive_report_with_orm(platform=platform, data=rich(f"more-{i}"), help_card=CARD, received_at=AT)
    assert not PileOn.objects.exists()
    receive_report(platform=platform, data=rich("fifth"), help_card=CARD, received_at=AT)
    pileon = PileOn.objects.get()
    assert Notice.objects.filter(pileon=pileon).count() == 5
    assert pileon.minor  # the rich report's reporter is 13
