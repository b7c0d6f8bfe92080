"""Load tools for the benchmark: servers under gunicorn, wrk (or a Python driver), RSS."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PINNING = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pinned(cmd: list[str], cpu: int) -> list[str]:
    """Run ``cmd`` on one core when the machine allows it."""
    return ["taskset", "-c", str(cpu), *cmd] if PINNING else cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A server process listening on a loopback port."""

    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The master's children (gunicorn workers), or the process itself."""
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        return pids or [self.proc.pid]

    def peak_rss_mb(self) -> float:
        """Largest resident size any worker reached (VmHWM), in MB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            m = re.search(r"VmHWM:\s+(\d+) kB", status)
            if m:
                peaks.append(int(m.group(1)) / 1024)
        return max(peaks, default=0.0)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_ready(port: int, path: str = "/", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path}")


def start(
    name: str,
    cmd: list[str],
    env: dict[str, str],
    port: int,
    logs: Path,
    ready_path: str = "/",
    cpu: int | None = 0,
) -> Server:
    """Start a server and wait until it answers."""
    log = logs / f"{name}.log"
    full = pinned(cmd, cpu) if cpu is not None else cmd
    proc = subprocess.Popen(
        full, env={**os.environ, **env}, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    try:
        wait_ready(port, ready_path, timeout=600)
    except RuntimeError:
        proc.kill()
        raise RuntimeError(f"{name} did not start; see {log}") from None
    return Server(name, port, proc, log)


def gunicorn(
    name: str,
    app: str,
    env: dict[str, str],
    logs: Path,
    *,
    workers: int = 1,
    config: str | None = None,
    cpu: int | None = 0,
    ready_path: str = "/healthz",
) -> Server:
    """Run a WSGI app under gunicorn (1 sync worker unless a config file says otherwise)."""
    port = free_port()
    cmd = [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}"]
    # Without a config of its own, a server gets plain settings (not the project's
    # gunicorn.conf.py, which gunicorn would otherwise read from the working directory).
    cmd += ["--config", config or str(ROOT / "bench" / "gunicorn.plain.conf.py")]
    if not config:
        cmd += ["--workers", str(workers), "--worker-class", "sync"]
    cmd += ["--log-level", "warning", app]
    return start(name, cmd, env, port, logs, ready_path, cpu)


@dataclass
class Result:
    """One load run: throughput and latency."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # responses other than 2xx/3xx, plus socket errors
    extra: dict[str, Any] = field(default_factory=dict)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str, seconds: float, connections: int, headers: dict[str, str] | None = None
) -> Result:
    """Run wrk (1 thread) on the other core and parse its report."""
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(pinned([*cmd, url], 1), capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    p = {k: _ms(*re.match(r"([\d.]+)(\w+)", v).groups()) for k, v in lat.items()}  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        bad += sum(int(x) for x in m.groups())
    return Result(rps, p["50"], p["99"], total, bad)


def drive(
    port: int,
    make_request: Callable[[int], tuple[str, str, dict[str, str], bytes | None]],
    seconds: float,
    connections: int,
) -> Result:
    """A Python load driver: ``connections`` threads with keep-alive for ``seconds``.

    ``make_request(n)`` gives (method, path, headers, body) for the n-th request of a thread.
    Used for the read/write mix, and for everything when wrk is not installed.
    """
    latencies: list[float] = []
    bad = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        nonlocal bad
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        errors, n = 0, 0
        while time.monotonic() < stop_at:
            method, path, headers, body = make_request(n)
            n += 1
            t = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    errors += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - t)
        with lock:
            latencies.extend(mine)
            bad += errors

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    pick = (
        (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000)
        if latencies
        else (lambda q: 0.0)
    )
    return Result(len(latencies) / elapsed, pick(0.5), pick(0.99), len(latencies), bad)


def load(
    server: Server,
    path: str,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
) -> Result:
    """wrk when installed, else the Python driver."""
    if shutil.which("wrk"):
        return wrk(server.base + path, seconds, connections, headers)
    return drive(server.port, lambda _n: ("GET", path, headers or {}, None), seconds, connections)


def median_of(runs: list[Result]) -> Result:
    """Median figures over several rounds (bad responses summed)."""
    return Result(
        statistics.median(r.rps for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.requests for r in runs),
        sum(r.bad for r in runs),
    )


def stream(
    server: Server, path: str, headers: dict[str, str] | None = None
) -> tuple[int, int, float]:
    """GET a streamed export: (status, lines, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    t = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    lines = 0
    tail = b""
    while chunk := resp.read(1 << 16):
        lines += chunk.count(b"\n")
        tail = chunk[-1:]
    if tail and tail != b"\n":
        lines += 1
    return resp.status, lines, time.perf_counter() - t


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Field 4 of /proc/N/stat is the parent; the name (field 2) may hold spaces.
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@contextmanager
def postgres_on(cpu: int, conninfo: str) -> Iterator[str]:
    """Run the local PostgreSQL server (its postmaster, so every backend it starts, and the
    processes it already runs) on core ``cpu`` for the block, as the API server is: the
    server side of a benchmark on one core, the load on the other. Left alone, a backend
    lands on the load generator's core and each statement pays two cross-core wake-ups
    (measured on this kind of machine: 23 us a round trip on one core, 85-110 us across).

    Yields what was done, for the report; the old CPU sets are put back afterwards.
    """
    import psycopg  # the bench's PostgreSQL part only

    if not PINNING:
        yield "not pinned (taskset or 2 cores missing)"
        return
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
        stat = Path(f"/proc/{backend}/stat").read_text()
        postmaster = int(stat.rsplit(")", 1)[1].split()[1])
        pids = [postmaster, *_children(postmaster)]
        before = {pid: os.sched_getaffinity(pid) for pid in pids}
        for pid in pids:
            os.sched_setaffinity(pid, {cpu})
    except (OSError, psycopg.Error) as exc:  # not local, or not ours to move
        yield f"PostgreSQL not pinned ({type(exc).__name__}: {exc})"
        return
    try:
        yield f"PostgreSQL on core {cpu} with the server"
    finally:
        for pid, cpus in before.items():
            with contextlib.suppress(OSError):  # a backend that has exited since
                os.sched_setaffinity(pid, cpus)
        for pid in _children(postmaster):  # started during the block: as the postmaster was
            with contextlib.suppress(OSError):
                os.sched_setaffinity(pid, before[postmaster])
