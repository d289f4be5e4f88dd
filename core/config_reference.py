"""docs/configuration.md, generated from the settings table (core.settings.FIELDS).

``python -m core.config_reference`` rewrites the file (tests/test_config_reference.py
fails while it is out of date). Names, defaults and which settings are secret come
from the table itself; what each setting means is written here, and a setting
without a meaning stops the generator, so a new setting cannot go undocumented.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from core.settings import FIELDS, PREFIX

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"

MEANINGS = {
    "database_url": "SQLAlchemy URL: `sqlite:///…` (one node), `postgresql+psycopg://…` or `mysql+pymysql://…` "
                    "(any number of listeners and workers). See [databases.md](databases.md).",
    "bind": "Where `opbridge serve` and `opbridge run` listen, `HOST:PORT` (`--bind` overrides).",
    "webhook_secrets": "Whitespace-separated `whsec_<base64>` secrets, each at least 16 bytes; an event signed "
                       "with any of them is accepted, so a secret is rotated by adding the new one before removing "
                       "the old. Required to accept events.",
    "admin_tokens": "Whitespace-separated bearer tokens of the admin API and the dashboard; none closes both.",
    "at_rest_keys": "Whitespace-separated Fernet keys (`opbridge secrets new at-rest-key`) that seal auth codes "
                    "in the database; the first seals, any of them opens, so a key is rotated by putting the new "
                    "one first and keeping the old one until what it sealed is done or purged. Required to accept "
                    "an event that carries an auth code.",
    "op_url": "Openprovider API base URL, without `/v1beta`.",
    "op_username": "Openprovider API user name.",
    "op_password": "Openprovider API password.",
    "op_timeout_seconds": "Total time one Openprovider call may take (1 to 600).",
    "reuse_handles": "Reuse one Openprovider contact handle for identical contacts.",
    "dns_template": "Openprovider DNS template applied to new domains (none: no DNS zone is created).",
    "default_nameservers": "Whitespace-separated nameservers (at least two) for a domain whose event names none.",
    "public_url": "opbridge's address as admins open it (https://opbridge.example.net), for the dashboard links in the mails opbridge sends through WHMCS; empty: the links are paths.",
    "whmcs_url": "WHMCS base URL; the API is `<url>/includes/api.php`.",
    "whmcs_identifier": "WHMCS API credential identifier.",
    "whmcs_secret": "WHMCS API credential secret.",
    "whmcs_accesskey": "WHMCS API access key (`$api_access_key` in WHMCS's configuration.php), which lets opbridge call the API from an address outside WHMCS's API IP allow list.",
    "whmcs_registrar": "Registrar name in WHMCS of the domains the pull-sync reconciles.",
    "next_due_date_offset": "Days between a domain's WHMCS next due date and its expiry (0 to 365).",
    "update_interval_days": "Minimum days between two syncs of one domain (0: every run).",
    "max_domains_per_sync": "Domains one sync run reads from Openprovider (0: no limit).",
    "send_empty_reports": "Mail the sync report to the WHMCS admins even when nothing changed.",
    "expiry_source": "Which Openprovider date WHMCS's expiry follows: `expiration_date` or `renewal_date`.",
    "due_date_max_difference_days": "A due-date move larger than this many days is reported, not made.",
    "sync_every_minutes": "Pull-sync period in minutes (0: no scheduled sync).",
    "sync_every_seconds": "Pull-sync period in seconds; when set, it overrides the minutes (0: use the minutes).",
    "tld_refresh_hours": "Hours between two reads of Openprovider's TLD catalogue by the worker "
                         "(0: only `opbridge tlds refresh`).",
    "sync_concurrency": "Openprovider lookups one sync run keeps in flight at once (1 to 64).",
    "drift_every_days": "Days between the scheduler's drift reports, mailed when their findings changed (0: none).",
    "transfer_calls_per_second": "Openprovider calls a second that `portfolio transfer-in` spends, shared by every worker.",
    "import_payment_method": "WHMCS payment method (system name) of the orders `portfolio import` adds.",
    "worker_threads": "Dispatcher threads per `opbridge worker` process (1 to 256; `--threads` overrides).",
    "retry_schedule": "Seconds before each retry of a transient failure (±20 % jitter); a command gets "
                      "one attempt more than the schedule has entries.",
    "circuit_pause_seconds": "How long all Openprovider calls pause after it refused the login.",
    "retention_days": "Days done commands and their events are kept before `opbridge purge` deletes them.",
    "lease_seconds": "How long a claim holds a command before another worker may take it over; must be more "
                     "than three times `OPBRIDGE_OP_TIMEOUT_SECONDS`.",
    "poll_seconds": "How often an idle worker looks for work when no notification wakes it (1 to 60).",
    "log_format": "`json` (one object per line, for a log pipeline) or `text` (for a terminal); applies to "
                  "opbridge's lines and to gunicorn's error and access logs.",
    "log_level": "`DEBUG`, `INFO`, `WARNING` or `ERROR`.",
}

HEADER = """\
# Configuration reference

<!-- Generated from core/settings.py by `python -m core.config_reference`; do not edit by hand. -->

Every setting is an environment variable `OPBRIDGE_<NAME>`, or a key `<name>` (lower
case, without the prefix) in a TOML file named by `OPBRIDGE_CONFIG` or `--config`. The
environment wins over the file. A value that does not parse stops start-up with one
sentence naming the setting; an unknown key in the file is refused.

Settings marked *secret* are masked in `repr()` of the settings and in every log line.
Lists are whitespace-separated in the environment and TOML arrays in the file.

| variable | TOML key | default | secret | meaning |
|---|---|---|---|---|
"""


def _default(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, tuple):
        value = " ".join(map(str, value))
    return f"`{value}`" if value != "" else "(none)"


def render() -> str:
    if set(FIELDS) != set(MEANINGS):
        names = ", ".join(f"{PREFIX}{name.upper()}" for name in sorted(set(FIELDS) ^ set(MEANINGS)))
        raise SystemExit(f"core.config_reference: MEANINGS and the settings differ in {names}.")
    rows = [
        f"| `{PREFIX}{name.upper()}` | `{name}` | {_default(field.default)} | {'secret' if field.secret else ''} "
        f"| {MEANINGS[name]} |"
        for name, field in FIELDS.items()
    ]
    return HEADER + "\n".join(rows) + "\n"


def main() -> None:
    REFERENCE.write_text(render())


if __name__ == "__main__":
    main()
