"""The sandbox application: Openprovider's ``/v1beta`` plus the ``/_sandbox`` harness."""
from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from .admin import admin
from .api import SPEC_KEY, STATE_KEY, bp
from .clock import Clock
from .errors import INVALID_REQUEST, ApiError
from .spec import Spec, load_spec
from .state import SandboxState

GRPC_NOT_FOUND = 5


def create_app(state: SandboxState | None = None, clock: Clock | None = None) -> Flask:
    """A sandbox app; its state is ``app.extensions["opsandbox"]``.

    ``clock`` is for a fresh state; a given ``state`` brings its own.
    """
    if state is not None and clock is not None:
        raise TypeError("pass a clock or a state (which has its clock), not both")
    app = Flask(__name__, static_folder=None)
    # Every success answer is checked against the spec; a sandbox bug then shows up
    # as a loud 500 instead of a client silently learning a wrong shape.
    app.config["OPSANDBOX_CHECK_RESPONSES"] = True
    app.extensions[STATE_KEY] = state or SandboxState(clock=clock)
    app.extensions[SPEC_KEY] = load_spec()
    app.register_blueprint(bp)
    app.register_blueprint(admin)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    _require_documented_routes(app, app.extensions[SPEC_KEY])
    return app


def _api_error(error: ApiError) -> tuple[Response, int]:
    return jsonify(error.body()), error.status


def _http_error(error: HTTPException) -> Response | tuple[Response, int]:
    if error.response is not None:
        return error.response
    code = GRPC_NOT_FOUND if error.code == 404 else INVALID_REQUEST
    return jsonify(code=code, desc=error.name, data=error.description or ""), error.code


def _require_documented_routes(app: Flask, spec: Spec) -> None:
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if spec.operation(method, rule.rule) is None:
                raise LookupError(f"{method} {rule.rule} is not in the Openprovider spec")
