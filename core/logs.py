"""Log set-up: one JSON object per line, or plain text for a terminal.

opbridge's own lines, gunicorn's error log and its access log share one format
(``OPBRIDGE_LOG_FORMAT``). What a line is about (the request, the event, the command,
the domain) comes from a context the listener sets per request and the worker per
command, so every line written while handling one carries its ids without each call
passing them. Every configured secret is masked in the finished line, whatever path
it took into it (a message, an extra field, an exception).
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timezone
from typing import Any

from core import times
from core.masking import MASK
from core.settings import FIELDS, Settings

# Attributes every LogRecord has; anything else came in through ``extra=`` and is shown.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# What the current request or command is about: request_id, event_id, command_id, domain.
_about: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar("opbridge_log_context", default={})

# The access log's fields, from gunicorn's atoms: no query string and no header but the
# ids, so no token or signature reaches the log.
_ACCESS_ATOMS = {
    "remote": "h", "method": "m", "path": "U", "protocol": "H", "status": "s",
    "bytes": "B", "duration_ms": "M", "request_id": "{x-request-id}o", "event_id": "{webhook-id}i",
}
ACCESS_TEXT_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


def bind(**fields: Any) -> contextvars.Token:
    """Add fields to what the following lines are about; reset with the returned token."""
    return _about.set({**_about.get(), **fields})


def unbind(token: contextvars.Token) -> None:
    _about.reset(token)


@contextlib.contextmanager
def about(**fields: Any) -> Iterator[None]:
    """Every line logged in this block, in this thread, carries these fields."""
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


def secret_values(settings: Settings) -> list[str]:
    """The values of every setting marked secret, to be masked in log lines."""
    values: list[str] = []
    for name, field in FIELDS.items():
        value = getattr(settings, name) if field.secret else None
        values += [value] if isinstance(value, str) else list(value or ())
    return [value for value in values if value]


class _Secrets:
    """Masks the configured secrets in text, longest first (one may contain another)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._values = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self._values:
            text = text.replace(secret, MASK)
        return text

    def masked(self, value: Any) -> Any:
        """A copy of a JSON-like value with its strings masked; keys stay, so the line stays JSON."""
        if isinstance(value, Mapping):
            return {key: self.masked(item) for key, item in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.masked(item) for item in value]
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, (datetime, date)):
            return times.iso(value)
        return self.mask(str(value))


class JsonFormatter(logging.Formatter):
    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = _Secrets(secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": times.iso(datetime.fromtimestamp(record.created, timezone.utc)),
            "level": record.levelname,
            "logger": record.name,
            **self.fields(record),
        }
        return json.dumps(self.secrets.masked(entry))

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        fields = {"message": record.getMessage(), **_about.get(), **_extra(record)}
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return fields


class AccessJsonFormatter(JsonFormatter):
    """gunicorn's access lines: the request's fields from its atoms, not its text format."""

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        atoms = record.args if isinstance(record.args, Mapping) else {}
        fields = {name: atoms[atom] for name, atom in _ACCESS_ATOMS.items() if atoms.get(atom, "-") != "-"}
        if str(fields.get("status", "")).isdigit():
            fields["status"] = int(fields["status"])  # so a query can say status >= 500
        return {"message": f"{fields.get('method')} {fields.get('path')} {fields.get('status')}", **fields}


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value…``, the context and extra fields last."""

    def __init__(self, *, secrets: Iterable[str] = ()) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = _Secrets(secrets)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {**_about.get(), **_extra(record)}
        if fields:
            head, newline, trace = line.partition("\n")  # the fields stay on the message's line
            pairs = " ".join(f"{key}={value}" for key, value in fields.items())
            line = f"{head} {pairs}{newline}{trace}"
        return self.secrets.mask(line)


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD}


class _SchedulerChatter(logging.Filter):
    """APScheduler announces every job added, started and run at INFO: routine, so DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("apscheduler") and record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def formatter(fmt: str, secrets: Iterable[str] = ()) -> logging.Formatter:
    return JsonFormatter(secrets=secrets) if fmt == "json" else TextFormatter(secrets=secrets)


def access_formatter(fmt: str, secrets: Iterable[str] = ()) -> logging.Formatter:
    return AccessJsonFormatter(secrets=secrets) if fmt == "json" else TextFormatter(secrets=secrets)


def configure(level: str = "INFO", fmt: str = "json", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(fmt, secrets))
    handler.addFilter(_SchedulerChatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic announces every migration context at INFO; only its warnings matter here.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))


def configure_from(settings: Settings) -> None:
    """Logs as the settings ask, with their secrets masked."""
    configure(settings.log_level, settings.log_format, secret_values(settings))


def gunicorn_logconfig(settings: Settings) -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error and access logs in opbridge's format.

    Error lines (and anything logged in the master) go to stderr, access lines to
    stdout, as gunicorn does by default.
    """
    secrets = secret_values(settings)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "lines": {"()": formatter, "fmt": settings.log_format, "secrets": secrets},
            "access": {"()": access_formatter, "fmt": settings.log_format, "secrets": secrets},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "lines", "stream": "ext://sys.stderr"},
            "stdout": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "root": {"level": settings.log_level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": settings.log_level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }
