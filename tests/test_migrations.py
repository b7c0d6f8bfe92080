"""pytest-alembic's built-in checks, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.config import Config
from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine

from api.db import make_engine
from api.migrate import alembic_config as make_config
from tests.databases import BACKENDS, database_url


@pytest.fixture
def alembic_config() -> Config:
    """The project's Alembic configuration."""
    return make_config()


@pytest.fixture(params=BACKENDS)
def alembic_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """An empty database of each backend."""
    url = database_url(request.param, "migrations", tmp_path_factory.mktemp("mig"))
    engine = make_engine(url)
    yield engine
    engine.dispose()
