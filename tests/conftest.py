"""Shared fixtures: one migrated database per backend, each test in a rolled-back transaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api import create_app, db, migrate
from api.services import memo
from api.services.catalog import _code_cache as party_code_cache
from api.services.fixtures import load_fixtures
from api.services.parties import load_countries
from tests.databases import BACKENDS, database_url, drop_run_schemas
from tests.support.wsgi_layers import thin_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ARTICLES = FIXTURES / "articles"
SEEDS = sorted(p.name for p in ARTICLES.glob("*.txt"))


# The longest tests (minutes each) start first: `make test` runs the suite on every core
# (pytest-xdist), and a long test handed out last would leave the other cores idle.
LONGEST_FIRST = (
    "tests/test_live_contract.py",
    "tests/test_bench_smoke.py",
    "tests/test_concurrency.py",
    "tests/test_bad_input.py::test_ten_megabyte",
    "tests/test_silent_database.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest tests first, the rest in their usual order."""

    def rank(item: pytest.Item) -> int:
        found = [i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)]
        return found[0] if found else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the same order on every worker


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the PostgreSQL schemas this run made (other runs' are never touched)."""
    left = drop_run_schemas()
    if left:
        print(f"\nPostgreSQL schemas left behind (still locked): {', '.join(left)}")


def _make_app(backend: str, name: str, tmp_dir: Path, fixtures: bool) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url(backend, name, tmp_dir),
            # Limits are tested on apps of their own (tests/api/v1/test_limits.py).
            "RATELIMIT_ENABLED": False,
        }
    )
    engine = app.extensions["db_engine"]
    migrate.upgrade(engine)
    with app.app_context():
        with db.write_transaction() as s:
            if fixtures:
                load_fixtures(s, FIXTURES)
            else:
                load_countries(s)
        db.session.remove()
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    return str(request.param)


@pytest.fixture(scope="session")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app whose database holds the curated fixtures."""
    application = _make_app(backend, "loaded", tmp_path_factory.mktemp(backend), fixtures=True)
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def bare_app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app whose database holds only the countries (no sources, actors or facts)."""
    application = _make_app(backend, "bare", tmp_path_factory.mktemp(backend), fixtures=False)
    yield application
    application.extensions["db_engine"].dispose()


def _rolled_back(application: Flask) -> Iterator[Session]:
    engine = application.extensions["db_engine"]
    factory = application.extensions["db_sessionmaker"]
    with application.app_context(), engine.connect() as conn:
        outer = conn.begin()
        factory.configure(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield db.session()
        finally:
            db.session.remove()
            outer.rollback()
            factory.configure(bind=engine)
            # Rolled-back writes can bring a data version back; forget what was cached at it.
            memo.clear()
            party_code_cache.clear()
            pages = thin_path(application).pages
            if pages is not None:
                pages.clear()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the loaded database; everything it does is rolled back."""
    yield from _rolled_back(app)


@pytest.fixture
def bare_session(bare_app: Flask) -> Iterator[Session]:
    """A session on the bare database; everything it does is rolled back."""
    yield from _rolled_back(bare_app)


@pytest.fixture
def client(app: Flask, db_session: Session) -> FlaskClient:
    """A test client on the loaded database, inside the rolled-back transaction."""
    return app.test_client()


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert ``response`` is a problem+json of ``status`` and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    return body


def read_seed(name_prefix: str) -> str:
    """The text of the seed article whose file name starts with ``name_prefix``."""
    (path,) = [ARTICLES / n for n in SEEDS if n.startswith(name_prefix)]
    return path.read_text(encoding="utf-8")
