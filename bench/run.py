"""Run the benchmark: our API beside the ceiling, the floor and Datasette, on one machine.

    python bench/run.py                         # full run (make bench): SQLite, and PostgreSQL
                                                #   when BENCH_PG_URL is set
    python bench/run.py --db /tmp/tiny.db --seconds 1 --rounds 1 --no-datasette --out /tmp/r.md

Prints a table and writes it to bench/RESULTS.md (--out) with the machine, every figure,
and the ratios to the ceilings (a fixed 2 KB body, and our own page of 50's bytes), the
floors (raw sqlite3, and raw psycopg on PostgreSQL) and Datasette. Servers run on core 0 and
the load generator on core 1 (taskset), each scenario for --seconds, --rounds times, medians
kept. The figures the targets compare are measured by turns with every server up
(``comparisons``), so each ratio is the median of its rounds' own ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
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
        check=False,
    )
    if out.returncode:  # say why: the run stops here
        raise RuntimeError(f"the deep cursor could not be made:\n{out.stderr}")
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


@dataclass
class Cell:
    """One measured figure of the comparison groups: a path loaded on one server."""

    key: str
    server: Server
    path: str
    headers: dict[str, str] | None = None


def interleaved(group: str, cells: list[Cell], args: argparse.Namespace) -> dict[str, Result]:
    """The cells' figures, measured by turns: each warmed up, then ``--rounds`` rounds of
    every cell one after another, the order reversed every other round (A B C, C B A, ...).

    Figures compared with each other are measured seconds apart, not minutes: on a shared
    machine whose speed drifts for minutes at a time, their ratio is then a property of the
    code, not of when each ran. Each result keeps its rounds (``extra["runs"]``) and group,
    so ``ratio`` can take the median of the rounds' own ratios (``paired``)."""
    for cell in cells:
        load.load(cell.server, cell.path, min(2.0, args.seconds), args.connections, cell.headers)
    runs: dict[str, list[Result]] = {cell.key: [] for cell in cells}
    for n in range(args.rounds):
        for cell in cells if n % 2 == 0 else cells[::-1]:
            runs[cell.key].append(
                load.load(cell.server, cell.path, args.seconds, args.connections, cell.headers)
            )
    found = {}
    for key, results in runs.items():
        found[key] = load.median_of(results)
        found[key].extra.update(runs=results, group=group)
    return found


def paired(a: Result, b: Result, figure: Callable[[Result], float]) -> float | None:
    """The median over rounds of figure(a) / figure(b), when a and b were measured by turns
    in one group (None otherwise)."""
    ra, rb = a.extra.get("runs"), b.extra.get("runs")
    if not ra or not rb or a.extra.get("group") != b.extra.get("group") or len(ra) != len(rb):
        return None
    return statistics.median(figure(x) / max(figure(y), 1e-9) for x, y in zip(ra, rb, strict=True))


