"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of every route, from its own schemas.

A view says what it takes and answers with ``@operation``, next to its route, in any
blueprint; a blueprint says what all of its routes share (a tag, the bearer token,
the errors every one of them can answer) with ``describe_blueprint``. The document is
then assembled from the app's URL map, so it lists a route exactly where, and with
exactly the converters and marshmallow schemas, it is served (apispec turns those
into JSON Schema). A route without ``@operation`` is not described.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from importlib.metadata import version
from typing import Any, TypeVar

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app
from marshmallow import Schema
from werkzeug.routing import Rule

from listener.api_schemas import ErrorAnswer
from listener.ids import MAX_ID

View = TypeVar("View", bound=Callable[..., Any])

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
ERROR_MEANINGS = {
    400: "The request is malformed or a parameter is invalid; details name it.",
    401: "No valid credentials: a bearer token for the admin API, a signature for the hook.",
    403: "Closed: the setting that opens it is not set.",
    404: "Nothing with that id or name.",
    409: "The command is not in a state that allows this.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    422: "The body is well-formed but a field is invalid; details name it.",
    502: "Openprovider refused the request.",
    503: "A dependency (the database, Openprovider, the configuration) is unavailable; retry after Retry-After.",
}
# What a path converter accepts, as JSON Schema.
CONVERTERS = {
    "default": {"type": "string"},
    "string": {"type": "string"},
    "path": {"type": "string"},
    "int": {"type": "integer", "minimum": 0},
    "id": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "examples": [1]},
}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@dataclasses.dataclass(frozen=True)
class Operation:
    summary: str
    answers: Mapping[int, type[Schema] | str]  # a schema for JSON, or a media type
    errors: tuple[int, ...] = ()
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    body_required: bool = True
    path: Mapping[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # JSON Schema by argument
    headers: tuple[dict[str, Any], ...] = ()  # OpenAPI header parameters


@dataclasses.dataclass(frozen=True)
class Section:
    """What every route of one blueprint shares."""

    tag: str
    errors: tuple[int, ...] = ()
    bearer_token: bool = False


_sections: dict[str, Section] = {}


def operation(summary: str, *, answers: Mapping[int, type[Schema] | str], **details: Any) -> Callable[[View], View]:
    """Describe a view; ``details`` are Operation's other fields."""

    def describe(view: View) -> View:
        view.openapi = Operation(summary, answers, **details)  # type: ignore[attr-defined]
        return view

    return describe


def describe_blueprint(blueprint: Blueprint, tag: str, *, errors: tuple[int, ...] = (), bearer_token: bool = False) -> None:
    _sections[blueprint.name] = Section(tag, errors, bearer_token)


def build(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="opbridge",
        version=version("opbridge"),
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={"description": "WHMCS to Openprovider bridge: the signed hook endpoint, probes, metrics and the admin API."},
    )
    spec.components.security_scheme("admin_token", {"type": "http", "scheme": "bearer",
                                                    "description": "One of OPBRIDGE_ADMIN_TOKENS."})
    spec.components.schema("Error", schema=ErrorAnswer)
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        described: Operation | None = getattr(app.view_functions.get(rule.endpoint), "openapi", None)
        if described is None:
            continue
        section = _sections.get(rule.endpoint.rpartition(".")[0], Section(tag="other"))
        path, parameters = _path(rule, described)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(described, section, parameters, rule.endpoint)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _path(rule: Rule, described: Operation) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for match in _ARGUMENT.finditer(rule.rule):
        name = match["name"]
        schema = described.path.get(name) or CONVERTERS[match["converter"] or "default"]
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return _ARGUMENT.sub(lambda match: "{" + match["name"] + "}", rule.rule), parameters


def _operation(described: Operation, section: Section, path_parameters: list[dict[str, Any]], endpoint: str) -> dict[str, Any]:
    parameters = [*path_parameters, *described.headers]
    if described.query is not None:
        parameters.append({"in": "query", "schema": described.query})
    document: dict[str, Any] = {
        "operationId": endpoint.replace(".", "_"),
        "summary": described.summary,
        "tags": [section.tag],
        "parameters": parameters,
        "responses": {str(status): _answer(status, shape) for status, shape in described.answers.items()},
    }
    for status in sorted({*section.errors, *described.errors}):
        document["responses"][str(status)] = {
            "description": ERROR_MEANINGS.get(status, HTTPStatus(status).phrase),
            "content": {JSON: {"schema": ErrorAnswer}},
        }
    if described.body is not None:
        document["requestBody"] = {"required": described.body_required, "content": {JSON: {"schema": described.body}}}
    if section.bearer_token:
        document["security"] = [{"admin_token": []}]
    return document


def _answer(status: int, shape: type[Schema] | str) -> dict[str, Any]:
    media, schema = (shape, {"type": "string"}) if isinstance(shape, str) else (JSON, shape)
    return {"description": HTTPStatus(status).phrase, "content": {media: {"schema": schema}}}


bp = Blueprint("openapi", __name__)


@bp.get("/api/v1/openapi.json")
def openapi_document() -> dict[str, Any]:
    # Built on first request, when every blueprint has registered its routes.
    if "openapi" not in current_app.extensions:
        current_app.extensions["openapi"] = build(current_app)
    return current_app.extensions["openapi"]
