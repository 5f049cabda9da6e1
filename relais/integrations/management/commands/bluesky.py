"""`relais bluesky connect SLUG --service-did did:web:… [--country FR] [--timezone Europe/Paris]
[--plc-url https://plc.directory] [--language fr]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

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

    def handle(self, *args: Any, **options: Any) -> None:
        platform = connecting.platform_of(options)
        language = connecting.language_of(options)
        with connecting.refusals_named():
            connection = services.connect_bluesky(
                platform=platform,
                service_did=options["service_did"],
                plc_url=options["plc_url"],
                reporter_country=options["country"],
                reporter_timezone=options["timezone"],
                now=clock.now(),
            )
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
