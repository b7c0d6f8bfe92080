"""WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from api import create_app

app = create_app()

# Everything made at start-up lives as long as the process: keep it out of the cyclic
# garbage collector's full passes (about 50 ms each over ~115,000 objects), which would
# otherwise land on some requests. With gunicorn --preload the workers inherit this.
gc.freeze()
