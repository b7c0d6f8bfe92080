"""A real gunicorn for tests: a free port, a prepared database, bounded start and stop."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from api import create_app, db, migrate
from api.services.parties import load_countries
from api.services.tokens import create_token

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str) -> str:
    """Migrate the database at ``url``, load the countries; a write token's secret."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    migrate.upgrade(app.extensions["db_engine"])
    with app.app_context():
        with db.write_transaction() as s:
            load_countries(s)
            secret = create_token(s, f"live-{os.getpid()}-{time.monotonic_ns()}", ["write"])
        db.session.remove()
    app.extensions["db_engine"].dispose()
    return secret


def server_env(**facts: str) -> dict[str, str]:
    """This process's environment without any FACTS_ setting, plus ``facts``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTS_")}
    return {**env, **{f"FACTS_{k}": v for k, v in facts.items()}}


class Server:
    """A gunicorn process serving wsgi:app; its combined log is in ``log``."""

    def __init__(self, args: Iterable[str], env: dict[str, str], log: Path, port: int) -> None:
        self.port, self.log = port, log
        self.process = subprocess.Popen(
            list(args), cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')}")
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn not ready in 30 s: {log.read_text(errors='replace')}")

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a connection of its own (http.client sends iterables chunked)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def raw(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        """Send ``data`` as is on a fresh socket; the parsed answer (read until close)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(data)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split(" ")[1]), headers, body

    def log_text(self) -> str:
        """Everything gunicorn has logged so far (access and error log)."""
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop gunicorn: TERM, then KILL after 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
