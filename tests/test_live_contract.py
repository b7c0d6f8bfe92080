"""Schemathesis CLI against a live server started the way ``make run`` starts it.

Unlike tests/test_contract.py (in process, over WSGI), this goes over real HTTP to gunicorn
with the project's wsgi:app and the flags of the Makefile's ``run`` target, read from the
Makefile at test time (only the port differs: a free one on loopback). The database is a
fresh temporary one per backend (a SQLite file; a fresh PostgreSQL schema when
TEST_DATABASE_URL is set), migrated and loaded by the Makefile's ``migrate`` and ``fixtures``
recipes (``facts db upgrade``, ``facts load-fixtures``), with a write token made by
``facts tokens create NAME --scope write``.

The run: every phase (examples, coverage, fuzzing, stateful), every check, the token header,
a fixed seed and a bounded budget (LIVE_CONTRACT_EXAMPLES per operation, a hard timeout on
the whole run and one per request). Settings and the narrow allowances for refusals of
schema-valid requests for what they mean are in tests/support/live_contract.toml and
tests/support/live_contract_hooks.py. Rate limits are off for this server
(FACTS_RATELIMIT_ENABLED=false): hundreds of requests a minute from one address would
otherwise be 429s, which would hide what the fuzzer is looking for.

The reports (JUnit XML, the CLI's output) and the server log go to the test's temp directory,
or to LIVE_CONTRACT_REPORT_DIR/<backend> when set; a failing run shows schemathesis'
failures, each with its curl reproduction.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.databases import BACKENDS, database_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SUPPORT = Path(__file__).resolve().parent / "support"
CONFIG = SUPPORT / "live_contract.toml"
PHASES = "examples,coverage,fuzzing,stateful"
SEED = os.environ.get("LIVE_CONTRACT_SEED", "20240611")
# Per operation and phase; 100 keeps each backend's run within 1.5 minutes on 2 cores
# (measured: SQLite 65 s, PostgreSQL 82 s, with other test suites running alongside).
EXAMPLES = os.environ.get("LIVE_CONTRACT_EXAMPLES", "100")
# Hard bound on one schemathesis run (it is killed after this), and on each request.
RUN_TIMEOUT = float(os.environ.get("LIVE_CONTRACT_TIMEOUT", "300"))
REQUEST_TIMEOUT = "10"
WORKERS = os.environ.get("LIVE_CONTRACT_WORKERS", "1")
# Where the reports go (default: the test's temp directory, which pytest rotates).
REPORT_DIR = os.environ.get("LIVE_CONTRACT_REPORT_DIR")
LONG_LINE = 2000  # longer lines (URLs of kilobytes) are cut in the failure message
COMMAND_TIMEOUT = 120  # each facts command
READY_TIMEOUT = 60  # gunicorn start-up until /readyz answers 200
STOP_TIMEOUT = 30  # SIGTERM to the server's process group, then SIGKILL


def _make_variables(text: str) -> dict[str, str]:
    """The Makefile's simple variable assignments (``NAME := value``, ``NAME ?= value``)."""
    found = {}
    for m in re.finditer(r"^([A-Z_]+)\s*[:?]?=\s*(.*?)\s*$", text, re.M):
        found[m.group(1)] = m.group(2)
    return found


