"""bilateral-facts: curated, evidence-linked facts about relations between parties."""

from __future__ import annotations

from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; nothing is created at import time."""
    from . import bodylimit, cli, compression, db, errors, fastpath, jsonio
    from .config import Defaults
    from .v1 import register as register_v1
    from .web import init_app as register_web

    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.config.from_object(Defaults)
    if config is None:
        app.config.from_prefixed_env("FACTS")
    else:
        app.config.update(config)
    jsonio.init_app(app)
    db.init_app(app)
    smorest = register_v1(app)
    errors.init_app(app, smorest)  # after smorest so problem+json wins
    register_web(app)  # the explorer's pages, beside /api/v1
    cli.init_app(app)
    app.extensions["bf_api"] = smorest
    fastpath.install(app)
    bodylimit.install(app)  # sees every request before the app and the thin path
    compression.install(app)  # outermost: compresses every answer, the thin path's too
    return app
