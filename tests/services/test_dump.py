"""Dump and restore: complete, canonical, all or nothing, byte-identical on either database."""

from __future__ import annotations

import base64
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update

from api import create_app, db, migrate
from api.cli_dump import register
from api.models import Actor, ApiToken, Base, Fact, IdempotencyKey, Source
from api.services import memo
from api.services.dump import SKIPPED, TABLE_NAMES, export_dump, import_dump
from api.services.tokens import create_token
from tests.databases import database_url, drop_schema

MakeApp = Callable[[str, str], Flask]
CROSS_SKIP = (
    "cross-database round trip (SQLite <-> PostgreSQL) needs PostgreSQL: "
    "set TEST_DATABASE_URL=postgresql+psycopg://... to run it"
)


def export_text(app: Flask) -> str:
    """The dump of ``app``'s committed data."""
    out = io.StringIO()
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        try:
            export_dump(session, out)
        finally:
            session.close()
    return out.getvalue()


def restore(app: Flask, dump: str) -> dict[str, int]:
    """Restore ``dump`` into ``app``'s database the way the CLI does."""
    with app.app_context():
        try:
            with db.write_transaction() as s:
                return import_dump(s, io.StringIO(dump))
        finally:
            db.session.remove()


def rows_of(dump: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in dump.splitlines()[1:]]


def scalar(app: Flask, sql: str) -> Any:
    with app.extensions["db_engine"].connect() as conn:
        return conn.execute(text(sql)).scalar()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MakeApp]:
    """Make apps on fresh, migrated, empty databases; drop them at the end."""
    tmp = tmp_path_factory.mktemp("dump")
    made: list[tuple[Flask, str, str]] = []
    serial = count()

    def make(backend: str, purpose: str) -> Flask:
        name = f"dump_{purpose}_{next(serial)}_{os.getpid()}"
        url = database_url(backend, name, tmp)
        app = create_app({"TESTING": True, "DATABASE_URL": url, "RATELIMIT_ENABLED": False})
        migrate.upgrade(app.extensions["db_engine"])
        if "export" not in app.cli.commands:  # until api/cli.py registers them
            register(app.cli)
        made.append((app, backend, name))
        return app

    yield make
    for app, backend, name in made:
        app.extensions["db_engine"].dispose()
        if backend == "postgresql":
            drop_schema(name)


@pytest.fixture(scope="module")
def original(app: Flask) -> str:
    """The dump of the loaded fixture database."""
    return export_text(app)


@pytest.fixture(scope="module")
def restored(backend: str, original: str, fresh: MakeApp) -> Flask:
    """A fresh database of the same backend with ``original`` restored into it."""
    target = fresh(backend, "restored")
    restore(target, original)
    return target


@pytest.fixture(scope="module")
def empty(backend: str, fresh: MakeApp) -> tuple[Flask, str]:
    """A fresh empty database and its dump (which every failed restore must leave it at)."""
    target = fresh(backend, "empty")
    return target, export_text(target)


def test_every_table_is_dumped_or_deliberately_skipped() -> None:
    assert set(TABLE_NAMES).isdisjoint(SKIPPED)
    assert set(Base.metadata.tables) == set(TABLE_NAMES) | set(SKIPPED)


