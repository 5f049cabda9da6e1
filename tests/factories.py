"""Small synthetic directories for pure routing tests: rules are easier to see on three lines than on
the real data, and the real data can change without breaking the rules' tests."""

from __future__ import annotations

from typing import Any

from relais.directory import directory as directory_module
from relais.directory.directory import Closure, Directory, Override
from relais.directory.schema import CountryFile

SOURCE = {"url": "https://example.org/source", "date": "2026-01-01"}


def texts(en: str, fr: str | None = None) -> dict[str, str]:
    return {"en": en, "fr": fr or f"{en} (fr)"}


def channel(kind: str, uri: str, hours: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "uri": uri, "hours": hours, "free": True, "source": SOURCE, **extra}


def helpline(ident: str, topics: list[str], channels: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data = {
        "id": ident,
        "name": ident.upper(),
        "operator": f"Operator of {ident}",
        "description": texts(f"About {ident}"),
        "languages": ["fr"],
        "topics": topics,
        "channels": channels,
        "source": SOURCE,
    }
    data.update(extra)
    return data


def emergency(ident: str, number: str, kind: str) -> dict[str, Any]:
    return {"id": ident, "name": texts(f"Emergency {number}"), "number": number, "kind": kind, "source": SOURCE}


def country(
    code: str, zone: str, helplines: list[dict[str, Any]], emergencies: list[dict[str, Any]] | None = None, **extra: Any
) -> CountryFile:
    cc = code.lower()
    return CountryFile.model_validate(
        {
            "country": code,
            "name": texts(code),
            "timezone": zone,
            "emergency": emergencies or [emergency(f"{cc}-112", "112", "general")],
            "helplines": helplines,
            **extra,
        }
    )


FALLBACK = country(
    "XX",
    "UTC",
    [helpline("xx-world", ["general"], [channel("web", "https://world.example/", "24/7")], languages=["en"])],
)


def build(*countries: CountryFile, overrides: tuple[Override | Closure, ...] = ()) -> Directory:
    return directory_module.build([*countries, FALLBACK], overrides, version="test")


def france() -> Directory:
    """A France shaped like the real one: 3018 09:00-23:00, 119 24/7 up to 21, 3114 for self-harm."""
    return build(
        country(
            "FR",
            "Europe/Paris",
            [
                helpline(
                    "fr-3018",
                    ["harassment", "cyberbullying", "sextortion"],
                    [
                        channel("phone", "tel:3018", "Mo-Su 09:00-23:00", id="fr-3018-phone"),
                        channel("chat", "https://3018.example/chat", "Mo-Su 09:00-23:00"),
                        channel("web", "https://3018.example/", "24/7", id="fr-3018-web"),
                    ],
                    rank=10,
                ),
                helpline(
                    "fr-119",
                    ["general", "harassment"],
                    [channel("phone", "tel:119", "24/7")],
                    rank=20,
                    ages={"max": 21},
                ),
                helpline("fr-3114", ["self_harm"], [channel("phone", "tel:3114", "24/7")], rank=5),
            ],
            [
                emergency("fr-112", "112", "general"),
                emergency("fr-17", "17", "police"),
                emergency("fr-15", "15", "medical"),
                emergency("fr-114", "114", "text"),
            ],
            public_holidays="FR",
        )
    )
