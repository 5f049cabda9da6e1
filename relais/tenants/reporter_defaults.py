"""What a platform may set as its reporters' defaults: a real ISO 3166-1 country and a real IANA zone.

Platforms rarely know where a reporter is, so a platform says where its reporters usually are (ADR 0019);
the defaults must name a country and a zone that exist, or every card would silently rest on a typo. A
country the directory does not cover is still a country: its reporters get the fallback card, as they would
if they had sent it. The list of countries is tzdata's own `iso3166.tab` (the pinned tzdata package, the
same release as the zones), so nothing is fetched and both lists move together.
"""

from __future__ import annotations

import zoneinfo
from importlib import resources


def _iso_countries() -> frozenset[str]:
    table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    return frozenset(line.split("\t", 1)[0] for line in table.splitlines() if line and not line.startswith("#"))


ISO_COUNTRIES: frozenset[str] = _iso_countries()
"""Every ISO 3166-1 alpha-2 code currently assigned (249 in tzdata 2026)."""
IANA_ZONES: frozenset[str] = frozenset(zoneinfo.available_timezones())
"""The same set `reporter.timezone` is checked against at intake (relais/schemas.py)."""


def reporter_country(value: str) -> str:
    """`value` as stored: upper-cased, blank for none. ValueError saying what is expected."""
    code = value.strip().upper()
    if code and code not in ISO_COUNTRIES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (such as FR, BE or GB)")
    return code


def reporter_timezone(value: str) -> str:
    """`value` as stored, blank for none (the country's own zone). ValueError saying what is expected."""
    zone = value.strip()
    if zone and zone not in IANA_ZONES:
        raise ValueError(f"{value!r} is not an IANA time zone name (such as Europe/Paris)")
    return zone


def platform_zone(country: str, *, default_country: str, default_zone: str) -> str | None:
    """The platform's default zone for a reporter of `country` who sent none, or None for the country's own.

    The default zone refines the default country (a Canadian platform's reporters are in Toronto, not in
    Vancouver): a reporter whose platform said another country keeps that country's zone. A platform that set a
    zone but no country has all its reporters in that zone.
    """
    if default_zone and default_country in ("", country.upper()):
        return default_zone
    return None