def test_dump_is_complete_canonical_and_ordered(app: Flask, original: str) -> None:
    lines = original.splitlines(keepends=True)
    header = json.loads(lines[0])
    assert header["format"] == "bilateral-facts-dump" and header["version"] == 1
    assert header["schema"] == migrate.head_revision()
    assert original.isascii()
    for line in lines:
        canonical = json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"))
        assert line == canonical + "\n"
    rows = rows_of(original)
    tables = [r["table"] for r in rows]
    assert tables == sorted(tables, key=TABLE_NAMES.index)
    for name in TABLE_NAMES:
        table_rows = [r["row"] for r in rows if r["table"] == name]
        in_db = scalar(app, f'SELECT count(*) FROM "{name}"')
        assert len(table_rows) == header["counts"][name] == in_db, name
        keys = [
            tuple(r[c.name] for c in Base.metadata.tables[name].primary_key) for r in table_rows
        ]
        assert keys == sorted(keys) and len(set(keys)) == len(keys), name
    # The fixtures fill every table but the tokens (covered by the edge-value test).
    assert {n for n, c in header["counts"].items() if c == 0} <= {"api_token"}
    fact = next(r["row"] for r in rows if r["table"] == "fact" and r["row"]["value"])
    assert "dyad" not in fact and "sort_date" not in fact
    assert re.fullmatch(r"-?\d+(\.\d*[1-9])?", fact["value"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", fact["created_at"])
    source = next(r["row"] for r in rows if r["table"] == "source")
    with app.extensions["db_engine"].connect() as conn:
        raw, minhash = conn.execute(
            select(Source.raw, Source.minhash).where(Source.id == source["id"])
        ).one()
    assert source["raw"] == raw and source["body"]
    assert base64.b64decode(source["minhash"]) == minhash


def test_restore_gives_a_byte_identical_export(original: str, restored: Flask) -> None:
    assert export_text(restored) == original


def test_restored_api_serves_the_same_responses(app: Flask, restored: Flask) -> None:
    paths = [
        "/api/v1/facts?limit=500",
        "/api/v1/dyads/RUS/IRQ",
        "/api/v1/facts?q=airliner",
        "/api/v1/facts/1",
        "/api/v1/sources/2?include=raw",
    ]
    for path in paths:
        memo.clear()
        before = app.test_client().get(path)
        memo.clear()
        after = restored.test_client().get(path)
        assert before.status_code == after.status_code == 200, path
        assert after.get_json() == before.get_json(), path
        # Same data, same data version: clients' cached ETags stay valid after a move.
        assert after.headers["ETag"] == before.headers["ETag"], path
    found = restored.test_client().get("/api/v1/facts?q=airliner").get_json()["data"]
    assert found and all("airliner" in json.dumps(f).lower() for f in found)


def test_search_index_is_rebuilt_by_the_triggers(backend: str, restored: Flask) -> None:
    index = "fact_fts" if backend == "sqlite" else "fact_search"
    facts = scalar(restored, "SELECT count(*) FROM fact")
    assert facts > 0 and scalar(restored, f"SELECT count(*) FROM {index}") == facts


def test_restored_ids_continue_after_the_restored_ones(restored: Flask) -> None:
    top = scalar(restored, "SELECT max(id) FROM actor")
    with restored.app_context():
        try:
            with db.write_transaction() as s:
                actor = Actor(key="dump-test-actor", name="Dump Test", kind="person")
                s.add(actor)
                s.flush()
                assert actor.id == top + 1
                raise LookupError("roll back")
        except LookupError:
            pass
        finally:
            db.session.remove()


def test_verify_passes_on_the_restored_database(restored: Flask) -> None:
    evidence = scalar(restored, "SELECT count(*) FROM evidence")
    out = restored.test_cli_runner().invoke(args=["verify"])
    assert out.exit_code == 0, out.output
    assert f"{evidence} evidence checked, 0 failed" in out.output and evidence > 0


def test_cross_database_round_trip(backend: str, original: str, fresh: MakeApp) -> None:
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(CROSS_SKIP)
    other = "postgresql" if backend == "sqlite" else "sqlite"
    there = fresh(other, "cross")
    restore(there, original)
    moved = export_text(there)
    assert moved == original
    back = fresh(backend, "back")
    restore(back, moved)
    assert export_text(back) == original


def _add_edge_values(app: Flask) -> None:
    """Rows the fixtures lack: tokens, a forward near-duplicate link, awkward values."""
    with app.app_context():
        with db.write_transaction() as s:
            create_token(s, "curator", ["write"])
            create_token(s, "retired", ["read", "admin"])
            when = datetime(2016, 2, 29, 23, 59, 59, 1, tzinfo=UTC)
            s.execute(
                update(ApiToken)
                .where(ApiToken.name == "retired")
                .values(last_used_at=when, revoked_at=when)
            )
            first, second = s.scalars(select(Source.id).order_by(Source.id).limit(2))
            s.execute(
                update(Source)
                .where(Source.id == first)
                .values(
                    canonical_id=second,
                    similarity=0.1 + 0.2,
                    title='Нефть\u2028и газ 🛢 "quoted" \\ end',
                )
            )
            fact_id = s.scalar(select(func.min(Fact.id)).where(Fact.value.is_not(None)))
            s.execute(
                update(Fact)
                .where(Fact.id == fact_id)
                .values(
                    value=Decimal("-1234567.000001"),
                    attributes={"z": 1, "a": {"y": "العراق", "b": [3, 1.5, None, True]}},
                )
            )
            s.add(
                IdempotencyKey(
                    token_name="curator", key="k1", method="POST", path="/api/v1/facts",
                    request_sha256="0" * 64, status=201, body="{}", headers={},
                )
            )  # fmt: skip
        db.session.remove()


def test_edge_values_round_trip(backend: str, original: str, fresh: MakeApp) -> None:
    origin = fresh(backend, "edge")
    restore(origin, original)
    _add_edge_values(origin)
    dump = export_text(origin)
    rows = rows_of(dump)
    assert not any(r["table"] == "idempotency_key" for r in rows)
    tokens = [r["row"] for r in rows if r["table"] == "api_token"]
    assert [t["name"] for t in tokens] == ["curator", "retired"]
    assert tokens[1]["revoked_at"] == "2016-02-29T23:59:59.000001Z"
    sources = [r["row"] for r in rows if r["table"] == "source"]
    assert sources[0]["canonical_id"] == sources[1]["id"] > sources[0]["id"]
    assert sources[0]["similarity"] == 0.30000000000000004
    assert any(r["table"] == "fact" and r["row"]["value"] == "-1234567.000001" for r in rows)
    targets = [backend]
    if os.environ.get("TEST_DATABASE_URL"):
        targets.append("postgresql" if backend == "sqlite" else "sqlite")
    for target_backend in targets:
        target = fresh(target_backend, "edge_copy")
        restore(target, dump)
        assert export_text(target) == dump, target_backend


def _corrupt(dump: str, kind: str) -> tuple[str, int, str]:
    """``dump`` damaged one way; the line number and message the import must report."""
    lines = dump.splitlines(keepends=True)
    header = json.loads(lines[0])

    def find(table: str) -> int:
        return next(i for i, line in enumerate(lines) if f'"table":"{table}"' in line)

    def edit(index: int, change: Callable[[dict[str, Any]], None]) -> None:
        item = json.loads(lines[index])
        change(item)
        lines[index] = json.dumps(item, sort_keys=True, separators=(",", ":")) + "\n"

    at = find("evidence") + 3  # mid-table, after several rows went in
    if kind == "not json":
        lines[at] = lines[at][:40] + "\n"
        return "".join(lines), at + 1, "not valid JSON"
    if kind == "bad date":
        at = find("fact") + 2
        edit(at, lambda i: i["row"].update(date_end="2015-13-45"))
        return "".join(lines), at + 1, "fact.date_end"
    if kind == "unknown column":
        edit(at, lambda i: i["row"].update(colour="red"))
        return "".join(lines), at + 1, "colour"
    if kind == "dangling reference":
        edit(at, lambda i: i["row"].update(source_id=999999))
        return "".join(lines), at + 1, "refused by the database"
    if kind == "duplicate row":
        lines.insert(at + 1, lines[at])
        return "".join(lines), at + 2, "refused by the database"
    if kind == "out of order":
        lines.insert(at, lines.pop(find("party")))
        return "".join(lines), at + 1, "dependency order"
    if kind == "not a number":
        edit(at, lambda i: i["row"].update(start="12"))
        return "".join(lines), at + 1, "evidence.start"
    if kind == "blank line":
        lines.insert(at, "\n")
        return "".join(lines), at + 1, "empty line"
    if kind == "truncated":
        return "".join(lines[:-3]), len(lines) - 2, "is the file complete"
    if kind == "other schema":
        header["schema"] = "0001"
        return _line(header) + "".join(lines[1:]), 1, "schema"
    if kind == "newer format":
        header["version"] = 2
        return _line(header) + "".join(lines[1:]), 1, "version 2"
    raise AssertionError(kind)


def _line(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n"


CORRUPTIONS = [
    "not json",
    "bad date",
    "unknown column",
    "dangling reference",
    "duplicate row",
    "out of order",
    "not a number",
    "blank line",
    "truncated",
    "other schema",
    "newer format",
]


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_a_bad_dump_names_the_line_and_writes_nothing(
    kind: str, original: str, empty: tuple[Flask, str]
) -> None:
    target, baseline = empty
    damaged, line, message = _corrupt(original, kind)
    with pytest.raises(ValueError, match=rf"^lines? {line}\b.*{re.escape(message)}"):
        restore(target, damaged)
    assert export_text(target) == baseline


def test_restore_into_a_non_empty_database_is_refused(
    backend: str, original: str, restored: Flask, fresh: MakeApp
) -> None:
    before = export_text(restored)
    with pytest.raises(ValueError, match="not empty"):
        restore(restored, original)
    assert export_text(restored) == before
    # Rows in the last table alone are enough to refuse.
    tokens_only = fresh(backend, "tokens_only")
    with tokens_only.app_context():
        with db.write_transaction() as s:
            create_token(s, "alice", ["read"])
        db.session.remove()
    before = export_text(tokens_only)
    with pytest.raises(ValueError, match="table api_token has rows"):
        restore(tokens_only, original)
    assert export_text(tokens_only) == before


def _cli_app(source: Flask) -> Flask:
    """An app on ``source``'s database with the dump commands registered."""
    app = create_app(
        {"TESTING": True, "DATABASE_URL": source.config["DATABASE_URL"], "RATELIMIT_ENABLED": False}
    )
    if "export" not in app.cli.commands:
        register(app.cli)
    return app


def test_cli_export_and_import_dump(
    app: Flask, backend: str, original: str, fresh: MakeApp, tmp_path: Path
) -> None:
    cli_app = _cli_app(app)
    runner = cli_app.test_cli_runner()
    path = tmp_path / "facts.ndjson"
    written = runner.invoke(args=["export", "--output", str(path), "--format", "ndjson"])
    assert written.exit_code == 0, written.output
    assert path.read_text(encoding="utf-8") == original
    assert not (tmp_path / "facts.ndjson.partial").exists()
    assert re.search(r"exported \d+ rows: party \d+", written.stderr)
    printed = runner.invoke(args=["export"])
    assert printed.exit_code == 0 and printed.stdout == original
    bad = runner.invoke(args=["export", "--format", "csv"])
    assert bad.exit_code != 0 and "csv" in bad.output
    cli_app.extensions["db_engine"].dispose()

    target = fresh(backend, "cli")
    target_runner = target.test_cli_runner()
    loaded = target_runner.invoke(args=["import-dump", "-"], input=original)
    assert loaded.exit_code == 0, loaded.output
    facts = json.loads(original.splitlines()[0])["counts"]["fact"]
    assert f"fact {facts}" in loaded.stdout and loaded.stdout.startswith("restored ")
    assert export_text(target) == original
    again = target_runner.invoke(args=["import-dump", str(path)])
    assert again.exit_code == 1
    assert "nothing restored" in again.output and "not empty" in again.output
    assert export_text(target) == original


def test_cli_import_dump_of_a_bad_file_writes_nothing(
    original: str, empty: tuple[Flask, str], tmp_path: Path
) -> None:
    target, baseline = empty
    damaged, line, _ = _corrupt(original, "dangling reference")
    path = tmp_path / "damaged.ndjson"
    path.write_text(damaged, encoding="utf-8")
    out = target.test_cli_runner().invoke(args=["import-dump", str(path)])
    assert out.exit_code == 1
    assert f"nothing restored: line {line}: refused by the database" in out.output
    assert export_text(target) == baseline
    missing = target.test_cli_runner().invoke(args=["import-dump", str(tmp_path / "none")])
    assert missing.exit_code != 0 and export_text(target) == baseline
