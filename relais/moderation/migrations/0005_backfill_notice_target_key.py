"""Target keys for the notices still undecided when pile-ons arrived (ADR 0034).

Decided notices never join a pile-on, so only undecided ones are filled. In batches of 2,000, each its own
transaction (the migration is not atomic), so a million undecided notices never hold one long lock: a batch
reads its notices by primary key, their reports' items (not sealed fields: author and URL only) and writes
the keys with one UPDATE per batch. Pile-ons form from the next report about a target; none is formed here.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, transaction

from relais.moderation import pileons

BATCH = 2000


def fill(apps: Any, schema_editor: Any) -> None:
    notice_model = apps.get_model("moderation", "Notice")
    content_model = apps.get_model("reports", "ReportedContent")
    undecided = notice_model.objects.filter(status__in=["open", "claimed"], target_key="", report__isnull=False)
    last = None
    while True:
        batch = undecided.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        notices = list(batch.only("pk", "report_id", "content_positions")[:BATCH])
        if not notices:
            return
        last = notices[-1].pk
        items: dict[Any, list[Any]] = {}
        for item in (
            content_model.objects.filter(report_id__in={n.report_id for n in notices})
            .only("report_id", "position", "author_profile_url", "author_handle", "content_id", "url", "kind")
            .order_by("report_id", "position")
        ):
            items.setdefault(item.report_id, []).append(item)
        changed = []
        for notice in notices:
            chosen = [
                i
                for i in items.get(notice.report_id, [])
                if not notice.content_positions or i.position in notice.content_positions
            ]
            target = pileons.first_target(
                pileons.Item(
                    author_profile_url=i.author_profile_url,
                    author_handle=i.author_handle,
                    content_id=i.content_id,
                    url=i.url,
                    kind=i.kind,
                )
                for i in chosen
            )
            if target is not None:
                notice.target_key = target.key
                changed.append(notice)
        with transaction.atomic():
            notice_model.objects.bulk_update(changed, ["target_key"])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("moderation", "0004_pileons_and_target_key"), ("reports", "0006_seal_the_childrens_words")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
