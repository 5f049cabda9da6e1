"""Seal the reporter's words and the reported content at rest (ADR 0011, "At rest"): the columns keep their
type; existing rows are sealed here, under the first key of RELAIS_EVIDENCE_KEYS, and opened again going back."""

from typing import Any

from django.db import migrations

import relais.evidence.sealed_text
from relais.evidence import sealed_text

COLUMNS = (("report", "description"), ("reportedcontent", "text"))


def _rewrite(apps: Any, schema_editor: Any, *, seal: bool) -> None:
    for model_name, field_name in COLUMNS:
        model = apps.get_model("reports", model_name)
        context = f"reports.{model._meta.object_name}.{field_name}"
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        quote = schema_editor.quote_name
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote('id')}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
            rows = cursor.fetchall()
            for pk, stored in rows:
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
        ("reports", "0005_reporter_country_assumed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="description",
            field=relais.evidence.sealed_text.SealedTextField(
                blank=True, context="reports.Report.description", max_length=5000
            ),
        ),
        migrations.AlterField(
            model_name="reportedcontent",
            name="text",
            field=relais.evidence.sealed_text.SealedTextField(
                blank=True, context="reports.ReportedContent.text", max_length=10000
            ),
        ),
        migrations.RunPython(seal_rows, open_rows),
    ]
