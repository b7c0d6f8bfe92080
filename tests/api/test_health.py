"""/healthz and /readyz."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from api import create_app, migrate
from tests.conftest import problem


def test_healthz(client: FlaskClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_readyz_when_migrated(client: FlaskClient) -> None:
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and body["revision"] == migrate.head_revision()


def test_readyz_is_503_before_migrations(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    body = problem(app.test_client().get("/readyz"), 503)
    assert "facts db upgrade" in body["detail"]


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    )
    body = problem(app.test_client().get("/readyz"), 503)
    assert "unreachable" in body["detail"]
    assert "Traceback" not in str(body)
