"""Logs: one JSON format (or text) for opbridge, gunicorn's error and access logs, with ids and no secrets."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from apscheduler.schedulers.background import BackgroundScheduler

from core import logs
from core.settings import load_settings
from outbox.db import make_engine, upgrade
from outbox.store import Outbox
from outbox.values import NewCommand
from tests.dispatch.harness import enqueue
from tests.listener.conftest import NEW_SECRET, signed_headers
from tests.listener.events import SAMPLES
from tests.listener.processes import REPO, gunicorn, stop
from tests.support import serve_wsgi

ADMIN_TOKEN = "admin-token-that-must-stay-out-of-logs"
GUNICORN = ["-m", "gunicorn", "--config", "python:listener.gunicorn_conf", "--bind", "127.0.0.1:{port}", "wsgi:app"]


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _exercise(base_url: str) -> dict[str, requests.Response]:
    """One request of each kind the logs must tell apart; the responses by name."""
    http = requests.Session()
    body = json.dumps(SAMPLES["domain.lock_changed"]).encode()
    forged = {**signed_headers(body), "webhook-id": "evt_forged", "webhook-signature": "v1,bm90IGEgc2lnbmF0dXJl"}
    return {
        "given": http.get(f"{base_url}/healthz", headers={"X-Request-Id": "proxy-id.42"}, timeout=10),
        "malformed": http.get(f"{base_url}/healthz", headers={"X-Request-Id": 'no "spaces" here'}, timeout=10),
        "accepted": http.post(f"{base_url}/hooks/whmcs", data=body, headers=signed_headers(body, webhook_id="evt_ok"),
                              timeout=30),
        "refused": http.post(f"{base_url}/hooks/whmcs", data=body, headers=forged, timeout=30),
        "admin": http.get(f"{base_url}/api/v1/commands/999999?token={ADMIN_TOKEN}",
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10),
    }


@pytest.fixture
def listener_env(tmp_path) -> dict[str, str]:
    return {
        "OPBRIDGE_DATABASE_URL": f"sqlite:///{tmp_path / 'logs.db'}",
        "OPBRIDGE_WEBHOOK_SECRETS": NEW_SECRET,
        "OPBRIDGE_ADMIN_TOKENS": ADMIN_TOKEN,
        "WEB_CONCURRENCY": "1",
    }


def test_gunicorn_error_and_access_logs_are_json_with_request_and_event_ids(tmp_path, listener_env):
    log = tmp_path / "gunicorn.log"
    with gunicorn(GUNICORN, {**listener_env, "OPBRIDGE_LOG_FORMAT": "json"}, log) as base_url:
        responses = _exercise(base_url)
    assert responses["accepted"].status_code == 202 and responses["refused"].status_code == 401
    text = log.read_text()
    lines = _json_lines(text)  # every line, whoever wrote it, is one JSON object
    assert all(datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0) for line in lines)

    ids = {name: response.headers["X-Request-Id"] for name, response in responses.items()}
    assert ids["given"] == "proxy-id.42"
    assert len(ids["malformed"]) == 32 and ids["malformed"] != ids["accepted"] != ids["refused"]

    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    access = {line["request_id"]: line for line in lines if line["logger"] == "gunicorn.access"}
    assert set(ids.values()) <= set(access)  # besides the readiness probe's requests
    assert access[ids["accepted"]] | {"time": None, "duration_ms": None, "bytes": None, "remote": None} == {
        "time": None, "level": "INFO", "logger": "gunicorn.access", "message": "POST /hooks/whmcs 202",
        "method": "POST", "path": "/hooks/whmcs", "protocol": "HTTP/1.1", "status": 202,
        "duration_ms": None, "bytes": None, "remote": None, "request_id": ids["accepted"], "event_id": "evt_ok",
    }
    assert access[ids["admin"]]["path"] == "/api/v1/commands/999999"

    [refusal] = [line for line in lines if line["logger"] == "opbridge.listener" and "bad_signature" in line["message"]]
    assert refusal["request_id"] == ids["refused"] and refusal["event_id"] == "evt_forged"
    for secret in (ADMIN_TOKEN, NEW_SECRET, "bm90IGEgc2lnbmF0dXJl"):
        assert secret not in text


def test_text_format_keeps_the_ids_on_each_line(tmp_path, listener_env):
    log = tmp_path / "gunicorn.log"
    with gunicorn(GUNICORN, {**listener_env, "OPBRIDGE_LOG_FORMAT": "text"}, log) as base_url:
        responses = _exercise(base_url)
    text = log.read_text()
    for line in text.splitlines():
        with pytest.raises(ValueError):
            json.loads(line)
    refused_id = responses["refused"].headers["X-Request-Id"]
    assert '"POST /hooks/whmcs HTTP/1.1" 401 ' in text and f"request_id={refused_id}" in text
    [refusal] = [line for line in text.splitlines() if "opbridge.listener" in line and "bad_signature" in line]
    assert f"request_id={refused_id} event_id=evt_forged" in refusal
    assert "INFO gunicorn.error: Booting worker" in text
    assert ADMIN_TOKEN not in text and NEW_SECRET not in text


@contextlib.contextmanager
def _worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "opbridge", "worker", "--grace", "1"], cwd=REPO,
                                   env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process
    finally:
        stop(process)


def _wait_for_line(log: Path, process: subprocess.Popen, wanted: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while wanted not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"no {wanted!r} line within {seconds} s:\n{log.read_text()}"
        time.sleep(0.1)


def test_a_worker_line_about_a_command_carries_its_id_and_domain(tmp_path):
    from opsandbox import create_app

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    engine = make_engine(url)
    upgrade(engine)
    outbox = Outbox(engine, (1,))
    [command_id] = enqueue(outbox, "domain.lock_changed", SAMPLES["domain.lock_changed"]["data"])
    [unknown_id] = outbox.enqueue(None, [NewCommand("no_such_type", "b.example", {})]).command_ids  # dead at once
    engine.dispose()
    log = tmp_path / "worker.log"
    with serve_wsgi(create_app()) as sandbox_url:
        env = {
            "OPBRIDGE_DATABASE_URL": url, "OPBRIDGE_OP_URL": sandbox_url, "OPBRIDGE_OP_USERNAME": "sandbox",
            # Refused by the sandbox: the command's first call opens the circuit, which logs.
            "OPBRIDGE_OP_PASSWORD": "wrong-password-kept-out-of-logs",
            "OPBRIDGE_WHMCS_URL": "http://127.0.0.1:9", "OPBRIDGE_WHMCS_IDENTIFIER": "whmcs-identifier-kept-out-of-logs",
            "OPBRIDGE_WHMCS_SECRET": "whmcs-secret-kept-out-of-logs",
            "OPBRIDGE_SYNC_EVERY_SECONDS": "3600", "OPBRIDGE_LOG_FORMAT": "json", "OPBRIDGE_LOG_LEVEL": "INFO",
        }
        with _worker(env, log) as process:
            _wait_for_line(log, process, "calls paused")
            _wait_for_line(log, process, "the command is dead")
    text = log.read_text()
    lines = _json_lines(text)
    [paused] = [line for line in lines if line["logger"] == "opbridge.circuit"]
    assert paused["command_id"] == command_id and paused["domain"] == "a.example" and paused["level"] == "ERROR"
    [dead] = [line for line in lines if "the command is dead" in line["message"]]
    assert (dead["command_id"], dead["domain"], dead["type"], dead["level"]) == (unknown_id, "b.example", "no_such_type",
                                                                               "WARNING")
    assert any(line["logger"] == "opbridge.scheduler" and line["message"] == "sync scheduler started" for line in lines)
    # Outside a command the context is empty again.
    assert all("command_id" not in line for line in lines if line not in (paused, dead))
    assert not [line for line in lines if line["logger"].startswith("apscheduler")]
    assert "kept-out-of-logs" not in text


@pytest.fixture
def configured(capsys) -> Iterator[Any]:
    """logs.configure writing to the captured stderr; the root logger restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level

    def configure(*args: Any) -> Any:
        logs.configure(*args)
        return capsys

    yield configure
    root.handlers[:], level = saved
    root.setLevel(level)


