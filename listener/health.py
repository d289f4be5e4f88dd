"""Probes for process supervisors and load balancers."""
from __future__ import annotations

from flask import Blueprint

from listener.api_schemas import Alive, Ready
from listener.errors import RETRY_AFTER_SECONDS, Refusal
from listener.openapi import describe_blueprint, operation
from listener.services import services
from outbox.db import current_revision

bp = Blueprint("health", __name__)
describe_blueprint(bp, "probes")


@bp.get("/healthz")
@operation("The process answers", answers={200: Alive})
def healthz() -> dict[str, str]:
    """The process answers; says nothing about the database."""
    return {"status": "ok"}


@bp.get("/readyz")
@operation("The database answers and its schema is the newest", answers={200: Ready}, errors=(503,))
def readyz() -> dict[str, str]:
    """Ready to accept events: the database answers and its schema is the newest."""
    head = services().schema_head
    revision = current_revision(services().engine)
    if revision != head:
        raise Refusal(
            503,
            "schema_not_current",
            "The database schema is not current: run `opbridge db upgrade`.",
            {"revision": revision, "head": head},
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return {"status": "ready", "revision": revision}
