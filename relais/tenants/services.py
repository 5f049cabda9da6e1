from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from relais.tenants.models import ApiKey, Helpline, Moderator, ModeratorRole, Platform, Presentation, Role, StaffMember


@transaction.atomic
def add_platform(
    *, name: str, presentation: str = Presentation.CALL_BUTTON, slug: str | None = None, country: str = ""
) -> tuple[Platform, str]:
    """Create a platform and its first API key; the key is returned once and only its hash is kept."""
    if presentation not in Presentation.values:
        raise ValueError(f"presentation must be one of {', '.join(Presentation.values)}")
    if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
        raise ValueError("country must be an ISO 3166 alpha-2 code such as IE")
    platform = Platform.objects.create(
        slug=slug or slugify(name), name=name, presentation=presentation, country=country
    )
    _, key = ApiKey.issue(platform)
    return platform, key


@transaction.atomic
def add_helpline(*, name: str, directory_id: str, slug: str | None = None) -> tuple[Helpline, str]:
    """Register a helpline organisation for a helpline of the directory; returns it and its first API key."""
    from relais.directory.runtime import current

    if current().directory.helpline(directory_id) is None:
        raise ValueError(f"no helpline {directory_id!r} in the directory")
    helpline = Helpline.objects.create(slug=slug or slugify(name), name=name, directory_id=directory_id)
    _, key = ApiKey.issue(helpline)
    return helpline, key


def add_staff(
    *, username: str, helpline: Helpline, role: str = Role.COUNSELLOR, password: str | None = None
) -> tuple[StaffMember, str]:
    """Create a staff account; a password is generated (and returned once) unless one is given."""
    _check_role(role, Role.values)
    with transaction.atomic():
        user, password = _new_user(username, password)
        return StaffMember.objects.create(user=user, helpline=helpline, role=role), password


def add_moderator(
    *, username: str, platform: Platform, role: str = ModeratorRole.MODERATOR, password: str | None = None
) -> tuple[Moderator, str]:
    """Create a platform moderator's account; a password is generated (and returned once) unless given."""
    _check_role(role, ModeratorRole.values)
    with transaction.atomic():
        user, password = _new_user(username, password)
        return Moderator.objects.create(user=user, platform=platform, role=role), password


def _check_role(role: str, allowed: list[str]) -> None:
    if role not in allowed:
        raise ValueError(f"role must be one of {', '.join(allowed)}")


def _new_user(username: str, password: str | None) -> tuple[Any, str]:
    password = password or secrets.token_urlsafe(12)
    return get_user_model().objects.create_user(username=username, password=password), password
