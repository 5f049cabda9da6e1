from __future__ import annotations

from django.db import models

from relais.tenants.models import Helpline, Platform


class IdempotencyKey(models.Model):
    """The first final answer to a POST sent with an `Idempotency-Key`, replayed to its retries.

    The row is written in the same transaction as the request's own work, so both are committed or neither:
    a crash cannot leave the work done without its record (a retry would do it again) nor a record for work
    that was rolled back. Keys are the tenant's own: two platforms may use the same key. 5xx answers are
    never stored (the check constraint says so), so a retry after a failure runs again.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    helpline = models.ForeignKey(Helpline, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path, query and body.")
    created_at = models.DateTimeField()
    status = models.PositiveSmallIntegerField()
    headers = models.TextField(default="{}", help_text="The answer's headers, a JSON object, replayed as they were.")
    body = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "key"],
                condition=models.Q(platform__isnull=False),
                name="idempotency_key_unique_per_platform",
            ),
            models.UniqueConstraint(
                fields=["helpline", "key"],
                condition=models.Q(helpline__isnull=False),
                name="idempotency_key_unique_per_helpline",
            ),
            models.CheckConstraint(
                condition=(models.Q(platform__isnull=False) & models.Q(helpline__isnull=True))
                | (models.Q(platform__isnull=True) & models.Q(helpline__isnull=False)),
                name="idempotency_key_one_tenant",
            ),
            models.CheckConstraint(
                condition=models.Q(status__gte=100, status__lt=500), name="idempotency_key_final_status"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self) -> str:
        return f"{self.platform_id or self.helpline_id}:{self.key} → {self.status}"
