from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "relais.idempotency"
    verbose_name = "Idempotency keys"

    def ready(self) -> None:
        from relais.idempotency import checks  # noqa: F401  (registers the cache and rate-limit checks)
