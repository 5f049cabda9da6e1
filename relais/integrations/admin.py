"""Operators see each connection's last refused delivery and every help message's state; they edit the
category map, the language fallback and the opt-in. Secrets and tokens are never shown (they are sealed)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from relais import clock
from relais.integrations import services
from relais.integrations.access import forget_connections
from relais.integrations.models import Connection, HelpMessage, MediaFetch, PlatformResolution, PostFetch


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["instance_url", "kind", "platform", "send_help", "last_refusal_at", "last_refusal"]
    list_filter = ["kind", "send_help"]
    search_fields = ["instance_url", "service_did"]
    fields = [
        "platform",
        "kind",
        "instance_url",
        "service_did",
        "plc_url",
        "account_did",
        "pds_url",
        "category_map",
        "language_fallback",
        "api_username",
        "send_help",
        "poll_cursor",
        "polled_at",
        "created_at",
        "last_refusal_at",
        "last_refusal",
    ]
    readonly_fields = [
        "platform",
        "kind",
        "instance_url",
        "service_did",
        "plc_url",
        "account_did",
        "pds_url",
        "poll_cursor",
        "polled_at",
        "created_at",
        "last_refusal_at",
        "last_refusal",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `relais mastodon|discourse|matrix|bluesky connect`: it seals the credentials and prints the webhook's form

    def save_model(self, request: HttpRequest, obj: Connection, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_connections()  # this process at once; others within RELAIS_API_KEY_CACHE_SECONDS


@admin.register(HelpMessage)
class HelpMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "connection", "status", "attempts", "last_status_code", "last_error", "sent_at"]
    list_filter = ["status", "connection"]
    readonly_fields = [
        "connection",
        "report",
        "recipient",
        "language",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_status_code",
        "last_error",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send again now (failed or pending messages)")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[HelpMessage]) -> None:
        now = clock.now()
        # A message the reporter's settings refused stays refused: sending it anyway would override them.
        count = queryset.filter(status__in=[HelpMessage.Status.FAILED, HelpMessage.Status.PENDING]).update(
            status=HelpMessage.Status.PENDING, next_attempt_at=now
        )
        services.sweep(now=now)
        self.message_user(request, f"{count} message(s) queued.")


@admin.register(PlatformResolution)
class PlatformResolutionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["notice", "connection", "resolved_at", "recorded_at"]
    readonly_fields = ["notice", "connection", "resolved_at", "recorded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MediaFetch)
class MediaFetchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["created_at", "connection", "kind", "status", "attempts", "last_error", "finished_at"]
    list_filter = ["status", "connection"]
    readonly_fields = [f.name for f in MediaFetch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PostFetch)
class PostFetchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Discourse: the call to the forum's review API completing each flag (a failed one shows why)."""

    list_display = ["created_at", "connection", "reviewable_id", "status", "attempts", "last_error", "finished_at"]
    list_filter = ["status", "connection"]
    readonly_fields = [f.name for f in PostFetch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
