"""Start-up refuses an unsafe production configuration instead of running with development defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=False)  # database-tagged checks run only with --database
def replica_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """A replica is a second PostgreSQL server streaming the primary: beside SQLite (a file, no replication)
    or on another engine it would be a different database, whose answers would silently differ."""
    replica = settings.DATABASES.get("replica")
    if replica is None:
        return []
    default_engine = settings.DATABASES["default"]["ENGINE"]
    if default_engine == "django.db.backends.sqlite3" or replica["ENGINE"] != default_engine:
        return [
            checks.Error(
                "RELAIS_REPLICA_DATABASE_URL is set but DATABASE_URL is not PostgreSQL, or the replica is not "
                "the same engine: SQLite has no replica.",
                hint="Unset RELAIS_REPLICA_DATABASE_URL, or point DATABASE_URL at PostgreSQL and the replica at "
                "a streaming replica of it.",
                id="relais.E008",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=False)
def production_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    errors: list[checks.CheckMessage] = []

    def refuse(msg: str, hint: str, ident: str) -> None:
        errors.append(checks.Error(msg, hint=hint, id=f"relais.{ident}"))

    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY or len(settings.SECRET_KEY) < 40:
        refuse("SECRET_KEY is the development key or too short.", "Set SECRET_KEY to 40+ random characters.", "E001")
    if settings.DEBUG:
        refuse("DEBUG is on in production.", "Unset DEBUG or set DEBUG=false.", "E002")
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        refuse("ALLOWED_HOSTS is empty or '*'.", "List the host names Relais answers to.", "E003")
    if settings.RELAIS_FAKE_NOW:
        refuse("RELAIS_FAKE_NOW pins the clock.", "It is for tests and demos only: unset it.", "E004")
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        refuse("SQLite in production.", "Set DATABASE_URL to a PostgreSQL database.", "E005")
    if not settings.SESSION_COOKIE_SECURE:
        refuse("Cookies are not marked Secure.", "Serve over HTTPS and unset RELAIS_SECURE_COOKIES=false.", "E006")
    if settings.RELAIS_PUBLIC_URL and not settings.RELAIS_PUBLIC_URL.startswith("https://"):
        refuse(
            "RELAIS_PUBLIC_URL is not https://: reporters' private links would travel in clear.",
            "Set RELAIS_PUBLIC_URL to the public https:// address of this Relais.",
            "E007",
        )
    if not settings.RELAIS_PUBLIC_URL:
        errors.append(
            checks.Warning(
                "RELAIS_PUBLIC_URL is not set: reporters' links are built on each request's Host header, and "
                "links sent outside a request (a worker's direct message) cannot be built.",
                hint="Set RELAIS_PUBLIC_URL=https://relais.example.org (your public address).",
                id="relais.W007",
            )
        )
    if not settings.RELAIS_REQUIRE_SECOND_FACTOR:
        errors.append(
            checks.Warning(
                "RELAIS_REQUIRE_SECOND_FACTOR is off: a password alone opens the consoles and the admin.",
                hint="Unset RELAIS_REQUIRE_SECOND_FACTOR (on by default in production, ADR 0031).",
                id="relais.W008",
            )
        )
    return errors
