from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.tenants.management.commands._accounts import add_account
from relais.tenants.models import ModeratorRole, Platform
from relais.tenants.services import add_moderator


class Command(BaseCommand):
    help = (
        "Platform moderators (the /moderation/ console): "
        "`moderator add USERNAME --platform SLUG [--role moderator|lead] [--password-stdin]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a moderator account; prints a generated password unless one is read.")
        add.add_argument("username")
        add.add_argument("--platform", required=True, help="The platform's slug.")
        add.add_argument(
            "--role",
            choices=ModeratorRole.values,
            default=ModeratorRole.MODERATOR,
            help="A lead may release or take over a notice another moderator claimed.",
        )
        add.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")

    def handle(self, *args: Any, **options: Any) -> None:
        platform = Platform.objects.filter(slug=options["platform"]).first()
        if platform is None:
            raise CommandError(f"no platform {options['platform']!r} (see `relais platform list`)")
        add_account(
            self,
            options,
            lambda password: add_moderator(
                username=options["username"], platform=platform, role=options["role"], password=password
            ),
            platform.name,
        )
