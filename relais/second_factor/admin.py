"""Passkeys in the admin, beside django-otp's devices: an administrator removes a lost one (ADR 0031)."""

from __future__ import annotations

from django.contrib import admin

from relais.second_factor.models import PasskeyDevice


@admin.register(PasskeyDevice)
class PasskeyDeviceAdmin(admin.ModelAdmin[PasskeyDevice]):
    list_display = ["user", "name", "created_at", "last_used_at", "sign_count"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["created_at", "last_used_at", "sign_count", "transports"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at", "sign_count", "transports"]
