from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "relais.integrations"
    label = "integrations"
    verbose_name = "Integrations"
