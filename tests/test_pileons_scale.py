"""A 100,000-notice queue, half of it in ten pile-ons of 5,000, answers through the public API (PostgreSQL).

Generated in SQL as tests/test_queue_scale.py does (one INSERT … SELECT): the queue must show each pile-on
once, led by its notice of highest priority, with its figures, and page past it; a pile-on's page lists its
first 200 members in queue order. The grouping is the indexed NOT EXISTS probe of ADR 0034, never a loop.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client

from relais.moderation import priority
from relais.moderation.models import Notice, PileOn
from relais.tenants.services import add_platform

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a 100,000-row queue is PostgreSQL's case"),
]

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
SIZE = 100_000
PILES = 10


def generate(platform_id: int, piles: list[uuid.UUID]) -> None:
    ranks = ", ".join(f"({t}, {i}, {m}, '{c}', {rank})" for t, i, m, c, rank in priority.queue_ranks(priority.SEVERITY))
    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in priority.SEVERITY) + "]"
    pile_array = "ARRAY[" + ", ".join(f"'{p}'::uuid" for p in piles) + "]"
    columns = (
        "id, platform_id, source, notifier, category, danger_immediate, reporter_age, ground_kind, ground, "
        "explanation, content_positions, received_at, acknowledged_at, status, claimed_label, queue_rank, "
        "target_key, pileon_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH ranks(trusted, immediate, minor, category, rank) AS (VALUES {ranks}),
            g AS (
              SELECT i, ({categories})[1 + i %% {len(priority.SEVERITY)}] AS category,
                CASE WHEN i %% 3 = 0 THEN 14 END AS age,
                CASE WHEN i %% 2 = 0 THEN ({pile_array})[1 + (i / 2) %% {PILES}] END AS pile,
                %(now)s - ((i::bigint * 7919) %% 1209600) * interval '1 second' AS received_at
              FROM generate_series(1, {SIZE}) i
            )
            INSERT INTO moderation_notice ({columns})
            SELECT gen_random_uuid(), %(platform)s, 'article_16', 'reporter:u-' || (g.i %% 700), g.category,
              g.i %% 41 = 0, g.age, '', '', '', '[]'::jsonb, g.received_at, g.received_at, 'open', '', ranks.rank,
              CASE WHEN g.pile IS NULL THEN '' ELSE 'account:' || g.pile::text END, g.pile
            FROM g JOIN ranks ON ranks.trusted = false AND ranks.immediate = (g.i %% 41 = 0)
              AND ranks.minor = (g.age IS NOT NULL) AND ranks.category = g.category
            """,  # noqa: S608 - numbers and names from our own tables
            {"now": NOW, "platform": platform_id},
        )
        cursor.execute("ANALYZE moderation_notice")


def test_a_queue_with_ten_5000_report_pile_ons_shows_each_once_and_pages_past_them(settings: object) -> None:
    settings.RELAIS_FAKE_NOW = NOW.isoformat()  # type: ignore[attr-defined]
    platform, key = add_platform(name="Sunny Social", country="IE")
    piles = [
        PileOn.objects.create(
            platform=platform,
            target_key=f"account:{i}",
            target_kind="account",
            target_label=f"@target{i}",
            started_at=NOW,
            formed_at=NOW,
        ).id
        for i in range(PILES)
    ]
    generate(platform.pk, piles)
    api = Client(headers={"Authorization": f"Bearer {key}"})
    rows = []
    cursor = ""
    for _ in range(3):
        response = api.get(f"/api/v1/moderation/queue?limit=100{cursor}")
        assert response.status_code == 200
        rows += response.json()
        cursor = f"&cursor={response.headers['Next-Cursor']}"
    assert len(rows) == 300
    in_piles = [r["pileon"]["id"] for r in rows if r["pileon"] is not None]
    assert len(in_piles) == len(set(in_piles)), "a pile-on is one row"
    # Exactly the pile-ons whose best notice comes before the third page's end are there, each at its place.
    last = Notice.objects.get(id=rows[-1]["id"])
    bests = {
        str(p): Notice.objects.filter(pileon_id=p).order_by("queue_rank", "received_at", "id").first() for p in piles
    }
    ahead = {
        p
        for p, n in bests.items()
        if n is not None
        and (n.queue_rank, n.received_at, str(n.id)) <= (last.queue_rank, last.received_at, str(last.id))
    }
    assert set(in_piles) == ahead
    assert len(ahead) >= 3
    assert {r["pileon"]["notices"] for r in rows if r["pileon"] is not None} == {SIZE // 2 // PILES}
    leaders = {r["pileon"]["id"]: r["id"] for r in rows if r["pileon"] is not None}
    for pile_id, leader in leaders.items():
        best = Notice.objects.filter(pileon_id=pile_id).order_by("queue_rank", "received_at", "id").first()
        assert best is not None
        assert str(best.id) == leader
    opened = api.get(f"/api/v1/moderation/pileons/{piles[0]}")
    assert opened.status_code == 200
    members = opened.json()["members"]
    assert len(members) == 200
    assert members[0]["id"] == leaders[str(piles[0])]
