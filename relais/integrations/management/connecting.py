"""What every `relais <platform> connect` command does the same way: find the platform, check the language,
read secrets from standard input, connect, and turn the service's refusals into errors naming the option.

One place, so that Mastodon, Discourse, Matrix (and the next platform) refuse the same mistakes with the same
words, and a fix to one is a fix to all.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import CommandError

from relais import clock
from relais.integrations import services
from relais.integrations.models import Connection, Kind
from relais.tenants.models import Platform
from relais.tenants.services import InvalidPlatformSetting

LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*")


def stdin_lines(wanted: bool) -> list[str]:
    """Standard input's lines when an option asked for them (secrets never go on the command line, where
    `ps` and the shell's history would show them), else none."""
    return sys.stdin.read().splitlines() if wanted else []


def first_line(lines: list[str], option: str, what: str) -> str:
    """The next line read, stripped; a CommandError naming the option when there is none."""
    value = lines.pop(0).strip() if lines else ""
    if not value:
        raise CommandError(f"{option}: give {what} on standard input")
    return value


def platform_of(options: dict[str, Any]) -> Platform:
    platform = Platform.objects.filter(slug=options["slug"]).first()
    if platform is None:
        raise CommandError(f"no platform {options['slug']!r} (relais platform list)")
    return platform


def language_of(options: dict[str, Any]) -> str | None:
    """`--language` as a tag (`pt-BR`), None when the command has none or it was not given."""
    language: str | None = options.get("language")
    if language is not None and not LANGUAGE_TAG.fullmatch(language):
        raise CommandError("--language: expected a language tag such as fr or pt-BR")
    return None if language is None else language.replace("_", "-")


@contextmanager
def refusals_named(instance_option: str = "--instance") -> Iterator[None]:
    """The service's refusals as CommandErrors naming the command's own option."""
    try:
        yield
    except services.ConnectionRefused as exc:
        raise CommandError(str(exc).replace("--instance", instance_option, 1)) from None
    except InvalidPlatformSetting as exc:
        option = "--country" if exc.field == "reporter_country" else "--timezone"
        raise CommandError(f"{option}: {exc.message}") from None


def keep_preferences(connection: Connection, options: dict[str, Any], language: str | None) -> None:
    """`--send-help` and `--language`, where the command has them."""
    if options.get("send_help"):
        connection.send_help = True
    if language is not None:
        connection.language_fallback = language
    connection.save(update_fields=["send_help", "language_fallback"])


def connect(
    options: dict[str, Any], *, kind: Kind, instance_option: str, token: str, secret: str | None = None, **extra: Any
) -> tuple[Connection, str]:
    """`services.connect` for the command's options (slug, instance, --country, --timezone, and where the
    command has them --language and --send-help); returns the connection and its webhook secret."""
    platform = platform_of(options)
    language = language_of(options)
    with refusals_named(instance_option):
        connection, webhook_secret = services.connect(
            platform=platform,
            kind=kind,
            instance_url=options[instance_option.removeprefix("--")],
            token=token,
            secret=secret,
            reporter_country=options["country"],
            reporter_timezone=options["timezone"],
            now=clock.now(),
            **extra,
        )
    keep_preferences(connection, options, language)
    return connection, webhook_secret
