from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.tenants.management.commands._accounts import add_account
from relais.tenants.models import Helpline, Role
from relais.tenants.services import add_staff


class Command(BaseCommand):
    help = "Helpline staff: `staff add USERNAME --helpline SLUG [--role counsellor|supervisor] [--password-stdin]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a staff account; prints a generated password unless one is read.")
        add.add_argument("username")
        add.add_argument("--helpline", required=True, help="The helpline's slug.")
        add.add_argument("--role", choices=Role.values, default=Role.COUNSELLOR)
        add.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")

    def handle(self, *args: Any, **options: Any) -> None:
        helpline = Helpline.objects.filter(slug=options["helpline"]).first()
        if helpline is None:
            raise CommandError(f"no helpline {options['helpline']!r} (see `relais helpline list`)")
        add_account(
            self,
            options,
            lambda password: add_staff(
                username=options["username"], helpline=helpline, role=options["role"], password=password
            ),
            helpline.name,
        )
