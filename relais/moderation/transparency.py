"""Statements of reasons to the Transparency Database: nothing is sent until a submitter is configured."""

from __future__ import annotations


def submit_due(platform_id: str) -> None:
    """No platform has a Transparency Database account yet: statements stay exportable through the API."""
