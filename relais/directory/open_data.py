"""The directory as open data: Relais's own JSON (`GET /api/v1/directory`) and Open Referral's HSDS 3.0.

The directory is public knowledge (numbers and hours helplines publish themselves), assembled and checked by
hand; publishing it lets others re-use and correct it. Every fact goes out with its sources and the day it
was last read, so a re-user can judge how fresh it is. Pure: the parsed files in, JSON-ready data out.

HSDS 3.0 (https://docs.openreferral.org/en/latest/hsds/overview.html, schema in
github.com/openreferral/specification `schema/*.json`) models organisations, their services, where and when
they are delivered. The mapping, field by field, is in docs/decisions/0037-directory-operations.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from relais.directory import facts, schema

LICENCE = {
    "name": "Open Data Commons Open Database License (ODbL) 1.0",
    "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    "note": (
        "The directory's selection and arrangement. The facts themselves (numbers, hours) are published by each "
        "helpline; each record names its sources. Attribute 'Relais helpline directory'."
    ),
}
"""The licence note sent with every export. ODbL because it is OpenStreetMap's: the hours use its syntax, and
a re-user combining the two keeps one licence."""

HSDS_VERSION = "3.0"
_NAMESPACE = uuid.UUID("5b0f3f52-5d0a-4d3c-9a35-7c3b8f1d2e01")
"""HSDS ids are UUIDs; ours are readable slugs (`fr-3018`). uuid5 under a fixed namespace maps one to the other
the same way in every export, so a re-user can follow a record across versions."""


def hsds_id(kind: str, ident: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{ident}"))


def _source_json(s: schema.Source) -> dict[str, Any]:
    return {
        "url": s.url,
        "date": s.date.isoformat(),
        "verified_at": s.verified_at.isoformat() if s.verified_at else None,
        "note": s.note,
    }


def _fact_json(fact: facts.Fact) -> dict[str, Any]:
    return {
        "sources": [_source_json(s) for s in fact.sources],
        "checked_on": fact.checked_on.isoformat(),
        "corroborated": fact.corroborated,
    }


def relais_document(files: Iterable[schema.ParsedFile], *, version: str) -> dict[str, Any]:
    """Relais's own open-data format: the files as they are, plus what `check` derives (holiday rule, freshness)."""
    files = list(files)
    by_id = {f.id: f for f in facts.facts(files)}
    countries = []
    for parsed in files:
        data = parsed.data
        helplines = []
        for h in data.helplines:
            channels = []
            for j, c in enumerate(h.channels):
                cid = facts.channel_id(h, j)
                channels.append(
                    {
                        "id": cid,
                        "kind": c.kind,
                        "uri": c.uri,
                        "hours": c.hours,
                        "timezone": c.timezone or data.timezone,
                        "public_holidays": facts.holiday_rule(c.hours),
                        "free": c.free,
                        "languages": list(c.languages or h.languages),
                        **_fact_json(by_id[cid]),
                    }
                )
            helplines.append(
                {
                    "id": h.id,
                    "name": h.name,
                    "operator": h.operator,
                    "description": dict(h.description),
                    "languages": list(h.languages),
                    "topics": list(h.topics),
                    "ages": {"min": h.ages.min, "max": h.ages.max},
                    "channels": channels,
                    **_fact_json(by_id[h.id]),
                }
            )
        countries.append(
            {
                "country": data.country,
                "name": dict(data.name),
                "timezone": data.timezone,
                "public_holidays": data.public_holidays,
                "emergency": [
                    {"id": e.id, "name": dict(e.name), "number": e.number, "kind": e.kind, **_fact_json(by_id[e.id])}
                    for e in data.emergency
                ],
                "helplines": helplines,
            }
        )
    return {"version": version, "licence": LICENCE, "countries": countries}


_PHONE_TYPE = {"phone": "voice", "sms": "text"}


def _metadata(resource_id: str, resource_type: str, fact: facts.Fact, path: str) -> list[dict[str, Any]]:
    """Each source as an HSDS `metadata` record: the provenance of the record, with the day it was read."""
    out = []
    for i, s in enumerate(fact.sources):
        read = s.verified_at or s.date
        out.append(
            {
                "id": hsds_id("metadata", f"{fact.id}:{i}"),
                "resource_id": resource_id,
                "resource_type": resource_type,
                "last_action_date": read.isoformat(),
                "last_action_type": "verified" if s.verified_at else "sourced",
                "field_name": "source",
                "previous_value": "",
                "replacement_value": s.url + (f" ({s.note})" if s.note else ""),
                "updated_by": f"Relais directory, {path}",
            }
        )
    return out


