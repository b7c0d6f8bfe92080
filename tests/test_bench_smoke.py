"""The benchmark harness runs end to end on a tiny dataset, so it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from api import create_app
from bench import floor, pg_floor
from bench.run import FLOOR_PAGE, PAGE
from tests.databases import BACKENDS, PG_SKIP, database_url

ROOT = Path(__file__).resolve().parents[1]


def _generate(url: str, facts: int, sources: int) -> None:
    gen = subprocess.run(
        [
            sys.executable,
            "bench/generate.py",
            "--url",
            url,
            "--facts",
            str(facts),
            "--sources",
            str(sources),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert gen.returncode == 0, gen.stderr


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bench") / "tiny.db"
    _generate(f"sqlite:///{db}", 1500, 150)
    return db


def test_harness_runs_on_a_tiny_dataset(tiny_db: Path, tmp_path: Path) -> None:
    db = tiny_db
    _assert_documents_built(db)
    out = tmp_path / "RESULTS.md"
    # With PostgreSQL under test, its part of the harness runs too (its processes left
    # where they are: a second suite may be using the server; load.postgres_on is tested
    # on its own below).
    pg = []
    if os.environ.get("TEST_DATABASE_URL"):
        pg_url = database_url("postgresql", "bench_harness", tmp_path)
        _generate(pg_url, 600, 60)
        pg = ["--pg-url", pg_url, "--no-pin-postgres"]
    run = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--db",
            str(db),
            "--seconds",
            "1",
            "--rounds",
            "1",
            "--connections",
            "4",
            "--depth",
            "1000",
            "--articles",
            "5",
            "--no-datasette",
            "--no-production",
            "--out",
            str(out),
            *pg,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = out.read_text()
    for scenario in (
        "(0) fixed 2 KB JSON",
        "(1) page of 50, same bytes | same-bytes ceiling",
        "(1) page of 50 vs same-bytes ceiling",
        "(1) page of 50",
        "(2) one fact",
        "(3) dyad summary",
        "(4b) keyset page",
        "(5) page of 50, If-None-Match",
        "(6) NDJSON export",
        "(7) CSV export",
        "(8a) import 5 articles",
        "(8b) 90/10",
        "page cache off: read afresh each time",
        "(1) page of 50, page cache off, vs same-bytes ceiling",
    ):
        assert scenario in report, scenario
    if pg:
        for scenario in (
            "PostgreSQL floor (psycopg + json.dumps)",
            "| (1) page of 50, dyad RUS-IRQ | bilateral-facts (PostgreSQL) |",
            "PostgreSQL page of 50 / SQLite page of 50",
            "PostgreSQL page of 50 / SQLite's, page cache off",
            "PostgreSQL 304 vs ceiling, PostgreSQL not pinned",
            "PostgreSQL not pinned (--no-pin-postgres)",
        ):
            assert scenario in report, scenario
    table = [line for line in report.splitlines() if line.startswith("| (")]
    # Every measured row answered without a single error response.
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 7 and cells[2]:
            assert cells[5] == "0", line
    assert "HTTP 200" in report and "0 failed" in report


@pytest.mark.parametrize("backend", BACKENDS)
def test_floor_serves_the_api_page(
    backend: str, tiny_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each floor serves the API's page of 50: the same facts, fields and values."""
    app: ModuleType
    if backend == "sqlite":
        url, app = f"sqlite:///{tiny_db}", floor
        monkeypatch.setenv("FLOOR_DB", str(tiny_db))
    else:
        url, app = database_url("postgresql", "bench_floor", tmp_path), pg_floor
        _generate(url, 300, 40)
        monkeypatch.setenv("PG_FLOOR_URL", pg_floor.conninfo(url))
    monkeypatch.setattr(app, "_conn", None)  # one connection per process: this test's
    api = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    try:
        expected = api.test_client().get(PAGE).get_json()["data"]
        path, query = FLOOR_PAGE.split("?")
        answer: list[Any] = []
        body = b"".join(
            app.app({"PATH_INFO": path, "QUERY_STRING": query}, lambda *a: answer.append(a))
        )
    finally:
        api.extensions["db_engine"].dispose()
        if app._conn is not None:
            app._conn.close()
    assert answer[0][0] == "200 OK"
    served = json.loads(body)["data"]
    assert expected and [f["id"] for f in served] == [f["id"] for f in expected]
    assert set(served[0]) == set(expected[0])  # the field set, then every value and list
    assert served == expected


