"""Background work of the moderation loop: statements of reasons to the Transparency Database."""

from __future__ import annotations

from django_tasks import task


@task()
def submit_statements(platform_id: str) -> None:
    """Send the platform's due statements in batches; failures are retried later (transparency.py)."""
    from relais.moderation import transparency

    transparency.submit_due(platform_id)
