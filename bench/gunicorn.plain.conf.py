"""Plain gunicorn settings for benchmark servers: the defaults, no access log."""

accesslog = None
