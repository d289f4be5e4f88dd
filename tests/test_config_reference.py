"""docs/configuration.md is the settings table, rendered: it fails here when they drift apart."""
from __future__ import annotations

import pytest

from core import config_reference
from core.settings import FIELDS


def test_the_committed_reference_matches_the_settings():
    assert config_reference.REFERENCE.read_text() == config_reference.render(), (
        "docs/configuration.md is out of date: run python -m core.config_reference")


def test_every_setting_has_a_row_with_its_default():
    text = config_reference.render()
    for name in FIELDS:
        assert f"| `OPBRIDGE_{name.upper()}` | `{name}` |" in text
    assert "| `OPBRIDGE_OP_PASSWORD` | `op_password` | (none) | secret |" in text
    assert "| `OPBRIDGE_RETRY_SCHEDULE` | `retry_schedule` | `10 60 300 900 3600 10800 21600 43200 86400 86400` |" in text


def test_a_setting_without_a_meaning_stops_the_generator(monkeypatch):
    monkeypatch.delitem(config_reference.MEANINGS, "poll_seconds")
    with pytest.raises(SystemExit, match="OPBRIDGE_POLL_SECONDS"):
        config_reference.render()
