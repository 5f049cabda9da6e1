from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais import clock
from relais.directory import directory as directory_module
from relais.directory import facts, open_data, schema
from relais.directory.schema import DirectoryFileError


def _days(value: str) -> dt.timedelta:
    match = re.fullmatch(r"(\d+)d?", value.strip())
    if match is None:
        raise ValueError(value)
    return dt.timedelta(days=int(match.group(1)))


def read_parsed(folder: Path) -> tuple[list[schema.ParsedFile], str]:
    """Every file parsed with its lines, or DirectoryFileError listing the problems of all of them."""
    parsed, problems = [], []
    for path in schema.iter_country_files(folder):
        try:
            parsed.append(schema.parse_with_lines(path))
        except DirectoryFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DirectoryFileError(problems)
    _, version = directory_module.read_files(folder)
    return parsed, version


class Command(BaseCommand):
    help = (
        "The helpline directory: `check` validates the data files (file:line: id: field: problem), `stale` lists "
        "facts to re-verify, `export` writes the open data, `list` prints it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate the data files.")
        check.add_argument("--path", help="A folder of <cc>.yaml files (default: the bundled directory).")
        check.add_argument("--warnings", action="store_true", help="List every warning, not only their count.")
        stale = sub.add_parser("stale", help="Facts last read before a limit: what to re-verify, oldest first.")
        stale.add_argument("--path")
        stale.add_argument("--older-than", default="180d", type=_days, help="e.g. 180d (default)")
        stale.add_argument("--format", choices=["table", "json"], default="table")
        export = sub.add_parser("export", help="The directory as open data, on standard output.")
        export.add_argument("--path")
        export.add_argument("--format", choices=["hsds", "relais"], default="hsds")
        lst = sub.add_parser("list", help="List countries, helplines and channels.")
        lst.add_argument("--path")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options.get("path") or directory_module.DATA_DIR)
        try:
            parsed, version = read_parsed(folder)
            loaded = directory_module.load(folder=folder)
        except DirectoryFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s) in the directory") from None
        action = options["action"]
        if action == "check":
            self._check(parsed, loaded, warnings=options["warnings"])
        elif action == "stale":
            self._stale(parsed, options["older_than"], options["format"])
        elif action == "export":
            make = open_data.hsds_services if options["format"] == "hsds" else open_data.relais_document
            self.stdout.write(json.dumps(make(parsed, version=version), ensure_ascii=False, indent=1))
        else:
            self._list(loaded)

    def _check(self, parsed: list[schema.ParsedFile], loaded: directory_module.Directory, *, warnings: bool) -> None:
        findings = facts.check(parsed)
        problems = [f for f in findings if f.severity == "problem"]
        warned = [f for f in findings if f.severity == "warning"]
        all_facts = list(facts.facts(parsed))
        unread = facts.unverified(all_facts)
        for finding in problems:
            self.stderr.write(str(finding))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the directory")
        for finding in warned:
            self.stdout.write(f"warning: {finding}")
        if warnings:
            for fact in unread:
                self.stdout.write(f"warning: {fact.path}:{fact.line}: {fact.id}: source.verified_at: not given")
        single = sum(1 for f in all_facts if not f.corroborated)
        unknown_holidays = [
            c.id or f"{h.id}-{c.kind}"
            for p in parsed
            for h in p.data.helplines
            for c in h.channels
            if c.kind in directory_module.CONTACT_KINDS and facts.holiday_rule(c.hours) == "unknown"
        ]
        countries = sorted(loaded.countries.values(), key=lambda c: c.code)
        helplines = sum(len(c.helplines) for c in countries)
        channels = sum(len(h.channels) for c in countries for h in c.helplines)
        self.stdout.write(
            f"Directory {loaded.version} is valid: {len(countries)} countries, {helplines} helplines, "
            f"{channels} channels (+ fallback)."
        )
        self.stdout.write(
            f"warning: {len(unread)} of {len(all_facts)} facts have no source.verified_at (the day the source was "
            f"read); {single} rest on a single source. `--warnings` lists them, `relais directory stale` orders them."
        )
        if unknown_holidays:
            self.stdout.write(
                f"warning: {len(unknown_holidays)} channels where a person answers do not say what happens on public "
                "holidays (no PH rule, not 24/7): write `PH off` or a PH rule only where the source says so."
            )

    def _stale(self, parsed: list[schema.ParsedFile], older_than: dt.timedelta, fmt: str) -> None:
        today = clock.now().date()
        rows = facts.stale(facts.facts(parsed), today=today, older_than=older_than)
        if fmt == "json":
            data = [
                {
                    "id": f.id,
                    "kind": f.kind,
                    "file": f.path.name,
                    "line": f.line,
                    "checked_on": f.checked_on.isoformat(),
                    "verified": f.verified,
                    "corroborated": f.corroborated,
                    "urls": [s.url for s in f.sources],
                }
                for f in rows
            ]
            self.stdout.write(json.dumps(data, indent=1))
            return
        self.stdout.write(f"{'checked on':<11} {'by':<9} {'sources':<7} {'id':<26} where")
        for f in rows:
            by = "verified" if f.verified else "dated"
            sources = "2+" if f.corroborated else "single"
            self.stdout.write(f"{f.checked_on.isoformat():<11} {by:<9} {sources:<7} {f.id:<26} {f.path.name}:{f.line}")
        self.stdout.write(f"{len(rows)} fact(s) last read more than {older_than.days} days before {today.isoformat()}.")

    def _list(self, loaded: directory_module.Directory) -> None:
        countries = sorted(loaded.countries.values(), key=lambda c: c.code)
        for country in [*countries, loaded.fallback]:
            self.stdout.write(f"{country.code} {country.names['en']} ({country.zone.key})")
            for e in country.emergency:
                self.stdout.write(f"  ! {e.id:<18} {e.number:<6} {e.kind}")
            for h in country.helplines:
                self.stdout.write(f"  - {h.id:<18} {h.name}")
                for c in h.channels:
                    self.stdout.write(f"      {c.kind:<9} {c.uri:<40} {c.hours}")
