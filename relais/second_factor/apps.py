from django.apps import AppConfig


class SecondFactorConfig(AppConfig):
    """The second factor for staff (ADR 0031): keeps the passkeys; django-otp keeps the TOTP and recovery codes."""

    name = "relais.second_factor"
    label = "second_factor"
    default_auto_field = "django.db.models.BigAutoField"
