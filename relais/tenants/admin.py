from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from relais.tenants.access import forget_keys
from relais.tenants.models import ApiKey, Helpline, Moderator, Platform, StaffMember


class ApiKeyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Keys are issued with `relais platform key SLUG` (shown once); here they can only be revoked."""

    model = ApiKey
    fields = ["hint", "created_at", "revoked_at"]
    readonly_fields = ["hint", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Helpline)
class HelplineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "directory_id", "created_at"]
    search_fields = ["name", "slug", "directory_id"]
    inlines = [ApiKeyInline]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "helpline", "role"]
    list_filter = ["helpline", "role"]


@admin.register(Moderator)
class ModeratorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "platform", "role"]
    list_filter = ["platform", "role"]


class PlatformForm(forms.ModelForm):  # type: ignore[type-arg]
    """`fr` is stored as intake reads it, FR; the model's validators then refuse what is not a real code."""

    class Meta:
        model = Platform
        fields = ["slug", "name", "presentation", "country", "zone", "reporter_country", "reporter_timezone"]

    def clean_reporter_country(self) -> str:
        return str(self.cleaned_data["reporter_country"]).upper()


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PlatformForm
    list_display = ["name", "slug", "presentation", "country", "zone", "reporter_country", "reporter_timezone"]
    search_fields = ["name", "slug"]
    inlines = [ApiKeyInline]

    def save_model(self, request: HttpRequest, obj: Platform, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Intake reads the platform through the API-key memo: this process forgets it now, others soon.
        transaction.on_commit(forget_keys)
