"""API version 1: every blueprint is registered under /api/v1."""

from __future__ import annotations

import http
from typing import Any

from apispec import BasePlugin
from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from ..schemas.output import ProblemSchema

PREFIX = "/api/v1"
# Errors any request can get, whatever the operation: malformed HTTP (400, from gunicorn), a
# body over MAX_CONTENT_LENGTH (413), a URL or headers over the server's limits (414, 431),
# a rate limit (429), an unexpected error (500), a database that does not answer (503:
# every operation reads at least the data version).
EVERY_OPERATION = (400, 413, 414, 429, 431, 500, 503)
# Statuses that ask the client to wait, and say how long.
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


class EveryOperationErrors(BasePlugin):
    """apispec plugin: document on every operation the errors any request can get."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """Add the shared error responses an operation does not list already."""
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in EVERY_OPERATION:
                if status not in responses and str(status) not in responses:
                    responses[str(status)] = http.HTTPStatus(status).name


class ProblemApi(Api):
    """flask-smorest Api whose error responses are documented as RFC 9457 problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, object] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, "application/problem+json")
            if status in (429, 503):
                response["headers"] = RETRY_AFTER
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, "application/problem+json")
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def register(app: Flask) -> Api:
    """Create the flask-smorest Api and register v1's blueprints on it."""
    from . import (
        actors,
        auth,
        caching,
        changes,
        docs,
        dyads,
        facts,
        health,
        limits,
        meta,
        parties,
        sources,
    )

    api = ProblemApi(
        app,
        spec_kwargs={
            "extra_plugins": [EveryOperationErrors()],
            "info": {
                "description": "Curated, evidence-linked facts about relations between "
                "countries and organizations. Reads are public; lists are paged by cursor."
            },
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "A token from `facts tokens create`."},
    )
    blueprints = [meta.blp, facts.blp, sources.blp, parties.blp, actors.blp, dyads.blp, changes.blp]
    app.extensions["limiter"] = limits.init_app(app, blueprints)
    api.register_blueprint(meta.blp, url_prefix=PREFIX)
    api.register_blueprint(facts.blp, url_prefix=f"{PREFIX}/facts")
    api.register_blueprint(sources.blp, url_prefix=f"{PREFIX}/sources")
    api.register_blueprint(parties.blp, url_prefix=f"{PREFIX}/parties")
    api.register_blueprint(actors.blp, url_prefix=f"{PREFIX}/actors")
    api.register_blueprint(dyads.blp, url_prefix=f"{PREFIX}/dyads")
    api.register_blueprint(changes.blp, url_prefix=f"{PREFIX}/changes")
    app.register_blueprint(health.bp)
    docs.init_app(app)
    auth.init_app(app)  # before the revalidation hook: a bad token never gets a 304
    caching.init_app(app, api)
    return api
