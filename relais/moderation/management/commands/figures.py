from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais import clock
from relais.moderation import rollups
from relais.moderation.models import Notice, RolledUpDay
from relais.tenants.models import Platform


def _date(field: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{field}: a date as YYYY-MM-DD, e.g. 2026-11-01") from None


class Command(BaseCommand):
    help = (
        "The dashboards' daily roll-ups (ADR 0040): `figures rebuild [--platform SLUG] [--from DAY] [--to DAY]` "
        "counts closed days again from the notices. Run it from cron after midnight; safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser(
            "rebuild",
            help="Count days again from the notices, replacing their roll-ups; today and later stay live.",
        )
        rebuild.add_argument("--platform", help="Only this platform (slug); default: every platform.")
        rebuild.add_argument(
            "--from",
            dest="first",
            help="First day (YYYY-MM-DD, in the platform's zone); default: the day after the last one built, "
            "or the platform's first notice.",
        )
        rebuild.add_argument(
            "--to", dest="last", help="Last day; default and at most: yesterday in the platform's zone."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = _date("--from", options["first"]), _date("--to", options["last"])
        if first is not None and last is not None and first > last:
            raise CommandError("--from: the period starts after it ends")
        platforms = Platform.objects.order_by("slug")
        if options["platform"]:
            platforms = platforms.filter(slug=options["platform"])
            if not platforms.exists():
                raise CommandError(f"no platform {options['platform']!r}")
        now = clock.now()
        for platform in platforms:
            zone = ZoneInfo(platform.zone or "UTC")
            start = first or self._resume_from(platform, zone)
            end = min(last or rollups.last_closed_day(zone, now), rollups.last_closed_day(zone, now))
            if start is None or start > end:
                self.stdout.write(f"{platform.slug}: nothing to build")
                continue
            began = time.monotonic()
            summary = rollups.rebuild(platform, start, end, zone=zone, now=now)
            self.stdout.write(
                f"{platform.slug}: {start} to {end}, {summary.days} days, {summary.cells} cells "
                f"({time.monotonic() - began:.1f} s)"
            )

    def _resume_from(self, platform: Platform, zone: ZoneInfo) -> date | None:
        built = RolledUpDay.objects.filter(platform=platform, zone=str(zone)).order_by("-day").first()
        if built is not None:
            return built.day + timedelta(days=1)
        oldest = Notice.objects.filter(platform=platform).order_by("received_at").first()
        return None if oldest is None else oldest.received_at.astimezone(zone).date()
