from __future__ import annotations

from typing import Any, get_args

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from relais import clock
from relais.directory.api import HelpQuery
from relais.directory.routing import HelpRequest
from relais.directory.runtime import current
from relais.schemas import Category

_TEXT = {
    "en": {
        "open": "open now",
        "closed": "closed",
        "until": "until",
        "opens": "opens",
        "emergency": "Emergency",
        "primary": "Main action",
        "fallback": "No helpline is listed for this country yet: general help below.",
    },
    "fr": {
        "open": "ouvert",
        "closed": "fermé",
        "until": "jusqu'à",
        "opens": "ouvre",
        "emergency": "Urgence",
        "primary": "Action principale",
        "fallback": "Aucune ligne n'est encore répertoriée pour ce pays : aide générale ci-dessous.",
    },
}


class Command(BaseCommand):
    help = (
        "Print the help card for a reporter: `relais help --country FR --language fr --age 14 --category harassment`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2, e.g. FR")
        parser.add_argument("--language", default="en", help="BCP 47, e.g. fr or fr-BE")
        parser.add_argument("--age", type=int)
        parser.add_argument("--category", default="harassment", choices=get_args(Category))
        parser.add_argument("--danger", default="none", choices=["none", "immediate"])
        parser.add_argument("--timezone", help="IANA zone (default: the country's)")
        parser.add_argument("--presentation", default="call_button", choices=["call_button", "link"])
        parser.add_argument("--at", help="ISO 8601 instant with offset (default: now)")
        parser.add_argument("--json", action="store_true", help="Print the API's JSON instead of text.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            query = HelpQuery(**{k: options[k] for k in HelpQuery.model_fields if options.get(k) is not None})
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"--{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            ) from None
        now = clock.as_utc(query.at) if query.at else clock.now()
        request = HelpRequest(
            country=query.country.upper(),
            language=query.language,
            category=query.category,
            danger=query.danger,
            age=query.age,
            timezone=query.timezone,
            presentation=query.presentation,
        )
        card = current().cards.card_json(request, now)
        if options["json"]:
            self.stdout.write(orjson.dumps(card, option=orjson.OPT_INDENT_2).decode())
            return
        self.stdout.write(render_text(card))


def render_text(card: dict[str, Any]) -> str:
    t = _TEXT[card["language"]]
    lines = [f"{card['country']} · {card['timezone']} · {card['generated_at']}"]
    if card["fallback"]:
        lines.append(t["fallback"])
    primary = card["primary"]
    if primary:
        lines.append(f"{t['primary']}: {primary['label']} <{primary['uri']}>")
    emergency = card["emergency"]
    if card["danger"] == "immediate":
        lines.append(f"{t['emergency']}: " + ", ".join(f"{e['number']} ({e['name']})" for e in emergency))
    for h in card["helplines"]:
        lines.append("")
        lines.append(f"{h['name']} — {h['operator']}")
        lines.append(f"  {h['description']}")
        for c in h["channels"]:
            if c["open_now"]:
                state = t["open"] + (f", {t['until']} {c['closes_at'][11:16]}" if c["closes_at"] else " 24/7")
            else:
                when = c["opens_at"] or ""
                state = t["closed"] + (f", {t['opens']} {when[:10]} {when[11:16]}" if when else "")
            lines.append(f"  [{state}] {c['label']} <{c['uri']}>")
    if card["danger"] != "immediate":
        lines.append("")
        lines.append(f"{t['emergency']}: " + ", ".join(f"{e['number']} ({e['name']})" for e in emergency))
    return "\n".join(lines)
