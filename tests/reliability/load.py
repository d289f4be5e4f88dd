"""Signed events posted by many clients at once, with every answer kept for the checks."""
from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from sqlalchemy import func, select

from outbox.models import Attempt, Command, Event
from tests.dispatch.harness import signed_post


@dataclasses.dataclass
class Answer:
    status: int  # 0: no answer (connection refused or reset)
    webhook_id: str | None = None
    commands: list[int] = dataclasses.field(default_factory=list)
    retry_after: str | None = None
    error: str | None = None


class Load:
    """``clients`` threads posting ``event(n)`` to ``url`` until stopped; ``url`` may change meanwhile."""

    def __init__(self, url: str | None, clients: int, event: Callable[[int], tuple[str, dict[str, Any]]],
                 pause: float = 0.0) -> None:
        self.url, self.clients, self.event, self.pause = url, clients, event, pause
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._count = 0
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _client(self) -> None:
        with requests.Session() as http:
            while not self._stop.is_set():
                with self._lock:
                    number, self._count = self._count, self._count + 1
                answer = self._post(http, *self.event(number))
                self.answers.append(answer)
                if self.pause or not answer.status:
                    time.sleep(self.pause or 0.05)  # no listener there: no point in spinning

    def _post(self, http: requests.Session, event_type: str, data: dict[str, Any]) -> Answer:
        try:
            response = signed_post(http, self.url or "http://127.0.0.1:9", event_type, data)
        except requests.RequestException as error:
            return Answer(0, error=type(error).__name__)
        body = response.json() if response.headers.get("Content-Type") == "application/json" else {}
        return Answer(response.status_code, body.get("id"), body.get("commands") or [],
                      response.headers.get("Retry-After"), body.get("error"))

    def acknowledged(self) -> list[Answer]:
        return [answer for answer in self.answers if answer.status == 202]

    def tally(self) -> dict[str, int]:
        return {
            "sent": len(self.answers), "acknowledged": len(self.acknowledged()),
            "503": sum(answer.status == 503 for answer in self.answers),
            "5xx": sum(answer.status >= 500 for answer in self.answers),
            "unanswered": sum(answer.status == 0 for answer in self.answers),
        }


def outcome(engine: Any, load: Load, drained: bool = True) -> dict[str, int]:
    """What became of the acknowledged events: lost (no row, or a command not done, or not
    stored when ``drained`` is False) and doubled (a command done twice)."""
    acknowledged = load.acknowledged()
    ids = [command_id for answer in acknowledged for command_id in answer.commands]
    with engine.connect() as conn:
        stored = set(conn.scalars(select(Event.webhook_id)))
        done = set(conn.scalars(select(Command.id).where(Command.status == "done") if drained else select(Command.id)))
        doubled = conn.scalar(select(func.count()).select_from(
            select(Attempt.command_id).where(Attempt.outcome == "done").group_by(Attempt.command_id)
            .having(func.count() > 1).subquery()))
    return {
        "lost": sum(answer.webhook_id not in stored for answer in acknowledged) + sum(i not in done for i in ids),
        "doubled": doubled,
        "done": sum(i in done for i in ids),
    }


def wait_until_done(engine: Any, load: Load, timeout: float) -> None:
    ids = [command_id for answer in load.acknowledged() for command_id in answer.commands]
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            done = conn.scalar(select(func.count()).select_from(Command).where(Command.id.in_(ids), Command.status == "done"))
        if done == len(ids) or time.monotonic() > deadline:
            return
        time.sleep(0.2)
