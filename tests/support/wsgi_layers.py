"""Find one WSGI layer (the thin read path, the body limit) among an app's middlewares."""

from __future__ import annotations

from typing import Any

from flask import Flask

from api.fastpath import FastPath


def thin_path(app: Flask) -> FastPath:
    """The thin read path among the app's WSGI layers (the body limit sits outside it)."""
    layer: Any = app.wsgi_app
    while not isinstance(layer, FastPath):
        layer = layer.wsgi_app  # AttributeError when there is none: a broken app
    return layer
