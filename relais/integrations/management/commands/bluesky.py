"""`relais bluesky connect SLUG --service-did did:web:… [--country FR] [--timezone Europe/Paris]
[--plc-url https://plc.directory] [--language fr] [--send-help --app-password-stdin [--account-did did:plc:…]]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais import clock
from relais.integrations import services
from relais.integrations.bluesky import adapter
from relais.integrations.management import connecting
from relais.reports import links


class Command(BaseCommand):
    help = (
        "Make Relais a Bluesky moderation service for a platform: prints the service endpoint and what the "
        "service's DID document and labeler declaration must say."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        connect = sub.add_parser("connect", help="Connect a moderation service's DID; prints `service_endpoint:`.")
        connect.add_argument("slug", help="The Relais platform the reports belong to.")
        connect.add_argument(
            "--service-did", required=True, help="The moderation service's DID (did:web:host or did:plc:…)."
        )
        connect.add_argument("--country", metavar="CC", help="Sets the platform's reporters' country (e.g. FR).")
        connect.add_argument("--timezone", metavar="ZONE", help="Sets their zone (e.g. Europe/Paris).")
        connect.add_argument(
            "--plc-url",
            default="https://plc.directory",
            help="The PLC directory resolving did:plc reporters (default: https://plc.directory).",
        )
        connect.add_argument(
            "--language", metavar="LANG", help="The reporters' language when the app does not say (default: en)."
        )
        connect.add_argument(
            "--send-help",
            action="store_true",
            help="Send each reporter a chat message from the service's account, where their settings allow it.",
        )
        connect.add_argument(
            "--app-password-stdin",
            action="store_true",
            help="Read the service account's app password (with access to direct messages) from standard input.",
        )
        connect.add_argument(
            "--account-did",
            metavar="DID",
            help="The account the messages come from (default: the service's DID, the labeler's own account).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        platform = connecting.platform_of(options)
        language = connecting.language_of(options)
        lines = connecting.stdin_lines(options["app_password_stdin"])
        password = None
        if options["app_password_stdin"]:
            password = connecting.first_line(lines, "--app-password-stdin", "the service account's app password")
        elif options["account_did"]:
            raise CommandError("--account-did: give the account's app password too (--app-password-stdin)")
        with connecting.refusals_named():
            connection = services.connect_bluesky(
                platform=platform,
                service_did=options["service_did"],
                plc_url=options["plc_url"],
                reporter_country=options["country"],
                reporter_timezone=options["timezone"],
                account_did=options["account_did"],
                app_password=password,
                now=clock.now(),
            )
        if options["send_help"] and not connection.token_sealed:
            raise CommandError("--send-help: give the service account's app password (--app-password-stdin)")
        connecting.keep_preferences(connection, options, language)
        endpoint = links.base_url()
        did = connection.service_did
        service = {"id": "#atproto_labeler", "type": "AtprotoLabeler", "serviceEndpoint": endpoint}
        self.stdout.write(f"service_did: {did}")
        self.stdout.write(f"service_endpoint: {endpoint}")
        self.stdout.write(f"xrpc_url: {endpoint}/xrpc/{adapter.LXM}")
        self.stdout.write(f"did_document_service: {json.dumps(service)}")
        self.stdout.write(
            "labeler_record: app.bsky.labeler.service (rkey self) in the service account's repository, with "
            '"reasonTypes" listing the reasons it takes and "subjectTypes": ["account", "record"]'
        )
        if connection.account_did:
            self.stdout.write(f"chat_account: {connection.account_did} on {connection.pds_url}")
        self.stdout.write(
            "help_message: "
            + (
                "a chat message to each reporter whose settings allow it (everyone, or accounts they follow)"
                if connection.send_help
                else "none (add --send-help --app-password-stdin)"
            )
        )
