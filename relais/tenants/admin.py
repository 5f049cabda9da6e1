from __future__ import annotations

from django.contrib import admin

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


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "presentation", "country", "zone", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [ApiKeyInline]