def _assert_documents_built(db: Path) -> None:
    """The bulk load rebuilt every fact's evidence and actor documents (migration 0005)."""
    import importlib.util
    import sqlite3

    path = next((ROOT / "migrations" / "versions").glob("0005_*.py"))
    spec = importlib.util.spec_from_file_location("m0005", path)
    assert spec and spec.loader
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    conn = sqlite3.connect(db)
    stale = conn.execute(
        "SELECT count(*) FROM fact WHERE evidence_doc IS NOT "
        + m.SQLITE_EVIDENCE.format(fid="fact.id")
        + " OR actors_doc IS NOT "
        + m.SQLITE_ACTORS.format(fid="fact.id")
    ).fetchone()[0]
    built = conn.execute("SELECT count(*) FROM fact WHERE evidence_doc != '[]'").fetchone()[0]
    names = list(m.SQLITE_TRIGGERS)
    triggers = conn.execute(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
        f"({', '.join('?' * len(names))})",
        names,
    ).fetchone()[0]
    missing = conn.execute("SELECT count(*) FROM fact WHERE doc IS NULL").fetchone()[0]
    conn.close()
    assert stale == 0 and built > 1000 and triggers == len(m.SQLITE_TRIGGERS)
    assert missing == 0  # and every stored fact document (api/services/fact_docs.py)


def test_postgresql_can_be_put_on_one_core_and_back() -> None:
    """bench/load.py's postgres_on: every server process on the core for the block, a
    backend started inside it too, and each one's CPU set as it was afterwards."""
    import psycopg

    from bench import load

    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(PG_SKIP)
    if not load.PINNING:
        pytest.skip("taskset or a second core is missing")
    info = pg_floor.conninfo(os.environ["TEST_DATABASE_URL"])
    with psycopg.connect(info, autocommit=True) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        before = os.sched_getaffinity(backend)
        with load.postgres_on(0, info) as note:
            if "not pinned" in note:
                pytest.skip(note)  # a server elsewhere, or not ours to move
            assert note == "PostgreSQL on core 0 with the server"
            assert os.sched_getaffinity(backend) == {0}
            with psycopg.connect(info, autocommit=True) as inside:
                new = inside.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
                assert os.sched_getaffinity(new) == {0}
        assert os.sched_getaffinity(backend) == before


def test_compared_figures_are_measured_by_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """bench/run.py's interleaved: every cell warmed, then rounds in A B, B A order; a
    ratio is the median of the rounds' own ratios, the ratio of medians only for figures
    not measured by turns in one group."""
    from bench import load, run
    from bench.load import Result

    calls: list[tuple[str, float]] = []
    # The warm-up, then each round's throughput; round 2 hits both, B more.
    speeds = {"/a": iter([0, 100, 50, 110]), "/b": iter([0, 200, 60, 190])}

    def fake_load(server: Any, path: str, seconds: float, *rest: Any) -> Result:
        calls.append((path, seconds))
        rps = next(speeds[path])
        return Result(rps, 1000 / max(rps, 1), 2.0, 1, 0)

    monkeypatch.setattr(load, "load", fake_load)
    args = type("Args", (), {"seconds": 6.0, "rounds": 3, "connections": 4})()
    cells = [run.Cell("a", None, "/a"), run.Cell("b", None, "/b")]  # type: ignore[arg-type]
    found = run.interleaved("g", cells, args)  # type: ignore[arg-type]
    assert [path for path, _ in calls] == ["/a", "/b", "/a", "/b", "/b", "/a", "/a", "/b"]
    assert [seconds for _, seconds in calls] == [2.0, 2.0] + [6.0] * 6
    assert found["a"].rps == 100 and found["b"].rps == 190
    # Rounds' ratios 0.50, 0.83, 0.58: their median, not 100 / 190.
    assert run.ratio(found["a"], found["b"]) == "0.58x"
    assert run.of_medians(found["a"], found["b"], lambda r: r.rps) == "0.53x"
    assert run.latency_ratio(found["a"], found["b"]) == "1.73x"  # p50s: 10/5, 20/16.7, 9.1/5.3
    lone = Result(400, 2.5, 3.0, 1, 0)  # measured on its own
    assert run.paired(found["a"], lone, lambda r: r.rps) is None
    assert run.ratio(found["a"], lone) == "0.25x"
