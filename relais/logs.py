"""Logs never carry a reporter's private link.

The token in `/r/<token>` opens a child's report: anyone reading a log line (an operator, a log pipeline, a
support ticket with a pasted excerpt) would hold it. Two places write request paths: Django's own loggers
(`django.request` logs every 4xx and 5xx with its path) and gunicorn's access log. Both go through here.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

_REPORTER_LINK = re.compile(r"/r/[^/\s?#\"']+")


def redact(text: str) -> str:
    return _REPORTER_LINK.sub("/r/[redacted]", text)


class RedactReporterLinks(logging.Filter):
    """On the handlers: rewrites a record whose message holds a reporter link before it is formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class RedactingGunicornLogger(GunicornLogger):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's logger with every atom of an access line redacted (request line, path, raw URI, referrer…)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}
