"""docs/events.md and the listener agree: every type, every field, an example each accepts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from listener.commands import commands_for
from listener.event_schemas import EVENT_DATA

DOC = (Path(__file__).parents[2] / "docs" / "events.md").read_text()
SECTIONS = dict(re.findall(r"^### `([a-z_.]+)`\n(.*?)(?=^### |\Z)", DOC, flags=re.M | re.S))


def test_every_event_type_has_a_section_and_every_section_a_type() -> None:
    assert sorted(SECTIONS) == sorted(EVENT_DATA)


@pytest.mark.parametrize("event_type", sorted(EVENT_DATA))
def test_each_section_lists_the_fields_and_the_commands_and_its_example_is_accepted(event_type: str) -> None:
    section, schema = SECTIONS[event_type], EVENT_DATA[event_type]
    [first_table] = re.findall(r"\| field \| type \| required \|\n\|---\|---\|---\|\n((?:\|.*\n)+)", section)[:1]
    listed = re.findall(r"^\| `([a-z_0-9]+)` \|", first_table, flags=re.M)
    assert listed == [field.data_key or name for name, field in schema.load_fields.items()]
    [example] = re.findall(r"```json\n(.*?)```", section, flags=re.S)
    data = schema.load(json.loads(example))
    makes = re.search(r"^Makes: (.*)$", section, flags=re.M).group(1)
    assert {command.type for command in commands_for(event_type, data)} <= set(re.findall(r"`([a-z_]+)`", makes))


def test_events_send_signs_and_posts_an_event_the_listener_accepts(client, tmp_path) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    from opbridge.cli import cli
    from tests.listener.conftest import OLD_SECRET

    data = tmp_path / "lock.json"
    data.write_text(json.dumps({"domain_id": 7, "domain": "Example.COM", "locked": True}))
    env = {"OPBRIDGE_WEBHOOK_SECRETS": OLD_SECRET, "OPBRIDGE_LOG_LEVEL": "WARNING"}
    url = f"{client.base_url}/hooks/whmcs"
    sent = CliRunner(env=env).invoke(cli, ["events", "send", "domain.lock_changed", "--data", str(data),
                                           "--url", url, "--id", "evt_cli_test"])
    # The server runs in this process, so its access log lines mix in: look for the verb's own line.
    assert sent.exit_code == 0 and "\n202 evt_cli_test: {" in "\n" + sent.output, sent.output
    [stored] = client.commands()
    assert (stored.type, stored.aggregate_key, stored.payload["locked"]) == ("set_lock", "example.com", True)

    data.write_text(json.dumps({"domain_id": 7, "domain": "example.com"}))
    refused = CliRunner(env=env).invoke(cli, ["events", "send", "domain.lock_changed", "--data", str(data), "--url", url])
    assert refused.exit_code == 1 and "\n422 evt_cli_" in "\n" + refused.output and "locked" in refused.output
    assert "Error: The listener refused the event (422)." in refused.output
