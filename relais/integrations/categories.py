"""A connection's category map: the platform's own words (categories, rule ids) → Relais categories. Pure.

The map is data an operator edits in the admin, so it is checked here the same way wherever it is saved,
and read with one rule: a word the map does not know is `other`, never an error — a platform adds rules
and categories without telling us, and a report must still get through (forward-compatible).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from relais.directory.schema import CATEGORIES

RELAIS_CATEGORIES = frozenset(CATEGORIES)
FALLBACK = "other"


def check_map(value: Any) -> dict[str, dict[str, str]]:
    """`{"categories": {word: category}, "rules": {rule id: category}}`; raises ValueError naming the bad entry."""
    if not isinstance(value, dict):
        raise ValueError('expected an object: {"categories": {...}, "rules": {...}}')
    unknown = set(value) - {"categories", "rules"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}: only categories and rules")
    checked: dict[str, dict[str, str]] = {}
    for part in ("categories", "rules"):
        entries = value.get(part, {})
        if not isinstance(entries, dict):
            raise ValueError(f"{part}: expected an object")
        for word, category in entries.items():
            if category not in RELAIS_CATEGORIES:
                raise ValueError(
                    f"{part}.{word}: {category!r} is not a Relais category ({', '.join(sorted(RELAIS_CATEGORIES))})"
                )
        checked[part] = {str(k): str(v) for k, v in entries.items()}
    return checked


def category_for(mapping: Mapping[str, Any], *, category: str | None, rule_ids: Iterable[str]) -> str:
    """The Relais category of a report: its first rule the map names as something more precise than `other`,
    else its platform category's entry, else `other`. Rules first: they are what the reporter ticked."""
    rules = mapping.get("rules") or {}
    for rule_id in rule_ids:
        found = rules.get(str(rule_id))
        if found in RELAIS_CATEGORIES and found != FALLBACK:
            return str(found)
    found = (mapping.get("categories") or {}).get(category or "")
    return str(found) if found in RELAIS_CATEGORIES else FALLBACK
