"""A transfer's EPP code reaches Openprovider and no operator surface but the authcode ones.

One transfer goes through and one is refused for a wrong code (so a dead command keeps
its calls); then every GET route of the admin API and the dashboard, the command line's
views and the database's own rows are searched for either code.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import select

import outbox.handlers  # noqa: F401 - registers the handlers the worker runs
from listener import create_app
from opbridge.cli import cli
from core.settings import load_settings
from opsandbox import create_app as create_sandbox
from outbox.db import make_engine, upgrade
from outbox.models import Attempt, Command, Event
from outbox.sealing import SEALED, Sealer
from outbox.services import OutboxServices
from outbox.worker import Worker
from tests.listener.conftest import AT_REST_KEY, NEW_SECRET, signed_headers
from tests.listener.events import envelope, item, CONTACT
from tests.opsandbox.harness import SandboxAdmin
from tests.support import serve_wsgi

TOKEN = "admin-token-for-the-code-scan"
GOOD_CODE = "Good-EPP-4711"
WRONG_CODE = "Wrong-EPP-0815"
CODES = (GOOD_CODE, WRONG_CODE)
# Route arguments the scan knows how to fill; a route with other arguments is read with
# the values the scenario has for them, or left out when it has none.
AUTHCODE_ENDPOINTS = {"admin.auth_code"}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Iterator[dict[str, Any]]:  # noqa: ANN001
    url = f"sqlite:///{tmp_path_factory.mktemp('codes')}/codes.db"
    engine = make_engine(url)
    upgrade(engine)
    with serve_wsgi(create_sandbox()) as sandbox_url:
        SandboxAdmin(sandbox_url).seed(registry=[{"name": "moving.com", "auth_code": GOOD_CODE},
                                                 {"name": "stuck.com", "auth_code": "Other-Code-1"}])
        settings = load_settings(environ={}, database_url=url, webhook_secrets=NEW_SECRET, admin_tokens=TOKEN,
                                 at_rest_keys=AT_REST_KEY, op_url=sandbox_url, op_username="sandbox", op_password="sandbox")
        app = create_app(settings, engine)
        with serve_wsgi(app) as base:
            event = envelope("order.accepted", {"order_id": 77, "client_id": 4, "registrant": CONTACT, "domains": [
                item(domain_id=1, domain="moving.com", action="transfer", epp_code=GOOD_CODE),
                item(domain_id=2, domain="stuck.com", action="transfer", epp_code=WRONG_CODE),
            ]})
            body = json.dumps(event).encode()
            headers = signed_headers(body, webhook_id="evt-codes-1")
            accepted = requests.post(f"{base}/hooks/whmcs", data=body, headers=headers, timeout=10)
            assert accepted.status_code == 202, accepted.text
            outbox = app.extensions["opbridge"].outbox
            Worker(outbox, threads=2, poll_seconds=0.02, services=OutboxServices(settings, engine)).run_until_idle()
            yield {"base": base, "url": url, "app": app, "outbox": outbox, "engine": engine,
                   "commands": accepted.json()["commands"]}
    engine.dispose()


def _values(scenario: dict[str, Any]) -> dict[str, list[Any]]:
    return {"command_id": scenario["commands"], "webhook_id": ["evt-codes-1"], "name": ["moving.com", "stuck.com"],
            "run_id": [], "domain": ["moving.com"]}


def _readable_urls(scenario: dict[str, Any]) -> list[str]:
    """Every GET route of the app (the admin API, the registrar's reads, the dashboard,
    health, metrics, OpenAPI), with the scenario's ids filled in."""
    app, values = scenario["app"], _values(scenario)
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in AUTHCODE_ENDPOINTS or rule.endpoint == "static":
                continue
            choices = [[(name, value) for value in values.get(name, [])] for name in rule.arguments]
            for combination in _product(choices):
                urls.append(app.url_for(rule.endpoint, **dict(combination)))
    return urls


def _product(choices: list[list[tuple[str, Any]]]) -> list[list[tuple[str, Any]]]:
    combos: list[list[tuple[str, Any]]] = [[]]
    for options in choices:
        combos = [combo + [option] for combo in combos for option in options]
    return combos


