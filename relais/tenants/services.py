from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from relais.tenants import reporter_defaults
from relais.tenants.access import forget_keys
from relais.tenants.models import ApiKey, Helpline, Moderator, ModeratorRole, Platform, Presentation, Role, StaffMember


class InvalidPlatformSetting(ValueError):
    """A platform setting refused, with the field it belongs to, so the CLI can name its option."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@transaction.atomic
def add_platform(
    *,
    name: str,
    presentation: str = Presentation.CALL_BUTTON,
    slug: str | None = None,
    country: str = "",
    reporter_country: str = "",
    reporter_timezone: str = "",
) -> tuple[Platform, str]:
    """Create a platform and its first API key; the key is returned once and only its hash is kept."""
    if presentation not in Presentation.values:
        raise InvalidPlatformSetting("presentation", f"must be one of {', '.join(Presentation.values)}")
    if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
        raise ValueError("country must be an ISO 3166 alpha-2 code such as IE")
    platform = Platform.objects.create(
        slug=slug or slugify(name),
        name=name,
        presentation=presentation,
        country=country,
        reporter_country=_checked("reporter_country", reporter_defaults.reporter_country, reporter_country),
        reporter_timezone=_checked("reporter_timezone", reporter_defaults.reporter_timezone, reporter_timezone),
    )
    _, key = ApiKey.issue(platform)
    return platform, key


def update_platform(
    *,
    platform: Platform,
    name: str | None = None,
    presentation: str | None = None,
    reporter_country: str | None = None,
    reporter_timezone: str | None = None,
) -> dict[str, tuple[str, str]]:
    """Change the settings given (None: left as is; "" clears a reporter default). Returns what changed, as
    {field: (before, after)}, so an operator sees the effect of a command.

    Intake reads a platform through the API-key memo (tenants/access.py): this process forgets it at once,
    other processes within RELAIS_API_KEY_CACHE_SECONDS.
    """
    wanted: dict[str, str] = {}
    if name is not None:
        if not name.strip():
            raise InvalidPlatformSetting("name", "must not be blank")
        wanted["name"] = name.strip()
    if presentation is not None:
        if presentation not in Presentation.values:
            raise InvalidPlatformSetting("presentation", f"must be one of {', '.join(Presentation.values)}")
        wanted["presentation"] = presentation
    if reporter_country is not None:
        wanted["reporter_country"] = _checked("reporter_country", reporter_defaults.reporter_country, reporter_country)
    if reporter_timezone is not None:
        wanted["reporter_timezone"] = _checked(
            "reporter_timezone", reporter_defaults.reporter_timezone, reporter_timezone
        )
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        changes = {
            field: (getattr(locked, field), value) for field, value in wanted.items() if getattr(locked, field) != value
        }
        for field, (_, value) in changes.items():
            setattr(locked, field, value)
            setattr(platform, field, value)
        if changes:
            locked.save(update_fields=list(changes))
            transaction.on_commit(forget_keys)
    return changes


def _checked(field: str, check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except ValueError as exc:
        raise InvalidPlatformSetting(field, str(exc)) from None


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


def set_blur_images(person: Moderator | StaffMember, *, blur: bool) -> None:
    """A moderator's or counsellor's own choice: pictures blurred until revealed (the default), or not."""
    person.blur_images = blur
    person.save(update_fields=["blur_images"])


def _check_role(role: str, allowed: list[str]) -> None:
    if role not in allowed:
        raise ValueError(f"role must be one of {', '.join(allowed)}")


def _new_user(username: str, password: str | None) -> tuple[Any, str]:
    password = password or secrets.token_urlsafe(12)
    return get_user_model().objects.create_user(username=username, password=password), password
