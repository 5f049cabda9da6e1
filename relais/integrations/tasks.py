"""Background tasks (Django's tasks framework, as relais/webhooks): they take ids and are safe to run twice."""

from __future__ import annotations

from django_tasks import task

from relais.integrations import services


@task()
def send_help_message(message_pk: int) -> str:
    """One attempt at one help message, if it is still to send and due; returns what happened."""
    return services.attempt_help_message(message_pk)


@task()
def fetch_media(fetch_pk: int) -> str:
    """Fetch one picture or video of a reported status into the report's evidence; returns what happened."""
    return services.attempt_media_fetch(fetch_pk)


@task()
def fetch_post(fetch_pk: int) -> str:
    """Discourse: the one call to the forum's review API completing a stored flag; returns what happened."""
    return services.attempt_post_fetch(fetch_pk)


@task()
def poll_matrix(connection_id: str) -> str:
    """Matrix: one poll of Synapse's event reports for one connection; returns what happened."""
    return services.attempt_matrix_poll(connection_id)
