from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "relais.moderation"
    label = "moderation"
    verbose_name = "Moderation (DSA notices, decisions, appeals)"

    def ready(self) -> None:
        from relais.moderation import signals  # noqa: F401 - connects the receivers
