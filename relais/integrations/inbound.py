"""What every platform's adapter hands the shared path besides the report itself. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Media:
    """A picture or video attached to a reported status, to fetch from the instance and keep as evidence."""

    url: str
    kind: str
    """`image` or `video` (Mastodon's `gifv` is a video); audio is not kept (evidence takes neither)."""
    content_id: str
    """The status's id: the evidence item preserves that content item."""
