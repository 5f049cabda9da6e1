"""`relais mastodon connect SLUG --instance https://… [--country FR] [--timezone Europe/Paris] --token-stdin
[--secret-stdin]` and `relais mastodon sweep` · `relais mastodon rekey`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from relais import clock
from relais.integrations import services
from relais.integrations.management import connecting
from relais.integrations.models import Kind
from relais.reports import links


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
        lines = connecting.stdin_lines(options["token_stdin"] or options["secret_stdin"])
        token = connecting.first_line(lines, "--token-stdin", "the access token") if options["token_stdin"] else ""
        secret = (
            connecting.first_line(lines, "--secret-stdin", "Mastodon's secret") if options["secret_stdin"] else None
        )
        connection, secret = connecting.connect(
            options, kind=Kind.MASTODON, instance_option="--instance", token=token, secret=secret
        )
        path = reverse("mastodon-webhook", kwargs={"connection_id": connection.pk})
        self.stdout.write(f"webhook_url: {links.base_url()}{path}")
        self.stdout.write(f"secret: {secret}")
