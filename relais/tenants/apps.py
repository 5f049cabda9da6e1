from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "relais.tenants"
    label = "tenants"
