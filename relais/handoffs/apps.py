from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "relais.handoffs"
    label = "handoffs"
    verbose_name = "Handoffs to helplines"
