"""Settings with their defaults; each can be overridden by a ``FACTS_<NAME>`` variable."""

from __future__ import annotations

from pathlib import Path

from . import __version__

PACKAGE_DIR = Path(__file__).resolve().parent


def default_database_url(package_dir: Path = PACKAGE_DIR) -> str:
    """The project's instance/facts.db in a source checkout, else ./instance/facts.db.

    A checkout is the folder holding setup.cfg above the package: there every command
    (`facts`, gunicorn, tests' subprocesses) uses the same file from whatever directory it
    runs in. An installed package has no project folder, so the working directory's is used.
    """
    root = package_dir.parent
    if (root / "setup.cfg").is_file():
        return f"sqlite:///{root / 'instance' / 'facts.db'}"
    return "sqlite:///instance/facts.db"


class Defaults:
    """Defaults for every setting (documented in docs/configuration.md)."""

    # SQLAlchemy URL; a relative SQLite path is taken from the working directory.
    DATABASE_URL = default_database_url()
    # Seconds a SQLite connection waits for a lock before giving up (a request waits this
    # long at most behind another writer, then gets 503).
    SQLITE_BUSY_TIMEOUT = 5
    # PostgreSQL: the client-side deadline (seconds) of every statement, commit, rollback
    # and ping; a call that overruns it has its connection cut (api/dbdeadline.py), so a
    # silent database gives a 503 instead of a hung worker. 0 turns it off.
    DATABASE_TIMEOUT = 5
    # PostgreSQL's own statement_timeout (seconds); unset, 1 s less than DATABASE_TIMEOUT,
    # so the server cancels a slow statement cleanly before the client cuts. 0: none.
    DATABASE_STATEMENT_TIMEOUT = None
    # PostgreSQL: seconds to establish a connection (libpq connect_timeout, at least 2).
    DATABASE_CONNECT_TIMEOUT = 3
    # PostgreSQL: TCP keepalives and tcp_user_timeout, so the kernel gives up on a peer
    # that vanished within about this many seconds. 0 leaves the OS defaults.
    DATABASE_TCP_TIMEOUT = 10
    # Seconds a request waits for a free connection in the pool.
    DATABASE_POOL_TIMEOUT = 5
    # SQLite page cache per connection, in MB.
    SQLITE_CACHE_MB = 32
    # Echo SQL to the log (debugging only).
    DATABASE_ECHO = False
    # Key that signs list cursors; unset, one is derived from DATABASE_URL (set it when
    # several deployments share a database URL but must not accept each other's cursors).
    CURSOR_SECRET = None
    # Key that signs the explorer's curator session cookie; unset, a random one is made once
    # and kept in the instance folder (instance/session-secret), shared by every worker.
    SECRET_KEY = None
    # Send the session cookie over HTTPS only: set true behind TLS (docs/explorer.md).
    SESSION_COOKIE_SECURE = False
    # How long a curator stays signed in, in seconds.
    CURATOR_SESSION_SECONDS = 8 * 3600
    # Cache-Control max-age (seconds) on public reads.
    CACHE_MAX_AGE = 60
    # Origins allowed to read the API from a browser (CORS); "*" for any.
    CORS_ORIGINS = "*"
    # Near-duplicate detection: Jaccard similarity of word 3-shingles at or above
    # which an imported article is linked to an earlier one as a copy.
    NEAR_DUPLICATE_THRESHOLD = 0.7
    # Where `facts load-fixtures` reads from (default: the repository's fixtures/).
    FIXTURES_DIR = None

    # Answer the hottest public reads (fact pages, exports and single facts, and their
    # revalidations) in a thin WSGI layer before Flask; identical responses, see
    # docs/performance.md. false sends every request through Flask.
    FAST_PATH = True
    # Megabytes of answered fact-list pages each worker keeps, each with the data version it
    # was read at, to send again while that version is current (api/responses/page_cache.py);
    # 0 turns it off.
    PAGE_CACHE_MB = 32
    # Seconds a kept page may be sent again at most: changes made by hand in SQL do not bump
    # the data version, and show in lists within this time (at once after `facts db touch`).
    PAGE_CACHE_SECONDS = 5

    # Compress JSON, CSV and NDJSON answers (gzip, br) for clients that send Accept-Encoding;
    # false when a reverse proxy in front compresses (api/compression.py).
    COMPRESSION = True

    # Largest request body accepted (bytes); larger ones get 413.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Rate limits (Flask-Limiter syntax): reads per client address, writes per token.
    RATE_LIMIT_READS = "300 per minute"
    RATE_LIMIT_WRITES = "60 per minute"
    # Where counts are kept: memory:// (one process) or redis://host:6379 (shared by workers).
    RATELIMIT_STORAGE_URI = "memory://"
    # Turn rate limiting off entirely (false), e.g. for bulk loads on a private instance.
    RATELIMIT_ENABLED = True

    # flask-smorest / OpenAPI
    API_TITLE = "bilateral-facts"
    API_VERSION = __version__
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    JSON_SORT_KEYS = False
