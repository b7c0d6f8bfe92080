"""Random query strings through both read paths: the thin path answers exactly as Flask would.

Hypothesis builds fact-list and fact requests from the parameters the thin path reads (in
every spelling it might misread: case, alpha-2 and numeric codes, unknown codes, repeats,
empty and malformed values, dates of every precision, real and altered cursors, Accept and
If-None-Match headers) plus ones it must leave to Flask. Each request is sent with the thin
path on and off; status, headers (but the rate-limit clock) and bytes must be identical,
on SQLite and PostgreSQL. Whether the thin path or Flask answered is not asserted here
(tests/test_fastpath.py pins that down for chosen requests).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.wsgi_layers import thin_path
from tests.test_fastpath import _answer

CODES = ["RUS", "IRQ", "rus", "iq", "643", "368", "OPEC", "OPEC+", "SAU", "ISL", "XXX", "R", ""]
TYPES = ["aid_offer", "phone_call", "trade_volume", "statement", "no_such_type", ""]
DATES = ["2015", "2015-05", "2015-05-21", "2016-02-30", "15", "2024-11", ""]
SORTS = ["date", "-date", "id", "-id", "value", "--date", ""]
LIMITS = ["1", "3", "50", "500", "0", "501", "050", "ten", ""]
FORMATS = ["json", "csv", "ndjson", "xml", ""]
ACCEPTS = [None, "*/*", "application/json", "text/csv", "application/x-ndjson", "text/html"]


def _pair() -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(CODES), st.sampled_from(CODES)).map(",".join)


PARAMETER = st.one_of(
    st.tuples(st.just("dyad"), _pair() | st.sampled_from(CODES)),
    st.tuples(st.sampled_from(["subject", "counterpart", "party"]), st.sampled_from(CODES)),
    st.tuples(
        st.just("type"),
        st.lists(st.sampled_from(TYPES), min_size=1, max_size=3).map(",".join),
    ),
    st.tuples(st.sampled_from(["from", "to"]), st.sampled_from(DATES)),
    st.tuples(st.just("sort"), st.sampled_from(SORTS)),
    st.tuples(st.just("limit"), st.sampled_from(LIMITS)),
    st.tuples(st.just("format"), st.sampled_from(FORMATS)),
    st.tuples(st.sampled_from(["q", "fields", "count", "unit", "unknown"]), st.just("1")),
    st.tuples(st.just("cursor"), st.sampled_from(["nonsense", "a.b", "CURSOR", "CURSOR!"])),
)


def _query(pairs: list[tuple[str, str]], cursor: str) -> str:
    parts = []
    for name, value in pairs:
        value = cursor if value == "CURSOR" else cursor + "x" if value == "CURSOR!" else value
        parts.append(f"{name}={quote(value, safe=',')}")
    return "&".join(parts)


# How many generated requests each path answered (checked by the last test: the random
# requests must exercise the thin path, not only Flask twice).
ANSWERED = {"thin": 0, "flask": 0}


def _compare(app: Flask, client: FlaskClient, url: str, headers: dict[str, str]) -> None:
    fast = thin_path(app)
    fast.enabled = True
    try:
        before = fast.served
        thin = _answer(client, url, headers=headers)
        ANSWERED["thin" if fast.served > before else "flask"] += 1
        fast.enabled = False
        full = _answer(client, url, headers=headers)
    finally:
        fast.enabled = True
    assert thin[0] == full[0], (url, headers, thin[2][:300], full[2][:300])
    assert thin[1] == full[1], (url, headers)
    assert thin[2] == full[2], (url, headers)


EXAMPLES = int(os.environ.get("FASTPATH_EXAMPLES", "150"))
RANDOM = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@RANDOM
@given(
    pairs=st.lists(PARAMETER, max_size=5),
    accept=st.sampled_from(ACCEPTS),
    revalidate=st.sampled_from([None, "same", "stale"]),
)
def test_random_fact_lists_match_flask(
    app: Flask,
    client: FlaskClient,
    pairs: list[tuple[str, str]],
    accept: str | None,
    revalidate: str | None,
) -> None:
    first = client.get("/api/v1/facts?limit=2&sort=id").get_json()["links"]["next"]
    cursor = first.split("cursor=")[1] if first else "none"
    url = "/api/v1/facts?" + _query(pairs, cursor)
    headers: dict[str, Any] = {"Accept": accept} if accept else {}
    if revalidate == "same":
        tag = client.get(url, headers=headers).headers.get("ETag")
        if tag:
            headers["If-None-Match"] = tag
    elif revalidate == "stale":
        headers["If-None-Match"] = '"stale"'
    _compare(app, client, url, headers)


@RANDOM
@given(
    fact=st.one_of(st.integers(min_value=0, max_value=60), st.sampled_from(["01", "2147483648"])),
    query=st.sampled_from(["", "?x=1", "?as_of=2030-01-01T00:00:00Z"]),
    revalidate=st.booleans(),
)
def test_random_single_facts_match_flask(
    app: Flask, client: FlaskClient, fact: int | str, query: str, revalidate: bool
) -> None:
    url = f"/api/v1/facts/{fact}{query}"
    headers: dict[str, Any] = {}
    if revalidate:
        tag = client.get(url).headers.get("ETag")
        if tag:
            headers["If-None-Match"] = tag
    _compare(app, client, url, headers)


def test_the_random_requests_exercised_both_paths() -> None:
    if EXAMPLES < 50:
        return
    assert ANSWERED["thin"] >= EXAMPLES // 3, ANSWERED
    assert ANSWERED["flask"] >= EXAMPLES // 3, ANSWERED
