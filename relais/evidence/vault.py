"""Sealed blobs in the evidence storage (Django's storage API: a folder by default, S3 where configured).

Every read opens the seal (AES-GCM: a changed byte, header or context fails) and re-hashes the plaintext
against the SHA-256 recorded at receipt, so a pack is never built from anything but the bytes received.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

from relais.evidence import crypto
from relais.evidence.keys import keyring as keyring  # re-exported: vault.keyring() is the known name
from relais.evidence.models import EvidenceItem
from relais.reports.models import ReportedContent

logger = logging.getLogger(__name__)


class StorageUnavailable(Exception):
    """The evidence storage refused a write: the upload is answered 503, to be sent again later."""


class IntegrityFailure(Exception):
    """A stored item no longer matches what was received: never shown, never exported.

    `item` is the uploaded evidence item that failed; for a reported content item (the report's own
    description, re-hashed on every pack) `item` is None and `content` is that item.
    """

    def __init__(self, item: EvidenceItem | None, reason: str, *, content: ReportedContent | None = None) -> None:
        if item is not None:
            what = f"evidence item {item.position}"
        else:
            assert content is not None  # noqa: S101 - one of the two is always given
            what = f"reported content item {content.position + 1}"
        super().__init__(f"{what} failed its integrity check: {reason}")
        self.item = item
        self.content = content
        self.reason = reason

    @property
    def report_id(self) -> str:
        owner = self.item or self.content
        return str(owner.report_id) if owner is not None else ""

    @property
    def reported_number(self) -> int | None:
        """The reported content item's number as the pack shows it (1, 2…), when that is what failed."""
        return self.content.position + 1 if self.content is not None else None


def storage() -> Storage:
    return storages["evidence"]


def context_of(item: EvidenceItem) -> str:
    """What a blob is bound to: opening it as another item's, or another report's, fails."""
    return f"relais-evidence:{item.report_id}:{item.pk}"


def blob_name(item: EvidenceItem) -> str:
    """Named by ids only: nothing about the content or the person shows in a bucket listing."""
    return f"{item.report_id}/{item.pk}.sealed"


def write(item: EvidenceItem, plaintext: bytes) -> None:
    """Seal and store `plaintext` for `item` (whose ids are set); fills `storage_name` and `key_id`."""
    ring = keyring()
    sealed = crypto.seal(plaintext, ring, context=context_of(item))
    try:
        item.storage_name = storage().save(blob_name(item), ContentFile(sealed))
    except Exception as exc:  # any backend's failure (OSError, botocore…): nothing was stored
        logger.exception("evidence: could not store blob for item %s", item.pk)
        raise StorageUnavailable(str(exc)) from None
    item.key_id = ring.sealing_id


def delete_quietly(name: str) -> bool:
    """Delete a stored blob; False (logged) if the storage refused, so callers can finish their work."""
    try:
        storage().delete(name)
    except Exception:  # any storage backend error (OSError, botocore…): the sweep will retry
        logger.exception("evidence: could not delete blob %s", name)
        return False
    return True


def remove_empty_folder(report_id: str) -> None:
    """Remove the report's folder once its blobs are deleted, so a listing of the evidence folder does not
    keep the ids of purged reports. Only a file-system storage has folders: in a bucket (S3…) a "folder" is
    a prefix that disappears with its last object, so there is nothing to do. A folder still holding a file
    (a blob whose deletion failed, swept later) stays."""
    store = storage()
    if not isinstance(store, FileSystemStorage):
        return
    with contextlib.suppress(OSError):  # absent (no evidence) or not empty (a blob left for the sweep)
        Path(store.path(report_id)).rmdir()


def read(item: EvidenceItem) -> bytes:
    """The item's plaintext, checked; raises IntegrityFailure when it is missing, unreadable or changed."""
    try:
        with storage().open(item.storage_name, "rb") as handle:
            sealed = handle.read()
    except Exception as exc:  # missing file, or any backend's failure: the pack cannot be vouched for
        raise IntegrityFailure(item, f"the stored file cannot be read ({type(exc).__name__})") from None
    try:
        plaintext = crypto.open_sealed(sealed, keyring(), context=context_of(item))
    except crypto.SealBroken as exc:
        raise IntegrityFailure(item, str(exc)) from None
    digest = hashlib.sha256(plaintext).hexdigest()
    if digest != item.sha256:
        raise IntegrityFailure(item, f"stored hash {item.sha256} differs from the content's {digest}")
    return plaintext


def reseal(item: EvidenceItem) -> bool:
    """Re-encrypt `item` under the current sealing key if another key sealed it; True when it did.

    The new blob is written under a new name first and the row switched to it; the old blob is deleted only
    then, so a crash leaves either the old or the new blob readable, never neither.
    """
    ring = keyring()
    if item.key_id == ring.sealing_id:
        return False
    plaintext = read(item)
    old_name = item.storage_name
    write(item, plaintext)
    item.save(update_fields=["storage_name", "key_id"])
    if old_name != item.storage_name:
        delete_quietly(old_name)
    return True
