"""The documents stored on fact rows (api/services/fact_docs.py) are never stale.

After each kind of change (an edit through the API, a new other party, an actor renamed, a
row changed by hand outside any write transaction), every fact's stored document is either
null (built on the fly) or exactly the document built afresh, and the thin path's page says
what Flask's does. A stored document of another definition is not served.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api import fact_document
from api.jsonio import dumps
from api.services import fact_docs
from tests.factories import make_token
from tests.support.wsgi_layers import thin_path
from tests.test_fastpath import same

PAGE = "/api/v1/facts?sort=id&limit=500"


def _stale(db_session: Session) -> list[int]:
    """Facts whose stored document differs from the one built now from their rows."""
    conn = db_session.connection()
    select = f"SELECT {fact_document.select_list(conn.dialect.name)}, f.doc FROM fact f"
    wrong = []
    for row in conn.exec_driver_sql(select).fetchall():
        stored = row[-1]
        if stored is not None and stored != dumps(fact_document.from_row(row[:-1])).decode():
            wrong.append(row[0])
    return wrong


def _missing(db_session: Session) -> int:
    return int(db_session.execute(text("SELECT count(*) FROM fact WHERE doc IS NULL")).scalar())


def _patch(client: FlaskClient, token: str, fact_id: int, body: dict[str, Any]) -> Any:
    tag = client.get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    r = client.patch(
        f"/api/v1/facts/{fact_id}", json=body, headers={"Authorization": token, "If-Match": tag}
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    return r


def _kept_pages_expire(app: Flask) -> None:
    """What FACTS_PAGE_CACHE_SECONDS does: a change by hand in SQL (no data version bump)
    shows in the thin path's lists once the pages it kept have expired."""
    pages = thin_path(app).pages
    assert pages is not None
    pages.clear()


def test_documents_are_built_and_follow_every_change(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    assert _missing(db_session) == 0  # the fixtures' write transaction built them all
    assert _stale(db_session) == []
    token = make_token(db_session, scopes=("write",))

    _patch(client, token, 1, {"summary": "Edited: the stored document follows."})
    _patch(client, token, 2, {"other_parties": ["OPEC"]})
    assert _missing(db_session) == 0 and _stale(db_session) == []
    assert same(app, client, PAGE).get_json()["data"][0]["summary"].startswith("Edited")

    # By hand, outside a write transaction: the triggers make the documents null at once.
    actor = db_session.execute(text("SELECT actor_id FROM fact_actor LIMIT 1")).scalar()
    db_session.execute(
        text("UPDATE actor SET name = 'Renamed By Hand' WHERE id = :a"), {"a": actor}
    )
    db_session.execute(text("UPDATE fact SET summary = 'Changed by hand.' WHERE id = 3"))
    db_session.execute(text("DELETE FROM fact_party WHERE fact_id = 2"))
    assert _stale(db_session) == []
    assert _missing(db_session) >= 3
    _kept_pages_expire(app)
    page = same(app, client, PAGE).get_json()["data"]  # built on the fly, as Flask builds it
    assert {f["id"]: f for f in page}[3]["summary"] == "Changed by hand."
    assert "Renamed By Hand" in str(page)
    # An export reads the same rows: the documents now null are built as the page's are.
    export = same(app, client, "/api/v1/facts?format=ndjson&sort=id").get_data(as_text=True)
    assert '"summary":"Changed by hand."' in export and "Renamed By Hand" in export

    # The next write transaction builds what is missing.
    _patch(client, token, 1, {"summary": "Edited again."})
    assert _missing(db_session) == 0 and _stale(db_session) == []


def test_documents_of_another_definition_are_not_served(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    db_session.execute(text("UPDATE fact SET doc = :d WHERE id = 1"), {"d": '{"stale":true}'})
    first = client.get(PAGE).get_json()["data"][0]  # the thin path's page
    assert first == {"stale": True}  # reads the stored documents

    db_session.execute(text("UPDATE data_state SET doc_shape = 'an older definition'"))
    _kept_pages_expire(app)
    first = same(app, client, PAGE).get_json()["data"][0]
    assert first["id"] == 1 and "stale" not in first  # not this code's: built instead

    assert fact_docs.refresh(db_session.connection()) > 0  # what `facts db upgrade` runs
    assert _missing(db_session) == 0 and _stale(db_session) == []
    assert same(app, client, PAGE).get_json()["data"][0]["id"] == 1
