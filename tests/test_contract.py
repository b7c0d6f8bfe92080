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
from tests.support.live_contract_hooks import kept_failures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


# Every default check runs with its defaults. A request that fits the schema may still be
# refused for what it means (an unknown party code, a stale If-Match, a retracted fact):
# the one narrow allowance for those is shared with the live run (kept_failures, from
# tests/support/live_contract_hooks.py), which excuses nothing else.
def _config(secret: str) -> SchemathesisConfig:
    # The token as a configured header (not one added to each call): schemathesis then
    # knows it, and its negative cases that leave Authorization out really leave it out.
    # Accept-Encoding: identity, because schemathesis sends requests' default
    # "Accept-Encoding: gzip, deflate, br" over WSGI too, where nothing decodes the answer
    # (over HTTP, urllib3 does: the live run, tests/test_live_contract.py, gets compressed
    # answers; tests/test_compression.py checks them).
    return SchemathesisConfig.from_str(
        f'headers = {{ Authorization = "Bearer {secret}", "Accept-Encoding" = "identity" }}'
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
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", built[0], config=_config(built[1])
    )

    @schema.hook("map_case")
    def _no_invented_cursors(_context: Any, case: Any) -> Any:
        # Cursors are issued by the server and signed, so no generated string is a valid one
        # (tampered and foreign cursors are tested in tests/api/v1/test_fact_lists.py).
        if case.query:
            case.query.pop("cursor", None)
        return case

    return schema


def _call_and_validate(case: Any, secret: str) -> None:
    response = case.call()
    try:
        # The configured token, named as such to the checks (as the CLI's --header does in the
        # live run): otherwise a case that also carries a generated header parameter
        # (Idempotency-Key, If-Match) loses track of where Authorization came from, and
        # ignored_auth takes a 2xx for one made with generated credentials.
        case.validate_response(response, headers={"Authorization": f"Bearer {secret}"})
    except Exception as error:  # one failure, or a group of them
        if kept_failures(error, case, response):
            raise


sqlite_schema = _schema(SQLITE)
assert SQLITE is not None and sqlite_schema is not None


@sqlite_schema.parametrize()
@CONTRACT
def test_contract_sqlite(case: Any) -> None:
    _call_and_validate(case, SQLITE[1])


if POSTGRES is not None:
    postgres_schema = _schema(POSTGRES)

    @postgres_schema.parametrize()
    @CONTRACT
    def test_contract_postgresql(case: Any) -> None:
        _call_and_validate(case, POSTGRES[1])

else:

    def test_contract_postgresql() -> None:
        pytest.skip(
            "PostgreSQL tests skipped: set TEST_DATABASE_URL=postgresql+psycopg://… to run them"
        )


def test_the_contract_runs_wrote_with_the_token() -> None:
    """The token reached the app: writes were made by it, so write rules were exercised."""
    from sqlalchemy import func, select

    from api.models import ApiToken, Revision

    assert SQLITE is not None
    app = SQLITE[0]
    with app.app_context():
        s = db.session()
        used = s.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "contract"))
        writes = s.scalar(
            select(func.count()).select_from(Revision).where(Revision.author == "contract")
        )
        db.session.remove()
    assert used is not None and writes, "no generated write was made with the token"
