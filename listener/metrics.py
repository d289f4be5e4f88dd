"""``GET /metrics`` for Prometheus: the queue as the database sees it, and what this listener counted.

Workers run in other processes, so the queue's state is read from the database at
scrape time rather than counted in memory (any listener answers for the whole fleet);
a worker's own metrics (tries, calls, lag, circuits) are served by
``opbridge worker --metrics-port``, or here too when both share PROMETHEUS_MULTIPROC_DIR.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

from flask import Blueprint, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import Engine, func, select

from listener.openapi import describe_blueprint, operation
from listener.services import services
from core.metrics import EVENTS_ACCEPTED, EVENTS_REFUSED, scrape_registry
from outbox.catalogue.audit import BELOW_COST, PREMIUM_RENEWAL
from outbox.models import MarginFinding, SyncRun
from outbox.portfolio.gauges import PortfolioCollector
from outbox.store import Outbox
from outbox.values import utcnow
from outbox.sync.verifications import pending_verifications

HOOK_ENDPOINT = "hooks.receive_whmcs_event"

bp = Blueprint("metrics", __name__)
describe_blueprint(bp, "metrics", errors=(503,))


class QueueCollector:
    def __init__(self, outbox: Outbox, engine: Engine) -> None:
        self.outbox = outbox
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts, oldest = self.outbox.command_counts(), self.outbox.oldest_due()
        with self.engine.connect() as conn:
            last_sync = conn.scalar(select(func.max(SyncRun.started_at)))
        commands = GaugeMetricFamily("opbridge_commands", "Outbox commands by status and type", labels=["status", "type"])
        for (status, type_), count in sorted(counts.items()):
            commands.add_metric([status, type_], count)
        yield commands
        lag = max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily("opbridge_pending_lag_seconds", "How long the oldest runnable pending command has waited",
                                value=lag)
        yield GaugeMetricFamily(
            "opbridge_last_sync_started_timestamp", "When the last pull-sync started (Unix time, 0 = never)",
            value=last_sync.replace(tzinfo=timezone.utc).timestamp() if last_sync else 0.0,
        )
        yield margin_findings(self.engine)
        yield from verification_gauges(pending_verifications(self.engine))


def verification_gauges(pending: list[dict]) -> Iterator[GaugeMetricFamily]:
    """Registrant e-mail verifications the latest sync run found unconfirmed, and the
    soonest date one of those domains is suspended (0 when none is pending)."""
    yield GaugeMetricFamily("opbridge_registrant_verifications_pending",
                            "Domains whose registrant has not confirmed their e-mail address (latest sync run)",
                            value=len(pending))
    dates = sorted(row["new_value"] for row in pending if row["new_value"])
    soonest = datetime.fromisoformat(dates[0]).replace(tzinfo=timezone.utc).timestamp() if dates else 0.0
    yield GaugeMetricFamily("opbridge_registrant_verification_next_suspension_timestamp",
                            "The soonest day a domain with an unconfirmed registrant is suspended (Unix time, 0 = none)",
                            value=soonest)


def margin_findings(engine: Engine) -> GaugeMetricFamily:
    """What the last margin audit found: TLD terms sold below cost, premium renewals changed."""
    findings = MarginFinding.__table__
    with engine.connect() as conn:
        counts = dict(conn.execute(select(findings.c.kind, func.count()).group_by(findings.c.kind)).all())
    gauge = GaugeMetricFamily("opbridge_margin_findings", "What the last margin audit found, by kind "
                              "(below_cost: a TLD term WHMCS sells under Openprovider's cost; premium_renewal: "
                              "a premium domain whose renewal cost changed)", labels=["kind"])
    for kind in (BELOW_COST, PREMIUM_RENEWAL):
        gauge.add_metric([kind], counts.get(kind, 0))
    return gauge


@bp.get("/metrics")
@operation("Prometheus metrics, in the text exposition format", answers={200: "text/plain"})
def metrics() -> Response:
    registry = scrape_registry(QueueCollector(services().outbox, services().engine),
                               PortfolioCollector(services().engine))
    # content_type, not mimetype: Flask would add a second charset to the one the constant has.
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def count_event(event_type: str, duplicate: bool) -> None:
    EVENTS_ACCEPTED.labels(event_type, str(duplicate).lower()).inc()


def count_refusal(code: str) -> None:
    """A refused request to the hook endpoint, with the event type when it got that far."""
    if request.endpoint == HOOK_ENDPOINT:
        EVENTS_REFUSED.labels(g.get("event_type", "unknown"), code).inc()
