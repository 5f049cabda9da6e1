from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from relais.tenants.models import ApiKey, Platform, Presentation
from relais.tenants.services import add_platform


class Command(BaseCommand):
    help = "Manage platform tenants: `platform add NAME [--presentation call_button|link]`, `platform list`, `platform key NAME`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a platform and print its API key (once).")
        add.add_argument("name")
        add.add_argument("--slug", help="Identifier (default: from the name).")
        add.add_argument(
            "--presentation",
            choices=Presentation.values,
            default=Presentation.CALL_BUTTON,
            help="How the help card's primary action is shown: call_button (Meta style) or link (TikTok style).",
        )
        add.add_argument(
            "--country", default="", help="Country of establishment for the DSA, e.g. IE (decides trusted flaggers)."
        )
        sub.add_parser("list", help="List platforms.")
        key = sub.add_parser("key", help="Issue a new API key for a platform (the old ones keep working).")
        key.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            try:
                platform, key = add_platform(
                    name=options["name"],
                    presentation=options["presentation"],
                    slug=options["slug"],
                    country=options["country"].upper(),
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            except IntegrityError:
                raise CommandError(
                    f"a platform with slug {options['slug'] or options['name']!r} exists already"
                ) from None
            self.stdout.write(f"Platform {platform.name} ({platform.slug}), presentation {platform.presentation}.")
            self.stdout.write("API key (shown once, store it now):")
            self.stdout.write(key)
        elif action == "list":
            for p in Platform.objects.order_by("slug"):
                self.stdout.write(f"{p.slug}\t{p.name}\t{p.presentation}")
        elif action == "key":
            found = Platform.objects.filter(slug=options["slug"]).first()
            if found is None:
                raise CommandError(f"no platform {options['slug']!r}")
            _, key = ApiKey.issue(found)
            self.stdout.write(key)
