"""gunicorn settings for production (`gunicorn wsgi:app` reads this file from the project root).

Environment overrides: FACTS_BIND (default 127.0.0.1:8000), FACTS_WORKERS (default
2 x cores + 1), FACTS_TIMEOUT (seconds, default 120: long exports stream from one worker),
FORWARDED_ALLOW_IPS (the reverse proxy's address, so X-Forwarded-* are trusted).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

bind = os.environ.get("FACTS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("FACTS_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Load the app once in the master and fork it; each worker then drops the inherited pool.
preload_app = True
timeout = int(os.environ.get("FACTS_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
max_requests = 10000
max_requests_jitter = 1000
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# Request line, status, size and duration; never headers, so tokens stay out of logs.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'


def post_fork(server: Any, worker: Any) -> None:
    """Give each worker its own connections: never share the master's pool across a fork."""
    engine = getattr(server.app.wsgi(), "extensions", {}).get("db_engine")
    if engine is not None:
        engine.dispose(close=False)
