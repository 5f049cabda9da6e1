"""A queue of 100,000 undecided notices answers through the public API, in priority.py's order (PostgreSQL).

Before issue #13 the queue was loaded whole and sorted in Python: at 100,000 notices the call never answered
(gunicorn's timeout, or PostgreSQL's 65,535-parameter limit in the track-record look-up). The notices are
generated in SQL, in one INSERT … SELECT (one by one they would take minutes), each with the `queue_rank`
priority.py gives its facts; a known subset of 150 — the most urgent rank, so they fill the first page and
the start of the second — is compared with Python's order, across one cursor hop.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client

from relais.moderation import priority, services
from relais.moderation.models import Notice
from relais.tenants.services import add_platform

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a 100,000-row queue is PostgreSQL's case"),
]

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
SIZE = 100_000
URGENT = 150
"""Notices of the first rank (trusted flagger, immediate danger, minor, gravest harm): the known subset."""


def generate(platform_id: int, other_id: int) -> None:
    ranks = ", ".join(f"({t}, {i}, {m}, '{c}', {rank})" for t, i, m, c, rank in priority.queue_ranks(priority.SEVERITY))
    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in priority.SEVERITY) + "]"
    columns = (
        "id, platform_id, source, notifier, category, danger_immediate, reporter_age, ground_kind, ground, "
        "explanation, content_positions, received_at, acknowledged_at, status, claimed_label, queue_rank"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ranks(trusted, immediate, minor, category, rank) AS (VALUES {ranks}),
            g AS (
              SELECT i, i <= {URGENT} AS urgent,
                CASE WHEN i <= {URGENT} THEN 'self_harm' ELSE ({categories})[1 + i %% {len(priority.SEVERITY)}]
                  END AS category,
                CASE WHEN i <= {URGENT} OR i %% 3 = 0 THEN 14 END AS age,
                -- the urgent ones two by two at the same instant (ties broken by id), the others spread
                CASE WHEN i <= {URGENT} THEN %(now)s - (i / 2) * interval '1 minute'
                  ELSE %(now)s - ((i::bigint * 7919) %% 1209600) * interval '1 second' END AS received_at
              FROM generate_series(1, {SIZE}) i
            )
            INSERT INTO moderation_notice ({columns})
            SELECT gen_random_uuid(), CASE WHEN g.i %% 10 = 0 THEN %(other)s ELSE %(platform)s END,
              CASE WHEN g.urgent THEN 'trusted_flagger' ELSE 'article_16' END, 'reporter:u-' || (g.i %% 700),
              g.category, g.urgent OR g.i %% 41 = 0, g.age, '', '', '', '[]'::jsonb, g.received_at, g.received_at,
              CASE WHEN g.i %% 97 = 0 THEN 'decided' ELSE 'open' END, '', ranks.rank
            FROM g JOIN ranks ON ranks.trusted = g.urgent AND ranks.immediate = (g.urgent OR g.i %% 41 = 0)
              AND ranks.minor = (g.age IS NOT NULL) AND ranks.category = g.category
            """,  # noqa: S608 - numbers and names from our own tables
            {"now": NOW, "platform": platform_id, "other": other_id},
        )
        cursor.execute("ANALYZE moderation_notice")


def test_a_100000_notice_queue_answers_in_order_through_the_api(settings: object) -> None:
    settings.RELAIS_FAKE_NOW = NOW.isoformat()  # type: ignore[attr-defined]
    platform, key = add_platform(name="Sunny Social", country="IE")
    other, _ = add_platform(name="Other Place", country="FR")
    generate(platform.pk, other.pk)
    waiting = Notice.objects.filter(platform=platform, status__in=services.OPEN_STATUSES)
    assert waiting.count() > 88_000
    known = [n for n in waiting.filter(queue_rank=0) if n.source == "trusted_flagger"]
    assert len(known) > 100
    expected = sorted(known, key=lambda n: priority.queue_key(services.facts_of(n), str(n.id), NOW, services.sla()))

    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/moderation/queue?limit=1").status_code == 200  # the process's first API call warms up
    started = time.monotonic()
    first = api.get("/api/v1/moderation/queue?limit=100")
    second = api.get(f"/api/v1/moderation/queue?limit=100&cursor={first.headers['Next-Cursor']}")
    elapsed = time.monotonic() - started

    assert first.status_code == second.status_code == 200
    page = first.json() + second.json()
    assert [item["id"] for item in page[: len(expected)]] == [str(n.id) for n in expected]
    assert page[0]["priority"]["sla_class"] == "immediate"
    assert page[0]["track_record"] is not None
    ids = {item["id"] for item in page}
    assert len(ids) == 200
    assert Notice.objects.filter(id__in=ids, platform=platform, status__in=services.OPEN_STATUSES).count() == 200
    assert elapsed < 5, f"two pages of a 100,000-notice queue took {elapsed:.1f} s"
