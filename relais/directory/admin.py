from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from relais.directory.models import DirectoryOverride
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
        super().save_model(request, obj, form, change)
        holder.reload()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        holder.reload()
