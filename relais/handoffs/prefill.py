"""Channels that can carry the case code, so the reporter does not even have to type it.

Only what a URI standard lets us do without the helpline's help: an SMS body (RFC 5724) and an e-mail
subject (RFC 6068). A chat link with the code prefilled needs the helpline's chat to read a parameter;
none of the helplines in the directory documents one, so none is invented.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

_MESSAGE = {
    "fr": "Bonjour, mon code de signalement est {code}.",
    "en": "Hello, my report code is {code}.",
    "de": "Hallo, mein Meldungscode ist {code}.",
    "nl": "Hallo, mijn meldingscode is {code}.",
    "es": "Hola, mi código de denuncia es {code}.",
    "it": "Ciao, il mio codice di segnalazione è {code}.",
    "pt": "Olá, o meu código de denúncia é {code}.",
    "pl": "Dzień dobry, mój kod zgłoszenia to {code}.",
    "sv": "Hej, min anmälningskod är {code}.",
}


def message(code: str, language: str) -> str:
    return _MESSAGE.get(language.split("-", 1)[0].lower(), _MESSAGE["en"]).format(code=code)


def uri_with_code(channel: dict[str, Any], code: str, language: str) -> str | None:
    """The channel's URI with the code in it, or None when the channel cannot carry it."""
    uri = str(channel.get("uri", ""))
    text = quote(message(code, language))
    if channel.get("kind") == "sms" and uri.startswith("sms:") and "?" not in uri:
        return f"{uri}?body={text}"
    if channel.get("kind") == "email" and uri.startswith("mailto:") and "?" not in uri:
        return f"{uri}?subject={text}"
    return None


def channels_with_code(channels: list[dict[str, Any]], code: str, language: str) -> list[dict[str, Any]]:
    return [{**c, "uri_with_code": uri_with_code(c, code, language)} for c in channels]
