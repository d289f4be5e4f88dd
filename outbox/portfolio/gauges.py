"""Portfolio gauges for ``/metrics``, read from the database at scrape time like the queue's."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import Engine

from outbox.portfolio import drift_records
from outbox.portfolio.drift import KINDS


class PortfolioCollector:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        report = drift_records.load_report(self.engine)
        counts = drift_records.count_by_kind(self.engine, report["id"]) if report else {}
        findings = GaugeMetricFamily("opbridge_drift_findings",
                                     "Disagreements between WHMCS and the account in the latest drift report, by kind",
                                     labels=["kind"])
        for kind in KINDS:
            findings.add_metric([kind], counts.get(kind, 0))
        yield findings
        made = report["finished_at"].replace(tzinfo=timezone.utc).timestamp() if report else 0.0
        yield GaugeMetricFamily("opbridge_drift_report_timestamp",
                                "When the latest drift report was finished (Unix time, 0 = never)", value=made)
