"""Schemathesis over every operation of the OpenAPI description, writes included.

The apps and schemas are built at import time (schemathesis' pytest integration needs the
schema at collection): one on a fresh SQLite file with the fixtures loaded and, when
TEST_DATABASE_URL is set, one on PostgreSQL. Seeded and bounded; all default checks.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from api import create_app, db, migrate
from api.services.fixtures import load_fixtures
from api.services.tokens import create_token
from tests.databases import database_url

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Every default check runs. A request that fits the schema may still be refused for what it
# means — an unknown party in a new fact (422), a stale or missing If-Match (412, 428), a
# retracted fact (410) — so those are expected answers to schema-valid requests too.
CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2XX", "3XX", "401", "403", "404", "409", "410", "412", "422", "428", "429"]
"""
)
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "25"))


def _build(backend: str) -> tuple[Any, str] | None:
    if backend == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        return None
    url = database_url(backend, "contract", Path(tempfile.mkdtemp(prefix="contract-")))
    app = create_app({"TESTING": True, "DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    migrate.upgrade(app.extensions["db_engine"])
    with app.app_context():
        with db.write_transaction() as s:
            load_fixtures(s, FIXTURES)
            secret = create_token(s, "contract", ["write"])
        db.session.remove()
    return app, secret


SQLITE = _build("sqlite")
POSTGRES = _build("postgresql")
CONTRACT = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)


def _schema(built: tuple[Any, str] | None) -> Any:
    if built is None:
        return None
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", built[0], config=CONFIG)

    @schema.hook("map_case")
    def _no_invented_cursors(_context: Any, case: Any) -> Any:
        # Cursors are issued by the server and signed, so no generated string is a valid one
        # (tampered and foreign cursors are tested in tests/api/v1/test_fact_lists.py).
        if case.query:
            case.query.pop("cursor", None)
        return case

    return schema


sqlite_schema = _schema(SQLITE)
assert SQLITE is not None and sqlite_schema is not None


@sqlite_schema.parametrize()
@CONTRACT
def test_contract_sqlite(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {SQLITE[1]}"})


if POSTGRES is not None:
    postgres_schema = _schema(POSTGRES)

    @postgres_schema.parametrize()
    @CONTRACT
    def test_contract_postgresql(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {POSTGRES[1]}"})

else:

    def test_contract_postgresql() -> None:
        pytest.skip(
            "PostgreSQL tests skipped: set TEST_DATABASE_URL=postgresql+psycopg://… to run them"
        )
