from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from relais.tenants import reporter_defaults


class Presentation(models.TextChoices):
    CALL_BUTTON = "call_button", "Call button (Meta style)"
    LINK = "link", "Link to the helpline's site (TikTok style)"


def validate_reporter_country(value: str) -> None:
    _refuse_as_invalid(reporter_defaults.reporter_country, value)


def validate_reporter_timezone(value: str) -> None:
    _refuse_as_invalid(reporter_defaults.reporter_timezone, value)


def _refuse_as_invalid(check: Callable[[str], str], value: str) -> None:
    """The pure check's ValueError as the ValidationError a form shows beside its field."""
    try:
        check(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class Platform(models.Model):
    """A platform tenant: it sends reports and sees only its own."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    presentation = models.CharField(max_length=20, choices=Presentation.choices, default=Presentation.CALL_BUTTON)
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166 country of establishment for the DSA (Meta: IE); decides whose trusted flaggers count.",
    )
    zone = models.CharField(
        max_length=64,
        default="Europe/Paris",
        help_text="IANA zone the platform counts DSA periods in (appeal deadlines end at midnight there).",
    )
    reporter_country = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_reporter_country],
        help_text=(
            "ISO 3166-1 alpha-2 country of the platform's reporters (e.g. FR), used when a report does not say "
            "(platforms rarely know it); the help card then says it rests on this default. Blank: a report "
            "without a country is refused. Never guessed from an IP address."
        ),
    )
    reporter_timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_reporter_timezone],
        help_text=(
            "IANA zone (e.g. Europe/Paris) for the times on the help card when a report gives none, for reporters "
            "of the country above (or of any country when it is blank). Blank: the country's own zone."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(presentation__in=Presentation.values), name="platform_presentation_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Helpline(models.Model):
    """A helpline organisation tenant: it sees only the cases reporters shared with it.

    `directory_id` ties it to the helpline of the directory (`fr-3018`), so a share names the same id
    the reporter saw on the help card.
    """

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    directory_id = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", "Counsellor"
    SUPERVISOR = "supervisor", "Supervisor"


class StaffMember(models.Model):
    """A person working for a helpline: what they may see follows from their helpline and role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    helpline = models.ForeignKey(Helpline, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COUNSELLOR)
    blur_images = models.BooleanField(
        default=True,
        help_text="Evidence pictures are shown blurred and in greyscale until revealed (ADR 0028); "
        "the counsellor may turn this off in the console's settings.",
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(role__in=Role.values), name="staff_role_valid")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.helpline})"

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR


class ModeratorRole(models.TextChoices):
    MODERATOR = "moderator", "Moderator"
    LEAD = "lead", "Lead moderator"


class Moderator(models.Model):
    """A person deciding a platform's notices in the moderation console: sees that platform's notices only."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderator")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="moderators")
    role = models.CharField(max_length=20, choices=ModeratorRole.choices, default=ModeratorRole.MODERATOR)
    blur_images = models.BooleanField(
        default=True,
        help_text="Reported pictures are shown blurred and in greyscale until revealed (ADR 0028); "
        "the moderator may turn this off in the console's settings.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=ModeratorRole.values), name="moderator_role_valid")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.platform})"


KEY_PREFIX = "rls_"


def hash_key(key: str) -> str:
    """Keys are 256-bit random, so a plain SHA-256 is enough (no slow hash needed) and cheap per request."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """Only a hash of the key is stored; the key itself is printed once, at creation.

    A key belongs to exactly one tenant, a platform or a helpline, and opens only that tenant's API.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="api_keys", null=True, blank=True)
    helpline = models.ForeignKey(Helpline, on_delete=models.CASCADE, related_name="api_keys", null=True, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The key's first characters, to tell keys apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(platform__isnull=False) & models.Q(helpline__isnull=True))
                | (models.Q(platform__isnull=True) & models.Q(helpline__isnull=False)),
                name="api_key_one_tenant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform or self.helpline} {self.hint}…"

    @classmethod
    def issue(cls, tenant: Platform | Helpline) -> tuple[ApiKey, str]:
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        if isinstance(tenant, Platform):
            api_key = cls.objects.create(key_hash=hash_key(key), hint=key[:10], platform=tenant)
        else:
            api_key = cls.objects.create(key_hash=hash_key(key), hint=key[:10], helpline=tenant)
        return api_key, key