def hsds_services(files: Iterable[schema.ParsedFile], *, version: str) -> dict[str, Any]:
    """The helplines as HSDS 3.0 `service` records, each with its organization, phones, schedules, languages,
    eligibility (ages), service area (the country) and a virtual location per web channel.

    Emergency numbers are left out: they are not services of an organisation, and every re-user has them.
    """
    services = []
    for parsed in files:
        data = parsed.data
        path = f"relais/directory/data/{parsed.path.name}"
        for h in data.helplines:
            service_id = hsds_id("service", h.id)
            org_id = hsds_id("organization", h.operator)
            helpline_fact = next(f for f in facts.facts([parsed]) if f.id == h.id)
            phones, schedules, locations = [], [], []
            for j, c in enumerate(h.channels):
                cid = facts.channel_id(h, j)
                channel_fact = next(f for f in facts.facts([parsed]) if f.id == cid)
                rule = facts.holiday_rule(c.hours)
                schedules.append(
                    {
                        "id": hsds_id("schedule", cid),
                        "service_id": service_id,
                        "description": f"{c.kind}: {c.hours} (OpenStreetMap opening_hours, {c.timezone or data.timezone})",
                        "notes": {"off": "Closed on public holidays.", "open": "Open on public holidays."}.get(
                            rule, "Public holidays: not stated by the source."
                        ),
                    }
                )
                if c.kind in _PHONE_TYPE:
                    phones.append(
                        {
                            "id": hsds_id("phone", cid),
                            "service_id": service_id,
                            "number": c.uri.split(":", 1)[1].split("?", 1)[0],
                            "type": _PHONE_TYPE[c.kind],
                            "description": f"{c.hours}; {'free' if c.free else 'charged'}",
                            "languages": [
                                {
                                    "id": hsds_id("language", f"{cid}:{lang}"),
                                    "phone_id": hsds_id("phone", cid),
                                    "code": lang,
                                }
                                for lang in (c.languages or h.languages)
                            ],
                            "metadata": _metadata(hsds_id("phone", cid), "phone", channel_fact, path),
                        }
                    )
                elif c.uri.startswith("https:"):
                    location_id = hsds_id("location", cid)
                    locations.append(
                        {
                            "id": hsds_id("service_at_location", cid),
                            "service_id": service_id,
                            "location_id": location_id,
                            "location": {
                                "id": location_id,
                                "location_type": "virtual",
                                "url": c.uri,
                                "name": (c.label or {}).get("en") or c.kind,
                                "metadata": _metadata(location_id, "location", channel_fact, path),
                            },
                        }
                    )
            eligibility = []
            if h.ages.min is not None or h.ages.max is not None:
                eligibility.append(
                    f"ages {h.ages.min if h.ages.min is not None else 0} to {h.ages.max if h.ages.max is not None else 'any'}"
                )
            service: dict[str, Any] = {
                "id": service_id,
                "organization_id": org_id,
                "name": h.name,
                "description": h.description["en"],
                "status": "active",
                "url": next((c.uri for c in h.channels if c.uri.startswith("https:")), None),
                "eligibility_description": "; ".join(eligibility) or "any age",
                "assured_date": helpline_fact.checked_on.isoformat(),
                "organization": {"id": org_id, "name": h.operator, "description": f"Operator of {h.name}."},
                "phones": phones,
                "schedules": schedules,
                "languages": [
                    {"id": hsds_id("language", f"{h.id}:{lang}"), "service_id": service_id, "code": lang}
                    for lang in h.languages
                ],
                "service_areas": [
                    {
                        "id": hsds_id("service_area", h.id),
                        "service_id": service_id,
                        "name": data.name["en"],
                        "description": f"ISO 3166-1 {data.country}"
                        if data.country != facts.FALLBACK
                        else "Any country",
                    }
                ],
                "service_at_locations": locations,
                "metadata": _metadata(service_id, "service", helpline_fact, path),
            }
            if h.ages.min is not None:
                service["minimum_age"] = h.ages.min
            if h.ages.max is not None:
                service["maximum_age"] = h.ages.max
            if service["url"] is None:
                del service["url"]
            services.append(service)
    return {"hsds_version": HSDS_VERSION, "directory_version": version, "licence": LICENCE, "services": services}