def make_recipe(target: str, **overrides: str) -> list[list[str]]:
    """The commands of ``target``'s recipe in the Makefile, variables expanded."""
    text = (ROOT / "Makefile").read_text()
    variables = {**_make_variables(text), "BIN": str(BIN), **overrides}
    m = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.M)
    assert m, f"no recipe for {target!r} in the Makefile"

    def expand(line: str) -> str:
        for _ in range(5):  # nested $(VAR)s, e.g. BIN := $(VENV)/bin
            line = re.sub(r"\$\((\w+)\)", lambda v: variables.get(v.group(1), v.group(0)), line)
        assert "$(" not in line, f"unexpanded variable in the Makefile's {target}: {line}"
        return line

    return [shlex.split(expand(line.strip().lstrip("@-"))) for line in m.group(1).splitlines()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_environment() -> dict[str, str]:
    """This process's environment without the caller's FACTS_* settings or schemathesis hooks."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FACTS_") and k != "SCHEMATHESIS_HOOKS"
    }


def _server_environment(url: str) -> dict[str, str]:
    # Rate limits off: the fuzzer sends hundreds of requests a minute from one address.
    return {**_clean_environment(), "FACTS_DATABASE_URL": url, "FACTS_RATELIMIT_ENABLED": "false"}


def _facts(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
    )
    assert done.returncode == 0, f"{shlex.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _ready(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (TERM to the master, KILL after STOP_TIMEOUT), then any leftover worker.

    The server was started in a session of its own, so its process group holds exactly the
    master and the workers it forked.
    """
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


class LiveServer(NamedTuple):
    backend: str
    base_url: str
    token: str
    reports: Path  # where this run's reports and the server log go


@pytest.fixture(params=BACKENDS)
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh database, migrated and loaded, served like ``make run`` on a free port."""
    backend = str(request.param)
    reports = Path(REPORT_DIR) / backend if REPORT_DIR else tmp_path / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    url = database_url(backend, "live_contract", tmp_path)
    env = _server_environment(url)
    for target in ("migrate", "fixtures"):
        for command in make_recipe(target):
            _facts(command, env)
    secret = _facts(
        [str(BIN / "facts"), "tokens", "create", "live-contract", "--scope", "write"], env
    ).split()[0]

    port = _free_port()
    [command] = make_recipe("run", HOST="127.0.0.1", PORT=str(port))
    assert Path(command[0]).name == "gunicorn" and "wsgi:app" in command, command
    log = reports / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while not _ready(port):
            assert server.poll() is None, f"gunicorn exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, (
                f"no /readyz 200 in {READY_TIMEOUT} s:\n{log.read_text()[-3000:]}"
            )
            time.sleep(0.2)
        yield LiveServer(backend, f"http://127.0.0.1:{port}", secret, reports)
    finally:
        _stop(server)


def _failures(junit: Path) -> list[str]:
    """Each failed operation's text from the JUnit report (failures with their curl lines)."""
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        for node in [*case.findall("failure"), *case.findall("error")]:
            found.append(f"=== {case.get('name')} ({node.get('message')})\n{node.text or ''}")
    return found


def _cut(text: str) -> str:
    return "\n".join(
        line if len(line) <= LONG_LINE else f"{line[:LONG_LINE]}… [{len(line) - LONG_LINE} more]"
        for line in text.splitlines()
    )


def test_live_contract(live_server: LiveServer) -> None:
    reports = live_server.reports
    junit = reports / "junit.xml"
    junit.unlink(missing_ok=True)  # never read a previous run's report
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{live_server.base_url}/api/v1/openapi.json",
        "--phases",
        PHASES,
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {live_server.token}",
        "--seed",
        SEED,
        "--max-examples",
        EXAMPLES,
        "--request-timeout",
        REQUEST_TIMEOUT,
        "--workers",
        WORKERS,
        "--report",
        "junit",
        "--report-dir",
        str(reports),
        "--report-junit-path",
        str(junit),
        "--no-color",
        # Every distinct failure of an operation, not only its first (costs little here).
        "--continue-on-failure",
    ]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,  # the config's hooks path is relative to the repository root
            env=_clean_environment(),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
    except subprocess.TimeoutExpired as err:  # run() has killed it
        partial = err.stdout.decode(errors="replace") if isinstance(err.stdout, bytes) else ""
        pytest.fail(
            f"schemathesis did not finish in {RUN_TIMEOUT:.0f} s:\n{_cut(partial[-20000:])}",
            pytrace=False,
        )
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    (reports / "output.txt").write_text(output)
    heading = re.search(r"^=+ SUMMARY =+$", output, re.M)
    summary = output[heading.start() :] if heading else output[-3000:]
    print(
        f"\n{live_server.backend}: schemathesis took {elapsed:.0f} s; reports in {reports}\n{summary}"
    )
    if done.returncode == 0:
        return
    details = _failures(junit) if junit.exists() else []
    pytest.fail(
        f"schemathesis reported failures (exit {done.returncode}, {elapsed:.0f} s; "
        f"reports and server log in {reports}):\n\n"
        + _cut("\n\n".join(details) if details else output[-20000:])
        + f"\n\n{summary}",
        pytrace=False,
    )
