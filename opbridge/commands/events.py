"""``opbridge events send TYPE --data FILE``: sign and send one event, as WHMCS's hook would.

For testing a listener without WHMCS: the event goes over HTTP to the hook endpoint,
signed with the first of OPBRIDGE_WEBHOOK_SECRETS, and the listener's answer is printed.
docs/events.md lists every type with its fields and an example to start from.
"""
from __future__ import annotations

import json
import secrets
import time
from datetime import datetime, timezone
from typing import Any

import click
import requests

from listener.event_schemas import EVENT_DATA
from listener.signing import sign
from core.settings import require
from opbridge.commands.runtime import Runtime, pass_runtime

SOURCE = {"system_url": None, "whmcs_version": None}


def envelope(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """An event as the hook file sends it: the type, when it happened (now), and its data."""
    occurred = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"type": event_type, "occurred_at": occurred, "source": SOURCE, "data": data}


@click.group()
def events() -> None:
    """Events as WHMCS sends them (docs/events.md)."""


@events.command("send")
@click.argument("event_type", metavar="TYPE", type=click.Choice(sorted(EVENT_DATA)))
@click.option("--data", "data_file", required=True, type=click.File("r"),
              help="A JSON file with the event's data object ('-' reads standard input).")
@click.option("--url", help="The hook endpoint; defaults to http://OPBRIDGE_BIND/hooks/whmcs.")
@click.option("--id", "webhook_id", help="The webhook id (the dedupe key); a new one by default.")
@pass_runtime
def send(runtime: Runtime, event_type: str, data_file: Any, url: str | None, webhook_id: str | None) -> None:
    """Sign an event of TYPE with the first webhook secret and post it to the listener."""
    settings = runtime.settings
    require(settings, "webhook_secrets")
    try:
        data = json.load(data_file)
    except ValueError as error:
        raise click.BadParameter(f"{data_file.name} is not JSON: {error}", param_hint="--data") from None
    if not isinstance(data, dict):
        raise click.BadParameter(f"{data_file.name} must hold a JSON object: the event's data", param_hint="--data")
    body = json.dumps(envelope(event_type, data)).encode()
    webhook_id = webhook_id or f"evt_cli_{secrets.token_hex(8)}"
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json", "webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(settings.webhook_secrets[0], webhook_id, timestamp, body),
    }
    target = url or f"http://{settings.bind}/hooks/whmcs"
    try:
        answer = requests.post(target, data=body, headers=headers, timeout=10)
    except requests.RequestException as error:
        raise click.ClickException(f"The listener at {target} did not answer: {error}") from None
    click.echo(f"{answer.status_code} {webhook_id}: {answer.text.strip()}")
    if answer.status_code >= 300:
        raise click.ClickException(f"The listener refused the event ({answer.status_code}).")
