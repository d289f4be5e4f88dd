"""A setting a handler needs is missing: its commands pause, like an open circuit, and keep their attempts."""
from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet

import outbox.handlers  # noqa: F401 - registers the handlers the worker runs
from core.settings import load_settings
from outbox.db import make_engine, upgrade
from outbox.sealing import SEALED
from outbox.services import OutboxServices
from outbox.store import Outbox
from outbox.values import NewCommand
from outbox.worker import Worker

NOWHERE = "http://127.0.0.1:9"  # never called: the handlers stop before any call
SEALED_CODE = {SEALED: Fernet(Fernet.generate_key()).encrypt(b"code").decode()}
CASES = {
    "no at-rest key": (dict(op_username="u", op_password="p"), "transfer_domain",
                       {"domain": "moving.com", "domain_id": 1, "epp_code": SEALED_CODE}, "OPBRIDGE_AT_REST_KEYS"),
    "no openprovider login": ({}, "set_lock", {"domain": "moving.com", "domain_id": 1, "locked": True},
                              "OPBRIDGE_OP_USERNAME"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_missing_setting_pauses_without_spending_attempts(tmp_path, caplog, case) -> None:  # noqa: ANN001
    login, command_type, payload, setting = CASES[case]
    url = f"sqlite:///{tmp_path}/pause.db"
    engine = make_engine(url)
    upgrade(engine)
    outbox = Outbox(engine)
    [command_id] = outbox.enqueue(None, [NewCommand(command_type, "moving.com", payload)]).command_ids
    settings = load_settings(environ={}, database_url=url, op_url=NOWHERE, **login)
    worker = Worker(outbox, threads=1, poll_seconds=0.02, services=OutboxServices(settings, engine))
    with caplog.at_level(logging.INFO):
        worker.run_until_idle()
    command = outbox.get_command(command_id)
    assert (command["status"], command["attempts"]) == ("pending", 0)
    assert command["history"][-1]["error_code"] == "not_configured" and setting in command["history"][-1]["error"]
    assert worker.circuits["openprovider"].remaining() > 0
    assert not [record for record in caplog.records if record.exc_info]  # a sentence, not a traceback
    engine.dispose()
