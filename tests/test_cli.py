"""The `facts` command line: import, verify, load-fixtures, db."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api import __version__, db
from api.config import Defaults, default_database_url
from api.models import Evidence, Fact, Source
from tests.conftest import FIXTURES, read_seed
from tests.databases import database_url


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


def test_the_default_database_is_the_projects_wherever_a_command_runs(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    assert f"sqlite:///{root / 'instance' / 'facts.db'}" == Defaults.DATABASE_URL
    checkout = tmp_path / "checkout"
    (checkout / "api").mkdir(parents=True)
    (checkout / "setup.cfg").write_text("[metadata]\n")
    found = default_database_url(checkout / "api")
    assert found == f"sqlite:///{checkout / 'instance' / 'facts.db'}"
    # Installed (no project folder above the package): the working directory's instance/.
    assert default_database_url(tmp_path / "site-packages" / "api") == "sqlite:///instance/facts.db"


def _facts(*args: str, cwd: Path, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTS_", "FLASK_"))}
    if url:
        env["FACTS_DATABASE_URL"] = url
    command = [str(Path(sys.executable).parent / "facts"), *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_a_database_without_the_schema_is_one_line_naming_it(backend: str, tmp_path: Path) -> None:
    url = database_url(backend, "empty", tmp_path)
    article = tmp_path / "article.txt"
    article.write_text(read_seed("002_"), encoding="utf-8")
    for args in (["tokens", "list"], ["import", str(article)]):
        out = _facts(*args, cwd=tmp_path, url=url)
        assert out.returncode == 1, (args, out.stderr)
        assert out.stdout == "" and "Traceback" not in out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1, (args, out.stderr)
        assert "facts db upgrade" in lines[0]
        assert make_url(url).render_as_string(hide_password=True) in lines[0]
    assert not (tmp_path / "instance").exists()


def test_help_lists_only_the_projects_commands(tmp_path: Path) -> None:
    out = _facts("--help", cwd=tmp_path, url=f"sqlite:///{tmp_path / 'help.db'}")
    assert out.returncode == 0, out.stderr
    listed = set(re.findall(r"^  ([a-z][a-z-]*)  ", out.stdout.split("Commands:")[1], re.M))
    assert {"db", "load-fixtures", "import", "verify", "tokens", "export"} <= listed
    assert not listed & {"run", "shell", "routes", "limiter", "openapi"}, listed
    version = _facts("--version", cwd=tmp_path, url=f"sqlite:///{tmp_path / 'help.db'}")
    assert version.stdout.strip() == f"facts, version {__version__}"
