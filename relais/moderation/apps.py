from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "relais.moderation"
    label = "moderation"
    verbose_name = "Moderation (DSA notices, decisions, appeals)"
