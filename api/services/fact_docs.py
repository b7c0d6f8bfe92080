"""Each fact's served document, stored on its row (``fact.doc``) so a page is read, not built.

Building a page's 50 documents in SQL (SQLite's ``json_object``, PostgreSQL's
``row_to_json``) is most of a page's cost; reading them stored is a fraction of it. The
stored text is exactly what the API serves for the fact (``fact_document.from_row``
written by ``jsonio.dumps``), so no code path has a second producer of it.

It is never stale: database triggers (migration 0008) set ``fact.doc`` to null whenever
the fact row or one of its other parties changes (its evidence and actors reach the row
through ``evidence_doc``/``actors_doc``, kept by the triggers of migration 0005), in the same
statement as the change. ``fill_missing`` then rebuilds the null ones before each write
transaction commits (``db.write_transaction``), and the read statements build any that are
still null on the fly (a row written outside a write transaction, or one just restored).

The stored documents carry the definition they were built with (``data_state.doc_shape``,
the digest of ``fact_document.py``): ``refresh`` (run by every ``facts db upgrade``) rebuilds
them all when that definition changed, and until it has, the read path does not use them.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, text

from .. import event_codes
from .. import fact_document as doc
from ..jsonio import dumps

BATCH = 2000


@lru_cache(maxsize=1)
def shape() -> str:
    """The digest of the document's definition (any change to fact_document.py, or to the
    event-code tables its derived fields read, changes it)."""
    source = Path(doc.__file__).read_bytes() + Path(event_codes.__file__).read_bytes()
    return hashlib.sha256(source + ",".join(doc.NAMES).encode()).hexdigest()[:16]


def _statements(dialect: str) -> tuple[str, str]:
    mark = "?" if dialect == "sqlite" else "%s"
    select = f"SELECT {doc.select_list(dialect)} FROM fact f WHERE f.doc IS NULL LIMIT {BATCH}"
    return select, f"UPDATE fact SET doc = {mark} WHERE id = {mark}"


def fill_missing(conn: Connection) -> int:
    """Build every null ``fact.doc`` (in the caller's transaction); how many were built."""
    select, update = _statements(conn.dialect.name)
    built = 0
    while True:
        rows = conn.exec_driver_sql(select).fetchall()
        if not rows:
            return built
        values = [(dumps(doc.from_row(row)).decode(), row[0]) for row in rows]
        conn.exec_driver_sql(update, values)
        built += len(values)


def stored_shape(conn: Connection) -> str | None:
    """The definition the stored documents were built with (None: not yet built)."""
    return conn.execute(text("SELECT doc_shape FROM data_state WHERE id = 1")).scalar()


def refresh(conn: Connection) -> int:
    """Bring the stored documents up to date with this code's definition (``facts db
    upgrade`` runs it): all rebuilt if the definition changed, else only the null ones."""
    if stored_shape(conn) != shape():
        conn.execute(text("UPDATE fact SET doc = NULL WHERE doc IS NOT NULL"))
        conn.execute(text("UPDATE data_state SET doc_shape = :s WHERE id = 1"), {"s": shape()})
    return fill_missing(conn)


def fill_before_commit(conn: Connection) -> None:
    """``fill_missing`` when the stored documents are this code's (else they wait for
    ``facts db upgrade``)."""
    if stored_shape(conn) == shape():
        fill_missing(conn)
