"""Prometheus reads /metrics by its Content-Type, which names its charset once."""
from __future__ import annotations

import requests
from prometheus_client import CONTENT_TYPE_LATEST

from listener import create_app
from core.settings import load_settings
from tests.support import serve_wsgi


def test_metrics_content_type_is_prometheus_own(tmp_path) -> None:  # noqa: ANN001
    settings = load_settings(environ={}, database_url=f"sqlite:///{tmp_path}/metrics.db")
    with serve_wsgi(create_app(settings)) as base:
        answer = requests.get(f"{base}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == CONTENT_TYPE_LATEST
    assert answer.headers["Content-Type"].count("charset") == 1
