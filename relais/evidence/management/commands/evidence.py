from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais import clock
from relais.evidence import crypto, services


class Command(BaseCommand):
    help = (
        "Evidence storage: `newkey ID` (a key for RELAIS_EVIDENCE_KEYS), `rekey` (re-encrypt items and texts under the first "
        "key), `verify` (check every stored item against its hash), `sweep` (delete stored files no item uses)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        newkey = sub.add_parser(
            "newkey", help="Print a new `id:base64key` entry; put it first in RELAIS_EVIDENCE_KEYS."
        )
        newkey.add_argument("key_id", help="A short name, e.g. 2026b (letters, digits, . _ -)")
        sub.add_parser("rekey", help="Re-encrypt every item sealed with an older key under the first key.")
        sub.add_parser("verify", help="Open every stored item and compare it with its SHA-256.")
        sweep = sub.add_parser("sweep", help="Delete stored files that no item points to (after a crash).")
        sweep.add_argument("--older-than-hours", type=float, default=24.0)
        sweep.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "newkey":
            entry = crypto.new_key_text(options["key_id"])
            try:
                crypto.parse_keys(entry)
            except crypto.KeyConfigError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(entry)
            return
        if action == "sweep":
            orphans = services.sweep_orphans(
                now=clock.now(), older_than=timedelta(hours=options["older_than_hours"]), dry_run=options["dry_run"]
            )
            for name in orphans:
                self.stdout.write(name)
            self.stdout.write(f"{len(orphans)} unused stored files {'found' if options['dry_run'] else 'deleted'}.")
            return
        if action == "rekey":
            count, failures = services.reseal_all(now=clock.now())
            self.stdout.write(f"{count} items re-encrypted.")
            self.stdout.write(f"{services.reseal_texts()} texts (reporters' words, reported content) re-encrypted.")
        else:
            count, failures = services.verify_all()
            self.stdout.write(f"{count} items checked.")
        for failure in failures:
            self.stderr.write(f"report {failure.report_id}: {failure}")
        if failures:
            raise CommandError(f"{len(failures)} items failed their integrity check")
