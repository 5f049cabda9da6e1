"""Seal the endpoints' signing secrets at rest with the evidence key ring (ADR 0011, "At rest"): existing rows
are sealed here under the first key of RELAIS_EVIDENCE_KEYS, and opened again going back."""

from typing import Any

from django.db import migrations

import relais.evidence.sealed_text
from relais.evidence import sealed_text

COLUMNS = (("endpoint", "secret"), ("endpoint", "previous_secret"))


def seal_rows(apps: Any, schema_editor: Any) -> None:
    sealed_text.rewrite_rows(apps, schema_editor, "webhooks", COLUMNS, seal=True)


def open_rows(apps: Any, schema_editor: Any) -> None:
    sealed_text.rewrite_rows(apps, schema_editor, "webhooks", COLUMNS, seal=False)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_endpoint_last_attempt_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="endpoint",
            name="secret",
            field=relais.evidence.sealed_text.SealedTextField(context="webhooks.Endpoint.secret"),
        ),
        migrations.AlterField(
            model_name="endpoint",
            name="previous_secret",
            field=relais.evidence.sealed_text.SealedTextField(blank=True, context="webhooks.Endpoint.previous_secret"),
        ),
        migrations.RunPython(seal_rows, open_rows),
    ]
