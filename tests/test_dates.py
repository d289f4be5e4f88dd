"""Times leave opbridge as ISO 8601 with their offset (JSON) or as UTC with a zone (people)."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import requests

from listener import create_app
from core import times
from core.settings import load_settings
from outbox.db import make_engine, upgrade
from outbox.store import Outbox
from outbox.values import NewCommand
from tests.support import serve_wsgi
from tests.test_cli_verbs import invoke

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
TOKEN = "admin-token-for-the-dates"


def test_one_rule_for_times() -> None:
    moment = datetime(2026, 12, 2, 16, 30, 28, 364820)
    assert times.iso(moment) == "2026-12-02T16:30:28.364820Z"
    amsterdam = timezone(timedelta(hours=1))
    assert times.iso(moment.replace(tzinfo=amsterdam)) == "2026-12-02T15:30:28.364820Z"
    assert times.utc(moment) == "2026-12-02 16:30:28 UTC"
    assert times.iso(date(2027, 3, 1)) == "2027-03-01" and times.iso(None) is None


def test_api_answers_and_dashboard_filters_use_iso(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path}/dates.db"
    engine = make_engine(url)
    upgrade(engine)
    Outbox(engine).enqueue(None, [NewCommand("set_lock", "a.com", {"locked": True})])
    app = create_app(load_settings(environ={}, database_url=url, admin_tokens=TOKEN), engine)
    with serve_wsgi(app) as base:
        answer = requests.get(f"{base}/api/v1/commands", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    [command] = answer.json()["commands"]
    assert ISO.match(command["created_at"]) and ISO.match(command["next_attempt_at"]), command
    rendered = app.jinja_env.from_string("{{ t|iso }} {{ t|utc }}").render(t=datetime(2026, 1, 2, 3, 4, 5))
    assert rendered == "2026-01-02T03:04:05Z 2026-01-02 03:04:05 UTC"
    engine.dispose()


def test_command_line_json_is_iso_and_tables_say_utc(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path}/dates.db"
    engine = make_engine(url)
    upgrade(engine)
    [command_id] = Outbox(engine).enqueue(None, [NewCommand("set_lock", "a.com", {"locked": True})]).command_ids
    engine.dispose()

    env = {"OPBRIDGE_DATABASE_URL": url}
    listed = json.loads(invoke("commands", "list", "--json", env=env).output)
    assert ISO.match(listed[0]["created_at"])
    shown = json.loads(invoke("commands", "show", str(command_id), "--json", env=env).output)
    assert isinstance(shown, dict) and ISO.match(shown["updated_at"]) and shown["history"] == []
    table = invoke("commands", "list", env=env).output
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", table)
    details = invoke("commands", "show", str(command_id), env=env).output
    assert re.search(r"created_at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", details)
    assert '"locked": true' in details  # JSON, not a Python dict
