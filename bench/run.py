"""Run the benchmark: our API beside the ceiling, the floor and Datasette, on one machine.

    python bench/run.py                         # full run (make bench): SQLite, and PostgreSQL
                                                #   when BENCH_PG_URL is set
    python bench/run.py --db /tmp/tiny.db --seconds 1 --rounds 1 --no-datasette --out /tmp/r.md

Prints a table and writes it to bench/RESULTS.md (--out) with the machine, every figure,
and the ratios to the ceilings (a fixed 2 KB body, and our own page of 50's bytes), the
floors (raw sqlite3, and raw psycopg on PostgreSQL) and Datasette. Servers run on core 0 and
the load generator on core 1 (taskset), each scenario for --seconds, --rounds times, medians
kept.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.load import Result, Server  # noqa: E402
from bench.pg_floor import conninfo  # noqa: E402

DATASETTE_VENV = ROOT / "bench" / ".venv-datasette"
# Scenario (1): the page of 50 of the largest dyad, and the floors' page of the same dyad.
PAGE = "/api/v1/facts?dyad=RUS,IRQ&sort=-date&limit=50"
FLOOR_PAGE = "/page?a=RUS&b=IRQ"


@dataclass
class Row:
    """One line of the results table."""

    scenario: str
    system: str
    result: Result | None = None
    note: str = ""


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = (
        subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
        if shutil.which("psql")
        else "n/a"
    )
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg or "n/a",
        "load generator": "wrk" if shutil.which("wrk") else "Python driver (wrk not installed)",
        "pinning": "server on core 0, load on core 1"
        if load.PINNING
        else "none (taskset or 2 cores missing)",
    }


def ensure_datasette() -> Path | None:
    """Datasette in its own virtualenv (created on first use)."""
    exe = DATASETTE_VENV / "bin" / "datasette"
    if not exe.exists():
        print("installing Datasette into bench/.venv-datasette …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        done = subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", "datasette"])
        if done.returncode != 0:
            return None
    return exe


def get_json(
    server: Server, path: str, headers: dict[str, str] | None = None
) -> tuple[Any, dict[str, str]]:
    req = urllib.request.Request(server.base + path, headers=headers or {})
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read()), dict(resp.headers)


def deep_cursor(env: dict[str, str], depth: int) -> str:
    """A cursor for the default fact list, ``depth`` rows in (signed as the server signs)."""
    code = (
        "import sys; from api import create_app; from api.responses.lists import cursor_codec\n"
        "from api.services.fact_query import SORTS, FactQuery\n"
        "from api.db import session; from sqlalchemy import select; from api.models import Fact\n"
        "app = create_app()\n"
        "with app.test_request_context():\n"
        "    query = FactQuery.build({'status': ['published']}, '-date')\n"
        "    row = session().execute(select(Fact.sort_date, Fact.id)"
        ".where(Fact.status == 'published').order_by(Fact.sort_date.desc(), Fact.id.desc())"
        ".offset(int(sys.argv[1])).limit(1)).one()\n"
        "    key = SORTS['date'].key_out(row[0])\n"
        "    print(cursor_codec(app.config).encode(query.sort_arg, key, row[1], query.fingerprint()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(depth)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def measure(
    server: Server,
    path: str,
    args: argparse.Namespace,
    headers: dict[str, str] | None = None,
    connections: int | None = None,
) -> Result:
    clients = connections or args.connections
    load.load(server, path, min(2.0, args.seconds), clients, headers)  # warm-up
    return load.median_of(
        [load.load(server, path, args.seconds, clients, headers) for _ in range(args.rounds)]
    )


def api_env(url: str) -> dict[str, str]:
    # A longer database deadline than the default 5 s: on PostgreSQL the first, uncached
    # summary of the RUS-IRQ dyad (170,000 of the 1M facts) takes 4-8 s (it is then kept
    # in memory, and scenario 3 measures that); under the default it is a 503. See
    # docs/performance.md, "Where it stands".
    return {
        "FACTS_DATABASE_URL": url,
        "FACTS_RATELIMIT_ENABLED": "false",
        "FACTS_DATABASE_TIMEOUT": "30",
        "PYTHONPATH": str(ROOT),
    }


def read_scenarios(
    label: str,
    url: str,
    args: argparse.Namespace,
    logs: Path,
    rows: list[Row],
    pin: Callable[[], ContextManager[Any]] = contextlib.nullcontext,
) -> dict[str, Result]:
    """Scenarios 1-7 against our API on one database (``pin``: around the pinned ones)."""
    env = api_env(url)
    found: dict[str, Result] = {}
    with pin():
        pinned_scenarios(label, env, args, logs, rows, found)
    if args.production:
        prod = load.gunicorn(
            f"api-{label}-prod",
            "wsgi:app",
            env,
            logs,
            config=str(ROOT / "gunicorn.conf.py"),
            cpu=None,
        )
        try:
            found["page_prod"] = measure(prod, PAGE, args)
            rows.append(
                Row(
                    "(1) page of 50, production config",
                    f"bilateral-facts ({label}, gunicorn.conf.py)",
                    found["page_prod"],
                    "workers from the CPU count, not pinned",
                )
            )
        finally:
            prod.stop()
    return found


def pinned_scenarios(
    label: str,
    env: dict[str, str],
    args: argparse.Namespace,
    logs: Path,
    rows: list[Row],
    found: dict[str, Result],
) -> None:
    """Scenarios 1-7 but the production config: one worker on core 0, the load on core 1."""
    api = load.gunicorn(f"api-{label}", "wsgi:app", env, logs)
    try:
        found["page"] = measure(api, PAGE, args)
        rows.append(
            Row("(1) page of 50, dyad RUS-IRQ", f"bilateral-facts ({label})", found["page"])
        )
        fact_id = get_json(api, "/api/v1/facts?dyad=RUS,IRQ&limit=1&fields=id")[0]["data"][0]["id"]
        found["row"] = measure(api, f"/api/v1/facts/{fact_id}", args)
        rows.append(
            Row("(2) one fact + evidence + sources", f"bilateral-facts ({label})", found["row"])
        )
        get_json(api, "/api/v1/dyads/RUS/IRQ")  # the first, uncached computation
        found["dyad"] = measure(api, "/api/v1/dyads/RUS/IRQ", args)
        rows.append(Row("(3) dyad summary RUS-IRQ", f"bilateral-facts ({label})", found["dyad"]))
        # The explorer's pages (HTML, rendered on the server), one client at a time: the
        # median is the time to serve a page, not a queue's.
        for key, name, path in (
            ("web_dyad", "(9a) explorer page /dyads/RUS/IRQ", "/dyads/RUS/IRQ"),
            ("web_fact", "(9b) explorer page /facts/{id}", f"/facts/{fact_id}"),
        ):
            found[key] = measure(api, path, args, connections=1)
            rows.append(Row(name, f"bilateral-facts ({label})", found[key], "1 connection"))
        _, headers = get_json(api, PAGE)
        found["304"] = measure(api, PAGE, args, {"If-None-Match": headers["ETag"]})
        rows.append(
            Row("(5) page of 50, If-None-Match (304)", f"bilateral-facts ({label})", found["304"])
        )
        status, lines, seconds = load.stream(api, "/api/v1/facts?format=ndjson")
        rows.append(
            Row(
                "(6) NDJSON export, every fact",
                f"bilateral-facts ({label})",
                None,
                f"{lines:,} rows in {seconds:.1f} s = {lines / seconds:,.0f} rows/s; "
                f"peak worker RSS {api.peak_rss_mb():.0f} MB; HTTP {status}",
            )
        )
        csv_path = "/api/v1/facts?format=csv&dyad=RUS,IRQ&from=1991&to=2013"
        status, lines, seconds = load.stream(api, csv_path)
        rows.append(
            Row(
                "(7) CSV export of a filtered list",
                f"bilateral-facts ({label})",
                None,
                f"{lines - 1:,} rows in {seconds:.1f} s = {(lines - 1) / seconds:,.0f} rows/s; HTTP {status}",
            )
        )
    finally:
        api.stop()
    # The same page, and the first and deep pages, read afresh each time: the page cache
    # (api/responses/page_cache.py) off, so these measure the read itself.
    cold = load.gunicorn(
        f"api-{label}-uncached", "wsgi:app", {**env, "FACTS_PAGE_CACHE_MB": "0"}, logs
    )
    try:
        found["page_uncached"] = measure(cold, PAGE, args)
        rows.append(
            Row(
                "(1) page of 50, dyad RUS-IRQ",
                f"bilateral-facts ({label})",
                found["page_uncached"],
                "page cache off: read afresh each time",
            )
        )
        total = get_json(cold, "/api/v1/facts?limit=1&count=true")[0]["meta"]["total"]
        depth = min(args.depth, max(0, total - 60))
        cursor = deep_cursor(env, depth)
        found["first"] = measure(cold, "/api/v1/facts?limit=50", args)
        found["deep"] = measure(cold, f"/api/v1/facts?limit=50&cursor={cursor}", args)
        rows.append(Row("(4a) first page, all facts", f"bilateral-facts ({label})", found["first"]))
        rows.append(
            Row(
                f"(4b) keyset page {depth:,} rows deep",
                f"bilateral-facts ({label})",
                found["deep"],
                f"latency {found['deep'].p50_ms / max(found['first'].p50_ms, 1e-9):.2f}x the first page (p50)",
            )
        )
    finally:
        cold.stop()


NEWS = sorted((ROOT / "bench" / "suggest_corpus" / "articles").glob("*.txt")) + sorted(
    (ROOT / "fixtures" / "articles").glob("*.txt")
)


def import_news(conn: Any, auth: dict[str, str], stamp: int, n: int, label: str) -> Row:
    """(8c) Import news articles (the annotated corpus and the seeds, each copy made unique
    by a first line), so the extractor reads real news text: its suggestions are stored in
    the same request. Most copies are near-duplicates of an earlier one, as syndicated news
    is."""
    texts = [path.read_text(encoding="utf-8") for path in NEWS]
    headers = {**auth, "Content-Type": "text/plain"}
    bad = found = 0
    links: list[str] = []
    t = time.perf_counter()
    for i in range(n):
        body = f"Bench copy {stamp}-{i}.\n\n{texts[i % len(texts)]}".encode()
        conn.request("POST", "/api/v1/sources?outlet=Bench", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        bad += resp.status not in (200, 201)
        if i < len(texts):
            links.append(resp.getheader("Link") or "")
    seconds = time.perf_counter() - t
    for link in links:  # how many suggestions each article got (after the clock stopped)
        path = "/" + link[1 : link.index(">")].split("//", 1)[-1].split("/", 1)[1]
        conn.request("GET", path, headers=auth)
        found += len(json.loads(conn.getresponse().read())["data"])
    return Row(
        f"(8c) import {n:,} news articles over HTTP",
        f"bilateral-facts ({label})",
        None,
        f"{n / seconds:,.0f} articles/s with near-duplicate search and suggestions "
        f"({found / len(texts):.1f} per article); {bad} failed",
    )


def write_scenarios(
    label: str, url: str, args: argparse.Namespace, logs: Path, rows: list[Row]
) -> None:
    """Scenario 8: importing articles (generated text, then news text), and a 90/10
    read/write mix."""
    env = api_env(url)
    token = subprocess.run(
        [
            str(load.VENV_BIN / "facts"),
            "tokens",
            "create",
            f"bench-{time.time_ns()}",
            "--scope",
            "write",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    api = load.gunicorn(f"api-{label}-writes", "wsgi:app", env, logs)
    try:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=60)
        stamp = time.time_ns()
        n = args.articles
        t = time.perf_counter()
        bad = 0
        for i in range(n):
            body = json.dumps(
                {
                    "body": f"Benchmark article {stamp}-{i}. "
                    + " ".join(
                        f"word{(i * 7 + k) % 997} minister{k % 13} talks" for k in range(40)
                    ),
                    "outlet": "Bench",
                }
            )
            conn.request("POST", "/api/v1/sources", body=body, headers=auth)
            resp = conn.getresponse()
            resp.read()
            bad += resp.status not in (200, 201)
        seconds = time.perf_counter() - t
        rows.append(
            Row(
                f"(8a) import {n:,} articles over HTTP",
                f"bilateral-facts ({label})",
                None,
                f"{n / seconds:,.0f} articles/s with near-duplicate search; {bad} failed",
            )
        )
        rows.append(import_news(conn, auth, stamp, n, label))
        source_id = get_json(api, "/api/v1/sources?limit=1&fields=id")[0]["data"][0]["id"]
        quote = get_json(api, f"/api/v1/sources/{source_id}")[0]["body"][:40]
        fact = {
            "type": "statement",
            "subject": "RUS",
            "counterpart": "IRQ",
            "summary": "Bench write.",
            "attributes": {"kind": "other"},
            "evidence": [{"source_id": source_id, "quote": quote}],
        }

        def mixed(k: int) -> tuple[str, str, dict[str, str], bytes | None]:
            if k % 10 == 9:
                return "POST", "/api/v1/facts", auth, json.dumps(fact).encode()
            return "GET", PAGE, {}, None

        result = load.drive(api.port, mixed, args.seconds, args.connections)
        rows.append(
            Row(
                "(8b) 90/10 read/write mix",
                f"bilateral-facts ({label})",
                result,
                "reads: page of 50; writes: POST /facts (draft)",
            )
        )
    finally:
        api.stop()


def same_bytes_ceiling(url: str, args: argparse.Namespace, logs: Path) -> tuple[Result, int]:
    """A bare WSGI app answering with our API's page of 50 (its body and Content-Type), run
    and loaded as that page is in scenario (1): (its result, the body's size)."""
    api = load.gunicorn("api-SQLite-page-bytes", "wsgi:app", api_env(url), logs)
    try:
        with urllib.request.urlopen(api.base + PAGE, timeout=600) as resp:
            body, content_type = resp.read(), resp.headers["Content-Type"]
    finally:
        api.stop()
    path = logs / "page-of-50.body"
    path.write_bytes(body)
    env = {
        "PYTHONPATH": str(ROOT),
        "CEILING_BODY_FILE": str(path),
        "CEILING_CONTENT_TYPE": content_type,
    }
    # The same load.gunicorn settings as our API in read_scenarios, and the same request.
    ceiling = load.gunicorn("ceiling-same-bytes", "bench.ceiling:same_bytes()", env, logs)
    try:
        return measure(ceiling, PAGE, args), len(body)
    finally:
        ceiling.stop()


def references(db: str, args: argparse.Namespace, logs: Path, rows: list[Row]) -> dict[str, Result]:
    """The ceilings, the floor and Datasette on the same SQLite file."""
    found: dict[str, Result] = {}
    ceiling = load.gunicorn(
        "ceiling", "bench.ceiling:app", {"PYTHONPATH": str(ROOT)}, logs, ready_path="/"
    )
    try:
        found["ceiling"] = measure(ceiling, "/", args)
        rows.append(Row("(0) fixed 2 KB JSON", "ceiling (bare WSGI)", found["ceiling"]))
    finally:
        ceiling.stop()
    found["same_bytes"], size = same_bytes_ceiling(f"sqlite:///{db}", args, logs)
    rows.append(
        Row(
            "(1) page of 50, same bytes",
            "same-bytes ceiling (bare WSGI)",
            found["same_bytes"],
            f"the {size:,} bytes of our API's page of 50 (SQLite)",
        )
    )
    floor = load.gunicorn(
        "floor",
        "bench.floor:app",
        {"PYTHONPATH": str(ROOT), "FLOOR_DB": db},
        logs,
        ready_path="/fact?id=1",
    )
    try:
        found["floor_page"] = measure(floor, FLOOR_PAGE, args)
        rows.append(
            Row("(1) page of 50, dyad RUS-IRQ", "floor (sqlite3 + json.dumps)", found["floor_page"])
        )
        found["floor_row"] = measure(floor, "/fact?id=1", args)
        rows.append(
            Row("(2) one fact + evidence", "floor (sqlite3 + json.dumps)", found["floor_row"])
        )
    finally:
        floor.stop()
    if args.datasette and (exe := ensure_datasette()):
        port = load.free_port()
        cmd = [
            str(exe),
            "serve",
            db,
            "--port",
            str(port),
            "--setting",
            "suggest_facets",
            "off",
            "--setting",
            "sql_time_limit_ms",
            "10000",
        ]
        ds = load.start("datasette", cmd, {}, port, logs, ready_path="/-/versions.json")
        try:
            name = Path(db).stem
            found["ds_page"] = measure(
                ds,
                f"/{name}/fact.json?subject=RUS&counterpart=IRQ&_sort_desc=date_start&_size=50&_shape=array",
                args,
            )
            rows.append(
                Row("(1) page of 50, dyad RUS-IRQ", "Datasette (one direction)", found["ds_page"])
            )
            found["ds_row"] = measure(ds, f"/{name}/fact/1.json?_shape=array", args)
            rows.append(Row("(2) one row", "Datasette row page", found["ds_row"]))
        finally:
            ds.stop()
    return found


def pg_floor(url: str, args: argparse.Namespace, logs: Path, rows: list[Row]) -> dict[str, Result]:
    """The PostgreSQL floor (psycopg + json.dumps) on the PostgreSQL database, run as the
    SQLite floor is."""
    env = {"PYTHONPATH": str(ROOT), "PG_FLOOR_URL": conninfo(url)}
    floor = load.gunicorn("pg-floor", "bench.pg_floor:app", env, logs, ready_path=FLOOR_PAGE)
    try:
        found = {"floor_page": measure(floor, FLOOR_PAGE, args)}
        rows.append(
            Row(
                "(1) page of 50, dyad RUS-IRQ",
                "PostgreSQL floor (psycopg + json.dumps)",
                found["floor_page"],
            )
        )
    finally:
        floor.stop()
    return found


def pg_unpinned(
    url: str, args: argparse.Namespace, logs: Path, rows: list[Row]
) -> dict[str, Result]:
    """The PostgreSQL page and 304 again with the database server where the scheduler puts
    it (the API still on core 0): what the pinning changes, for the record."""
    api = load.gunicorn("api-PostgreSQL-unpinned", "wsgi:app", api_env(url), logs)
    found: dict[str, Result] = {}
    note = "PostgreSQL not pinned"
    try:
        found["page_unpinned"] = measure(api, PAGE, args)
        rows.append(
            Row(
                "(1) page of 50, dyad RUS-IRQ",
                "bilateral-facts (PostgreSQL)",
                found["page_unpinned"],
                note,
            )
        )
        _, headers = get_json(api, PAGE)
        found["304_unpinned"] = measure(api, PAGE, args, {"If-None-Match": headers["ETag"]})
        rows.append(
            Row(
                "(5) page of 50, If-None-Match (304)",
                "bilateral-facts (PostgreSQL)",
                found["304_unpinned"],
                note,
            )
        )
    finally:
        api.stop()
    return found


def latency_ratio(found: dict[str, Result]) -> str:
    """Deep keyset page over first page, p50."""
    if "deep" not in found:
        return "n/a"
    return f"{found['deep'].p50_ms / found['first'].p50_ms:.2f}x"


def ratio(a: Result | None, b: Result | None) -> str:
    return f"{a.rps / b.rps:.2f}x" if a and b and b.rps else "n/a"


def report(
    rows: list[Row],
    info: dict[str, str],
    ours: dict[str, Result],
    refs: dict[str, Result],
    pg: dict[str, Result],
    args: argparse.Namespace,
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`python bench/run.py` ({args.seconds:g} s per scenario, {args.rounds} rounds, medians, "
        f"{args.connections} connections, 1 sync gunicorn worker unless noted).",
        "",
    ]
    lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in info.items()] + [""]
    lines += [
        "| scenario | system | req/s | p50 ms | p99 ms | errors | note |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if r.result:
            res = r.result
            lines.append(
                f"| {r.scenario} | {r.system} | {res.rps:,.0f} | {res.p50_ms:.2f} | {res.p99_ms:.2f} | {res.bad} | {r.note} |"
            )
        else:
            lines.append(f"| {r.scenario} | {r.system} | | | | | {r.note} |")
    targets = [
        ("(1) page of 50 vs Datasette", ratio(ours.get("page"), refs.get("ds_page")), ">= 3x"),
        ("(1) page of 50 vs floor", ratio(ours.get("page"), refs.get("floor_page")), ">= 0.7x"),
        (
            "(1) page of 50 p99 at 16 connections",
            f"{ours['page'].p99_ms:.1f} ms" if "page" in ours else "n/a",
            "< 25 ms",
        ),
        ("(2) one fact vs Datasette row", ratio(ours.get("row"), refs.get("ds_row")), ">= 2x"),
        ("(2) one fact vs floor", ratio(ours.get("row"), refs.get("floor_row")), ""),
        ("(4) deep page latency / first page (p50)", latency_ratio(ours), "<= 1.2x"),
        ("(5) 304 vs ceiling", ratio(ours.get("304"), refs.get("ceiling")), ">= 0.5x"),
        ("(1) page of 50 vs ceiling", ratio(ours.get("page"), refs.get("ceiling")), ""),
        (
            "(1) page of 50 vs same-bytes ceiling",
            ratio(ours.get("page"), refs.get("same_bytes")),
            ">= 0.5x",
        ),
        *[
            (
                f"{name} p50, 1 connection",
                f"{ours[key].p50_ms:.1f} ms" if key in ours else "n/a",
                "< 50 ms",
            )
            for key, name in (("web_dyad", "(9a) /dyads/RUS/IRQ"), ("web_fact", "(9b) /facts/{id}"))
        ],
        (
            "(1) page of 50, page cache off, vs same-bytes ceiling",
            ratio(ours.get("page_uncached"), refs.get("same_bytes")),
            "",
        ),
        (
            "(1) page of 50, page cache off, vs floor",
            ratio(ours.get("page_uncached"), refs.get("floor_page")),
            "",
        ),
    ]
    if pg:
        targets += [
            (
                "PostgreSQL page of 50 / SQLite page of 50",
                ratio(pg.get("page"), ours.get("page")),
                ">= 0.8x",
            ),
            (
                "PostgreSQL page of 50 vs PostgreSQL floor",
                ratio(pg.get("page"), pg.get("floor_page")),
                ">= 1.0x",
            ),
            (
                "PostgreSQL page of 50 vs same-bytes ceiling",
                ratio(pg.get("page"), refs.get("same_bytes")),
                ">= 0.5x",
            ),
            ("PostgreSQL 304 vs ceiling", ratio(pg.get("304"), refs.get("ceiling")), ">= 0.5x"),
            ("PostgreSQL deep page latency / first page (p50)", latency_ratio(pg), "<= 1.2x"),
            (
                "PostgreSQL page of 50 / SQLite's, page cache off",
                ratio(pg.get("page_uncached"), ours.get("page_uncached")),
                "",
            ),
            (
                "PostgreSQL page of 50, page cache off, vs PostgreSQL floor",
                ratio(pg.get("page_uncached"), pg.get("floor_page")),
                "",
            ),
            (
                "PostgreSQL page of 50 / SQLite's, PostgreSQL not pinned",
                ratio(pg.get("page_unpinned"), ours.get("page")),
                "",
            ),
            (
                "PostgreSQL 304 vs ceiling, PostgreSQL not pinned",
                ratio(pg.get("304_unpinned"), refs.get("ceiling")),
                "",
            ),
        ]
    lines += ["", "| ratio | measured | target |", "|---|---:|---|"] + [
        f"| {a} | {b} | {c} |" for a, b, c in targets
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        default=str(ROOT / "bench" / "data" / "bench.db"),
        help="SQLite file made by generate.py",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL"),
        help="PostgreSQL URL made by generate.py",
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--depth", type=int, default=900_000)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--no-datasette", dest="datasette", action="store_false")
    parser.add_argument("--no-production", dest="production", action="store_false")
    parser.add_argument("--no-writes", dest="writes", action="store_false")
    parser.add_argument(
        "--no-pin-postgres",
        dest="pin_postgres",
        action="store_false",
        help="leave PostgreSQL's processes where the scheduler puts them (the suite's smoke run)",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    if not Path(args.db).exists():
        sys.exit(f"{args.db} does not exist: run bench/generate.py first (make bench does)")
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    info = machine()
    rows: list[Row] = []
    refs = references(args.db, args, logs, rows)
    ours = read_scenarios("SQLite", f"sqlite:///{args.db}", args, logs, rows)
    pg: dict[str, Result] = {}
    if args.pg_url:
        notes: list[str] = []

        @contextlib.contextmanager
        def pg_pinned() -> Iterator[None]:
            if not args.pin_postgres:
                notes.append("PostgreSQL not pinned (--no-pin-postgres)")
                yield
                return
            with load.postgres_on(0, conninfo(args.pg_url)) as note:
                notes.append(note)
                yield

        with pg_pinned():
            pg = pg_floor(args.pg_url, args, logs, rows)
        pg |= read_scenarios("PostgreSQL", args.pg_url, args, logs, rows, pin=pg_pinned)
        pg |= pg_unpinned(args.pg_url, args, logs, rows)
        info["pinning"] += f"; {notes[0]}" if notes else ""
    if args.writes:
        copy = Path(logs) / "writes.db"
        # The SQLite backup API, not a file copy: recent commits (a migration just applied)
        # may still be in the write-ahead log beside the file.
        source, target = sqlite3.connect(args.db), sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
        write_scenarios("SQLite", f"sqlite:///{copy}", args, logs, rows)
        # PostgreSQL writes are left out: they would change the shared dataset for later runs.
    text = report(rows, info, ours, refs, pg, args)
    Path(args.out).write_text(text)
    print(text)
    print(f"written to {args.out}; server logs in {logs}")


if __name__ == "__main__":
    main()
