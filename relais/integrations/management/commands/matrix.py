"""`relais matrix connect SLUG --homeserver https://… [--country FR] [--timezone Europe/Paris] --token-stdin
[--language fr] [--send-help]`, `relais matrix poll [SLUG] [--every SECONDS]` and `relais matrix sweep`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais import clock
from relais.integrations import services
from relais.integrations.management import connecting
from relais.integrations.models import Connection, Kind
from relais.tenants.models import Platform


class Command(BaseCommand):
    help = (
        "Connect a Synapse homeserver to a platform with a server admin's access token, then poll its event "
        "reports (`poll`, from cron or a systemd timer, or `poll --every 60`). `sweep` queues the server "
        "notices that are due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        connect = sub.add_parser("connect", help="Connect a homeserver; prints how to poll it.")
        connect.add_argument("slug", help="The Relais platform the homeserver's reports belong to.")
        connect.add_argument("--homeserver", required=True, help="https://matrix.example (the client-server API)")
        connect.add_argument("--country", metavar="CC", help="Sets the platform's reporters' country (e.g. FR).")
        connect.add_argument("--timezone", metavar="ZONE", help="Sets their zone (e.g. Europe/Paris).")
        connect.add_argument(
            "--token-stdin",
            action="store_true",
            help="Read a server admin's access token from the first line of standard input: it lists the event "
            "reports and sends the server notices.",
        )
        connect.add_argument(
            "--language",
            metavar="LANG",
            help="The reporters' language (e.g. fr), since Synapse does not say a reporter's own (default: en).",
        )
        connect.add_argument("--send-help", action="store_true", help="Send reporters the help server notice.")
        connect.add_argument(
            "--skip-backlog",
            action="store_true",
            help="Start after the newest report Synapse holds now (asks Synapse once, which checks the token); "
            "by default the first poll takes in every report Synapse still holds.",
        )
        poll = sub.add_parser("poll", help="Take in the event reports newer than each connection's cursor.")
        poll.add_argument("slug", nargs="?", help="Only this platform's homeservers (default: every one).")
        poll.add_argument("--every", type=int, metavar="SECONDS", help="Poll again every SECONDS, until stopped.")
        sub.add_parser("sweep", help="Queue the server notices whose next attempt is due.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(f"{services.sweep(now=clock.now())} help message(s) queued")
        elif options["action"] == "poll":
            self._poll(options["slug"], options["every"])
        else:
            self._connect(options)

    def _poll(self, slug: str | None, every: int | None) -> None:
        connections = Connection.objects.select_related("platform").filter(kind=Kind.MATRIX)
        if slug is not None:
            platform = Platform.objects.filter(slug=slug).first()
            if platform is None:
                raise CommandError(f"no platform {slug!r} (relais platform list)")
            connections = connections.filter(platform=platform)
        if every is not None and every < 1:
            raise CommandError("--every: at least 1 second")
        while True:
            failed = []
            found = list(connections)
            if not found:
                raise CommandError("no Matrix homeserver connected" + (f" to {slug!r}" if slug else ""))
            for connection in found:
                polled = services.poll_matrix(connection, now=clock.now())
                line = f"{connection.instance_url}: {polled.stored} new report(s), {polled.already} already stored"
                if polled.error:
                    failed.append(f"{connection.instance_url}: {polled.error}")
                    self.stderr.write(f"{line}; stopped: {polled.error}")
                else:
                    self.stdout.write(line)
            services.sweep(now=clock.now())  # the server notices due for a retry
            if every is None:
                break
            time.sleep(every)
        if failed:
            raise CommandError("; ".join(failed))

    def _connect(self, options: dict[str, Any]) -> None:
        lines = connecting.stdin_lines(options["token_stdin"])
        token = connecting.first_line(lines, "--token-stdin", "a server admin's access token")
        connection, _secret = connecting.connect(options, kind=Kind.MATRIX, instance_option="--homeserver", token=token)
        if options["skip_backlog"]:
            error = services.skip_matrix_backlog(connection, now=clock.now())
            if error:
                raise CommandError(f"--skip-backlog: {error}")
        # No webhook to paste: Relais pulls. The secret `connect` makes is unused on Matrix.
        self.stdout.write(f"homeserver: {connection.instance_url}")
        self.stdout.write(
            f"poll: relais matrix poll {connection.platform.slug} (from cron or a timer; or add --every 60)"
        )
        if connection.poll_cursor:
            self.stdout.write(
                f"backlog: skipped, the first report taken in will be newer than #{connection.poll_cursor}"
            )
        else:
            self.stdout.write("backlog: the first poll takes in every report Synapse holds, oldest first")
        if connection.send_help:
            self.stdout.write("server notices: set server_notices in homeserver.yaml (Synapse refuses them otherwise)")
