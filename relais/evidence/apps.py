from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "relais.evidence"
    label = "evidence"
    verbose_name = "Evidence"

    def ready(self) -> None:
        from relais.evidence import checks  # noqa: F401  (registers the evidence key and storage checks)
