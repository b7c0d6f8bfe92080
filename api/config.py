"""Settings with their defaults; each can be overridden by a ``FACTS_<NAME>`` variable."""

from __future__ import annotations

from . import __version__


class Defaults:
    """Defaults for every setting (documented in docs/configuration.md)."""

    # SQLAlchemy URL; a relative SQLite path is taken from the working directory.
    DATABASE_URL = "sqlite:///instance/facts.db"
    # Seconds a SQLite connection waits for a lock before giving up.
    SQLITE_BUSY_TIMEOUT = 15
    # SQLite page cache per connection, in MB.
    SQLITE_CACHE_MB = 32
    # Echo SQL to the log (debugging only).
    DATABASE_ECHO = False
    # Key that signs list cursors; unset, one is derived from DATABASE_URL (set it when
    # several deployments share a database URL but must not accept each other's cursors).
    CURSOR_SECRET = None
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