def comparisons(
    args: argparse.Namespace, logs: Path, rows: list[Row], pin: Callable[[], ContextManager[Any]]
) -> dict[str, Result]:
    """Every figure a target compares with another (scenarios 0, 1, 2, 4, 5 and the
    references), with every server up at once on core 0 and measured by turns in four
    groups (``interleaved``): the page, the 304 with the 2 KB ceiling, the one fact, the
    first and deep pages. Keys: SQLite's as they are, PostgreSQL's as ``pg.<key>``."""
    sqlite_url = f"sqlite:///{args.db}"
    with contextlib.ExitStack() as stack, pin():

        def up(name: str, app: str, env: dict[str, str], **kw: Any) -> Server:
            server = load.gunicorn(name, app, env, logs, **kw)
            stack.callback(server.stop)
            return server

        env = api_env(sqlite_url)
        api = up("api-SQLite", "wsgi:app", env)
        cold = up("api-SQLite-uncached", "wsgi:app", {**env, "FACTS_PAGE_CACHE_MB": "0"})
        with urllib.request.urlopen(api.base + PAGE, timeout=600) as resp:
            body, content_type = resp.read(), resp.headers["Content-Type"]
        (logs / "page-of-50.body").write_bytes(body)
        bare = {"PYTHONPATH": str(ROOT)}
        same = up(
            "ceiling-same-bytes",
            "bench.ceiling:same_bytes()",
            {
                **bare,
                "CEILING_BODY_FILE": str(logs / "page-of-50.body"),
                "CEILING_CONTENT_TYPE": content_type,
            },
        )
        ceiling = up("ceiling", "bench.ceiling:app", bare, ready_path="/")
        floor = up(
            "floor", "bench.floor:app", {**bare, "FLOOR_DB": args.db}, ready_path="/fact?id=1"
        )
        page = [
            Cell("page", api, PAGE),
            Cell("same_bytes", same, PAGE),
            Cell("floor_page", floor, FLOOR_PAGE),
            Cell("page_uncached", cold, PAGE),
        ]
        fact_id = get_json(api, "/api/v1/facts?dyad=RUS,IRQ&limit=1&fields=id")[0]["data"][0]["id"]
        one = [
            Cell("row", api, f"/api/v1/facts/{fact_id}"),
            Cell("floor_row", floor, "/fact?id=1"),
            Cell("row_uncached", cold, f"/api/v1/facts/{fact_id}"),
        ]
        etag = get_json(api, PAGE)[1]["ETag"]
        not_modified = [
            Cell("ceiling", ceiling, "/"),
            Cell("304", api, PAGE, {"If-None-Match": etag}),
        ]
        depth = _depth(cold, args)
        deep = [
            Cell("first", cold, "/api/v1/facts?limit=50"),
            Cell("deep", cold, f"/api/v1/facts?limit=50&cursor={deep_cursor(env, depth)}"),
        ]
        if args.datasette and (exe := ensure_datasette()):
            ds = _datasette(exe, args.db, logs)
            stack.callback(ds.stop)
            name = Path(args.db).stem
            page.append(
                Cell(
                    "ds_page",
                    ds,
                    f"/{name}/fact.json?subject=RUS&counterpart=IRQ&_sort_desc=date_start&_size=50&_shape=array",
                )
            )
            one.append(Cell("ds_row", ds, f"/{name}/fact/1.json?_shape=array"))
        pg_depth = 0
        if args.pg_url:
            pg_env = api_env(args.pg_url)
            pg_api = up("api-PostgreSQL", "wsgi:app", pg_env)
            pg_cold = up(
                "api-PostgreSQL-uncached", "wsgi:app", {**pg_env, "FACTS_PAGE_CACHE_MB": "0"}
            )
            pg_floor = up(
                "pg-floor",
                "bench.pg_floor:app",
                {**bare, "PG_FLOOR_URL": conninfo(args.pg_url)},
                ready_path=FLOOR_PAGE,
            )
            # PostgreSQL's page beside SQLite's: the target compares the two.
            page[1:1] = [Cell("pg.page", pg_api, PAGE)]
            page += [
                Cell("pg.floor_page", pg_floor, FLOOR_PAGE),
                Cell("pg.page_uncached", pg_cold, PAGE),
            ]
            pg_id = get_json(pg_api, "/api/v1/facts?dyad=RUS,IRQ&limit=1&fields=id")[0]["data"][0][
                "id"
            ]
            one.append(Cell("pg.row", pg_api, f"/api/v1/facts/{pg_id}"))
            pg_etag = get_json(pg_api, PAGE)[1]["ETag"]
            not_modified.append(Cell("pg.304", pg_api, PAGE, {"If-None-Match": pg_etag}))
            pg_depth = _depth(pg_cold, args)
            deep += [
                Cell("pg.first", pg_cold, "/api/v1/facts?limit=50"),
                Cell(
                    "pg.deep",
                    pg_cold,
                    f"/api/v1/facts?limit=50&cursor={deep_cursor(pg_env, pg_depth)}",
                ),
            ]
        found: dict[str, Result] = {}
        for group, cells in (("page", page), ("304", not_modified), ("one", one), ("deep", deep)):
            found |= interleaved(group, cells, args)
    _rows(found, rows, len(body), depth, pg_depth)
    return found


def _depth(server: Server, args: argparse.Namespace) -> int:
    """How deep (4b)'s keyset page is: --depth, or near the end of a smaller dataset."""
    total = get_json(server, "/api/v1/facts?limit=1&count=true")[0]["meta"]["total"]
    return int(min(args.depth, max(0, total - 60)))


