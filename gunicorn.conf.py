"""gunicorn settings for production (`gunicorn wsgi:app` reads this file from the project root).

Environment overrides: FACTS_BIND (default 127.0.0.1:8000), FACTS_THREADS (default 8),
FACTS_WORKERS (default 2 x cores + 1; used only when rate limits are shared or off, see
below), FACTS_TIMEOUT (seconds, default 120: long exports stream from one worker),
FORWARDED_ALLOW_IPS (the reverse proxy's address, so X-Forwarded-* are trusted).

Process model: rate limits counted in memory:// (the default) live in one process, so the
server runs ONE worker process with FACTS_THREADS threads (gthread) and the stated limits
hold. Several worker processes (sync) run only when the counts are shared
(FACTS_RATELIMIT_STORAGE_URI=redis://...) or limits are off (FACTS_RATELIMIT_ENABLED=false).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from api.serving import shared_limits

bind = os.environ.get("FACTS_BIND", "127.0.0.1:8000")
if shared_limits():
    workers = int(os.environ.get("FACTS_WORKERS", multiprocessing.cpu_count() * 2 + 1))
    worker_class = "api.serving.SyncWorker"
    max_requests = 10000
    max_requests_jitter = 1000
else:
    # One process, so memory:// counts every request; limits' MemoryStorage increments
    # under a per-key lock, so threads count correctly.
    workers = 1
    threads = int(os.environ.get("FACTS_THREADS", "8"))
    worker_class = "api.serving.ThreadWorker"
    # A recycled worker would start with empty counts: keep the one process for good.
    max_requests = 0
# Both worker classes answer gunicorn's own errors (414, 431, 400) as problem+json.
logger_class = "api.serving.RedactingLogger"
# Load the app once in the master and fork it; each worker then drops the inherited pool.
preload_app = True
timeout = int(os.environ.get("FACTS_TIMEOUT", "120"))
# The longest request line gunicorn takes (its maximum; default 4094): every parameter the
# API description allows fits, even when written percent-encoded. Longer lines get 414.
limit_request_line = 8190
graceful_timeout = 30
# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl) shared by
# every server started, so two instances (parallel test runs, two deployments) would take
# it from each other; nothing here uses it. Older gunicorns ignore the setting.
control_socket_disable = True
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# Request line, status, size and duration; never headers, so tokens stay out of logs, and
# the logger masks credentials in the request line's query (api/redact.py).
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'


def on_starting(server: Any) -> None:
    """Warn when a command line asks for several processes that cannot share the limits."""
    if server.cfg.workers > 1 and not shared_limits():
        server.log.warning(
            "%d worker processes with rate limits in memory://: each counts on its own, so "
            "clients get up to %d times the stated limits; set FACTS_RATELIMIT_STORAGE_URI "
            "to a redis:// URL to share them",
            server.cfg.workers,
            server.cfg.workers,
        )


def post_fork(server: Any, worker: Any) -> None:
    """Give each worker its own connections: never share the master's pool across a fork."""
    engine = getattr(server.app.wsgi(), "extensions", {}).get("db_engine")
    if engine is not None:
        engine.dispose(close=False)
