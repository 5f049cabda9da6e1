from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from relais import clock
from relais.evidence import services


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} kB"


class Command(BaseCommand):
    help = (
        "Delete the reports (with their evidence, stored files and closed helpline cases) whose retention has "
        "run out: RELAIS_RETENTION_DAYS after receipt, or after their last case closed; never while on legal "
        "hold or while a case is open. Run it daily from cron or a systemd timer. --dry-run shows what would go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what is due, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        days = settings.RELAIS_RETENTION_DAYS
        if options["dry_run"]:
            lines, record = services.purge_plan(now=now), None
            verb = "would be purged"
        else:
            result = services.purge(now=now, trigger="relais purge")
            lines, record = result.lines, result.record
            verb = "purged"
        for line in lines:
            clock_from = "its last case closed" if line.due.since == "case_closed" else "it was received"
            self.stdout.write(
                f"{line.due.report_id}\t{line.due.age_days} days since {clock_from}\t"
                f"{line.evidence_items} evidence items ({_size(line.evidence_bytes)})\t{line.cases} closed cases"
            )
        total_items = sum(line.evidence_items for line in lines)
        total_bytes = sum(line.evidence_bytes for line in lines)
        self.stdout.write(
            f"{len(lines)} reports {verb} (retention {days} days): {total_items} evidence items, "
            f"{_size(total_bytes)}, {sum(line.cases for line in lines)} closed cases."
        )
        if record is not None:
            self.stdout.write(
                f"Webhook deliveries about them: {record.deliveries_cancelled} cancelled before being sent, "
                f"{record.deliveries_erased} payloads erased."
            )
