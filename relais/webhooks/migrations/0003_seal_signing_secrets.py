"""Seal the endpoints' signing secrets at rest with the evidence key ring (ADR 0011, "At rest"): existing rows
are sealed here under the first key of RELAIS_EVIDENCE_KEYS, and opened again going back."""

from typing import Any

from django.db import migrations

import relais.evidence.sealed_text
from relais.evidence import sealed_text

COLUMNS = ("secret", "previous_secret")


def _rewrite(apps: Any, schema_editor: Any, *, seal: bool) -> None:
    model = apps.get_model("webhooks", "endpoint")
    table = model._meta.db_table
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for field_name in COLUMNS:
            context = f"webhooks.Endpoint.{field_name}"
            column = model._meta.get_field(field_name).column
            cursor.execute(f"SELECT {quote('id')}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
            for pk, stored in cursor.fetchall():
                if seal == stored.startswith(sealed_text.PREFIX):
                    continue
                value = (
                    sealed_text.seal_text(stored, context=context)
                    if seal
                    else sealed_text.open_text(stored, context=context)
                )
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote('id')} = %s",  # noqa: S608
                    [value, pk],
                )


def seal_rows(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, schema_editor, seal=True)


def open_rows(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, schema_editor, seal=False)


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
