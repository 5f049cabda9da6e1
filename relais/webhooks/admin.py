"""Operators register endpoints for tenants, re-enable or disable them, rotate secrets and replay
deliveries. Secrets are shown once, in the confirmation message; payloads are never shown here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from relais import clock
from relais.webhooks import emit, endpoints, event_types
from relais.webhooks.delivery import disable_endpoint
from relais.webhooks.models import Attempt, Delivery, Endpoint


class EndpointForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.CharField(max_length=2048, help_text="https://… (checked as the API checks it).")
    event_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in event_types.ALL], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Endpoint
        fields = ["platform", "helpline", "url", "description", "event_types"]

    def clean_url(self) -> str:
        try:
            return endpoints.check_url(self.cleaned_data["url"])
        except endpoints.WebhookError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("platform")) == bool(data.get("helpline")):
            raise forms.ValidationError("Choose either a platform or a helpline.")
        try:
            data["event_types"] = event_types.check_event_types(
                list(data.get("event_types") or []), helpline=bool(data.get("helpline"))
            )
        except ValueError as exc:
            self.add_error("event_types", str(exc))
        return data


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = EndpointForm
    list_display = ["url", "platform", "helpline", "enabled", "failure_streak", "disabled_reason", "created_at"]
    list_filter = ["platform", "helpline"]
    search_fields = ["url", "description"]
    readonly_fields = ["created_at", "disabled_at", "disabled_reason", "failure_streak", "previous_secret_expires_at"]
    actions = ["enable", "disable", "rotate"]

    @admin.display(boolean=True)
    def enabled(self, obj: Endpoint) -> bool:
        return obj.enabled

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = list(self.readonly_fields)
        return [*fixed, "platform", "helpline"] if obj is not None else fixed

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        tenant = obj.platform or obj.helpline
        assert tenant is not None  # noqa: S101 - the form requires one
        endpoint, secret = endpoints.create_endpoint(
            tenant=tenant,
            url=obj.url,
            event_types_=list(obj.event_types),
            description=obj.description,
            now=clock.now(),
        )
        obj.pk = endpoint.pk
        obj.refresh_from_db()
        messages.warning(request, f"Signing secret for {endpoint.url} (shown once, give it to the tenant): {secret}")

    @admin.action(description="Enable again (held deliveries are sent)")
    def enable(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            endpoints.enable_endpoint(endpoint=endpoint, now=clock.now())
        self.message_user(request, f"{queryset.count()} endpoint(s) enabled.")

    @admin.action(description="Disable (deliveries are held)")
    def disable(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        who = request.user.get_username()
        for endpoint in queryset:
            disable_endpoint(endpoint_id=endpoint.pk, reason=f"disabled by {who} (admin)", now=clock.now())
        self.message_user(request, "Disabled.")

    @admin.action(description="Rotate the signing secret")
    def rotate(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            secret, until = endpoints.rotate_secret(endpoint=endpoint, now=clock.now())
            messages.warning(
                request,
                f"New secret for {endpoint.url} (shown once; the old one signs until {until:%Y-%m-%d %H:%M}): {secret}",
            )


class AttemptInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Attempt
    fields = ["number", "started_at", "status_code", "latency_ms", "error", "outcome"]
    readonly_fields = ["number", "started_at", "status_code", "latency_ms", "error", "outcome"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only log; filter on status "failed (dead letter)" for the dead letters, and replay them."""

    list_display = [
        "uid",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["uid", "message_id", "endpoint__url"]
    fields = [
        "uid",
        "endpoint",
        "event_type",
        "message_id",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "finished_at",
        "last_status_code",
        "last_latency_ms",
        "last_error",
        "replay_of",
        "erased_at",
    ]
    inlines = [AttemptInline]
    actions = ["replay"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(f) for f in self.fields or []]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Replay (send again, same webhook-id)")
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        done = 0
        for delivery in queryset:
            try:
                emit.replay(delivery=delivery, now=clock.now())
                done += 1
            except emit.ReplayRefused as exc:
                self.message_user(request, f"{delivery.uid}: not replayed, {exc}.", level=messages.ERROR)
        if done:
            self.message_user(request, f"{done} deliveries queued again.")
