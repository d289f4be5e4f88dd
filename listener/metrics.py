"""``GET /metrics`` for Prometheus: the queue as the database sees it, from any listener.

Workers run in other processes, so the queue's state is read from the database at
scrape time rather than counted in memory; a worker's own metrics (its circuits) are
served by ``opbridge worker --metrics-port``.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import Engine, func, select

from listener.openapi import describe_blueprint, operation
from listener.services import services
from outbox.models import PENDING, STATUSES, Command, SyncRun
from outbox.store import utcnow

bp = Blueprint("metrics", __name__)
describe_blueprint(bp, "metrics", errors=(503,))


class QueueCollector:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.engine.connect() as conn:
            by_status = dict(conn.execute(select(Command.status, func.count()).group_by(Command.status)).all())
            oldest = conn.scalar(select(func.min(Command.next_attempt_at)).where(Command.status == PENDING))
            last_sync = conn.scalar(select(func.max(SyncRun.started_at)))
        commands = GaugeMetricFamily("opbridge_commands", "Outbox commands by status", labels=["status"])
        for status in STATUSES:
            commands.add_metric([status], by_status.get(status, 0))
        yield commands
        lag = max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily("opbridge_pending_lag_seconds", "How long the most overdue pending command has waited", value=lag)
        yield GaugeMetricFamily(
            "opbridge_last_sync_started_timestamp", "When the last pull-sync started (Unix time, 0 = never)",
            value=last_sync.replace(tzinfo=timezone.utc).timestamp() if last_sync else 0.0,
        )


@bp.get("/metrics")
@operation("Prometheus metrics, in the text exposition format", answers={200: "text/plain"})
def metrics() -> Response:
    registry = CollectorRegistry()
    registry.register(QueueCollector(services().engine))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)  # mimetype= adds a second charset
