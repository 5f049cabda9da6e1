"""Children's words kept sealed at rest: the reported content (`ReportedContent.text`) and the reporter's own
words (`Report.description`), with the evidence key ring (crypto.py, keys.py; ADR 0011, "At rest").

In Python the field holds the plain text, so every reader (the API, the consoles, the packs, the SHA-256 of
reported content, which is over the plain text) is unchanged; in the database the column holds
`sealed:<key id>:<base64 of a crypto.seal blob>`. The key id in clear lets `relais evidence rekey` find what
an older key sealed without opening it; the blob's own header names the key too, and the tag covers it.

What this does not do: the associated data is the column (`reports.Report.description`), not the row, so
a person able to write the database could swap two reports' texts undetected (not read them); and the
text cannot be searched or filtered in SQL (a filter on it compares ciphertexts, with fresh nonces: nothing
matches). An empty text stays empty (a blank description is the common case and says nothing).
The webhook endpoints' signing secrets use the same field (an HMAC key cannot be hashed).
Rotation: `relais evidence rekey` re-seals every such column with the blobs (services.reseal_texts).
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from django.db import models

from relais.evidence import crypto
from relais.evidence.keys import keyring

PREFIX = "sealed:"
logger = logging.getLogger(__name__)


def seal_text(text: str, *, context: str) -> str:
    """The column's value for `text`: one AES-256-GCM under the first key."""
    if not text:
        return text
    ring = keyring()
    blob = crypto.seal(text.encode(), ring, context=context)
    return f"{PREFIX}{ring.sealing_id}:{base64.b64encode(blob).decode('ascii')}"


def open_text(stored: str, *, context: str) -> str:
    """The plain text of a column's value; a value written before sealing (no prefix) is returned as is.

    A value that cannot be opened (its key dropped from RELAIS_EVIDENCE_KEYS, or changed bytes) is logged and
    returned sealed, `sealed:<key id>:…`: a page shows that, not a 500 and never other words, and
    `relais evidence verify` names the reported content whose hash no longer matches."""
    if not stored.startswith(PREFIX):
        return stored
    key_id, _, encoded = stored[len(PREFIX) :].partition(":")
    try:
        return crypto.open_sealed(base64.b64decode(encoded), keyring(), context=context).decode()
    except (crypto.SealBroken, ValueError) as exc:
        logger.error("evidence: a sealed %s (key %r) cannot be opened: %s", context, key_id, exc)
        return stored


def sealed_under(key_id: str) -> str:
    """The prefix of values sealed under `key_id` (for `__startswith`)."""
    return f"{PREFIX}{key_id}:"


def rewrite_rows(
    apps: Any, schema_editor: Any, app_label: str, columns: tuple[tuple[str, str], ...], *, seal: bool
) -> None:
    """For a migration that turns columns into SealedTextFields: seal (or, going back, open) every row that is
    not yet so, in raw SQL. The historical model's field may already seal on save, so the ORM cannot write the
    clear value back; each column's context is `<app>.<Model>.<field>`, as the model declares it."""
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for model_name, field_name in columns:
            model = apps.get_model(app_label, model_name)
            context = f"{app_label}.{model._meta.object_name}.{field_name}"
            table, column = model._meta.db_table, model._meta.get_field(field_name).column
            cursor.execute(f"SELECT {quote('id')}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
            for pk, stored in cursor.fetchall():
                if seal == stored.startswith(PREFIX):
                    continue
                value = seal_text(stored, context=context) if seal else open_text(stored, context=context)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote('id')} = %s",  # noqa: S608
                    [value, pk],
                )


class SealedTextField(models.TextField[str, str]):
    """A TextField whose column holds the text sealed (see the module's docstring)."""

    def __init__(self, *args: Any, context: str = "", **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value is None else seal_text(value, context=self.context)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return value if value is None else open_text(value, context=self.context)