def _datasette(exe: Path, db: str, logs: Path) -> Server:
    port = load.free_port()
    cmd = [str(exe), "serve", db, "--port", str(port)]
    cmd += ["--setting", "suggest_facets", "off", "--setting", "sql_time_limit_ms", "10000"]
    return load.start("datasette", cmd, {}, port, logs, ready_path="/-/versions.json")


def _rows(found: dict[str, Result], rows: list[Row], size: int, depth: int, pg_depth: int) -> None:
    """The results table's lines for ``comparisons``' figures."""
    cache_off = "page cache off: read afresh each time"
    table = [
        ("ceiling", "(0) fixed 2 KB JSON", "ceiling (bare WSGI)", ""),
        (
            "same_bytes",
            "(1) page of 50, same bytes",
            "same-bytes ceiling (bare WSGI)",
            f"the {size:,} bytes of our API's page of 50 (SQLite)",
        ),
        ("floor_page", "(1) page of 50, dyad RUS-IRQ", "floor (sqlite3 + json.dumps)", ""),
        ("floor_row", "(2) one fact + evidence", "floor (sqlite3 + json.dumps)", ""),
        ("ds_page", "(1) page of 50, dyad RUS-IRQ", "Datasette (one direction)", ""),
        ("ds_row", "(2) one row", "Datasette row page", ""),
        (
            "pg.floor_page",
            "(1) page of 50, dyad RUS-IRQ",
            "PostgreSQL floor (psycopg + json.dumps)",
            "",
        ),
    ]
    for prefix, label, rows_depth in (("", "SQLite", depth), ("pg.", "PostgreSQL", pg_depth)):
        ours = f"bilateral-facts ({label})"
        deep = found.get(f"{prefix}deep")
        first = found.get(f"{prefix}first")
        table += [
            (f"{prefix}page", "(1) page of 50, dyad RUS-IRQ", ours, ""),
            (f"{prefix}page_uncached", "(1) page of 50, dyad RUS-IRQ", ours, cache_off),
            (f"{prefix}row", "(2) one fact + evidence + sources", ours, ""),
            (f"{prefix}row_uncached", "(2) one fact + evidence + sources", ours, cache_off),
            (f"{prefix}first", "(4a) first page, all facts", ours, cache_off),
            (
                f"{prefix}deep",
                f"(4b) keyset page {rows_depth:,} rows deep",
                ours,
                f"latency {latency_ratio(deep, first)} the first page (p50); {cache_off}",
            ),
            (f"{prefix}304", "(5) page of 50, If-None-Match (304)", ours, ""),
        ]
    rows += [Row(s, system, found[k], note) for k, s, system, note in table if k in found]


def other_reads(
    label: str,
    url: str,
    args: argparse.Namespace,
    logs: Path,
    rows: list[Row],
    pin: Callable[[], ContextManager[Any]] = contextlib.nullcontext,
) -> dict[str, Result]:
    """The figures no target compares with another's (scenarios 3, 6, 7, 9 and the
    production config), each on its own, for one database."""
    env = api_env(url)
    found: dict[str, Result] = {}
    ours = f"bilateral-facts ({label})"
    with pin():
        # The exports first, on a worker of their own: the RSS figure is then the export's
        # (the dyad summary and the explorer's pages below add their own memory to a worker,
        # about 40 MB each on the 1M dataset, which that worker's row shows).
        api = load.gunicorn(f"api-{label}-exports", "wsgi:app", env, logs)
        try:
            # Each export once unmeasured first, as every other figure has its warm-up: the
            # figure is then the code's, not whether the database's files were still in the
            # OS page cache (measured: the RUS-IRQ export 163 s cold, 22 s warm).
            load.stream(api, "/api/v1/facts?format=ndjson")
            status, lines, seconds = load.stream(api, "/api/v1/facts?format=ndjson")
            rows.append(
                Row(
                    "(6) NDJSON export, every fact",
                    ours,
                    None,
                    f"{lines:,} rows in {seconds:.1f} s = {lines / seconds:,.0f} rows/s; "
                    f"peak worker RSS {api.peak_rss_mb():.0f} MB (a fresh worker, over both runs); "
                    f"HTTP {status}",
                )
            )
            csv_path = "/api/v1/facts?format=csv&dyad=RUS,IRQ&from=1991&to=2013"
            load.stream(api, csv_path)
            status, lines, seconds = load.stream(api, csv_path)
            rows.append(
                Row(
                    "(7) CSV export of a filtered list",
                    ours,
                    None,
                    f"{lines - 1:,} rows in {seconds:.1f} s = {(lines - 1) / seconds:,.0f} rows/s; HTTP {status}",
                )
            )
        finally:
            api.stop()
        api = load.gunicorn(f"api-{label}-others", "wsgi:app", env, logs)
        try:
            get_json(api, "/api/v1/dyads/RUS/IRQ")  # the first, uncached computation
            found["dyad"] = measure(api, "/api/v1/dyads/RUS/IRQ", args)
            rows.append(Row("(3) dyad summary RUS-IRQ", ours, found["dyad"]))
            fact_id = get_json(api, "/api/v1/facts?dyad=RUS,IRQ&limit=1&fields=id")[0]["data"][0][
                "id"
            ]
            # The explorer's pages (HTML, rendered on the server), one client at a time:
            # the median is the time to serve a page, not a queue's.
            for key, name, path in (
                ("web_dyad", "(9a) explorer page /dyads/RUS/IRQ", "/dyads/RUS/IRQ"),
                ("web_fact", "(9b) explorer page /facts/{id}", f"/facts/{fact_id}"),
            ):
                found[key] = measure(api, path, args, connections=1)
                rows.append(Row(name, ours, found[key], "1 connection"))
            rows[
                -1
            ].note += (
                f"; peak RSS of the worker that served (3), (9a), (9b): {api.peak_rss_mb():.0f} MB"
            )
        finally:
            api.stop()
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


