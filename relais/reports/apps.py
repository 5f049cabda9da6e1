from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "relais.reports"
    label = "reports"