def test_the_transfer_happened_and_the_wrong_code_went_dead(scenario):  # noqa: ANN001
    statuses = [scenario["outbox"].get_command(i)["status"] for i in scenario["commands"]]
    assert statuses == ["done", "dead"]


def test_no_admin_route_or_dashboard_page_shows_a_code(scenario):  # noqa: ANN001
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {TOKEN}"
    urls = _readable_urls(scenario)
    assert any(url.startswith("/api/v1/commands/") for url in urls)
    assert any(url.startswith("/admin/commands/") for url in urls)
    read = 0
    for url in urls:
        for query in ("", "?domain=moving.com", "?status=dead"):
            answer = http.get(f"{scenario['base']}{url}{query}", timeout=10)
            assert answer.status_code < 500, (url, answer.text)
            for code in CODES:
                assert code not in answer.text, f"{url}{query} shows an auth code"
            read += answer.ok
    assert read >= len(urls)
    shown = http.get(f"{scenario['base']}/api/v1/commands/{scenario['commands'][0]}", timeout=10).json()
    assert shown["payload"]["epp_code"] == "***"


def test_the_command_line_shows_no_code(scenario):  # noqa: ANN001
    runner = CliRunner(env={"OPBRIDGE_DATABASE_URL": scenario["url"], "OPBRIDGE_LOG_LEVEL": "WARNING"})
    outputs = [runner.invoke(cli, ["commands", "list", "--json"])]
    for command_id in scenario["commands"]:
        outputs += [runner.invoke(cli, ["commands", "show", str(command_id)]),
                    runner.invoke(cli, ["commands", "show", str(command_id), "--json"])]
    for output in outputs:
        assert output.exit_code == 0, output.output
        for code in CODES:
            assert code not in output.output
    assert re.search(r"payload: \{.*\"epp_code\": \"\*\*\*\"", outputs[1].output)


def test_the_database_holds_only_sealed_codes(scenario):  # noqa: ANN001
    with scenario["engine"].connect() as conn:
        stored = [*conn.execute(select(Event.body)).scalars(),
                  *map(json.dumps, conn.execute(select(Command.payload)).scalars()),
                  *map(json.dumps, conn.execute(select(Attempt.calls)).scalars())]
        payloads = conn.execute(select(Command.payload).order_by(Command.id)).scalars().all()
    assert stored and not [text for text in stored for code in CODES if code in text]
    sealer = Sealer([AT_REST_KEY])
    assert [sealer.open(payload["epp_code"]) for payload in payloads] == list(CODES)


def _post(base: str, code: str) -> requests.Response:
    event = envelope("order.accepted", {"order_id": 78, "client_id": 4, "registrant": CONTACT, "domains": [
        item(domain_id=3, domain="waiting.com", action="transfer", epp_code=code)]})
    body = json.dumps(event).encode()
    return requests.post(f"{base}/hooks/whmcs", data=body, headers=signed_headers(body), timeout=10)


def test_without_a_key_an_event_with_a_code_waits_in_whmcs(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path}/nokey.db"
    engine = make_engine(url)
    upgrade(engine)
    app = create_app(load_settings(environ={}, database_url=url, webhook_secrets=NEW_SECRET), engine)
    with serve_wsgi(app) as base:
        refused = _post(base, GOOD_CODE)
        without_code = _post(base, "")
    assert refused.status_code == 503 and refused.json()["error"] == "no_at_rest_key"
    assert "OPBRIDGE_AT_REST_KEYS" in refused.json()["message"] and refused.headers["Retry-After"]
    assert without_code.status_code == 202
    assert len(app.extensions["opbridge"].outbox.list_commands()) == 1
    engine.dispose()


def test_keys_rotate_like_the_webhook_secrets() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = Sealer([old]).seal({"epp_code": GOOD_CODE})["epp_code"]
    assert set(sealed) == {SEALED}
    assert Sealer([new, old]).open(sealed) == GOOD_CODE
    resealed = Sealer([new, old]).seal({"epp_code": GOOD_CODE})["epp_code"]
    assert Sealer([new]).open(resealed) == GOOD_CODE
    with pytest.raises(Exception, match="put back the key"):
        Sealer([new]).open(sealed)
