"""API version 1: every blueprint is registered under /api/v1."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

PREFIX = "/api/v1"


def register(app: Flask) -> Api:
    """Create the flask-smorest Api and register v1's blueprints on it."""
    from . import actors, caching, dyads, facts, health, meta, parties, sources

    api = Api(
        app,
        spec_kwargs={
            "info": {
                "description": "Curated, evidence-linked facts about relations between "
                "countries and organizations. Reads are public; lists are paged by cursor."
            }
        },
    )
    api.register_blueprint(meta.blp, url_prefix=PREFIX)
    api.register_blueprint(facts.blp, url_prefix=f"{PREFIX}/facts")
    api.register_blueprint(sources.blp, url_prefix=f"{PREFIX}/sources")
    api.register_blueprint(parties.blp, url_prefix=f"{PREFIX}/parties")
    api.register_blueprint(actors.blp, url_prefix=f"{PREFIX}/actors")
    api.register_blueprint(dyads.blp, url_prefix=f"{PREFIX}/dyads")
    app.register_blueprint(health.bp)
    caching.init_app(app, api)
    return api
