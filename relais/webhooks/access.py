"""Webhook endpoints and deliveries as a tenant may see them: its own only.

A platform's and a helpline's endpoints live side by side; every getter filters by the calling tenant, so
another tenant's id, a malformed id and a missing one are the same 404.
"""

from __future__ import annotations

import logging
import uuid

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja.security import HttpBearer

from relais.tenants.access import tenant_for_key
from relais.tenants.models import Helpline, Platform
from relais.webhooks.models import Delivery, Endpoint

logger = logging.getLogger(__name__)
Tenant = Platform | Helpline
NO_ENDPOINT = "No such webhook endpoint"
NO_DELIVERY = "No such delivery"


class TenantKey(HttpBearer):
    """`Authorization: Bearer <key>` of a platform or of a helpline: both register endpoints."""

    def authenticate(self, request: HttpRequest, token: str) -> Tenant | None:
        return tenant_for_key(token)


def _uuid(value: str | uuid.UUID, missing: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404(missing) from None


def endpoints_of(tenant: Tenant) -> QuerySet[Endpoint]:
    if isinstance(tenant, Platform):
        return Endpoint.objects.filter(platform=tenant)
    return Endpoint.objects.filter(helpline=tenant)


def get_endpoint(tenant: Tenant, endpoint_id: str | uuid.UUID) -> Endpoint:
    endpoint = endpoints_of(tenant).filter(id=_uuid(endpoint_id, NO_ENDPOINT)).first()
    if endpoint is None:
        raise Http404(NO_ENDPOINT)
    return endpoint


def deliveries_of(tenant: Tenant) -> QuerySet[Delivery]:
    if isinstance(tenant, Platform):
        return Delivery.objects.filter(endpoint__platform=tenant)
    return Delivery.objects.filter(endpoint__helpline=tenant)


def get_delivery(tenant: Tenant, delivery_id: str | uuid.UUID) -> Delivery:
    delivery = deliveries_of(tenant).filter(uid=_uuid(delivery_id, NO_DELIVERY)).first()
    if delivery is None:
        raise Http404(NO_DELIVERY)
    return delivery
