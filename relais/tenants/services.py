from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from relais.tenants.models import ApiKey, Platform, Presentation


@transaction.atomic
def add_platform(
    *, name: str, presentation: str = Presentation.CALL_BUTTON, slug: str | None = None
) -> tuple[Platform, str]:
    """Create a platform and its first API key; the key is returned once and only its hash is kept."""
    if presentation not in Presentation.values:
        raise ValueError(f"presentation must be one of {', '.join(Presentation.values)}")
    platform = Platform.objects.create(slug=slug or slugify(name), name=name, presentation=presentation)
    _, key = ApiKey.issue(platform)
    return platform, key
