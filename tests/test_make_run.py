"""`make run`'s server keeps the stated read limit: one process counts every request.

The server is started with the gunicorn command line of the Makefile's ``run`` recipe (read
from the Makefile, so the flags are the same), on a free port, with a low read limit. With
memory:// counts, exactly that many reads pass, whichever thread or layer (thin read path or
Flask) answers them, RateLimit-Remaining goes down one by one, and only the 429 carries
Retry-After.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import BIN, ROOT, Server, free_port, prepare, server_env

LIMIT = 20


def run_command(port: int) -> list[str]:
    """The gunicorn command of `make run`, for ``port``."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has a run target"
    (line,) = [cmd for cmd in recipe.group(1).splitlines() if "gunicorn" in cmd]
    for name, value in (("BIN", str(BIN)), ("HOST", "127.0.0.1"), ("PORT", str(port))):
        line = line.replace(f"$({name})", value)
    return shlex.split(line.strip())


@pytest.fixture
def make_run_server(tmp_path: Path) -> Iterator[Server]:
    """The server as `make run` starts it, on a migrated SQLite file, 20 reads a minute."""
    url = f"sqlite:///{tmp_path / 'facts.db'}"
    prepare(url)
    port = free_port()
    env = server_env(DATABASE_URL=url, RATE_LIMIT_READS=f"{LIMIT} per minute")
    live = Server(run_command(port), env, tmp_path / "gunicorn.log", port)
    yield live
    live.stop()


def test_make_run_serves_the_stated_read_limit(make_run_server: Server) -> None:
    log = make_run_server.log_text()
    assert "Using worker: api.serving.ThreadWorker" in log
    assert log.count("Booting worker") == 1
    statuses, remaining = [], []
    # Alternate the thin read path (a page of facts) and Flask (fact types); each request
    # on a connection of its own.
    for n in range(LIMIT + 5):
        path = "/api/v1/facts?limit=1" if n % 2 else "/api/v1/fact-types"
        status, headers, _ = make_run_server.request("GET", path)
        statuses.append(status)
        if status == 200:
            remaining.append(int(headers["ratelimit-remaining"]))
            assert "retry-after" not in headers, n
            assert headers["ratelimit-limit"] == str(LIMIT)
        else:
            assert status == 429 and 0 < int(headers["retry-after"]) <= 60
            assert headers["content-type"] == "application/problem+json"
    assert statuses == [200] * LIMIT + [429] * 5
    assert remaining == list(range(LIMIT - 1, -1, -1))