def test_every_configured_secret_is_masked_wherever_it_appears(configured):
    settings = load_settings(environ={}, op_password='pa"ss\\word', admin_tokens="tok-one tok-two",
                             webhook_secrets=NEW_SECRET)
    capsys = configured("INFO", "json", logs.secret_values(settings))
    log = logging.getLogger("opbridge.test")
    log.info("login with %s", 'pa"ss\\word', extra={"tokens": ["tok-one", "tok-two"]})
    try:
        raise ValueError(f"secret {NEW_SECRET} in an exception")
    except ValueError:
        log.exception("failed")
    text = capsys.readouterr().err
    first, second = _json_lines(text)
    assert first["message"] == "login with ***" and first["tokens"] == ["***", "***"]
    assert "***" in second["exception"] and NEW_SECRET not in text and "tok-one" not in text


def test_the_context_is_on_every_line_inside_and_gone_after(configured):
    capsys = configured("INFO", "text")
    log = logging.getLogger("opbridge.test")
    with logs.about(command_id=7, domain="a.example"):
        log.warning("inside", extra={"attempt": 2})
    log.warning("after")
    inside, after = capsys.readouterr().err.splitlines()
    assert inside.endswith("WARNING opbridge.test: inside command_id=7 domain=a.example attempt=2")
    assert after.endswith("WARNING opbridge.test: after")


@pytest.mark.parametrize("level, shown", [("INFO", False), ("DEBUG", True)])
def test_the_schedulers_start_up_chatter_is_debug(configured, level, shown):
    capsys = configured(level, "json")
    scheduler = BackgroundScheduler()
    scheduler.add_job(lambda: None, "interval", hours=1)
    scheduler.start()
    scheduler.shutdown()
    chatter = [line for line in _json_lines(capsys.readouterr().err) if line["logger"].startswith("apscheduler")]
    assert bool(chatter) is shown
    assert all(line["level"] == "DEBUG" for line in chatter)
