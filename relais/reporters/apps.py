from django.apps import AppConfig


class ReportersConfig(AppConfig):
    """The reporter's own page: the help, the handoff and the outcome, reached through a private link."""

    name = "relais.reporters"
    label = "reporters"
