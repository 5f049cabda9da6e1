"""`relais discourse connect SLUG --forum https://… [--country FR] [--timezone Europe/Paris] --api-key-stdin
[--api-username system] [--language fr] [--send-help]` and `relais discourse sweep`."""

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
        "Connect a Discourse forum to a platform: prints the webhook URL and secret for Discourse's "
        "Admin → API → Webhooks form. `sweep` queues the help messages and forum API calls that are due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        connect = sub.add_parser("connect", help="Connect a forum; prints `webhook_url:` and `secret:` lines.")
        connect.add_argument("slug", help="The Relais platform the forum's flags belong to.")
        connect.add_argument("--forum", required=True, help="https://forum.example")
        connect.add_argument("--country", metavar="CC", help="Sets the platform's reporters' country (e.g. FR).")
        connect.add_argument("--timezone", metavar="ZONE", help="Sets their zone (e.g. Europe/Paris).")
        connect.add_argument(
            "--api-key-stdin",
            action="store_true",
            help="Read a Discourse API key (Admin → API → New API key) from the first line of standard input: "
            "it reads the flagged post and sends the help messages.",
        )
        connect.add_argument("--api-username", default="system", help="The account the key acts as (default: system).")
        connect.add_argument(
            "--language",
            metavar="LANG",
            help="The forum's default locale (its `default_locale` setting, e.g. fr): the flaggers' language, "
            "since a flag does not carry the flagger's own (default: en).",
        )
        connect.add_argument("--send-help", action="store_true", help="Send flaggers the help message.")
        sub.add_parser("sweep", help="Queue the help messages and forum API calls whose next attempt is due.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            now = clock.now()
            fetches = services.sweep_post_fetches(now=now)
            self.stdout.write(f"{services.sweep(now=now)} help message(s), {fetches} forum call(s) queued")
            return
        lines = connecting.stdin_lines(options["api_key_stdin"])
        api_key = connecting.first_line(lines, "--api-key-stdin", "the forum's API key")
        connection, secret = connecting.connect(
            options, kind=Kind.DISCOURSE, instance_option="--forum", token=api_key, api_username=options["api_username"]
        )
        path = reverse("discourse-webhook", kwargs={"connection_id": connection.pk})
        self.stdout.write(f"webhook_url: {links.base_url()}{path}")
        self.stdout.write(f"secret: {secret}")
