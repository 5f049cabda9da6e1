"""`relais mastodon connect SLUG --instance https://… [--country FR] [--timezone Europe/Paris] --token-stdin
[--secret-stdin]` and `relais mastodon sweep` · `relais mastodon rekey`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from relais import clock
from relais.integrations import services
from relais.integrations.models import Kind
from relais.reports import links
from relais.tenants.models import Platform
from relais.tenants.services import InvalidPlatformSetting


class Command(BaseCommand):
    help = (
        "Connect a Mastodon instance to a platform: prints the webhook URL and secret for Mastodon's "
        "Administration → Webhooks form. `sweep` queues the help messages that are due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        connect = sub.add_parser("connect", help="Connect an instance; prints `webhook_url:` and `secret:` lines.")
        connect.add_argument("slug", help="The Relais platform the instance's reports belong to.")
        connect.add_argument("--instance", required=True, help="https://your.instance")
        connect.add_argument("--country", metavar="CC", help="Sets the platform's reporters' country (e.g. FR).")
        connect.add_argument("--timezone", metavar="ZONE", help="Sets their zone (e.g. Europe/Paris).")
        connect.add_argument(
            "--token-stdin",
            action="store_true",
            help="Read the access token of the instance's Relais application (scope write:statuses) from the "
            "first line of standard input: it posts the help messages.",
        )
        connect.add_argument(
            "--secret-stdin",
            action="store_true",
            help="Read Mastodon's own webhook secret from the next line of standard input (12 characters or "
            "more) instead of generating one.",
        )
        connect.add_argument("--send-help", action="store_true", help="Send local reporters the help message.")
        sub.add_parser("sweep", help="Queue the help messages whose next attempt is due.")
        sub.add_parser("rekey", help="Seal every connection's secret and token under the first evidence key.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(f"{services.sweep(now=clock.now())} help message(s) queued")
            return
        if options["action"] == "rekey":
            self.stdout.write(f"{services.reseal_connections()} connection(s) sealed under the first key")
            return
        platform = Platform.objects.filter(slug=options["slug"]).first()
        if platform is None:
            raise CommandError(f"no platform {options['slug']!r} (relais platform list)")
        lines = sys.stdin.read().splitlines() if options["token_stdin"] or options["secret_stdin"] else []
        token = lines.pop(0).strip() if options["token_stdin"] and lines else ""
        if options["token_stdin"] and not token:
            raise CommandError("--token-stdin: no token on standard input")
        secret = lines.pop(0).strip() if options["secret_stdin"] and lines else None
        if options["secret_stdin"] and not secret:
            raise CommandError("--secret-stdin: no secret on standard input")
        try:
            connection, secret = services.connect(
                platform=platform,
                kind=Kind.MASTODON,
                instance_url=options["instance"],
                token=token,
                secret=secret,
                reporter_country=options["country"],
                reporter_timezone=options["timezone"],
                now=clock.now(),
            )
        except services.ConnectionRefused as exc:
            raise CommandError(str(exc)) from None
        except InvalidPlatformSetting as exc:
            option = "--country" if exc.field == "reporter_country" else "--timezone"
            raise CommandError(f"{option}: {exc.message}") from None
        if options["send_help"] and not connection.send_help:
            connection.send_help = True
            connection.save(update_fields=["send_help"])
        path = reverse("mastodon-webhook", kwargs={"connection_id": connection.pk})
        self.stdout.write(f"webhook_url: {links.base_url()}{path}")
        self.stdout.write(f"secret: {secret}")
