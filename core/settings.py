"""One settings object, read from ``OPBRIDGE_*`` variables and an optional TOML file.

Every setting is declared once in ``FIELDS`` with its parser; a value that does not
parse stops start-up with a ``ConfigError`` whose message names the setting, so an
operator reads one sentence instead of a traceback.
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import difflib
import logging
import os
import tomllib
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "OPBRIDGE_"
log = logging.getLogger("opbridge.settings")


class ConfigError(Exception):
    """A setting is missing or malformed; the message is meant for the operator."""


def _int(minimum: int = 0, maximum: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("must be a whole number")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(f"must be a whole number, not {value!r}") from None
        if number < minimum or (maximum is not None and number > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise ValueError(f"must be at least {minimum}{upper}, not {number}")
        return number

    return parse


def _float(minimum: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(f"must be a number, not {value!r}") from None
        if not number >= minimum or number == float("inf"):
            raise ValueError(f"must be a finite number of at least {minimum}, not {value}")
        return number

    return parse


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"must be true or false, not {value!r}")


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return tuple(str(value).split())


def _text(value: Any) -> str:
    return str(value).strip()


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        if text not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, not {text!r}")
        return text

    return parse


def _database_url(value: Any) -> str:
    text = str(value).strip()
    try:
        url = make_url(text)
    except ArgumentError:
        raise ValueError(f"is not a database URL: {text!r}") from None
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql", "mysql", "mariadb"}:
        raise ValueError(f"must be a sqlite://, postgresql+psycopg:// or mysql+pymysql:// URL, not {backend}://")
    return text


def _http_url(value: Any) -> str:
    text = str(value).strip().rstrip("/")
    if text and not text.startswith(("http://", "https://")):
        raise ValueError(f"must start with http:// or https://, not {text!r}")
    return text


def _secrets(value: Any) -> tuple[str, ...]:
    secrets = _words(value)
    for secret in secrets:
        if not secret.startswith("whsec_"):
            raise ValueError("each secret must look like whsec_<base64>")
        try:
            key = base64.b64decode(secret[len("whsec_"):], validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("each secret must be whsec_ followed by valid base64") from None
        if len(key) < 16:
            raise ValueError("each secret must decode to at least 16 bytes")
    return secrets


def _fernet_keys(value: Any) -> tuple[str, ...]:
    keys = _words(value)
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ValueError("each key must be 32 bytes in URL-safe base64 (make one with `opbridge secrets new at-rest-key`)") from None
    return keys


def _schedule(value: Any) -> tuple[int, ...]:
    parts = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
    parse = _int(minimum=0)
    steps = tuple(parse(part) for part in parts)
    if not steps:
        raise ValueError("must list at least one delay in seconds")
    return steps


def _nameservers(value: Any) -> tuple[str, ...]:
    servers = _words(value)
    if servers and len(servers) < 2:
        raise ValueError("must list at least two nameservers")
    return servers


def _bind(value: Any) -> str:
    text = str(value).strip()
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"must be HOST:PORT, not {text!r}")
    return text


@dataclasses.dataclass(frozen=True)
class Field:
    default: Any
    parse: Callable[[Any], Any]
    secret: bool = False


def setting(default: Any, parse: Callable[[Any], Any], secret: bool = False) -> Any:
    """One setting: its default, how a value from a file or the environment is read, and
    whether it is a secret (masked in logs, reprs and docs/configuration.md)."""
    return dataclasses.field(default=default, metadata={"parse": parse, "secret": secret})


@dataclasses.dataclass(frozen=True)
class Settings:
    """The validated configuration; build it with load_settings(). Each field's name is
    its TOML key and, upper-cased after OPBRIDGE_, its environment variable."""

    database_url: str = setting("sqlite:///opbridge.db", _database_url)
    bind: str = setting("127.0.0.1:8080", _bind)
    public_url: str = setting("", _http_url)
    webhook_secrets: tuple[str, ...] = setting((), _secrets, secret=True)
    admin_tokens: tuple[str, ...] = setting((), _words, secret=True)
    # Fernet keys that seal auth codes at rest; the first seals, any opens (rotation).
    at_rest_keys: tuple[str, ...] = setting((), _fernet_keys, secret=True)
    op_url: str = setting("https://api.cte.openprovider.eu", _http_url)
    op_username: str = setting("", _text)
    op_password: str = setting("", _text, secret=True)
    op_timeout_seconds: int = setting(30, _int(minimum=1, maximum=600))
    reuse_handles: bool = setting(True, _bool)
    dns_template: str = setting("", _text)
    default_nameservers: tuple[str, ...] = setting(
        ("ns1.openprovider.nl", "ns2.openprovider.be", "ns3.openprovider.eu"), _nameservers
    )
    whmcs_url: str = setting("", _http_url)
    whmcs_identifier: str = setting("", _text, secret=True)
    whmcs_secret: str = setting("", _text, secret=True)
    whmcs_accesskey: str = setting("", _text, secret=True)
    whmcs_registrar: str = setting("openprovider", _text)
    next_due_date_offset: int = setting(10, _int(minimum=0, maximum=365))
    update_interval_days: int = setting(3, _int(minimum=0))
    max_domains_per_sync: int = setting(200, _int(minimum=0))
    send_empty_reports: bool = setting(True, _bool)
    expiry_source: str = setting("expiration_date", _choice("expiration_date", "renewal_date"))
    due_date_max_difference_days: int = setting(100, _int(minimum=0))
    sync_every_minutes: int = setting(10, _int(minimum=0))
    # Seconds-level period (0 = use the minutes); overrides the minutes when set.
    sync_every_seconds: int = setting(0, _int(minimum=0))
    tld_refresh_hours: int = setting(24, _int(minimum=0, maximum=24 * 30))
    # Openprovider lookups a sync run keeps in flight at once.
    sync_concurrency: int = setting(8, _int(minimum=1, maximum=64))
    drift_every_days: int = setting(7, _int(minimum=0))
    # Openprovider calls a second that bulk transfers in may spend, across every worker.
    transfer_calls_per_second: float = setting(2.0, _float(minimum=0.01))
    import_payment_method: str = setting("banktransfer", _text)
    worker_threads: int = setting(8, _int(minimum=1, maximum=256))
    retry_schedule: tuple[int, ...] = setting((10, 60, 300, 900, 3600, 10800, 21600, 43200, 86400, 86400), _schedule)
    circuit_pause_seconds: int = setting(300, _int(minimum=1))
    retention_days: int = setting(30, _int(minimum=1))
    lease_seconds: int = setting(120, _int(minimum=5))
    poll_seconds: int = setting(1, _int(minimum=1, maximum=60))
    log_format: str = setting("json", _choice("json", "text"))
    log_level: str = setting("INFO", _choice("DEBUG", "INFO", "WARNING", "ERROR"))

    def __repr__(self) -> str:  # secrets never reach a log line through repr()
        shown = [f"{name}=***" if field.secret and getattr(self, name) else f"{name}={getattr(self, name)!r}"
                 for name, field in FIELDS.items()]
        return f"Settings({', '.join(shown)})"


FIELDS: dict[str, Field] = {
    field.name: Field(field.default, field.metadata["parse"], field.metadata["secret"])
    for field in dataclasses.fields(Settings)
}


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"The configuration file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The configuration file {path} is not valid TOML: {error}.") from None
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ConfigError(f"The configuration file {path} has an unknown setting: {unknown[0]}"
                          + (_nearest(unknown[0], FIELDS) or "."))
    return data


def _nearest(name: str, known: Any) -> str:
    """``; did you mean X?`` for the closest known name, or nothing when none is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]}?" if close else ""


