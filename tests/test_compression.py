"""Compressed answers (api/compression.py): gzip and br when asked, tags of their own that are
accepted back in either form, exports compressed as they stream, nothing changed otherwise."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import Client

from api.compression import FLUSH_EVERY, Compression, choose_coding
from tests.factories import make_token
from tests.support.wsgi_layers import thin_path

DECODE = {"gzip": gzip.decompress, "br": brotli.decompress}


def _inner(app: Flask) -> Client:
    """A client on the layers inside compression (what the app answers uncompressed)."""
    layer: Any = app.wsgi_app
    assert isinstance(layer, Compression)
    return Client(layer.wsgi_app)


@pytest.mark.parametrize("coding", ["gzip", "br"])
@pytest.mark.parametrize("url", ["/api/v1/facts?limit=20", "/api/v1/facts/1", "/api/v1/sources"])
def test_compressed_when_asked(client: FlaskClient, app: Flask, coding: str, url: str) -> None:
    plain = client.get(url)
    r = client.get(url, headers={"Accept-Encoding": coding})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == coding
    assert int(r.headers["Content-Length"]) == len(r.data) < len(plain.data)
    assert DECODE[coding](r.data) == plain.data
    assert r.headers["ETag"] == plain.headers["ETag"][:-1] + f'-{coding}"'
    assert "Accept-Encoding" in r.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]


def test_without_accept_encoding_nothing_changes(client: FlaskClient, app: Flask) -> None:
    for url in ("/api/v1/facts?limit=20", "/api/v1/facts/1", "/api/v1/dyads", "/api/v1/x"):
        outer, inner = client.get(url), _inner(app).get(url)
        assert outer.status_code == inner.status_code
        assert list(outer.headers.items()) == list(inner.headers.items())
        assert outer.data == inner.data
        assert "Content-Encoding" not in outer.headers


@pytest.mark.parametrize(
    ("header", "coding"),
    [
        ("gzip, deflate", "gzip"),
        ("gzip, deflate, br, zstd", "br"),  # br on a tie
        ("br;q=0.5, gzip", "gzip"),
        ("*", "br"),
        ("gzip;q=0, br;q=0", None),
        ("identity", None),
        ("deflate", None),
    ],
)
def test_the_coding_the_client_rates_highest(header: str, coding: str | None) -> None:
    assert choose_coding(header) == coding


def test_small_answers_and_other_types_are_not_compressed(client: FlaskClient) -> None:
    gz = {"Accept-Encoding": "gzip"}
    small = client.get("/api/v1/facts/99999", headers=gz)  # a problem of ~150 bytes
    assert small.status_code == 404 and "Content-Encoding" not in small.headers
    page = client.get("/api/v1/docs", headers=gz)  # HTML: not an API representation
    assert page.status_code == 200 and "Content-Encoding" not in page.headers


def test_either_tag_revalidates(client: FlaskClient, app: Flask) -> None:
    for url in ("/api/v1/facts?limit=5", "/api/v1/facts/1", "/api/v1/sources/1"):
        plain = client.get(url).headers["ETag"]
        zipped = client.get(url, headers={"Accept-Encoding": "gzip"}).headers["ETag"]
        assert zipped == plain[:-1] + '-gzip"'
        for sent, asked in (
            (zipped, "gzip"),
            (plain, "gzip"),
            (zipped, None),
            (f"W/{zipped}", "br"),
        ):
            headers = {"If-None-Match": sent, **({"Accept-Encoding": asked} if asked else {})}
            r = client.get(url, headers=headers)
            assert r.status_code == 304 and not r.data, (url, sent, asked)
            assert r.headers["ETag"] == (zipped if "-gzip" in sent else plain)
        stale = client.get(
            url, headers={"If-None-Match": '"other-gzip"', "Accept-Encoding": "gzip"}
        )
        assert stale.status_code == 200


def test_the_thin_paths_answers_are_compressed(client: FlaskClient, app: Flask) -> None:
    fast = thin_path(app)
    before = fast.served
    page = client.get("/api/v1/facts?dyad=RUS,IRQ", headers={"Accept-Encoding": "br"})
    export = client.get("/api/v1/facts?format=ndjson", headers={"Accept-Encoding": "gzip"})
    assert fast.served == before + 2
    assert brotli.decompress(page.data) == client.get("/api/v1/facts?dyad=RUS,IRQ").data
    assert "Content-Length" not in export.headers  # streamed
    assert gzip.decompress(export.data) == client.get("/api/v1/facts?format=ndjson").data


def test_a_compressed_tag_works_in_if_match(client: FlaskClient, db_session: Session) -> None:
    token = make_token(db_session, scopes=("write",))
    got = client.get("/api/v1/facts/1", headers={"Accept-Encoding": "gzip"})
    assert got.headers["ETag"].endswith('-gzip"')
    patched = client.patch(
        "/api/v1/facts/1",
        json={"summary": "Edited with the tag of a compressed read."},
        headers={"Authorization": token, "If-Match": got.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)


def test_head_says_the_coding_without_a_length(client: FlaskClient) -> None:
    r = client.head("/api/v1/facts?limit=20", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in r.headers and not r.data


# -- the layer alone, on a WSGI app of its own ---------------------------------------------


def _streaming_app(chunks: int, seen: list[int]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "application/x-ndjson"), ("ETag", '"t"')])
        for n in range(chunks):
            seen.append(n)
            yield b'{"row": %d, "text": "%s"}\n' % (n, b"x" * 1000)

    return app


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_streams_are_compressed_as_they_stream(coding: str) -> None:
    seen: list[int] = []
    layer = Compression(_streaming_app(500, seen))
    r = Client(layer).get("/", headers={"Accept-Encoding": coding}, buffered=False)
    assert r.headers["Content-Encoding"] == coding and r.headers["ETag"] == f'"t-{coding}"'
    body = iter(r.response)
    first = next(body)
    # The first piece leaves once FLUSH_EVERY bytes came in, long before the stream ends...
    assert len(seen) < 500 and len(seen) * 1030 < 2 * FLUSH_EVERY
    if coding == "gzip":  # ... and is a decodable prefix of the whole
        assert zlib.decompressobj(31).decompress(first).startswith(b'{"row": 0,')
    rest = b"".join(body)
    r.close()
    assert DECODE[coding](first + rest).count(b"\n") == 500


def test_no_transform_and_coded_answers_are_left_alone() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = [("Content-Type", "application/json"), ("Content-Length", "5000")]
        headers.append(
            ("Cache-Control", "no-transform")
            if "notf" in environ["PATH_INFO"]
            else ("Content-Encoding", "gzip")
        )
        start_response("200 OK", headers)
        return [b"x" * 5000]

    client = Client(Compression(app))
    for path in ("/notf", "/coded"):
        r = client.get(path, headers={"Accept-Encoding": "br"})
        assert r.headers.get("Content-Encoding") in (None, "gzip") and r.data == b"x" * 5000