def pg_unpinned(
    url: str, args: argparse.Namespace, logs: Path, rows: list[Row]
) -> dict[str, Result]:
    """The PostgreSQL page and 304 again with the database server where the scheduler puts
    it (the API still on core 0): what the pinning changes, for the record."""
    api = load.gunicorn("api-PostgreSQL-unpinned", "wsgi:app", api_env(url), logs)
    note = "PostgreSQL not pinned"
    try:
        etag = get_json(api, PAGE)[1]["ETag"]
        found = interleaved(
            "unpinned",
            [
                Cell("pg.page_unpinned", api, PAGE),
                Cell("pg.304_unpinned", api, PAGE, {"If-None-Match": etag}),
            ],
            args,
        )
    finally:
        api.stop()
    ours = "bilateral-facts (PostgreSQL)"
    rows.append(Row("(1) page of 50, dyad RUS-IRQ", ours, found["pg.page_unpinned"], note))
    rows.append(Row("(5) page of 50, If-None-Match (304)", ours, found["pg.304_unpinned"], note))
    return found


def latency_ratio(deep: Result | None, first: Result | None) -> str:
    """A deep keyset page's p50 latency over the first page's (by turns where paired)."""
    if not deep or not first:
        return "n/a"
    value = paired(deep, first, lambda r: r.p50_ms)
    return f"{deep.p50_ms / max(first.p50_ms, 1e-9) if value is None else value:.2f}x"


def ratio(a: Result | None, b: Result | None) -> str:
    """a's req/s over b's: the median of the rounds' own ratios where a and b were measured
    by turns (``interleaved``), else the ratio of their medians."""
    if not a or not b or not b.rps:
        return "n/a"
    value = paired(a, b, lambda r: r.rps)
    return f"{a.rps / b.rps if value is None else value:.2f}x"


def of_medians(a: Result | None, b: Result | None, figure: Callable[[Result], float]) -> str:
    return f"{figure(a) / figure(b):.2f}x" if a and b and figure(b) else "n/a"


