"""The retention purge as a background task (Django's tasks framework), for a scheduler to enqueue.

Production runs `relais purge` once a day from cron or a systemd timer (docs/operations.md): django-tasks has no clock of
its own. The task is the same purge, for deployments that prefer to enqueue it; it takes no argument and is
safe to run twice (a second run finds nothing due).
"""

from __future__ import annotations

from django_tasks import task

from relais import clock
from relais.evidence import services


@task()
def purge_expired() -> int:
    """Returns how many reports were purged (kept as the task's result)."""
    return len(services.purge(now=clock.now(), trigger="background task").lines)
