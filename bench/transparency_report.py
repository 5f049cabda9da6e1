"""The transparency report's counts (ADR 0039) over a year of notices, on PostgreSQL, in process.

    PYTHONPATH=. .venv/bin/python bench/transparency_report.py [--sizes 10000,100000] [--runs 5]
        [--database-url postgres://postgres@127.0.0.1:5432/transparency_bench] [--keep]

Creates its own database (refused if it exists; dropped at the end unless `--keep`), migrates it, makes two
platforms, then grows them **in SQL** to each size in turn: notices received over the 365 days before now
(every Relais category, one in ten from a trusted flagger, one in fifty not processed), three in five decided
1 to 72 hours later (two thirds of those restricted with a statement of reasons, one in six on the terms and
conditions), one decision in a hundred appealed; and a second platform with a tenth as many rows (noise the
counts must skip). At each size, after ANALYZE and one warm-up, it times `transparency_counts.counts` for the
year `--runs` times and prints the median and the slowest. Every loop is bounded; the database is dropped
even on failure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from moderation_queue import DEFAULT_DATABASE_URL, own_database  # beside this script: its database helpers

CATEGORIES = ("harassment", "cyberbullying", "threat", "hate", "sextortion", "grooming", "self_harm", "other")


def grow_sql(platform: int, lo: int, hi: int) -> str:
    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    return f"""
WITH n AS (
  INSERT INTO moderation_notice (id, platform_id, report_id, case_id, helpline_id, source, notifier, category,
    danger_immediate, reporter_age, ground_kind, ground, explanation, content_positions, received_at,
    acknowledged_at, status, claimed_by_id, claimed_label, claimed_at, decided_at, queue_rank)
  SELECT gen_random_uuid(), {platform}, NULL, NULL, NULL,
    CASE WHEN i % 10 = 0 THEN 'trusted_flagger' ELSE 'article_16' END, 'reporter:u-' || (i % 5000),
    ({categories})[1 + (i * 31) % {len(CATEGORIES)}], false, NULL, '', '', '', '[]'::jsonb,
    now() - ((i::bigint * 7919) % 31536000) * interval '1 second',
    now() - ((i::bigint * 7919) % 31536000) * interval '1 second',
    CASE WHEN i % 50 = 0 THEN 'suspended' WHEN i % 5 < 3 THEN 'decided' ELSE 'open' END, NULL, '', NULL,
    CASE WHEN i % 50 <> 0 AND i % 5 < 3
      THEN now() - ((i::bigint * 7919) % 31536000) * interval '1 second' + (1 + i % 72) * interval '1 hour' END,
    0
  FROM generate_series({lo}::bigint, {hi}::bigint) i
  RETURNING id, decided_at, category
), d AS (
  INSERT INTO moderation_decision (id, puid, notice_id, platform_id, outcome, moderator_id, moderator_label,
    decided_at, manifestly_unfounded, summary, statement, informed_at, appeal_deadline, on_appeal_id,
    reversed_by_id, submitted_at, submission_attempts, submission_error, submission_due_at)
  SELECT gen_random_uuid(), 'bench-' || n.id, n.id, {platform},
    CASE WHEN hashtext(n.id::text) % 3 = 0 THEN 'no_action' ELSE 'restricted' END, NULL, 'mod-7 (API)',
    n.decided_at, false, '',
    CASE WHEN hashtext(n.id::text) % 3 = 0 THEN NULL ELSE jsonb_build_object(
      'decision_ground', CASE WHEN hashtext(n.id::text) % 6 = 1 THEN 'DECISION_GROUND_INCOMPATIBLE_CONTENT'
        ELSE 'DECISION_GROUND_ILLEGAL_CONTENT' END,
      'category', 'STATEMENT_CATEGORY_CYBER_VIOLENCE',
      'automated_decision', 'AUTOMATED_DECISION_NOT_AUTOMATED') END,
    n.decided_at, n.decided_at + interval '6 months', NULL, NULL, n.decided_at, 1, '', NULL
  FROM n WHERE n.decided_at IS NOT NULL
  RETURNING id, decided_at
)
INSERT INTO moderation_appeal (id, decision_id, appellant, reason, received_at, status, decided_by_id,
  decided_by_label, decided_at, explanation)
SELECT gen_random_uuid(), d.id, 'reporter', 'bench', d.decided_at + interval '1 day',
  CASE WHEN hashtext(d.id::text) % 4 = 0 THEN 'reversed' ELSE 'upheld' END, NULL, 'lead', d.decided_at
  + interval '3 days', ''
FROM d WHERE hashtext(d.id::text) % 100 = 0
"""  # noqa: S608 - numbers only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL.rsplit("/", 1)[0] + "/transparency_bench"),
    )
    parser.add_argument("--sizes", default="10000,100000", help="notices of the platform, ascending")
    parser.add_argument("--runs", type=int, default=5, help="timed reports per size (5)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with own_database(args.database_url, args.keep):
        os.environ["DATABASE_URL"] = args.database_url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from relais import clock, figures
        from relais.moderation import transparency_counts
        from relais.tenants.services import add_platform

        call_command("migrate", verbosity=0)
        platform, _ = add_platform(name="Bench Social", country="FR")
        noise, _ = add_platform(name="Noise Social", country="FR")
        now = clock.now()
        period = figures.period(
            (now - timedelta(days=365)).date().isoformat(), now.date().isoformat(), now=now, zone=ZoneInfo("UTC")
        )
        done = 0
        print("| notices | decisions | median ms | slowest ms |")
        print("| --- | --- | --- | --- |")
        for size in sizes:
            with connection.cursor() as cursor:
                cursor.execute(grow_sql(platform.pk, done + 1, size))
                cursor.execute(grow_sql(noise.pk, 10_000_000 + done // 10 + 1, 10_000_000 + size // 10))
                cursor.execute("ANALYZE")
                cursor.execute("SELECT count(*) FROM moderation_decision WHERE platform_id = %s", [platform.pk])
                (decisions,) = cursor.fetchone() or (0,)
            done = size
            transparency_counts.counts(platform, period)  # warm-up
            times = []
            for _ in range(max(1, min(args.runs, 50))):
                start = time.perf_counter()
                transparency_counts.counts(platform, period)
                times.append((time.perf_counter() - start) * 1000)
            print(f"| {size:,} | {decisions:,} | {statistics.median(times):.0f} | {max(times):.0f} |")


if __name__ == "__main__":
    main()
