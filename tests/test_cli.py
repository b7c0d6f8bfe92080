"""The `facts` command line: import, verify, load-fixtures, db."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api import db
from api.models import Evidence, Fact, Source
from tests.conftest import FIXTURES, read_seed


def _sources(session: Session) -> int:
    return db.session().scalar(select(func.count()).select_from(Source)) or 0


def test_import_reports_new_existing_and_near_duplicates(
    bare_app: Flask, bare_session: Session, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(read_seed("000_"), encoding="utf-8")
    second.write_text(read_seed("001_"), encoding="utf-8")
    runner = bare_app.test_cli_runner()
    out = runner.invoke(args=["import", str(first), str(second), "--outlet", "Reuters"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert "(new)" in lines[0]
    assert "near-duplicate of" in lines[1]
    again = runner.invoke(args=["import", str(first)])
    assert again.exit_code == 0 and "(exists)" in again.output
    assert _sources(bare_session) == 2


def test_import_failing_halfway_writes_nothing(
    bare_app: Flask, bare_session: Session, tmp_path: Path
) -> None:
    good, hollow = tmp_path / "good.txt", tmp_path / "hollow.txt"
    good.write_text(read_seed("002_"), encoding="utf-8")
    # Only a credits line: decodes fine, but holds no article once the credits are removed.
    hollow.write_text("(Reporting by Nobody; Editing by No One)\n", encoding="utf-8")
    out = bare_app.test_cli_runner().invoke(args=["import", str(good), str(hollow)])
    assert out.exit_code != 0
    assert "nothing imported" in out.output and "hollow.txt" in out.output
    assert _sources(bare_session) == 0


def test_import_refuses_a_binary_file_by_name(
    bare_app: Flask, bare_session: Session, tmp_path: Path
) -> None:
    blob = tmp_path / "photo.jpg"
    blob.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    out = bare_app.test_cli_runner().invoke(args=["import", str(blob)])
    assert out.exit_code != 0 and "photo.jpg" in out.output and "binary" in out.output


def test_verify_passes_on_the_fixtures_and_fails_on_a_broken_quote(
    app: Flask, db_session: Session
) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["verify"])
    assert ok.exit_code == 0, ok.output
    assert " 0 failed" in ok.output
    db.session().execute(
        update(Evidence)
        .where(Evidence.id == select(func.min(Evidence.id)).scalar_subquery())
        .values(quote="This sentence is in no article.")
    )
    db.session().flush()
    bad = runner.invoke(args=["verify"])
    assert bad.exit_code == 1
    assert "Closest passage" in bad.output and " 1 failed" in bad.output


def test_verify_catches_shifted_offsets(app: Flask, db_session: Session) -> None:
    db.session().execute(
        update(Evidence)
        .where(Evidence.id == select(func.min(Evidence.id)).scalar_subquery())
        .values(start=Evidence.start + 1)
    )
    db.session().flush()
    out = app.test_cli_runner().invoke(args=["verify"])
    assert out.exit_code == 1 and "stored offsets" in out.output


def test_load_fixtures_is_idempotent(app: Flask, db_session: Session) -> None:
    before = db.session().scalar(select(func.count()).select_from(Fact))
    out = app.test_cli_runner().invoke(args=["load-fixtures"])
    assert out.exit_code == 0, out.output
    assert "facts: 0 created, 0 updated" in out.output
    assert db.session().scalar(select(func.count()).select_from(Fact)) == before


def test_broken_fixtures_load_nothing(
    bare_app: Flask, bare_session: Session, tmp_path: Path
) -> None:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    facts = yaml.safe_load((copy / "facts.yaml").read_text())
    facts[-1]["evidence"][0]["quote"] = "A quote from nowhere."
    (copy / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True))
    out = bare_app.test_cli_runner().invoke(args=["load-fixtures", "--dir", str(copy)])
    assert out.exit_code != 0
    assert "nothing loaded" in out.output
    assert "facts.yaml" in out.output and facts[-1]["key"] in out.output
    assert _sources(bare_session) == 0
    assert db.session().scalar(select(func.count()).select_from(Fact)) == 0


def test_db_current_shows_head(app: Flask) -> None:
    out = app.test_cli_runner().invoke(args=["db", "current"])
    assert out.exit_code == 0 and "head:" in out.output


def test_tokens_create_list_revoke(bare_app: Flask, bare_session: Session) -> None:
    runner = bare_app.test_cli_runner()
    created = runner.invoke(args=["tokens", "create", "alice", "--scope", "write"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[0]
    assert secret.startswith("bft_")
    listed = runner.invoke(args=["tokens", "list"])
    assert "alice\twrite" in listed.output and "active" in listed.output
    assert secret not in listed.output
    assert runner.invoke(args=["tokens", "create", "alice", "--scope", "write"]).exit_code != 0
    assert runner.invoke(args=["tokens", "create", "bob", "--scope", "root"]).exit_code != 0
    assert runner.invoke(args=["tokens", "revoke", "alice"]).exit_code == 0
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output
    assert runner.invoke(args=["tokens", "revoke", "alice"]).exit_code != 0


def test_load_fixtures_again_keeps_an_api_edit_and_says_so(app: Flask, db_session: Session) -> None:
    from api.services.fact_writes import patch_fact

    fact = db_session.scalar(select(Fact).order_by(Fact.id).limit(1))
    assert fact is not None
    patch_fact(db_session, fact, {"summary": "Edited over the API."}, "curator")
    db_session.flush()
    out = app.test_cli_runner().invoke(args=["load-fixtures"])
    assert out.exit_code == 0, out.output
    assert f"facts: 1 skipped: changed since they were loaded: {fact.key}" in out.output
    db_session.refresh(fact)
    assert fact.summary == "Edited over the API."
    forced = app.test_cli_runner().invoke(args=["load-fixtures", "--force"])
    assert forced.exit_code == 0 and "facts: 0 created, 1 updated" in forced.output
    db_session.refresh(fact)
    assert fact.summary != "Edited over the API." and fact.updated_by == "fixtures"
