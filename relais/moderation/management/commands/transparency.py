from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais import clock, figures
from relais.moderation import transparency_counts
from relais.moderation import transparency_report as report
from relais.moderation.views import platform_zone
from relais.tenants.models import Platform


class Command(BaseCommand):
    help = (
        "A platform's DSA transparency report (Arts 15 and 24) in the sections of Implementing Regulation "
        "(EU) 2024/2835: `transparency report SLUG --from YYYY-MM-DD --to YYYY-MM-DD [--format csv|text] "
        '[--output FILE]`. Days are the platform\'s; counts from 1 to 9 are written "< 10".'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        one = sub.add_parser("report", help="Write the report for one platform and period.")
        one.add_argument("slug", help="The platform's slug.")
        one.add_argument("--from", dest="first", required=True, help="First day, YYYY-MM-DD (included).")
        one.add_argument("--to", dest="last", required=True, help="Last day, YYYY-MM-DD (included).")
        one.add_argument("--format", choices=("csv", "text"), default="csv")
        one.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        platform = Platform.objects.filter(slug=options["slug"]).first()
        if platform is None:
            raise CommandError(f"slug: no platform {options['slug']!r}")
        try:
            period = figures.period(options["first"], options["last"], now=clock.now(), zone=platform_zone(platform))
        except figures.PeriodError as exc:
            raise CommandError(f"--{exc.field}: {exc.message}") from None
        rows = report.rows(transparency_counts.counts(platform, period))
        text = report.to_csv(rows) if options["format"] == "csv" else report.to_text(rows)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8", newline="")
            self.stderr.write(f"{platform.slug}: {len(rows)} rows written to {options['output']}")
        else:
            self.stdout.write(text, ending="")
