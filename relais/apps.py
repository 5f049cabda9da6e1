from django.apps import AppConfig


class RelaisConfig(AppConfig):
    name = "relais"
    verbose_name = "Relais"

    def ready(self) -> None:
        from relais import checks  # noqa: F401  (registers the production safety checks)
