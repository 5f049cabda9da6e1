"""Start-up refuses evidence settings that would lose evidence or leave it readable with a known key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from relais.evidence import crypto


@checks.register(checks.Tags.security)
def evidence_settings(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    keys_text = settings.RELAIS_EVIDENCE_KEYS
    if keys_text:
        try:
            keyring = crypto.parse_keys(keys_text)
        except crypto.KeyConfigError as exc:
            errors.append(checks.Error(f"RELAIS_EVIDENCE_KEYS: {exc}", id="relais.E302"))
        else:
            development = crypto.development_key(settings.DEVELOPMENT_SECRET_KEY)
            if settings.PRODUCTION and any(key == development for _, key in keyring.keys):
                errors.append(
                    checks.Error(
                        "RELAIS_EVIDENCE_KEYS holds the development evidence key.",
                        hint="Generate a key with `relais evidence newkey ID` and put it first.",
                        id="relais.E301",
                    )
                )
    elif settings.PRODUCTION:
        errors.append(
            checks.Error(
                "RELAIS_EVIDENCE_KEYS is not set: evidence would be sealed with a key derived from SECRET_KEY.",
                hint="Generate one with `relais evidence newkey 2026a` and keep it apart from the database backups.",
                id="relais.E301",
            )
        )
    if settings.RELAIS_EVIDENCE_WINDOW_HOURS <= 0 or settings.RELAIS_RETENTION_DAYS < 1:
        errors.append(
            checks.Error("RELAIS_EVIDENCE_WINDOW_HOURS and RELAIS_RETENTION_DAYS must be positive.", id="relais.E303")
        )
    if not 0 <= settings.RELAIS_PDQ_MATCH_DISTANCE <= 64:
        errors.append(
            checks.Error(
                "RELAIS_PDQ_MATCH_DISTANCE must be between 0 and 64 bits (31 is Meta's reference threshold).",
                id="relais.E304",
            )
        )
    return errors
