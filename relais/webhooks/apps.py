from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "relais.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from relais.webhooks import checks  # noqa: F401  (registers the webhook and tasks settings checks)
