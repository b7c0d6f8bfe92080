"""Plain gunicorn settings for benchmark servers: the defaults, no access log, and a timeout
long enough for the first (uncached) aggregate over a million facts."""

accesslog = None
timeout = 300
