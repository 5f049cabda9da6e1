"""The queue's priority key on every notice (ADR 0014): added, written for the existing notices, then
required, and indexed over the undecided ones; and the indexes the appeals list and the statements export
read their pages from."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.models import Case, Q, Subquery, Value, When

from relais.moderation import priority

BATCH = 10_000


def rank_expression() -> Case:
    """priority.queue_rank for every combination of the facts it reads, as one SQL CASE: the rule stays in
    priority.py (evaluated here), the rows are written by the database, never loaded. A category outside the
    table ranks as "other" does (SEVERITY's default)."""
    whens = []
    for trusted, immediate, minor, category, rank in priority.queue_ranks((*priority.SEVERITY, "")):
        facts = Q(source="trusted_flagger") if trusted else ~Q(source="trusted_flagger")
        facts &= Q(danger_immediate=immediate)
        facts &= Q(reporter_age__lt=18) if minor else (Q(reporter_age__isnull=True) | Q(reporter_age__gte=18))
        known = Q(category=category) if category else ~Q(category__in=list(priority.SEVERITY))
        whens.append(When(facts & known, then=Value(rank)))
    return Case(*whens, output_field=models.PositiveSmallIntegerField())


def backfill(apps: Any, schema_editor: Any) -> None:
    notice = apps.get_model("moderation", "Notice")
    rank = rank_expression()
    for _ in range(100_000):  # bounded: 10,000 rows a batch, a billion notices at most
        batch = notice.objects.filter(queue_rank__isnull=True).values("pk")[:BATCH]
        if not notice.objects.filter(pk__in=Subquery(batch)).update(queue_rank=rank):
            return


class Migration(migrations.Migration):
    dependencies = [("moderation", "0002_decision_summary_as_written")]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="queue_rank",
            field=models.PositiveSmallIntegerField(
                null=True,
                help_text="priority.queue_rank of the notice's facts: the queue is ordered by it, then by received_at.",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="notice",
            name="queue_rank",
            field=models.PositiveSmallIntegerField(
                help_text="priority.queue_rank of the notice's facts: the queue is ordered by it, then by received_at."
            ),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "claimed"])),
                fields=["platform", "queue_rank", "received_at", "id"],
                name="notice_priority",
            ),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(
                condition=models.Q(("status", "decided")),
                fields=["platform", "notifier", "decided_at"],
                name="notice_decided_by_notifier",
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(fields=["received_at", "id"], name="appeal_order"),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=models.Q(("status", "open")), fields=["received_at", "id"], name="appeal_open_order"
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                condition=models.Q(("outcome", "restricted")),
                fields=["platform", "decided_at", "puid"],
                name="decision_statements",
            ),
        ),
    ]
