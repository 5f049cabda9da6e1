from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.directory import directory as directory_module
from relais.directory.schema import DirectoryFileError


class Command(BaseCommand):
    help = "The helpline directory: `directory check` validates the data files and prints errors as file:line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate the data files.")
        check.add_argument("--path", help="A folder of <cc>.yaml files (default: the bundled directory).")
        sub.add_parser("list", help="List countries, helplines and channels.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options.get("path") or directory_module.DATA_DIR
        try:
            loaded = directory_module.load(folder=Path(folder))
        except DirectoryFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s) in the directory") from None
        countries = sorted(loaded.countries.values(), key=lambda c: c.code)
        if options["action"] == "check":
            helplines = sum(len(c.helplines) for c in countries)
            channels = sum(len(h.channels) for c in countries for h in c.helplines)
            self.stdout.write(
                f"Directory {loaded.version} is valid: {len(countries)} countries, {helplines} helplines, "
                f"{channels} channels (+ fallback)."
            )
            return
        for country in [*countries, loaded.fallback]:
            self.stdout.write(f"{country.code} {country.names['en']} ({country.zone.key})")
            for e in country.emergency:
                self.stdout.write(f"  ! {e.id:<18} {e.number:<6} {e.kind}")
            for h in country.helplines:
                self.stdout.write(f"  - {h.id:<18} {h.name}")
                for c in h.channels:
                    self.stdout.write(f"      {c.kind:<9} {c.uri:<40} {c.hours}")
