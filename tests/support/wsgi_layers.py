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


def record_statements(fast: FastPath) -> list[str]:
    """Record every statement the thin path runs from now on, in order (undo with
    ``del fast._connection``): its cursors' SQL, and on PostgreSQL the prepared data state
    read it runs on libpq (``FastPath._pg_state``)."""
    executed: list[str] = []
    real = fast._connection

    def recording() -> Any:
        conn, release = real()

        class Cursor:
            def __init__(self, cur: Any) -> None:
                self.cur = cur

            def __getattr__(self, name: str) -> Any:
                return getattr(self.cur, name)

            def execute(self, sql: str, *args: Any) -> Any:
                executed.append(sql)
                return self.cur.execute(sql, *args)

        class PreparedOnLibpq:
            def __init__(self, pgconn: Any) -> None:
                self.pgconn = pgconn

            def __getattr__(self, name: str) -> Any:
                return getattr(self.pgconn, name)

            def exec_prepared(self, name: bytes, *args: Any) -> Any:
                executed.append(f"data_state (prepared {name.decode()})")
                return self.pgconn.exec_prepared(name, *args)

        class Recorded:
            def __getattr__(self, name: str) -> Any:  # SQLite's BEGIN, the status, ...
                return getattr(conn, name)

            def cursor(self) -> Any:
                return Cursor(conn.cursor())

            @property
            def pgconn(self) -> Any:
                return PreparedOnLibpq(conn.pgconn)

        return Recorded(), release

    fast._connection = recording  # type: ignore[method-assign]
    return executed
