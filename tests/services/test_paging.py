"""Cursor signing and checking (no database)."""

from __future__ import annotations

import base64

import pytest

from api.services.paging import CursorCodec, CursorError, fingerprint


def test_round_trip() -> None:
    codec = CursorCodec("secret")
    token = codec.encode("-date", "2015-05-21", 7, "f1")
    assert codec.decode(token, "-date", "f1") == ("2015-05-21", 7)


def test_tampered_payload_is_refused() -> None:
    codec = CursorCodec("secret")
    _, sig = codec.encode("-date", "2015-05-21", 7, "f1").split(".")
    forged = base64.urlsafe_b64encode(b'{"s":"-date","k":"2015-05-21","i":1,"f":"f1"}').decode()
    with pytest.raises(CursorError, match="altered"):
        codec.decode(f"{forged.rstrip('=')}.{sig}", "-date", "f1")


def test_cursor_of_another_query_or_key_is_refused() -> None:
    token = CursorCodec("secret").encode("-date", "2015", 7, "f1")
    with pytest.raises(CursorError, match="another query"):
        CursorCodec("secret").decode(token, "-date", "f2")
    with pytest.raises(CursorError, match="another query"):
        CursorCodec("secret").decode(token, "id", "f1")
    with pytest.raises(CursorError, match="altered"):
        CursorCodec("other secret").decode(token, "-date", "f1")


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "!!!.###", "x" * 2000 + ".y"])
def test_malformed_cursors_are_refused(junk: str) -> None:
    with pytest.raises(CursorError):
        CursorCodec("secret").decode(junk, "-date", "f1")


def test_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": [2]}) == fingerprint({"b": [2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
