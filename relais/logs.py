"""Logs never carry a reporter's private link, a case code, or anything a request carried in.

The token in `/r/<token>` opens a child's report, and a case code finds one: anyone reading a log line (an
operator, a log pipeline, a support ticket with a pasted excerpt) would hold them. Three places write request
paths: Django's own loggers (`django.request` logs every 4xx and 5xx with its path), gunicorn's access log, and
our own line per request (which names the route's pattern, never the path). All go through here (ADR 0017,
ADR 0026).

The API takes codes in a body since ADR 0030 (`POST /api/v1/helpline/cases/lookup`) and addresses cases by an
opaque id, which a log may keep; what else follows `/helpline/cases/` is still redacted, for a client that
keeps sending a code in the path (the answer is a 422 that Django logs with the path).

`RELAIS_LOG_FORMAT=json` (the production default) writes one JSON object a line: `time`, `level`, `logger`,
`message`, the request id of the request being served, and the fields a record was given (`extra=`).
"""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar
from typing import Any

import orjson
from gunicorn.glogging import Logger as GunicornLogger

_REPORTER_LINK = re.compile(r"/r/[^/\s?#\"']+")
# A typed code may hold spaces (`4821 093 755 1627`): once the path is decoded, the groups that follow are
# the code's too, but not the ` HTTP/1.1` that ends a request line. What is kept: a case's id (a UUID), the
# look-up (`lookup`) and a route's pattern (`<case_id>`), each a whole segment: one ends a path, a request
# line (` HTTP/1.1`) or our request line's route (` 404 5.8 ms`); anything else after a space may be a code.
_SEGMENT_END = r"(?=[/?#\"'\n]|[ \t]+HTTP/|[ \t]+[1-5][0-9]{2}[ \t]+[0-9]+(?:\.[0-9]+)? ms|$)"
_KEPT = rf"(?:[0-9A-Fa-f]{{8}}(?:-[0-9A-Fa-f]{{4}}){{3}}-[0-9A-Fa-f]{{12}}|lookup|<case_id>){_SEGMENT_END}"
_CASE_CODE = re.compile(rf"(/helpline/cases/)(?!{_KEPT})[^/\s?#\"']+(?:[ \t]+(?!HTTP/)[0-9A-Za-z-]+(?=[\s/?#\"']|$))*")

request_id: ContextVar[str | None] = ContextVar("relais_request_id", default=None)
"""The id of the request this thread is serving (set by relais.middleware.RequestLog), on every log line."""


def redact(text: str) -> str:
    return _CASE_CODE.sub(r"\1[redacted]", _REPORTER_LINK.sub("/r/[redacted]", text))


class RedactReporterLinks(logging.Filter):
    """On the handlers: rewrites a record whose message holds a reporter link or a case code before it is
    formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "request"}
"""A record's own attributes; the others were given with `extra=` and become fields of the JSON line.
`request` (Django's `django.request` passes the HttpRequest) is an object, not a field."""


class JsonLines(logging.Formatter):
    """One JSON object a line, redacted as a whole (the message, the fields, a traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current is not None and not hasattr(record, "request_id"):
            entry["request_id"] = current
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(orjson.dumps(entry, default=str).decode())


class PlainLines(logging.Formatter):
    """The development format, redacted as a whole too (a traceback can quote a path)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingGunicornLogger(GunicornLogger):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's logger with every atom of an access line redacted (request line, path, raw URI, referrer…)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}


_tasks_logger = logging.getLogger("relais.tasks")


def log_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """One line per task run (django_tasks' `task_finished` signal): its id, name, outcome and duration; never
    its arguments (ids today, but a task's arguments are its own business)."""
    started, finished = task_result.started_at, task_result.finished_at
    duration_ms = None
    if started is not None and finished is not None:
        duration_ms = round((finished - started).total_seconds() * 1000, 1)
    name = task_result.task.module_path
    status = str(task_result.status)
    _tasks_logger.log(
        logging.WARNING if status == "FAILED" else logging.INFO,
        "task %s %s",
        name,
        status,
        extra={"task_id": str(task_result.id), "task": name, "status": status, "duration_ms": duration_ms},
    )
