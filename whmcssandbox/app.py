"""The sandbox application factory."""
from __future__ import annotations

from flask import Flask

from whmcssandbox import admin, api
from whmcssandbox.state import EXTENSION_KEY, SandboxState


def create_app(state: SandboxState | None = None) -> Flask:
    """A simulated WHMCS answering ``POST /includes/api.php``, with its admin API under ``/_sandbox``.

    Pass a ``state`` to seed or inspect it directly; each app otherwise starts empty.
    """
    app = Flask(__name__)
    app.extensions[EXTENSION_KEY] = state or SandboxState()
    app.register_blueprint(api.blueprint)
    app.register_blueprint(admin.blueprint)
    return app
