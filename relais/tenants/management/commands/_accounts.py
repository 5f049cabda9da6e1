"""What `relais staff add` and `relais moderator add` share: the password read or generated, shown once."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from relais.tenants.models import Moderator, StaffMember


def add_account(
    command: BaseCommand,
    options: dict[str, Any],
    create: Callable[[str | None], tuple[StaffMember | Moderator, str]],
    where: str,
) -> None:
    """Create the account with a password from standard input (checked by the validators) or a generated one,
    printed once: only its hash is kept."""
    password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
    if password is not None:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
    try:
        member, password = create(password)
    except IntegrityError:
        raise CommandError(f"a user {options['username']!r} exists already") from None
    command.stdout.write(f"{member.user.username}: {member.role} at {where}.")
    if not options["password_stdin"]:
        command.stdout.write(f"Password (shown once): {password}")
