"""API version 1: every blueprint is registered under /api/v1."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

PREFIX = "/api/v1"


def register(app: Flask) -> Api:
    """Create the flask-smorest Api and register v1's blueprints on it."""
    from . import facts, health, sources

    api = Api(
        app,
        spec_kwargs={
            "info": {
                "description": "Curated, evidence-linked facts about relations between parties."
            }
        },
    )
    api.register_blueprint(facts.blp, url_prefix=f"{PREFIX}/facts")
    api.register_blueprint(sources.blp, url_prefix=f"{PREFIX}/sources")
    app.register_blueprint(health.bp)
    return api
