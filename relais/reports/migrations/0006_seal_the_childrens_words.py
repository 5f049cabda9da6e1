"""Seal the reporter's words and the reported content at rest (ADR 0011, "At rest"): the columns keep their
type; existing rows are sealed here, under the first key of RELAIS_EVIDENCE_KEYS, and opened again going back."""

from typing import Any

from django.db import migrations

import relais.evidence.sealed_text
from relais.evidence import sealed_text

COLUMNS = (("report", "description"), ("reportedcontent", "text"))


def seal_rows(apps: Any, schema_editor: Any) -> None:
    sealed_text.rewrite_rows(apps, schema_editor, "reports", COLUMNS, seal=True)


def open_rows(apps: Any, schema_editor: Any) -> None:
    sealed_text.rewrite_rows(apps, schema_editor, "reports", COLUMNS, seal=False)


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
