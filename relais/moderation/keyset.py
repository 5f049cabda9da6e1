"""Keyset conditions: "the rows after this one" in the list's order, as a row comparison.

`(a, b, c) > (x, y, z)` is what PostgreSQL reads as the start of an index range, so the next page is an index
scan of `limit` rows however deep it is; the same condition spelt as ORs (`a > x OR (a = x AND b > y) …`) is
only a filter, and reads every row before the page. Django 5.2 writes row comparisons for composite primary
keys (`django.db.models.fields.tuple_lookups`, not yet public API: it is imported here only, so a change in a
later Django touches one file); on SQLite it writes the equivalent ORs, which is fine at SQLite's sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F
from django.db.models.fields.tuple_lookups import (  # type: ignore[import-untyped]
    Tuple,
    TupleGreaterThan,
    TupleLessThan,
)


def after(fields: Sequence[str], values: Sequence[Any]) -> Any:
    """A `filter()` argument: rows whose `fields` come after `values` in ascending order."""
    return TupleGreaterThan(Tuple(*(F(name) for name in fields)), tuple(values))


def before(fields: Sequence[str], values: Sequence[Any]) -> Any:
    """A `filter()` argument: rows whose `fields` come after `values` in descending order."""
    return TupleLessThan(Tuple(*(F(name) for name in fields)), tuple(values))
