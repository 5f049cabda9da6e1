"""Operators can see that cases exist and read their access log, never change either: the log is the
record of who looked, and a case's content is the reporter's, shared with one helpline only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from relais.handoffs.models import AccessEvent, Case


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["helpline", "status", "category", "urgent", "created_at", "withdrawn_at"]
    list_filter = ["helpline", "status", "urgent"]
    fields = ["helpline", "status", "category", "urgent", "created_at", "updated_at", "withdrawn_at"]


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnly):
    list_display = ["at", "actor_label", "action", "detail"]
    list_filter = ["action"]
    fields = ["at", "actor_label", "action", "detail"]
