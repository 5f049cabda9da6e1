"""Webhook endpoints: platforms and helplines register URLs, read their delivery logs, replay."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from relais import clock
from relais.http import json_response
from relais.schemas import ErrorOut, ValidationErrorOut
from relais.webhooks import access, emit, endpoints
from relais.webhooks.models import Delivery, Endpoint
from relais.webhooks.schemas import (
    DeliveryFilter,
    DeliveryOut,
    EndpointCreatedOut,
    EndpointIn,
    EndpointOut,
    SecretOut,
)

router = Router(tags=["webhooks"], auth=access.TenantKey())
LOG_LIMIT = 100


def _tenant(request: HttpRequest) -> access.Tenant:
    tenant: access.Tenant = request.auth  # type: ignore[attr-defined]
    return tenant


def _error(exc: endpoints.WebhookError) -> HttpResponse:
    return json_response(
        422, {"detail": str(exc), "errors": [{"field": exc.field, "message": exc.message, "type": "value_error"}]}
    )


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    rotating = endpoint.previous_secret_expires_at if endpoint.previous_secret else None
    if rotating is not None and rotating <= clock.now():
        rotating = None
    return {
        "id": str(endpoint.id),
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason or None,
        "failure_streak": endpoint.failure_streak,
        "created_at": endpoint.created_at,
        "previous_secret_valid_until": rotating,
    }


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": str(delivery.uid),
        "endpoint_id": str(delivery.endpoint_id),
        "event_type": delivery.event_type,
        "message_id": delivery.message_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == Delivery.Status.PENDING else None,
        "delivered_at": delivery.delivered_at,
        "finished_at": delivery.finished_at,
        "last_status_code": delivery.last_status_code,
        "last_latency_ms": delivery.last_latency_ms,
        "last_error": delivery.last_error or None,
        "replay_of": str(delivery.replay_of.uid) if delivery.replay_of else None,
        "attempt_log": [
            {
                "number": a.number,
                "at": a.started_at,
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "error": a.error or None,
                "outcome": a.outcome,
            }
            for a in delivery.attempt_log.all()
        ],
    }


def _log(deliveries: Any) -> list[dict[str, Any]]:
    rows = deliveries.select_related("replay_of").prefetch_related("attempt_log").order_by("-id")[:LOG_LIMIT]
    return [delivery_json(d) for d in rows]


@router.post(
    "/webhooks/endpoints",
    response={201: EndpointCreatedOut, 400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Register a webhook endpoint (the signing secret is shown once)",
)
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> HttpResponse:
    try:
        endpoint, secret = endpoints.create_endpoint(
            tenant=_tenant(request),
            url=payload.url,
            event_types_=list(payload.event_types),
            description=payload.description,
            now=clock.now(),
        )
    except endpoints.WebhookError as exc:
        return _error(exc)
    return json_response(201, {**endpoint_json(endpoint), "secret": secret})


@router.get("/webhooks/endpoints", response={200: list[EndpointOut], 401: ErrorOut}, summary="Your webhook endpoints")
def list_endpoints(request: HttpRequest) -> HttpResponse:
    return json_response(200, [endpoint_json(e) for e in access.endpoints_of(_tenant(request))])


@router.get(
    "/webhooks/endpoints/{endpoint_id}",
    response={200: EndpointOut, 401: ErrorOut, 404: ErrorOut},
    summary="One of your webhook endpoints",
)
def get_endpoint(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    return json_response(200, endpoint_json(access.get_endpoint(_tenant(request), endpoint_id)))


@router.delete(
    "/webhooks/endpoints/{endpoint_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="Remove a webhook endpoint (and its pending deliveries and log)",
)
def delete_endpoint(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoints.delete_endpoint(endpoint=access.get_endpoint(_tenant(request), endpoint_id))
    return HttpResponse(status=204)


@router.post(
    "/webhooks/endpoints/{endpoint_id}/rotate-secret",
    response={200: SecretOut, 401: ErrorOut, 404: ErrorOut},
    summary="Replace the signing secret; the old one keeps signing during the overlap",
)
def rotate_endpoint_secret(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = access.get_endpoint(_tenant(request), endpoint_id)
    secret, until = endpoints.rotate_secret(endpoint=endpoint, now=clock.now())
    return json_response(200, {"secret": secret, "previous_secret_valid_until": until})


@router.post(
    "/webhooks/endpoints/{endpoint_id}/enable",
    response={200: EndpointOut, 401: ErrorOut, 404: ErrorOut},
    summary="Send again to a disabled endpoint (what was held goes out, in order)",
)
def enable_endpoint(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = access.get_endpoint(_tenant(request), endpoint_id)
    return json_response(200, endpoint_json(endpoints.enable_endpoint(endpoint=endpoint, now=clock.now())))


@router.get(
    "/webhooks/endpoints/{endpoint_id}/deliveries",
    response={200: list[DeliveryOut], 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The endpoint's delivery log, newest first (status, attempts, latency)",
)
def list_endpoint_deliveries(request: HttpRequest, endpoint_id: str, filters: Query[DeliveryFilter]) -> HttpResponse:
    endpoint = access.get_endpoint(_tenant(request), endpoint_id)
    deliveries = endpoint.deliveries.all()
    if filters.status:
        deliveries = deliveries.filter(status=filters.status)
    return json_response(200, _log(deliveries))


@router.get(
    "/webhooks/dead-letters",
    response={200: list[DeliveryOut], 401: ErrorOut},
    summary="Deliveries that will not be retried (retries exhausted, or refused by the receiver)",
)
def list_dead_letters(request: HttpRequest) -> HttpResponse:
    return json_response(200, _log(access.deliveries_of(_tenant(request)).filter(status=Delivery.Status.FAILED)))


@router.post(
    "/webhooks/deliveries/{delivery_id}/replay",
    response={202: DeliveryOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Send a finished delivery again (same webhook-id), as a new delivery",
)
def replay_delivery(request: HttpRequest, delivery_id: str) -> HttpResponse:
    delivery = access.get_delivery(_tenant(request), delivery_id)
    try:
        again = emit.replay(delivery=delivery, now=clock.now())
    except emit.ReplayRefused as exc:
        return json_response(409, {"detail": f"Cannot replay this delivery: {exc}."})
    again.refresh_from_db()
    return json_response(202, delivery_json(again))
