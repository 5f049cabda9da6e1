"""The queue's priority key on every notice (ADR 0014): added, written for the existing notices, then
required, and indexed over the undecided ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import migrations, models
from django.db.models import Case, Q, Subquery, Value, When

from relais.moderation import priority

BATCH = 10_000


def rank_expression() -> Case:
    """priority.queue_rank for every combination of the facts it reads, as one SQL CASE: the rule stays in
    priority.py (evaluated here), the rows are written by the database, never loaded."""
    whens = []
    for trusted in (True, False):
        for immediate in (True, False):
            for minor in (True, False):
                facts = Q(source="trusted_flagger") if trusted else ~Q(source="trusted_flagger")
                facts &= Q(danger_immediate=immediate)
                facts &= Q(reporter_age__lt=18) if minor else (Q(reporter_age__isnull=True) | Q(reporter_age__gte=18))
                for category in (*priority.SEVERITY, None):
                    example = priority.NoticeFacts(
                        received_at=datetime(2000, 1, 1, tzinfo=UTC),
                        category=category or "",
                        trusted_flagger=trusted,
                        danger_immediate=immediate,
                        reporter_age=10 if minor else None,
                    )
                    known = Q(category=category) if category else ~Q(category__in=list(priority.SEVERITY))
                    whens.append(When(facts & known, then=Value(priority.queue_rank(example))))
    return Case(*whens, output_field=models.PositiveSmallIntegerField())


def backfill(apps: Any, schema_editor: Any) -> None:
    notice = apps.get_model("moderation", "Notice")
    rank = rank_expression()
    for _ in range(100_000):  # bounded: 10,000 rows a batch, a billion notices at most
        batch = notice.objects.filter(queue_rank__isnull=True).values("pk")[:BATCH]
        if not notice.objects.filter(pk__in=Subquery(batch)).update(queue_rank=rank):
            return


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

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
    ]
