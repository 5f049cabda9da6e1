"""The connection a delivery names, with its secret opened: remembered a short while in this process.

Why remember: every delivery needs the connection, its platform (defaults, presentation) and the opened
secret before anything else; the JSON API remembers its keys the same way (tenants/access.py). An edit in
the admin (the category map, the opt-in) or a new `connect` therefore reaches other processes within
RELAIS_API_KEY_CACHE_SECONDS; this process forgets at once.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from django.conf import settings

from relais.integrations import services
from relais.integrations.models import Connection, Kind

_known: dict[uuid.UUID, tuple[float, Known]] = {}


@dataclass(frozen=True)
class Known:
    connection: Connection
    secret: str


def forget_connections() -> None:
    _known.clear()


def connection_for(connection_id: uuid.UUID, kind: str) -> Known | None:
    """The connection and its secret, or None for an unknown id or another kind. Raises crypto.SealBroken when
    the secret cannot be opened (not remembered, so a fixed key ring is seen at once)."""
    remembered = _known.get(connection_id)
    if remembered is not None and remembered[0] > time.monotonic() and remembered[1].connection.kind == kind:
        return remembered[1]
    connection = Connection.objects.select_related("platform").filter(pk=connection_id, kind=kind).first()
    if connection is None:
        _known.pop(connection_id, None)
        return None
    known = Known(connection, services.unseal(connection, "secret"))
    _known[connection_id] = (time.monotonic() + settings.RELAIS_API_KEY_CACHE_SECONDS, known)
    return known


def bluesky_connection_for(service_did: str) -> Connection | None:
    """The Bluesky connection a report's JWT is addressed to (its `aud`), with its platform; None if no
    connection has that service DID."""
    return Connection.objects.select_related("platform").filter(kind=Kind.BLUESKY, service_did=service_did).first()
