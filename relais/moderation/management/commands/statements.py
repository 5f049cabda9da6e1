from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais import clock
from relais.moderation import transparency
from relais.moderation.models import Decision, TransparencyAccount
from relais.tenants.models import Platform
from relais.webhooks import targets


class Command(BaseCommand):
    help = (
        "Statements of reasons and the Transparency Database: `statements submit [--platform SLUG]`, "
        "`statements sweep`, `statements failed`, `statements account SLUG --token-stdin [--base-url URL]`, "
        "`statements backfill SLUG`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        submit = sub.add_parser("submit", help="Send the due statements now, in this process (batches of 100).")
        submit.add_argument("--platform", help="Only this platform (slug); default: every platform with an account.")
        sub.add_parser("sweep", help="Enqueue a submission for every platform with due statements (run from cron).")
        failed = sub.add_parser("failed", help="List statements given up or refused by the database.")
        failed.add_argument("--platform", help="Only this platform (slug).")
        failed.add_argument("--limit", type=int, default=50)
        account = sub.add_parser("account", help="Set a platform's Transparency Database account (token on stdin).")
        account.add_argument("slug")
        account.add_argument("--base-url", default="https://transparency.dsa.ec.europa.eu")
        account.add_argument("--token-stdin", action="store_true", help="Read the API token from standard input.")
        account.add_argument("--disable", action="store_true", help="Stop submitting (statements stay exportable).")
        backfill = sub.add_parser(
            "backfill",
            help="Submit the statements decided before the platform's account existed (or while it was off).",
        )
        backfill.add_argument("slug")

    def _platform(self, slug: str) -> Platform:
        platform = Platform.objects.filter(slug=slug).first()
        if platform is None:
            raise CommandError(f"no platform {slug!r}")
        return platform

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "submit":
            accounts = TransparencyAccount.objects.filter(active=True).select_related("platform")
            if options["platform"]:
                accounts = accounts.filter(platform=self._platform(options["platform"]))
            for account in accounts.order_by("platform__slug"):
                summary = transparency.submit_due(str(account.platform_id))
                self.stdout.write(f"{account.platform.slug}: {summary}")
        elif action == "sweep":
            self.stdout.write(f"{transparency.sweep(now=clock.now())} platforms enqueued.")
        elif action == "failed":
            failed = Decision.objects.filter(
                submitted_at__isnull=True, submission_due_at__isnull=True, statement__isnull=False
            ).exclude(submission_error="")
            if options["platform"]:
                failed = failed.filter(platform=self._platform(options["platform"]))
            for d in failed.select_related("platform").order_by("-decided_at")[: options["limit"]]:
                self.stdout.write(f"{d.platform.slug}\t{d.puid}\t{d.decided_at.isoformat()}\t{d.submission_error}")
        elif action == "backfill":
            platform = self._platform(options["slug"])
            count = transparency.backfill(str(platform.id), now=clock.now())
            if count is None:
                raise CommandError(f"{platform.slug} has no active Transparency Database account: set one first")
            self.stdout.write(f"{platform.slug}: {count} statements of reasons queued for submission.")
        else:
            self._account(options)

    def _account(self, options: dict[str, Any]) -> None:
        platform = self._platform(options["slug"])
        if options["disable"]:
            TransparencyAccount.objects.filter(platform=platform).update(active=False)
            self.stdout.write(f"{platform.slug}: submission off; statements stay in the export.")
            return
        if not options["token_stdin"]:
            raise CommandError("pass the token on standard input with --token-stdin (not as an argument)")
        token = sys.stdin.readline().strip()
        if not token:
            raise CommandError("no token on standard input")
        try:
            targets.check_url(options["base_url"], production=settings.PRODUCTION)
        except ValueError as exc:
            raise CommandError(f"--base-url {exc}") from None
        TransparencyAccount.objects.update_or_create(
            platform=platform, defaults={"base_url": options["base_url"], "token": token, "active": True}
        )
        self.stdout.write(f"{platform.slug}: statements of reasons will be submitted to {options['base_url']}.")
        waiting = transparency.never_sent(str(platform.id)).count()
        if waiting:
            self.stdout.write(
                f"{waiting} earlier statements were never submitted; `relais statements backfill {platform.slug}` "
                "sends them."
            )
