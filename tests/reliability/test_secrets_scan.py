"""After a run with transfers, no secret is in a log line, an API answer, a page or the CLI.

The secrets: the transfers' auth codes, the webhook secret, the admin token, and the
Openprovider and WHMCS credentials. A transfer goes through and one is refused (so a dead
command keeps its call record); then every log record of the run, every GET route of the
admin API and the dashboard (but the authcode one), and ``opbridge commands list/show``
are searched for each secret.
"""
from __future__ import annotations

import logging

import requests

from listener import create_app
from opsandbox import create_app as create_sandbox
from opsandbox.state import SandboxState
from outbox.db import make_engine
from tests.admin.conftest import whmcs_url  # noqa: F401
from tests.dispatch.harness import SECRET, drain, make_worker, order, signed_post, test_settings
from tests.opsandbox.harness import SandboxAdmin
from tests.reliability.figures import record
from tests.support import serve_wsgi
from tests.test_auth_codes import _readable_urls
from tests.test_cli_commands import opbridge
from whmcssandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET

TOKEN = "admin-token-Kq83-scan"
OP_PASSWORD = "Op-Password-Zx71"
GOOD_CODE, WRONG_CODE = "Transfer-Code-Yv52", "Wrong-Code-Hp44"


def _secrets() -> dict[str, str]:
    return {
        "good auth code": GOOD_CODE, "wrong auth code": WRONG_CODE, "webhook secret": SECRET.removeprefix("whsec_"),
        "admin token": TOKEN, "Openprovider password": OP_PASSWORD, "WHMCS secret": DEFAULT_SECRET,
        "WHMCS identifier": DEFAULT_IDENTIFIER,
    }


def test_no_secret_reaches_a_log_an_answer_a_page_or_the_command_line(database_url, whmcs_url, caplog):  # noqa: ANN001, F811
    caplog.set_level(logging.DEBUG)
    engine = make_engine(database_url)
    sandbox_app = create_sandbox(SandboxState(password=OP_PASSWORD))
    places: dict[str, str] = {}
    try:
        with serve_wsgi(sandbox_app) as sandbox_url, requests.Session() as http:
            SandboxAdmin(sandbox_url).seed(registry=[{"name": "moving.com", "auth_code": GOOD_CODE},
                                                     {"name": "stuck.com", "auth_code": "Other-Code-1"}])
            settings = test_settings(database_url, sandbox_url, op_password=OP_PASSWORD, admin_tokens=TOKEN,
                                     whmcs_url=whmcs_url, whmcs_identifier=DEFAULT_IDENTIFIER,
                                     whmcs_secret=DEFAULT_SECRET)
            app = create_app(settings, engine)
            with serve_wsgi(app) as base:
                answers = [signed_post(http, base, "order.accepted", order(name, action="transfer", epp_code=code))
                           for name, code in (("moving.com", GOOD_CODE), ("stuck.com", WRONG_CODE))]
                assert [answer.status_code for answer in answers] == [202, 202]
                places.update((f"hook answer {number}", answer.text) for number, answer in enumerate(answers))
                command_ids = [answer.json()["commands"][0] for answer in answers]
                drain(make_worker(engine, settings))
                outbox = app.extensions["opbridge"].outbox
                assert [outbox.get_command(i)["status"] for i in command_ids] == ["done", "dead"]
                http.headers["Authorization"] = f"Bearer {TOKEN}"
                scenario = {"app": app, "commands": command_ids}
                events = [f"/api/v1/events/{answer.json()['id']}" for answer in answers]
                for url in _readable_urls(scenario) + events:
                    for query in ("", "?domain=moving.com", "?status=dead"):
                        page = http.get(f"{base}{url}{query}", timeout=10)
                        assert page.status_code < 500, (url, page.text)
                        places[f"GET {url}{query}"] = page.text
        outputs = [opbridge(database_url, "commands", "list", "--json")]
        for command_id in command_ids:
            outputs += [opbridge(database_url, "commands", "show", str(command_id)),
                        opbridge(database_url, "commands", "show", str(command_id), "--json")]
        for number, output in enumerate(outputs):
            assert output.returncode == 0, output.stderr
            places[f"command line {number}"] = output.stdout + output.stderr
    finally:
        engine.dispose()
    places["log"] = caplog.text + "\n".join(str(record.__dict__) for record in caplog.records)
    assert any("transfer" in text for text in places.values())
    # The log holds the run: the listener's, the worker's and the HTTP clients' records.
    assert {"opbridge.worker", "werkzeug", "urllib3.connectionpool"} <= {record.name for record in caplog.records}
    found = [(name, where) for where, text in places.items() for name, secret in _secrets().items() if secret in text]
    record("secrets scan", engine.dialect.name, places=len(places), log_records=len(caplog.records), found=len(found))
    assert found == []