def misspelled_variables(environ: Mapping[str, str]) -> list[str]:
    """A sentence for each OPBRIDGE_* variable that is no setting but close to one.

    Only close ones: other OPBRIDGE_* variables (the test suite's, the WHMCS hook's) are
    not settings and not mistakes.
    """
    known = [*FIELDS, "config"]
    sentences = []
    for variable in sorted(environ):
        name = variable[len(PREFIX):].lower()
        if variable.startswith(PREFIX) and name not in known:
            # Compared without the prefix every variable shares, which would make all of them close.
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            if close:
                sentences.append(f"{variable} is not a setting and is ignored; did you mean {PREFIX}{close[0].upper()}?")
    return sentences


def load_settings(
    config_path: str | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from defaults < TOML file < environment < keyword overrides."""
    environ = os.environ if environ is None else environ
    for sentence in misspelled_variables(environ):
        log.warning(sentence)
    path = config_path or environ.get(PREFIX + "CONFIG")
    raw: dict[str, tuple[str, Any]] = {}
    if path:
        for key, value in _read_toml(path).items():
            raw[key] = (f"{key} in {path}", value)
    for key in FIELDS:
        env_name = PREFIX + key.upper()
        if env_name in environ:
            raw[key] = (env_name, environ[env_name])
    for key, value in overrides.items():
        if key not in FIELDS:
            raise TypeError(f"unknown setting {key}")
        raw[key] = (key, value)
    values = {}
    for key, (origin, value) in raw.items():
        try:
            values[key] = FIELDS[key].parse(value)
        except ValueError as error:
            raise ConfigError(f"{origin} {error}.") from None
    settings = Settings(**values)
    _check_lease_covers_calls(settings)
    return settings


def _check_lease_covers_calls(settings: Settings) -> None:
    # One Openprovider call may take a login, the call and its retry after a refused
    # token; a lease shorter than that lets a second worker start the same command.
    longest_call = 3 * settings.op_timeout_seconds
    if settings.lease_seconds <= longest_call:
        raise ConfigError(
            f"{PREFIX}LEASE_SECONDS ({settings.lease_seconds}) must be more than three times "
            f"{PREFIX}OP_TIMEOUT_SECONDS ({settings.op_timeout_seconds}), that is more than {longest_call}."
        )


def require(settings: Settings, *names: str) -> None:
    """Stop with one sentence when a setting a command needs is empty."""
    for name in names:
        if not getattr(settings, name):
            raise ConfigError(f"{PREFIX}{name.upper()} is required for this command but is not set.")