def report(
    rows: list[Row], info: dict[str, str], found: dict[str, Result], args: argparse.Namespace
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`python bench/run.py` ({args.seconds:g} s per scenario, {args.rounds} rounds, medians, "
        f"{args.connections} connections, 1 sync gunicorn worker unless noted). The figures "
        "the ratios compare were measured by turns, every server up at once (the page, the "
        "304, the one fact, the deep page: four groups, each round running every figure of "
        "its group once, the order reversed every other round); a ratio is the median of the "
        "rounds' own ratios, and the ratio of the medians is shown beside it.",
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
    rps: Callable[[Result], float] = lambda r: r.rps  # noqa: E731
    p50: Callable[[Result], float] = lambda r: r.p50_ms  # noqa: E731
    pairs = [
        ("(1) page of 50 vs Datasette", "page", "ds_page", ">= 3x"),
        ("(1) page of 50 vs floor", "page", "floor_page", ">= 0.7x"),
        ("(2) one fact vs Datasette row", "row", "ds_row", ">= 2x"),
        ("(2) one fact vs floor", "row", "floor_row", ""),
        ("(2) one fact, page cache off, vs Datasette row", "row_uncached", "ds_row", ""),
        ("(4) deep page latency / first page (p50)", "deep", "first", "<= 1.2x"),
        ("(5) 304 vs ceiling", "304", "ceiling", ">= 0.5x"),
        ("(1) page of 50 vs ceiling", "page", "ceiling", ""),
        ("(1) page of 50 vs same-bytes ceiling", "page", "same_bytes", ">= 0.5x"),
        (
            "(1) page of 50, page cache off, vs same-bytes ceiling",
            "page_uncached",
            "same_bytes",
            "",
        ),
        ("(1) page of 50, page cache off, vs floor", "page_uncached", "floor_page", ""),
    ]
    if args.pg_url:
        pairs += [
            ("PostgreSQL page of 50 / SQLite page of 50", "pg.page", "page", ">= 0.8x"),
            ("PostgreSQL page of 50 vs PostgreSQL floor", "pg.page", "pg.floor_page", ">= 1.0x"),
            ("PostgreSQL page of 50 vs same-bytes ceiling", "pg.page", "same_bytes", ">= 0.5x"),
            ("PostgreSQL 304 vs ceiling", "pg.304", "ceiling", ">= 0.5x"),
            ("PostgreSQL deep page latency / first page (p50)", "pg.deep", "pg.first", "<= 1.2x"),
            (
                "PostgreSQL page of 50 / SQLite's, page cache off",
                "pg.page_uncached",
                "page_uncached",
                "",
            ),
            (
                "PostgreSQL page of 50, page cache off, vs PostgreSQL floor",
                "pg.page_uncached",
                "pg.floor_page",
                "",
            ),
            (
                "PostgreSQL page of 50 / SQLite's, PostgreSQL not pinned",
                "pg.page_unpinned",
                "page",
                "",
            ),
            ("PostgreSQL 304 vs ceiling, PostgreSQL not pinned", "pg.304_unpinned", "ceiling", ""),
        ]
    table = []
    for name, a, b, target in pairs:
        x, y = found.get(a), found.get(b)
        latency = a.endswith("deep")
        measured = latency_ratio(x, y) if latency else ratio(x, y)
        table.append((name, measured, of_medians(x, y, p50 if latency else rps), target))
    for key, name, target in (
        ("page", f"(1) page of 50 p99 at {args.connections} connections", "< 25 ms"),
        ("web_dyad", "(9a) /dyads/RUS/IRQ p50, 1 connection", "< 50 ms"),
        ("web_fact", "(9b) /facts/{id} p50, 1 connection", "< 50 ms"),
    ):
        got = found.get(key)
        value = "n/a" if not got else f"{got.p99_ms if key == 'page' else got.p50_ms:.1f} ms"
        table.append((name, value, "", target))
    lines += [
        "",
        "| ratio | measured | ratio of medians | target |",
        "|---|---:|---:|---|",
    ] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table]
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
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=5)
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
    notes: list[str] = []

    @contextlib.contextmanager
    def pg_pinned() -> Iterator[None]:
        if not args.pg_url:
            yield
        elif not args.pin_postgres:
            notes.append("PostgreSQL not pinned (--no-pin-postgres)")
            yield
        else:
            with load.postgres_on(0, conninfo(args.pg_url)) as note:
                notes.append(note)
                yield

    found = comparisons(args, logs, rows, pg_pinned)
    found |= other_reads("SQLite", f"sqlite:///{args.db}", args, logs, rows)
    if args.pg_url:
        found |= {
            f"pg.{k}": v
            for k, v in other_reads("PostgreSQL", args.pg_url, args, logs, rows, pg_pinned).items()
        }
        found |= pg_unpinned(args.pg_url, args, logs, rows)
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
    text = report(rows, info, found, args)
    Path(args.out).write_text(text)
    print(text)
    print(f"written to {args.out}; server logs in {logs}")


if __name__ == "__main__":
    main()
