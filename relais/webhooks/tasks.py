"""Background tasks (Django's tasks framework; `relais db_worker` runs them). They take ids and are safe
to run twice: see delivery.attempt_delivery."""

from __future__ import annotations

from django_tasks import task

from relais.webhooks import delivery


@task()
def deliver(delivery_pk: int) -> str:
    """One attempt at one delivery, if it is due and its turn; returns what happened (kept as the result)."""
    return delivery.attempt_delivery(delivery_pk)
