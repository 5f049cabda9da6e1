"""Decision.summary holds only a moderator's own words (ADR 0021).

Until now, a decision without them stored English assembled from the enum names ("Restricted: visibility
content removed", "Reversed on appeal: …"), which a French reporter was then shown. Those rows are blanked
here, so they too are read in plain words in the reader's language. A stored summary is blanked only when
it is exactly what the old code would have generated for that decision — re-computed from the statement of
reasons as stored, and from the appeal's explanation — so a moderator's own text is never lost, even one
that happens to start with "Restricted:". Going back does not write the English again (nothing needs it).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

NO_ACTION = "No action: the content was found neither illegal nor against the terms."


def old_generated(decision: Any) -> set[str]:
    """What services._summary wrote for this decision when the moderator wrote nothing (before 0002)."""
    generated = set()
    if decision.outcome == "no_action":
        generated.add(NO_ACTION)
    else:
        statement = decision.statement or {}
        done = [
            *(statement.get("decision_visibility") or []),
            statement.get("decision_monetary"),
            statement.get("decision_provision"),
            statement.get("decision_account"),
        ]
        generated.add(
            "Restricted: " + ", ".join(d.removeprefix("DECISION_").replace("_", " ").lower() for d in done if d)
        )
    if decision.on_appeal_id is not None:
        generated.add(("Reversed on appeal: " + decision.on_appeal.explanation[:450]).strip()[:500])
    return generated


def blank_generated_summaries(apps: Any, schema_editor: Any) -> None:
    decision_model = apps.get_model("moderation", "Decision")
    generated = [
        d.pk
        for d in decision_model.objects.exclude(summary="").select_related("on_appeal").iterator(chunk_size=500)
        if d.summary in old_generated(d)
    ]
    for start in range(0, len(generated), 500):
        decision_model.objects.filter(pk__in=generated[start : start + 500]).update(summary="")


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="decision",
            name="summary",
            field=models.CharField(
                blank=True,
                help_text="The moderator's own words for the notifier, shown as written. Empty: the notifier reads "
                "plain words Relais writes from the decision, in their language, when they read it.",
                max_length=500,
            ),
        ),
        migrations.RunPython(blank_generated_summaries, migrations.RunPython.noop),
    ]
