"""A command whose outcome the database cannot store never blocks the others.

The intake refuses such text now, but a registrar's answer can still bring it: these
commands, put in through the store, have a handler whose note or call record carries a
NUL or a lone surrogate. Where the round that records them fails,
the worker records that round's commands one at a time, the culprit goes dead with a
sentence, everything else is done, and a stop still ends cleanly.
"""
from __future__ import annotations

import threading

from outbox.registry import Context, Registry
from outbox.store import Outbox
from outbox.values import NewCommand
from outbox.worker import Worker
from tests.dispatch.harness import attempts, command

ECHO = Registry()
POISONS = {
    "nul_note": ("renewed a\u0000b", None),
    "surrogate_note": ("renewed a\ud800b", None),
    "nul_call": (None, {"response": {"name": "a\u0000b"}}),
    "surrogate_call": (None, {"response": {"name": "a\udfffb"}}),
}
# Where the round, and then the command alone, cannot be stored: PostgreSQL's text has no
# NUL, no backend's UTF-8 has a lone surrogate, and MariaDB's JSON_VALID refuses one too.
REFUSED = {
    "sqlite": {"surrogate_note"},
    "postgresql": {"nul_note", "surrogate_note"},
    "mysql": {"surrogate_note", "surrogate_call"},
}


@ECHO.register("echo")
def echo(context: Context) -> str | None:
    """Returns a note and records a call, as a handler does with what a registrar answered."""
    note, call = POISONS.get(context.payload.get("poison"), (context.payload.get("note"), None))
    if call is not None:
        context.calls.append(call)
    return note


def _enqueue(outbox: Outbox, domain: str, payload: dict) -> int:
    [command_id] = outbox.enqueue(None, [NewCommand("echo", domain, payload)]).command_ids
    return command_id


def test_the_culprits_go_dead_and_the_rest_are_done(engine):
    outbox = Outbox(engine, (0.01,) * 3)
    before = [_enqueue(outbox, f"d{n}.example", {"note": f"fine {n}"}) for n in range(10)]
    culprits = {poison: _enqueue(outbox, f"{poison}.example", {"poison": poison}) for poison in sorted(POISONS)}
    after = [_enqueue(outbox, f"d{n}.example", {"note": f"later {n}"}) for n in range(10)]
    after += [_enqueue(outbox, f"{poison}.example", {"note": "the culprit's domain goes on"}) for poison in POISONS]
    worker = Worker(outbox, threads=4, poll_seconds=0.01, registry=ECHO)

    counts = worker.run_until_settled(timeout=30)

    refused = REFUSED[outbox.backend]
    assert counts == {"pending": 0, "running": 0, "done": 24 + len(POISONS) - len(refused), "dead": len(refused), "discarded": 0}
    for poison, culprit in culprits.items():
        row = command(engine, culprit)
        [attempt] = attempts(engine, culprit)
        if poison in refused:
            assert row.status == "dead" and row.last_error_code == "unstorable_outcome", poison
            assert row.last_error.startswith("This try's outcome could not be stored")
            assert attempt.outcome == "dead" and attempt.calls is None
        else:  # this backend keeps it: stored as the handler gave it
            note, call = POISONS[poison]
            assert (attempt.outcome, attempt.error, attempt.calls) == ("done", note, [call] if call else None), poison
    for command_id in before + after:
        row = command(engine, command_id)
        assert row.status == "done" and row.attempts == 1, (command_id, row.status, row.last_error)
        assert [attempt.outcome for attempt in attempts(engine, command_id)] == ["done"]


def test_a_stopped_worker_returns_after_a_poisoned_round(engine):
    outbox = Outbox(engine, (0.01,) * 3)
    culprit = _enqueue(outbox, "bad.example", {"poison": "surrogate_note"})
    fine = [_enqueue(outbox, f"d{n}.example", {"note": "fine"}) for n in range(5)]
    worker = Worker(outbox, threads=2, poll_seconds=0.01, registry=ECHO, grace_seconds=5)
    runner = threading.Thread(target=worker.run)
    runner.start()
    try:
        for _ in range(500):
            if not outbox.counts()["pending"] and not outbox.counts()["running"]:
                break
            threading.Event().wait(0.02)
    finally:
        worker.stop()
        runner.join(30)
    assert not runner.is_alive()
    assert command(engine, culprit).status == "dead"
    assert all(command(engine, command_id).status == "done" for command_id in fine)
