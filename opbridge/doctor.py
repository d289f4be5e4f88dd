"""``opbridge doctor``: is everything opbridge depends on configured and answering?

Each check returns one row; a check whose prerequisite is not configured is skipped
with the setting to fill in, so a new installation sees what is left to do.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError

from core.settings import Settings
from opbridge.database_name import database_name, sqlite_file
from outbox.db import current_revision, head_revision

OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclasses.dataclass(frozen=True)
class Finding:
    check: str
    status: str
    detail: str


def _config(settings: Settings, _services: Any) -> Finding:
    source = os.environ.get("OPBRIDGE_CONFIG") or "environment and defaults"
    return Finding("configuration", OK, f"valid ({source})")


def _database(settings: Settings, services: Any) -> Finding:
    name, path = database_name(settings.database_url), sqlite_file(settings.database_url)
    if path and not os.path.exists(path):  # connecting would create it
        return Finding("database", FAIL, f"{name} does not exist: set OPBRIDGE_DATABASE_URL or run `opbridge db upgrade`")
    revision, head = current_revision(services.engine), head_revision()
    if revision != head:
        return Finding("database", FAIL,
                       f"{name}: schema at {revision or 'nothing'}, newest is {head}: run `opbridge db upgrade`")
    return Finding("database", OK, f"{name} reachable, schema at {head}")


def _openprovider(settings: Settings, services: Any) -> Finding:
    if not (settings.op_username and settings.op_password):
        return Finding("openprovider", SKIP, "set OPBRIDGE_OP_USERNAME and OPBRIDGE_OP_PASSWORD")
    page = next(services.openprovider.domains.pages(limit=1))
    return Finding("openprovider", OK, f"logged in at {settings.op_url}; {page.total} domains in the account")


def _dns_template(settings: Settings, services: Any) -> Finding:
    if not settings.dns_template:
        return Finding("dns template", SKIP, "no OPBRIDGE_DNS_TEMPLATE configured")
    if not (settings.op_username and settings.op_password):
        return Finding("dns template", SKIP, "needs the Openprovider login")
    names = [template.name for template in services.openprovider.dns.templates()]
    if settings.dns_template not in names:
        return Finding("dns template", FAIL, f"{settings.dns_template!r} is not among {', '.join(names) or 'no templates'}")
    return Finding("dns template", OK, f"{settings.dns_template!r} exists")


def _whmcs(settings: Settings, services: Any) -> Finding:
    if not (settings.whmcs_url and settings.whmcs_identifier and settings.whmcs_secret):
        return Finding("whmcs", SKIP, "set OPBRIDGE_WHMCS_URL, OPBRIDGE_WHMCS_IDENTIFIER and OPBRIDGE_WHMCS_SECRET")
    page = services.whmcs.get_clients_domains(limit=1)
    return Finding("whmcs", OK, f"API answered at {settings.whmcs_url}; {page.total} domains")


def _webhooks(settings: Settings, _services: Any) -> Finding:
    if not settings.webhook_secrets:
        return Finding("webhook secrets", FAIL, "set OPBRIDGE_WEBHOOK_SECRETS or the listener refuses every event")
    return Finding("webhook secrets", OK, f"{len(settings.webhook_secrets)} configured")


def _at_rest_keys(settings: Settings, _services: Any) -> Finding:
    if not settings.at_rest_keys:
        return Finding("at-rest keys", FAIL, "set OPBRIDGE_AT_REST_KEYS or the listener refuses transfers with an auth code")
    return Finding("at-rest keys", OK, f"{len(settings.at_rest_keys)} configured")


CHECKS: tuple[Callable[[Any, Any], Finding], ...] = (
    _config, _database, _webhooks, _at_rest_keys, _openprovider, _dns_template, _whmcs,
)


def one_line(error: BaseException) -> str:
    """An error's first line: a driver's reason without SQLAlchemy's statement and help link."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    lines = str(error).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


def diagnose(settings: Settings, services: Any) -> list[Finding]:
    findings = []
    for check in CHECKS:
        try:
            findings.append(check(settings, services))
        except Exception as error:  # noqa: BLE001 - a failing check is the finding itself
            name = check.__name__.strip("_").replace("_", " ")
            findings.append(Finding(name, FAIL, f"{type(error).__name__}: {one_line(error)}"))
    return findings
