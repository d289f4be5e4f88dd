"""The worker loop: record what finished, lease the next batch, hand it to the threads.

One loop talks to the queue, once per round; a thread pool runs handlers; a heartbeat
renews the leases of what is held and puts back the commands of workers that died. A
round leases a batch for the local queue once it runs empty, so threads pick up queued
work while a round is on its way and a round's fixed cost is shared by many commands.
SIGTERM or SIGINT stops the leasing, gives queued commands back, lets running ones
finish for a grace period, and returns.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from core import logs
from core.metrics import ATTEMPTS, DISPATCH_LAG
from outbox import calllog, circuits, workers
from outbox.circuit import Circuit
from outbox.failures import classify
from outbox.notify import start_waker
from outbox.models import DEAD, PENDING
from outbox.registry import Context, Registry
from outbox.registry import registry as default_registry
from outbox.store import Outbox, refused_value
from outbox.values import Claimed, Failure, Finished

log = logging.getLogger("opbridge.worker")

MIN_BATCH = 32
# Outcomes worth a line (successes are counted, not logged: thousands a second would drown the rest).
_TOLD = {PENDING: (logging.INFO, "the command will be retried"),
         DEAD: (logging.WARNING, "the command is dead (opbridge commands show tells why)")}


def _reason(error: BaseException) -> str:
    # The driver's message can quote the statement's parameters (call records), so only the class.
    return type(getattr(error, "orig", None) or error).__name__


def _try_of(command: Claimed) -> tuple[int, int]:
    """One try of a command: a claim counts one more attempt, so the pair names it."""
    return command.id, command.attempts


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        outbox: Outbox,
        threads: int = 8,
        poll_seconds: float = 1.0,
        registry: Registry = default_registry,
        services: Any = None,
        grace_seconds: float = 30.0,
        name: str | None = None,
        circuit_pause_seconds: float = 300.0,
        batch: int | None = None,
        credentials: dict[str, str] | None = None,
    ) -> None:
        self.outbox = outbox
        self.threads = threads
        # A round costs a round trip and a commit whatever it carries; below a few dozen
        # commands that fixed cost, not the work, sets the pace of short handlers.
        self.batch = batch or max(threads, MIN_BATCH)
        self.poll_seconds = poll_seconds
        self.registry = registry
        self.services = services
        self.grace_seconds = grace_seconds
        self.name = name or worker_name()
        self.stopping = threading.Event()
        self.forced = threading.Event()
        self.wake = threading.Event()
        # Every command this worker holds a lease on: queued, running, or finished with
        # success and waiting for the next round to record it (its domain waits too).
        # This worker can lease a command again while its earlier try still ends (a
        # failed try is due again before its thread is done, or a late heartbeat let the
        # lease expire): so an entry is one try, and successes are kept per try.
        self._held: dict[int, tuple[Claimed, Future]] = {}
        self._succeeded: dict[tuple[int, int], Finished] = {}
        self._lock = threading.Lock()
        self._circuit_pause = circuit_pause_seconds
        self.circuits: dict[str, Circuit] = {}
        # Per service, a digest of the settings its calls are made with (outbox.circuits).
        self.credentials = credentials or {}

    # -- lifecycle -----------------------------------------------------------

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop_now() if self.stopping.is_set() else self.stop())

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def stop_now(self) -> None:
        """A second signal: give back what runs, as a crash would but without the lease's wait."""
        self.forced.set()
        self.wake.set()

    def run(self) -> None:
        log.info("worker started", extra={"worker": self.name, "threads": self.threads})
        self.outbox.refresh_statistics()  # a backlog may have built up while no worker ran
        self._close_circuits_of_other_settings()
        workers.register(self.outbox.engine, self.name, self.threads, self.outbox.clock())
        heartbeat = threading.Thread(target=self._heartbeat, name="heartbeat", daemon=True)
        heartbeat.start()
        start_waker(self.outbox.engine, self.wake, self.stopping)
        pool = ThreadPoolExecutor(self.threads, thread_name_prefix="dispatch")
        try:
            while not self.stopping.is_set():
                if not self._round_or_back_off(pool):
                    self._wait()
            self._drain()
        finally:
            # Stopped at once, handlers still running are left behind: the process exits
            # without them, and their late outcomes would find the commands given back.
            pool.shutdown(wait=not self.forced.is_set(), cancel_futures=True)
        self._unregister()
        log.info("worker stopped", extra={"worker": self.name})

    def _unregister(self) -> None:
        try:
            workers.unregister(self.outbox.engine, self.name)
        except Exception:  # noqa: BLE001 - the next heartbeat of another worker removes the row
            log.exception("removing this worker's row failed")

    def run_until_idle(self) -> None:
        """Run everything runnable now, then return (for tests and `sync run`)."""
        with ThreadPoolExecutor(self.threads, thread_name_prefix="dispatch") as pool:
            while self._round(pool) or self._held_ids():
                self._wait()

    def run_until_settled(self, timeout: float, pause: float = 0.05) -> dict[str, int]:
        """Run until nothing is pending or running, retry delays included; the counts then.

        Raises TimeoutError, naming the counts, when work is still open after ``timeout``.
        """
        deadline = time.monotonic() + timeout
        while True:
            self.run_until_idle()
            counts = self.outbox.counts()
            if not counts["pending"] and not counts["running"]:
                return counts
            if time.monotonic() > deadline:
                raise TimeoutError(f"commands still open after {timeout} s: {counts}")
            time.sleep(pause)  # a retry is due soon

    # -- rounds --------------------------------------------------------------

    def _round_or_back_off(self, pool: ThreadPoolExecutor) -> bool:
        # A locked SQLite file or a dropped connection is a blip: without this the whole
        # process exited and its held commands waited out their leases.
        try:
            return self._round(pool)
        except Exception:  # noqa: BLE001
            log.exception("leasing failed; trying again after the poll interval")
            return False

    def _round(self, pool: ThreadPoolExecutor) -> bool:
        """Record successes and lease more, once the local queue is empty; True if leased."""
        with self._lock:
            unfinished = len(self._unfinished())
        if unfinished > self.threads:
            return False  # threads still have queued work: let a bigger batch build up
        return bool(self._record_and_lease(pool, self.threads + self.batch - unfinished))

    def _record_and_lease(self, pool: ThreadPoolExecutor | None, limit: int) -> list[Claimed]:
        with self._lock:
            finished = dict(self._succeeded)
        try:
            batch = self.outbox.complete_and_claim(self.name, list(finished.values()), limit)
        except Exception as error:
            if not finished or not refused_value(error):
                raise
            # One success whose note or calls the database refuses fails the whole round,
            # and would again every round: so record them one at a time instead.
            log.warning("recording a round failed (%s); recording its commands one at a time", _reason(error))
            self._record_one_at_a_time(finished)
            finished = {}
            batch = self.outbox.claim(self.name, limit)
        with self._lock:
            for command, _, _ in finished.values():
                self._forget(command)
            # Held before a handler can add its success, so _round never counts one not held.
            submitted = [(command, pool.submit(self.execute, command, True)) for command in batch]
            self._held.update((command.id, (command, future)) for command, future in submitted)
        for command, future in submitted:
            future.add_done_callback(lambda done, command=command: self._finished(command, done))
        return batch

    def _record_one_at_a_time(self, finished: dict[tuple[int, int], Finished]) -> None:
        for command, note, calls in finished.values():
            self._recorded_or_dead(command, lambda: self.outbox.complete(command, note, calls))
            with self._lock:
                self._forget(command)

    def _forget(self, command: Claimed) -> None:
        """Drop a recorded success, and its command unless a later try holds it now. Under the lock."""
        # Only a round takes successes out, and each try adds its own key once: it is there.
        del self._succeeded[_try_of(command)]
        held = self._held.get(command.id)
        if held and _try_of(held[0]) == _try_of(command):
            del self._held[command.id]

    def _unfinished(self) -> list[Claimed]:
        """The tries held, queued or running, that have no success waiting. Under the lock."""
        return [command for command, _ in self._held.values() if _try_of(command) not in self._succeeded]

    def _recorded_or_dead(self, command: Claimed, record: Callable[[], Any]) -> Any:
        """Record an outcome; if the database refuses what it carries, the command goes dead instead."""
        try:
            return record()
        except Exception as error:
            if not refused_value(error):
                raise
            reason = _reason(error)
        log.error("the database refused the outcome of command %s (%s); it goes dead", command.id, reason)
        return self.outbox.fail(command, Failure(
            f"This try's outcome could not be stored: the database refused its note or call record ({reason}). "
            "The registrar may have acted on it; check the domain before replaying.",
            "unstorable_outcome", transient=False,
        ))

    def _finished(self, command: Claimed, future: Future) -> None:
        with self._lock:
            held = self._held.get(command.id)
            # A success stays held until a round records it. An entry of another future
            # is a later try of the command, leased while this one ended: it stays.
            if held and held[1] is future and _try_of(command) not in self._succeeded:
                del self._held[command.id]
        self.wake.set()

    def _held_ids(self) -> list[int]:
        with self._lock:
            return list(self._held)

    def _wait(self) -> None:
        self.wake.wait(self.poll_seconds)
        self.wake.clear()

    def execute(self, command: Claimed, batch_success: bool = False) -> str:
        """Run one command's handler and record the outcome; returns the new status.

        With ``batch_success`` a success is left for the claim loop to record with others.
        """
        if command.runnable_since is not None:
            lag = (self.outbox.clock() - command.runnable_since).total_seconds()
            DISPATCH_LAG.labels(command.type).observe(max(0.0, lag))
        with logs.about(command_id=command.id, domain=command.aggregate_key):
            outcome = self._execute(command, batch_success)
            if outcome in _TOLD:
                level, told = _TOLD[outcome]
                log.log(level, f"try {command.attempts} of {command.max_attempts} failed; {told}", extra={"type": command.type})
        ATTEMPTS.labels(command.type, outcome).inc()
        return outcome

    def _execute(self, command: Claimed, batch_success: bool) -> str:
        entry = self.registry.get(command.type)
        if entry is None:
            failure = Failure(f"No handler is registered for command type {command.type!r}.", "unknown_type", False)
            return self.outbox.fail(command, failure)
        circuit = self.circuit(entry.service)
        if circuit and circuit.remaining():
            self.outbox.release(command, circuit.remaining())
            return "paused"
        context = Context(command, self.outbox, self.services)
        try:
            with calllog.collecting(context.calls):
                note = entry.handler(context)
        except Exception as error:  # noqa: BLE001 - every failure becomes a recorded outcome
            return self._record_failure(command, context, error, entry.service)
        if batch_success:
            with self._lock:
                self._succeeded[_try_of(command)] = (command, note, context.calls or None)
        elif self._recorded_or_dead(command, lambda: self.outbox.complete(command, note, context.calls or None)) == DEAD:
            return DEAD
        return "done"

    def _record_failure(self, command: Claimed, context: Context, error: Exception, service: str | None) -> str:
        verdict = classify(error, service)
        calls = context.calls or None
        if verdict.failure.code == "internal_error":
            log.exception("handler raised", extra={"command": command.id, "type": command.type})
        circuit = self.circuit(verdict.pause_service)
        if circuit:
            pause = circuit.open(verdict.failure.message, verdict.failure.code)
            self.outbox.release(command, pause, verdict.failure)
            return "paused"
        return self._recorded_or_dead(command, lambda: self.outbox.fail(command, verdict.failure, calls))

    def circuit(self, service: str | None) -> Circuit | None:
        if service is None:
            return None
        with self._lock:
            if service not in self.circuits:
                self.circuits[service] = Circuit(service, self._circuit_pause,
                                                 on_open=lambda *opening: self._record_opening(service, *opening))
            return self.circuits[service]

    def _record_opening(self, service: str, pause: float, reason: str, code: str | None) -> None:
        now = self.outbox.clock()
        try:
            circuits.record_opening(self.outbox.engine, service, now, now + timedelta(seconds=pause), code, reason,
                                    self.credentials.get(service))
        except Exception:  # noqa: BLE001 - the pause holds in this worker all the same
            log.exception("recording the circuit's opening failed", extra={"service": service})

    def _close_circuits_of_other_settings(self) -> None:
        """A circuit opened on settings other than this worker's: try these at once."""
        for service, digest in self.credentials.items():
            due = circuits.close_if_credentials_changed(
                self.outbox.engine, service, digest, self.registry.types_of(service), self.outbox.clock(), self.name)
            if due is not None:
                log.warning("this worker's settings differ from those the service refused: calls resume now",
                            extra={"service": service, "commands_due": due})

    def _follow_closed_circuits(self) -> None:
        """An operator, or a worker started with other settings, closed a circuit for the fleet."""
        with self._lock:
            open_here = [circuit for circuit in self.circuits.values() if circuit.remaining()]
        for circuit in open_here:
            if circuits.closed_for_fleet(self.outbox.engine, circuit.service):
                circuit.close()
                self.wake.set()

    # -- background duties ---------------------------------------------------

    def _heartbeat(self) -> None:
        interval = max(1.0, self.outbox.lease.total_seconds() / 3)
        while not self.stopping.wait(interval):
            try:
                self.outbox.renew_lease(self.name, self._held_ids())
                workers.beat(self.outbox.engine, self.name, self.outbox.clock(), self.outbox.lease)
                self._follow_closed_circuits()
                if self.outbox.recover_expired():
                    self.wake.set()
            except Exception:  # noqa: BLE001 - a database blip must not stop the heartbeat
                log.exception("heartbeat failed")

    def _drain(self) -> None:
        given_back = self._give_back_queued()
        deadline = time.monotonic() + self.grace_seconds
        running = self._held_ids()
        # Said at once: an operator who hears nothing for the whole grace presses again, or kills.
        log.warning(
            f"stopping: {given_back} queued command(s) given back; waiting up to {self.grace_seconds:g} s for the "
            f"{len(running)} running; a second Ctrl-C (or SIGTERM) stops now and gives those back too",
            extra={"worker": self.name, "ids": running},
        )
        while True:
            try:
                self._record_and_lease(None, 0)
            except Exception:  # noqa: BLE001 - a database outage must not turn a stop into a crash
                log.exception("recording finished commands failed while stopping; trying again until the grace ends")
            if not self._held_ids() or time.monotonic() >= deadline or self.forced.is_set():
                break
            self._wait()
        if self.forced.is_set():
            self._give_back_running()
        left = self._held_ids()
        if left and not self.forced.is_set():
            log.warning("stopping with commands still running; their leases will expire", extra={"ids": left})

    def _give_back_running(self) -> None:
        with self._lock:
            running = self._unfinished()
        for command in running:
            try:
                self.outbox.release(command)
            except Exception:  # noqa: BLE001 - its lease expires instead
                log.exception("giving back a running command failed; its lease will expire", extra={"command": command.id})
        log.warning(f"stopped at once: {len(running)} running command(s) given back, their tries not counted",
                    extra={"worker": self.name, "ids": [command.id for command in running]})

    def _give_back_queued(self) -> int:
        """Give back the commands no thread has started; how many."""
        with self._lock:
            held = list(self._held.values())
        # Cancelling runs the done callback, which takes the lock: so not under it.
        queued = [command for command, future in held if future.cancel()]
        for command in queued:
            try:
                self.outbox.release(command)
            except Exception:  # noqa: BLE001 - a database outage must not turn a stop into a crash
                log.exception("giving back a queued command failed; its lease will expire", extra={"command": command.id})
        return len(queued)
