"""API version 1: every blueprint is registered under /api/v1."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from .openapi import ContractPlugin, ProblemApi

PREFIX = "/api/v1"


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
        figures,
        health,
        limits,
        links,
        meta,
        negotiation,
        parties,
        sources,
        suggestions,
    )

    api = ProblemApi(
        app,
        spec_kwargs={
            "extra_plugins": [ContractPlugin()],
            # Relative: the paths are absolute (/api/v1/...) on whatever host serves this.
            "servers": [{"url": "/", "description": "The host serving this description."}],
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
    blueprints = [
        meta.blp,
        facts.blp,
        links.blp,
        figures.blp,
        sources.blp,
        suggestions.blp,
        parties.blp,
        actors.blp,
        dyads.blp,
        changes.blp,
    ]
    app.extensions["limiter"] = limits.init_app(app, blueprints)
    api.register_blueprint(meta.blp, url_prefix=PREFIX)
    api.register_blueprint(facts.blp, url_prefix=f"{PREFIX}/facts")
    api.register_blueprint(links.blp, url_prefix=f"{PREFIX}/facts")
    api.register_blueprint(figures.blp, url_prefix=f"{PREFIX}/figures")
    api.register_blueprint(sources.blp, url_prefix=f"{PREFIX}/sources")
    api.register_blueprint(suggestions.blp, url_prefix=PREFIX)
    api.register_blueprint(parties.blp, url_prefix=f"{PREFIX}/parties")
    api.register_blueprint(actors.blp, url_prefix=f"{PREFIX}/actors")
    api.register_blueprint(dyads.blp, url_prefix=f"{PREFIX}/dyads")
    api.register_blueprint(changes.blp, url_prefix=f"{PREFIX}/changes")
    app.register_blueprint(health.bp)
    docs.init_app(app)
    negotiation.init_app(app)  # before auth and revalidation: a 406 or 308 is answered first
    auth.init_app(app)  # before the revalidation hook: a bad token never gets a 304
    caching.init_app(app, api)
    return api
