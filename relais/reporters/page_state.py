"""What the reporter's page is made from, read as text by one statement of plain SQL (the page memo's key).

Plain SQL on purpose: the ORM would spend ~0.8 ms compiling each query, more than the rest of a memo hit. The
statement is built once per database vendor from the models' own tables and columns, so a column added to any
of them is part of the key the day it is added. Only identifiers from the models' metadata and quoted by the
connection are put into the text (hence S608 is silenced for this file); the one value, the link's digest, is
a parameter.
"""

from __future__ import annotations

import functools
import hashlib

from django.db import connection
from django.db.models import Field, Model

from relais.reports.models import Report


def _row_text(model: type[Model], alias: str, kind: str, vendor: str) -> str:
    """One row as one text: its kind, then every column, so that any change to it changes the text. PostgreSQL
    writes a whole row as text itself (`t::text`, half the work of ~150 casts); elsewhere each concrete
    column is cast and joined."""
    if vendor == "postgresql":
        return f"'{kind}|' || {alias}::text"
    quote = connection.ops.quote_name
    columns = [f"COALESCE(CAST({alias}.{quote(f.column)} AS TEXT), '~')" for f in model._meta.concrete_fields]
    return f"'{kind}' || '|' || " + " || '|' || ".join(columns)


@functools.cache
def _page_state_sql(vendor: str) -> str:
    """The statement behind `page_state`, built from the models' own tables and columns (so a new column is
    covered the day it is added) and cached per database vendor: a single plain statement, no ORM compilation."""
    from relais.handoffs.models import Case, Consent
    from relais.integrations.models import PlatformResolution
    from relais.moderation.models import Appeal, Decision, Notice
    from relais.tenants.models import Helpline, Platform

    quote = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], field: str) -> str:
        concrete = model._meta.get_field(field)
        assert isinstance(concrete, Field)  # noqa: S101 - the names below are the models' own concrete fields
        return quote(concrete.column)

    def pk(model: type[Model]) -> str:
        return quote(model._meta.pk.column)

    def rows_of(model: type[Model], kind: str, where: str) -> str:
        return f"SELECT {_row_text(model, 't', kind, vendor)} FROM {table(model)} t WHERE {where}"

    named = (
        f"WITH the_report AS (SELECT {pk(Report)} AS id, {column(Report, 'platform')} AS platform_id "
        f"FROM {table(Report)} WHERE {column(Report, 'reporter_link_digest')} = %s), "
        f"the_cases AS (SELECT {pk(Case)} AS id, {column(Case, 'helpline')} AS helpline_id FROM {table(Case)} "
        f"WHERE {column(Case, 'report')} IN (SELECT id FROM the_report)), "
        f"the_notices AS (SELECT {pk(Notice)} AS id, {column(Notice, 'helpline')} AS helpline_id "
        f"FROM {table(Notice)} WHERE {column(Notice, 'report')} IN (SELECT id FROM the_report)), "
        f"the_decisions AS (SELECT {pk(Decision)} AS id FROM {table(Decision)} "
        f"WHERE {column(Decision, 'notice')} IN (SELECT id FROM the_notices)) "
    )
    parts = [
        rows_of(Report, "report", f"t.{pk(Report)} IN (SELECT id FROM the_report)"),
        rows_of(Platform, "platform", f"t.{pk(Platform)} IN (SELECT platform_id FROM the_report)"),
        rows_of(Consent, "consent", f"t.{column(Consent, 'report')} IN (SELECT id FROM the_report)"),
        rows_of(Case, "case", f"t.{pk(Case)} IN (SELECT id FROM the_cases)"),
        rows_of(Notice, "notice", f"t.{pk(Notice)} IN (SELECT id FROM the_notices)"),
        rows_of(Decision, "decision", f"t.{pk(Decision)} IN (SELECT id FROM the_decisions)"),
        rows_of(Appeal, "appeal", f"t.{column(Appeal, 'decision')} IN (SELECT id FROM the_decisions)"),
        rows_of(
            PlatformResolution,
            "resolution",
            f"t.{column(PlatformResolution, 'notice')} IN (SELECT id FROM the_notices)",
        ),
        rows_of(
            Helpline,
            "helpline",
            f"t.{pk(Helpline)} IN (SELECT helpline_id FROM the_cases UNION SELECT helpline_id FROM the_notices)",
        ),
    ]
    union = " UNION ALL ".join(parts)
    if vendor == "postgresql":
        # Digested where the rows are: one short row crosses the wire and is parsed, not ~5 kB of text.
        return (
            f"{named}SELECT count(*) FILTER (WHERE starts_with(q.t, 'report|')), "
            f"md5(string_agg(q.t, E'\\n' ORDER BY q.t)) FROM ({union}) AS q(t)"
        )
    return named + union


def fingerprint(digest: str) -> str | None:
    """A digest of every row the page of the report with this link digest can show; None when no report has
    it. ~0.1 ms of the worker, where the ORM's three queries take ~2.5 ms. On PostgreSQL the rows are digested
    by the database (md5: a fingerprint, not a secret — the memo is in-process and keyed by it); elsewhere here."""
    vendor = connection.vendor
    sql = _page_state_sql(vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        if vendor == "postgresql":
            reports, digested = cursor.fetchone() or (0, None)
            return f"pg:{digested}" if reports else None
        rows = sorted(str(row[0]) for row in cursor.fetchall())
    if not any(row.startswith("report|") for row in rows):
        return None
    return hashlib.blake2b("\n".join(rows).encode("utf-8", "surrogatepass"), digest_size=32).hexdigest()
