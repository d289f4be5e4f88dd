"""The listener: a Flask app that turns signed WHMCS events into outbox commands."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine

from listener import (
    admin,
    catalogue_api,
    dashboard,
    health,
    hooks,
    metrics,
    openapi,
    outcome_api,
    registrar_api,
    request_ids,
    whmcs_catalogue,
)
from listener import portfolio_api, portfolio_pages  # noqa: F401 - add their routes to the admin API and dashboard
from listener import registrar_dns, registrar_verification  # noqa: F401 - they add routes to registrar_api.bp
from listener.errors import register_error_handlers
from listener.group_commit import GroupCommit
from listener.ids import RowIdConverter
from listener.json_provider import IsoJSONProvider
from listener.services import ListenerServices
from listener.signing import Keyring
from core import times
from core.settings import Settings, load_settings
from outbox.services import OutboxServices
from outbox.db import backend, ensure_schema, head_revision, make_engine
from outbox.store import Outbox


def create_app(settings: Settings = None, engine: Engine | None = None) -> Flask:
    """Build the app; settings come from the environment and engine from settings by default."""
    settings = load_settings() if settings is None else settings
    engine = make_engine(settings.database_url) if engine is None else engine
    if backend(engine) == "sqlite":
        ensure_schema(engine)
    app = Flask(__name__)
    app.url_map.converters["id"] = RowIdConverter
    app.json = IsoJSONProvider(app)
    app.add_template_filter(times.iso, "iso")  # <time datetime="{{ t|iso }}">
    app.add_template_filter(times.utc, "utc")  # what people read: 2026-12-02 16:30:28 UTC
    outbox = Outbox.from_settings(engine, settings)
    app.extensions["opbridge"] = ListenerServices(
        settings=settings,
        engine=engine,
        outbox=outbox,
        group_commit=GroupCommit(outbox),
        keyring=Keyring.from_secrets(settings.webhook_secrets),
        schema_head=head_revision(),
        clients=OutboxServices(settings, engine),
    )
    request_ids.install(app)
    register_error_handlers(app)
    dashboard.configure_sessions(app, settings.admin_tokens)
    for blueprint in (hooks.bp, health.bp, metrics.bp, admin.bp, dashboard.bp, registrar_api.bp, catalogue_api.bp,
                      catalogue_api.pricing_bp, whmcs_catalogue.bp, outcome_api.bp, openapi.bp):
        app.register_blueprint(blueprint)
    return app
