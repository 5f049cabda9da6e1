from __future__ import annotations

import hashlib
import secrets

from django.db import models


class Presentation(models.TextChoices):
    CALL_BUTTON = "call_button", "Call button (Meta style)"
    LINK = "link", "Link to the helpline's site (TikTok style)"


class Platform(models.Model):
    """A platform tenant: it sends reports and sees only its own."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    presentation = models.CharField(max_length=20, choices=Presentation.choices, default=Presentation.CALL_BUTTON)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(presentation__in=Presentation.values), name="platform_presentation_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name


KEY_PREFIX = "rls_"


def hash_key(key: str) -> str:
    """Keys are 256-bit random, so a plain SHA-256 is enough (no slow hash needed) and cheap per request."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """Only a hash of the key is stored; the key itself is printed once, at creation."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="api_keys")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="The key's first characters, to tell keys apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.platform} {self.hint}…"

    @classmethod
    def issue(cls, platform: Platform) -> tuple[ApiKey, str]:
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(platform=platform, key_hash=hash_key(key), hint=key[:10]), key
