from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from relais import clock
from relais.directory import facts, services
from relais.directory.models import DirectoryChange, DirectoryOverride, HelplineClosure
from relais.directory.runtime import holder


class DirectoryOverrideForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DirectoryOverride
        fields = ["target", "enabled", "hours", "reason"]

    def clean_target(self) -> str:
        target: str = self.cleaned_data["target"]
        if target not in holder.current().directory.known_ids:
            raise forms.ValidationError("No helpline or channel has this id in the directory.")
        return target


@admin.register(DirectoryOverride)
class DirectoryOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = DirectoryOverrideForm
    list_display = ["target", "enabled", "hours", "updated_at"]
    search_fields = ["target", "reason"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.bump_version(clock.now())  # other workers see the change at their next poll
        holder.reload()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            services.bump_version(clock.now())
        holder.reload()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Flag, above the overrides, how many of the files' facts are due for re-reading."""
        from relais.directory.directory import DATA_DIR
        from relais.directory.management.commands.directory import read_parsed

        parsed, _version = read_parsed(DATA_DIR)
        due = facts.stale(facts.facts(parsed), today=clock.now().date(), older_than=dt.timedelta(days=180))
        if due:
            messages.warning(
                request,
                f"{len(due)} directory facts were last read more than 180 days ago: see {reverse('directory-stale')}",
            )
        return super().changelist_view(request, extra_context)


@admin.register(HelplineClosure)
class HelplineClosureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only here: helplines set their own closures in the console, where they are audited."""

    list_display = ["target", "kind", "starts_at", "ends_at", "reason_en", "created_by"]
    list_filter = ["kind", "helpline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DirectoryChange)
class DirectoryChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "actor_label", "helpline", "action", "target", "detail"]
    list_filter = ["action", "helpline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
