"""Two curators edit the same fact from the same ETag at the same moment: one wins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from api import create_app, db, migrate
from api.models import Fact, Revision
from api.services.fixtures import load_fixtures
from api.services.tokens import create_token
from tests.conftest import FIXTURES
from tests.databases import database_url


@pytest.fixture
def live_app(backend: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """An app on its own database, committed for real (no rolled-back test transaction)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url(backend, "race", tmp_path),
            "RATELIMIT_ENABLED": False,
        }
    )
    migrate.upgrade(app.extensions["db_engine"])
    with app.app_context():
        with db.write_transaction() as s:
            load_fixtures(s, FIXTURES)
            secret = create_token(s, "racer", ["write"])
        db.session.remove()
    yield app, secret
    app.extensions["db_engine"].dispose()


def test_same_etag_two_writers_exactly_one_wins(live_app: tuple[Flask, str]) -> None:
    app, secret = live_app
    auth = {"Authorization": f"Bearer {secret}"}
    with app.app_context():
        fact_id = db.session().scalar(select(Fact.id).where(Fact.type == "trade_volume"))
        db.session.remove()
    tag = app.test_client().get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    start = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def edit(who: str) -> None:
        client = app.test_client()
        start.wait()
        r = client.patch(
            f"/api/v1/facts/{fact_id}",
            json={"summary": f"Edited by {who}."},
            headers={**auth, "If-Match": tag},
        )
        statuses[who] = r.status_code

    threads = [threading.Thread(target=edit, args=(who,)) for who in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses.values()) == [200, 412], statuses
    winner = next(w for w, code in statuses.items() if code == 200)
    body = app.test_client().get(f"/api/v1/facts/{fact_id}").get_json()
    assert body["summary"] == f"Edited by {winner}." and body["version"] == 2
    with app.app_context():
        updates = (
            db.session()
            .scalars(
                select(Revision.action).where(
                    Revision.entity_id == fact_id, Revision.entity == "fact"
                )
            )
            .all()
        )
        db.session.remove()
    assert updates == ["create", "update"]
