from django.apps import AppConfig


class RelaisConfig(AppConfig):
    name = "relais"
    verbose_name = "Relais"

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from relais import checks  # noqa: F401  (registers the production safety checks)
        from relais.logs import log_task_finished

        task_finished.connect(log_task_finished, dispatch_uid="relais.logs.log_task_finished")
