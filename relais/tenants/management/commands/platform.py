from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from relais.directory.runtime import current
from relais.tenants.models import ApiKey, Platform, Presentation
from relais.tenants.services import InvalidPlatformSetting, add_platform, update_platform

OPTIONS = {
    "name": "--name",
    "presentation": "--presentation",
    "reporter_country": "--reporter-country",
    "reporter_timezone": "--reporter-timezone",
}
"""The option that sets each field, so a refusal names what the operator typed."""

REPORTER_COUNTRY_HELP = (
    "Country of the platform's reporters (ISO 3166-1 alpha-2, e.g. FR), used when a report does not say; "
    "the help card then says it rests on this default. Without it a report with no country is refused."
)
REPORTER_TIMEZONE_HELP = (
    "IANA zone for help card times when a report gives none (e.g. Europe/Paris), for reporters of that "
    "country; default: the country's own zone."
)


class Command(BaseCommand):
    help = (
        "Manage platform tenants: `platform add NAME [--presentation call_button|link] [--reporter-country CC] "
        "[--reporter-timezone ZONE]`, `platform set SLUG …`, `platform list`, `platform key SLUG`."
    )

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
        add.add_argument("--reporter-country", default="", metavar="CC", help=REPORTER_COUNTRY_HELP)
        add.add_argument("--reporter-timezone", default="", metavar="ZONE", help=REPORTER_TIMEZONE_HELP)

        change = sub.add_parser("set", help="Change a platform's settings and print what changed.")
        change.add_argument("slug")
        change.add_argument("--name", help="The platform's display name.")
        change.add_argument("--presentation", choices=Presentation.values, help="call_button or link.")
        country = change.add_mutually_exclusive_group()
        country.add_argument("--reporter-country", metavar="CC", help=REPORTER_COUNTRY_HELP)
        country.add_argument(
            "--no-reporter-country",
            action="store_true",
            help="Remove the default country: reports must then give the reporter's country.",
        )
        zone = change.add_mutually_exclusive_group()
        zone.add_argument("--reporter-timezone", metavar="ZONE", help=REPORTER_TIMEZONE_HELP)
        zone.add_argument(
            "--no-reporter-timezone", action="store_true", help="Remove the default zone: the country's own zone."
        )

        sub.add_parser("list", help="List platforms with their reporters' default country and zone.")
        key = sub.add_parser("key", help="Issue a new API key for a platform (the old ones keep working).")
        key.add_argument("slug")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self.add(options)
        elif action == "set":
            self.change(options)
        elif action == "list":
            self.stdout.write("slug\tname\tpresentation\treporter_country\treporter_timezone")
            for p in Platform.objects.order_by("slug"):
                self.stdout.write(
                    f"{p.slug}\t{p.name}\t{p.presentation}\t{p.reporter_country or '-'}\t{p.reporter_timezone or '-'}"
                )
        elif action == "key":
            _, key = ApiKey.issue(_platform(options["slug"]))
            self.stdout.write(key)

    def add(self, options: dict[str, Any]) -> None:
        try:
            platform, key = add_platform(
                name=options["name"],
                presentation=options["presentation"],
                slug=options["slug"],
                country=options["country"].upper(),
                reporter_country=options["reporter_country"],
                reporter_timezone=options["reporter_timezone"],
            )
        except InvalidPlatformSetting as exc:
            raise CommandError(f"{OPTIONS[exc.field]}: {exc.message}") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except IntegrityError:
            raise CommandError(f"a platform with slug {options['slug'] or options['name']!r} exists already") from None
        self.stdout.write(f"Platform {platform.name} ({platform.slug}), presentation {platform.presentation}.")
        self.stdout.write(_reporters(platform))
        self.stdout.write("API key (shown once, store it now):")
        self.stdout.write(key)

    def change(self, options: dict[str, Any]) -> None:
        platform = _platform(options["slug"])
        country = "" if options["no_reporter_country"] else options["reporter_country"]
        zone = "" if options["no_reporter_timezone"] else options["reporter_timezone"]
        try:
            changes = update_platform(
                platform=platform,
                name=options["name"],
                presentation=options["presentation"],
                reporter_country=country,
                reporter_timezone=zone,
            )
        except InvalidPlatformSetting as exc:
            raise CommandError(f"{OPTIONS[exc.field]}: {exc.message}") from None
        if not changes:
            self.stdout.write(f"{platform.slug}: nothing changed.")
            return
        for field, (before, after) in changes.items():
            self.stdout.write(f"{platform.slug}: {field} {before or '(none)'} → {after or '(none)'}")
        self.stdout.write(_reporters(platform))
        self.stdout.write(
            f"Running servers use the new settings within {settings.RELAIS_API_KEY_CACHE_SECONDS:g} s "
            "(RELAIS_API_KEY_CACHE_SECONDS)."
        )


def _platform(slug: str) -> Platform:
    found = Platform.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"no platform {slug!r}")
    return found


def _reporters(platform: Platform) -> str:
    """What a report without a country or zone gets, in words, and whether the directory covers the country."""
    if not platform.reporter_country:
        zone = f"; zone {platform.reporter_timezone} when a report gives none" if platform.reporter_timezone else ""
        return f"Reporters: no default country (a report must give the reporter's country){zone}."
    zone = platform.reporter_timezone or "the country's own"
    covered = platform.reporter_country in current().directory.countries
    note = "" if covered else " (not in the directory yet: their cards hold the general fallback help)"
    return f"Reporters: default country {platform.reporter_country}{note}, zone {zone}."
