"""Who is calling: API keys resolve to a platform tenant, and nothing else.

Resolved keys are remembered for a short while in this process so that a report still gets its help card
when the database is down (help first); a revoked key therefore keeps working for at most
RELAIS_API_KEY_CACHE_SECONDS in processes that saw it recently.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja.security import HttpBearer

from relais.tenants.models import ApiKey, Helpline, Platform, StaffMember, hash_key

logger = logging.getLogger(__name__)
Tenant = Platform | Helpline
_known: dict[str, tuple[float, Tenant]] = {}


@dataclass(frozen=True)
class Unverified:
    """A key that could not be checked because the database failed: enough to give help, nothing else."""

    reason: str


def forget_keys() -> None:
    _known.clear()


def tenant_for_key(key: str) -> Tenant | None:
    """The tenant owning `key`, or None; raises DatabaseError only when the key is not remembered."""
    digest = hash_key(key)
    remembered = _known.get(digest)
    if remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    api_key = (
        ApiKey.objects.select_related("platform", "helpline").filter(key_hash=digest, revoked_at__isnull=True).first()
    )
    tenant = None if api_key is None else (api_key.platform or api_key.helpline)
    if tenant is None:
        _known.pop(digest, None)
        return None
    _known[digest] = (time.monotonic() + settings.RELAIS_API_KEY_CACHE_SECONDS, tenant)
    return tenant


def platform_for_key(key: str) -> Platform | None:
    tenant = tenant_for_key(key)
    return tenant if isinstance(tenant, Platform) else None


class ServiceUnavailable(Exception):
    """The database failed while checking a key: answered 503 with Retry-After (relais/api.py), never 500."""


class PlatformKey(HttpBearer):
    """`Authorization: Bearer <key>` of a platform; a missing, unknown or helpline key is a 401 (JSON).

    With `help_first`, a key that cannot be checked (database down) lets the request through as
    `Unverified`, so report intake can still answer with the help card; otherwise it is a 503.
    """

    def __init__(self, *, help_first: bool = False) -> None:
        super().__init__()
        self.help_first = help_first

    def authenticate(self, request: HttpRequest, token: str) -> Platform | Unverified | None:
        try:
            return platform_for_key(token)
        except DatabaseError:
            logger.exception("API key lookup failed")
            if self.help_first:
                return Unverified(reason="database unavailable")
            raise ServiceUnavailable from None


class HelplineKey(HttpBearer):
    """`Authorization: Bearer <key>` of a helpline; a platform's key is a 401 here."""

    def authenticate(self, request: HttpRequest, token: str) -> Helpline | None:
        try:
            tenant = tenant_for_key(token)
        except DatabaseError:
            logger.exception("API key lookup failed")
            raise ServiceUnavailable from None
        return tenant if isinstance(tenant, Helpline) else None


def staff_of(helpline: Helpline) -> QuerySet[StaffMember]:
    """The people of one helpline (for assignment lists): never another helpline's."""
    return StaffMember.objects.filter(helpline=helpline).select_related("user").order_by("user__username")
