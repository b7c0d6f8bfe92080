"""The response layer: what every read answer carries besides its data, on both read paths.

The Flask views (through the hooks in ``api/v1/caching.py`` and the helpers in
``api/v1/listing.py``) and the thin read path (``api/fastpath.py``) answer with these and
nothing of their own:

* ``headers``: the header policy: ETag / 304 revalidation, Cache-Control, Vary, CORS and
  nosniff, as one ``HeaderPolicy`` built from the app's configuration;
* ``media``: the media types, the lenient reading of ``Accept`` and the list format choice;
* ``lists``: the list envelope, the ``Link`` header, cursor signing, and the CSV / NDJSON
  export bodies and their headers.

It depends on nothing above it (no Flask request, no view): callers pass what it needs.
"""
