from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from relais.tenants.models import ApiKey, Helpline
from relais.tenants.services import add_helpline


class Command(BaseCommand):
    help = "Helpline tenants: `helpline add NAME --directory-id fr-3018`, `helpline list`, `helpline key SLUG`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Register a helpline organisation and print its API key (once).")
        add.add_argument("name")
        add.add_argument("--directory-id", required=True, help="Its id in the directory, e.g. fr-3018.")
        add.add_argument("--slug", help="Identifier (default: from the name).")
        sub.add_parser("list", help="List helplines.")
        key = sub.add_parser("key", help="Issue another API key (revoke old ones in the admin).")
        key.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            try:
                helpline, key = add_helpline(
                    name=options["name"], directory_id=options["directory_id"], slug=options["slug"]
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            except IntegrityError:
                raise CommandError("a helpline with this slug or directory id exists already") from None
            self.stdout.write(f"Helpline {helpline.name} ({helpline.slug}) for {helpline.directory_id}.")
            self.stdout.write("API key (shown once, store it now):")
            self.stdout.write(key)
        elif options["action"] == "list":
            for h in Helpline.objects.order_by("slug"):
                self.stdout.write(f"{h.slug}\t{h.directory_id}\t{h.name}")
        else:
            found = Helpline.objects.filter(slug=options["slug"]).first()
            if found is None:
                raise CommandError(f"no helpline {options['slug']!r}")
            self.stdout.write(ApiKey.issue(found)[1])
