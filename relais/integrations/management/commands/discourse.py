"""`relais discourse connect SLUG --forum https://… [--country FR] [--timezone Europe/Paris] --api-key-stdin
[--api-username system] [--language fr] [--send-help]` and `relais discourse sweep`."""

from __future__ import annotations

import re
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
        platform = Platform.objects.filter(slug=options["slug"]).first()
        if platform is None:
            raise CommandError(f"no platform {options['slug']!r} (relais platform list)")
        language = options["language"]
        if language is not None and not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*", language):
            raise CommandError("--language: expected a language tag such as fr or pt-BR")
        lines = sys.stdin.read().splitlines() if options["api_key_stdin"] else []
        api_key = lines[0].strip() if lines else ""
        if not api_key:
            raise CommandError("--api-key-stdin: give the forum's API key on standard input")
        try:
            connection, secret = services.connect(
                platform=platform,
                kind=Kind.DISCOURSE,
                instance_url=options["forum"],
                token=api_key,
                reporter_country=options["country"],
                reporter_timezone=options["timezone"],
                api_username=options["api_username"],
                now=clock.now(),
            )
        except services.ConnectionRefused as exc:
            raise CommandError(str(exc).replace("--instance", "--forum", 1)) from None
        except InvalidPlatformSetting as exc:
            option = "--country" if exc.field == "reporter_country" else "--timezone"
            raise CommandError(f"{option}: {exc.message}") from None
        if options["send_help"]:
            connection.send_help = True
        if language is not None:
            connection.language_fallback = language.replace("_", "-")
        connection.save(update_fields=["send_help", "language_fallback"])
        path = reverse("discourse-webhook", kwargs={"connection_id": connection.pk})
        self.stdout.write(f"webhook_url: {links.base_url()}{path}")
        self.stdout.write(f"secret: {secret}")
