"""Bad input never causes a 5xx or a half-write (property-based, with hypothesis).

Every query parameter and path segment of every GET endpoint, every write body, and the
importer service are fed hostile input: SQL metacharacters, control characters, NUL,
100 KB strings, invalid UTF-8, path traversal, garbage cursors, deep JSON, random bytes.
The answer is never 5xx, every 4xx is RFC 9457 problem+json, unknown parameters are 400,
and a refused write leaves every table as it was.

Each property test runs a fixed list of explicit examples (the inputs named above), then
hypothesis' own, derandomized, so a run is reproducible.

Known bugs are listed once, in ``BUGS``. ``test_bug_reproduction`` holds a minimal request
per bug, marked ``xfail(strict=True, reason="BUG: ...")`` on the backends it breaks; the
property tests set aside (``reject()``) the inputs that hit a listed bug, so they keep
guarding everything else meanwhile. Fixing a bug = deleting its ``BUGS`` entry: the xfail
goes away and the property tests feed those inputs again.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import json
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta, timezone
from typing import Any
from urllib.parse import quote, quote_from_bytes

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.http import parse_options_header

from api.models.base import DATE_BASES, DATE_PRECISIONS
from api.schemas.args import (
    ActorListArgs,
    DyadListArgs,
    FactItemArgs,
    FactListArgs,
    NoArgs,
    PartyListArgs,
    SourceArgs,
    SourceListArgs,
    TimelineArgs,
)
from api.schemas.fact_input import ExactDecimal
from api.services.articles import parse_article
from api.services.fact_reads import search_words
from api.services.importer import ArticleError, decode_article, import_text
from api.v1.changes import ChangeArgs
from tests.factories import make_token

PROBLEM = "application/problem+json"


def _settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,  # nothing is written under .hypothesis/
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


# --------------------------------------------------------------------------- known bugs


@dataclass(frozen=True)
class Bug:
    backends: tuple[str, ...]
    description: str


BOTH = ("sqlite", "postgresql")
PG = ("postgresql",)

BUGS: dict[str, Bug] = {}
INT_LIMIT = {"sqlite": 2**63 - 1, "postgresql": 2**31 - 1}


def active(backend: str, bug: str) -> bool:
    return bug in BUGS and backend in BUGS[bug].backends


def known_bug(request: pytest.FixtureRequest, backend: str, bug: str) -> None:
    """Mark this test xfail(strict) when ``bug`` is listed for ``backend``."""
    if active(backend, bug):
        reason = f"BUG [{bug}]: {BUGS[bug].description}"
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def set_aside(backend: str, found: Iterable[str]) -> None:
    """Reject an input that only hits a listed bug (test_bug_reproduction covers it)."""
    if any(active(backend, bug) for bug in found):
        reject()


# What hits which bug, as the app would see the input.


def actor_ref_bugs(ref: str) -> list[str]:
    found = ["pg-nul-query"] if "\x00" in ref else []
    if ref.isdigit():
        try:
            int(ref)
        except ValueError:
            found.append("actor-digits")
    return found


def cursor_bugs(value: str) -> list[str]:
    if len(value) > 1000 or value.count(".") != 1:
        return []
    body, signature = value.split(".")
    try:
        base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return []
    return [] if signature.isascii() else ["cursor-non-ascii"]


def as_of_bugs(value: str) -> list[str]:
    try:
        moment = fields.AwareDateTime(format="iso").deserialize(value)
    except ValidationError:
        return []
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return ["as-of-overflow"]
    return []


def decimal_bugs(value: Any) -> list[str]:
    try:
        number = ExactDecimal(allow_none=True).deserialize(value)
    except decimal.Overflow:
        return ["decimal-overflow"]
    except (ValidationError, TypeError, ValueError, decimal.DecimalException):
        return []
    exponent = number.as_tuple().exponent if number is not None else 0
    return ["decimal-tiny"] if isinstance(exponent, int) and exponent < -1000 else []


FREE_TEXT = {
    ("facts", "unit"),
    ("source-facts", "unit"),
    ("sources", "q"),
    ("sources", "outlet"),
    ("parties", "q"),
    ("actors", "q"),
    ("actors", "role"),
}


def query_bugs(endpoint: str, param: str, value: str) -> list[str]:
    fact_list = endpoint in ("facts", "source-facts")
    found: list[str] = []
    if param == "cursor":
        found += cursor_bugs(value)
    if param == "as_of":
        found += as_of_bugs(value)
    if fact_list and param in ("value_min", "value_max"):
        found += decimal_bugs(value)
    if fact_list and param == "q" and not search_words(value):
        found.append("fts-no-words")
    if fact_list and param == "actor":
        found += actor_ref_bugs(value)
    if (endpoint, param) in FREE_TEXT and "\x00" in value:
        found.append("pg-nul-query")
    return found


def path_bugs(route: str, segment: str) -> list[str]:
    if route != "actor":
        return []
    return [bug for part in segment.split("/") for bug in actor_ref_bugs(part)]


def body_bugs(backend: str, body: Any) -> list[str]:
    found: set[str] = set()

    def walk(value: Any, key: Any = None) -> None:
        if isinstance(value, str):
            if "\x00" in value:
                found.add("pg-nul-body")
            if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
                found.add("surrogate-body")
        is_id = key in ("source_id", "actor") and type(value) is int
        if is_id and abs(value) > INT_LIMIT[backend]:
            found.add("body-id-overflow")
        if key == "value" and not isinstance(value, (dict, list, bool)):
            found.update(decimal_bugs(value))
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(body)
    return sorted(found)


def article_bugs(raw: str, metadata: dict[str, Any] | None = None) -> list[str]:
    """An article (and metadata) whose text overflows a VARCHAR column."""
    limits = {"title": 500, "outlet": 200, "url": 2000, "language": 16}
    if any(len(str(v)) > limits[k] for k, v in (metadata or {}).items() if k in limits and v):
        return ["pg-long-text"]
    try:
        parsed = parse_article(raw)
    except Exception:  # the test itself reports it
        return []
    if len(parsed.dateline or "") > 200 or len(parsed.title or "") > 500:
        return ["pg-long-text"]
    return []


# --------------------------------------------------------------------------- checks


class Raw(bytes):
    """A value sent as raw percent-encoded bytes (may be invalid UTF-8)."""


def _encode(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return quote_from_bytes(value, safe="")
    return quote(value, safe="")


def as_received(value: str | bytes) -> str:
    """The value as the app decodes it."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def url_with(path: str, params: Iterable[tuple[str | bytes, str | bytes]]) -> str:
    query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in params)
    return f"{path}?{query}" if query else path


def body_text(response: Any) -> str:
    """The whole body, streamed exports included; an error mid-stream fails the test."""
    try:
        return str(response.get_data(as_text=True))
    except Exception as err:  # any failure while streaming is the finding
        pytest.fail(f"{response.status_code} broke while streaming: {err!r}"[:2000])


def check_answer(response: Any, what: str) -> dict[str, Any] | None:
    """Never 5xx; a 4xx is problem+json with the RFC 9457 fields. Return a problem body."""
    data = body_text(response)
    status = response.status_code
    assert status < 500, f"{what} -> {status}: {data[:1000]}"
    if status < 400:
        return None
    assert response.mimetype == PROBLEM, f"{what} -> {status} {response.mimetype}: {data[:500]}"
    body = json.loads(data)
    assert isinstance(body, dict), data[:500]
    assert body["status"] == status, body
    assert {"type", "title", "detail", "instance"} <= set(body), body
    assert isinstance(body["type"], str) and isinstance(body["detail"], str), body
    return body


def with_examples(*examples: dict[str, Any]) -> Callable[[Any], Any]:
    """Stack hypothesis @example decorators."""

    def decorate(func: Any) -> Any:
        for kwargs in reversed(examples):
            func = example(**kwargs)(func)
        return func

    return decorate


# --------------------------------------------------------------------------- query values

NASTY: list[str | bytes] = [
    "' OR 1=1 --",
    '"; DROP TABLE fact; --',
    "1; SELECT pg_sleep(10)--",
    "%",
    "_",
    "\\",
    "\x00",
    "a\x00b",
    "\x01\x07\x08\x1b[2J\x7f\x85\x9f",
    "\r\n\t\x0b\x0c",
    "x" * 100_000,
    "Ünïcödé ✓ 漢字 🙂 \u202e\u200b\ufeff\uffff",
    "../../etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    Raw(b"\xff\xfe\xc0\xaf\xed\xa0\x80"),
    "",
    " ",
    "-1",
    "0",
    "²",
    "2147483648",
    "99999999999999999999",
    "1E+999999999",
    "1E-999999999",
    "NaN",
    "true",
    "<script>alert(1)</script>",
    "*",
    '"',
    "NEAR(a b) AND c OR NOT d",
    "RUS,RUS",
    ",,,",
    "0000-00-00",
    "9999-12-31T23:59:59-23:59",
    "YQ.é",
    "x" * 1001,
    "eyJzIjoiLWRhdGUiLCJrIjpudWxsLCJpIjoxLCJmIjoiIn0.AAAAAAAAAAAAAAAAAAAAAA",
]


@st.composite
def aware_datetimes(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes())
    offset = draw(st.integers(-1439, 1439))
    return moment.replace(tzinfo=timezone(timedelta(minutes=offset))).isoformat()


@st.composite
def cursors(draw: st.DrawFn) -> str:
    payload = draw(st.one_of(st.binary(max_size=60), st.text(max_size=40).map(str.encode)))
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    signature = draw(st.one_of(st.text(max_size=30), st.just("A" * 22)))
    return draw(st.sampled_from([f"{body}.{signature}", body, f"{body}.{signature}.x"]))


CODES = st.sampled_from(["RUS", "irq", "ru", "643", "OPEC", "OPEC+", "XXX", "", " ", "ZZ"])

QUERY_VALUE: st.SearchStrategy[str | bytes] = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(st.characters(max_codepoint=0x9F), max_size=12),  # ASCII with C0/C1 controls
    st.integers().map(str),
    st.decimals().map(str),  # NaN, sNaN, Infinity, huge and tiny exponents
    st.from_regex(r"\A-?\d{1,6}(-\d{1,3}(-\d{1,3})?)?\Z"),  # date-like
    st.dates().map(str),
    aware_datetimes(),
    st.lists(CODES, max_size=4).map(",".join),
    cursors(),
    st.binary(max_size=24).map(Raw),
)

# Every GET endpoint and the schema of its query string.
GET_ENDPOINTS: dict[str, tuple[str, type[Schema]]] = {
    "index": ("/api/v1/", NoArgs),
    "fact-types": ("/api/v1/fact-types", NoArgs),
    "facts": ("/api/v1/facts", FactListArgs),
    "fact": ("/api/v1/facts/1", FactItemArgs),
    "fact-history": ("/api/v1/facts/1/history", NoArgs),
    "sources": ("/api/v1/sources", SourceListArgs),
    "source": ("/api/v1/sources/2", SourceArgs),
    "source-facts": ("/api/v1/sources/1/facts", FactListArgs),
    "parties": ("/api/v1/parties", PartyListArgs),
    "party": ("/api/v1/parties/RUS", NoArgs),
    "actors": ("/api/v1/actors", ActorListArgs),
    "actor": ("/api/v1/actors/vladimir-putin", NoArgs),
    "dyads": ("/api/v1/dyads", DyadListArgs),
    "dyad": ("/api/v1/dyads/RUS/IRQ", NoArgs),
    "timeline": ("/api/v1/dyads/RUS/IRQ/timeline", TimelineArgs),
    "changes": ("/api/v1/changes", ChangeArgs),
}
LISTS = {"facts", "sources", "source-facts", "parties", "actors", "dyads"}


def parameters(schema: type[Schema]) -> list[str]:
    return sorted(f.data_key or name for name, f in schema().fields.items())


PARAMS = [(e, p) for e, (_, schema) in GET_ENDPOINTS.items() for p in parameters(schema)]


@pytest.fixture
def reader(db_session: Session) -> str:
    """A read-scope token's Authorization header."""
    return make_token(db_session, "fuzz-reader", ("read",))


@pytest.mark.parametrize(("endpoint", "param"), PARAMS, ids=[f"{e}-{p}" for e, p in PARAMS])
@_settings(max_examples=6)
@with_examples(*({"values": [v], "fmt": None, "token": False} for v in NASTY))
@given(
    values=st.lists(QUERY_VALUE, min_size=1, max_size=3),
    fmt=st.sampled_from([None, "csv", "ndjson"]),
    token=st.booleans(),
)
def test_query_parameters_never_break_the_api(
    client: FlaskClient,
    backend: str,
    reader: str,
    endpoint: str,
    param: str,
    values: list[str | bytes],
    fmt: str | None,
    token: bool,
) -> None:
    for value in values:
        set_aside(backend, query_bugs(endpoint, param, as_received(value)))
    path, _ = GET_ENDPOINTS[endpoint]
    params: list[tuple[str | bytes, str | bytes]] = [(param, v) for v in values]
    if fmt and endpoint in LISTS and param != "format":
        params.append(("format", fmt))
    url = url_with(path, params)
    headers = {"Authorization": reader} if token else {}
    check_answer(client.get(url, headers=headers), url[:300])


UNKNOWN_NAMES = [
    "colour",
    "fields_",
    "from_",
    "as-of",
    "LIMIT",
    "limit ",
    " q",
    "q[]",
    "\x00",
    "' OR 1=1 --",
    "../../etc/passwd",
    "x" * 10_000,
]


@pytest.mark.parametrize("endpoint", list(GET_ENDPOINTS))
@_settings(max_examples=10)
@with_examples(*({"name": n, "value": "1", "with_valid": False} for n in UNKNOWN_NAMES))
@given(name=st.text(min_size=1, max_size=30), value=QUERY_VALUE, with_valid=st.booleans())
def test_unknown_parameters_are_always_400(
    client: FlaskClient, endpoint: str, name: str, value: str | bytes, with_valid: bool
) -> None:
    path, schema = GET_ENDPOINTS[endpoint]
    allowed = parameters(schema)
    if name in allowed:
        reject()
    params: list[tuple[str | bytes, str | bytes]] = [(name, value)]
    if with_valid and "limit" in allowed:
        params.insert(0, ("limit", "5"))
    url = url_with(path, params)
    response = client.get(url)
    body = check_answer(response, url[:300])
    assert response.status_code == 400, url[:300]
    assert body is not None and body["type"] == "/problems/invalid-parameters", body
    assert name in body["errors"], body["errors"]


# Routes with ids or codes in the path.
PATH_ROUTES: dict[str, str] = {
    "fact": "/api/v1/facts/{}",
    "fact-history": "/api/v1/facts/{}/history",
    "source": "/api/v1/sources/{}",
    "source-facts": "/api/v1/sources/{}/facts",
    "party": "/api/v1/parties/{}",
    "actor": "/api/v1/actors/{}",
    "dyad-a": "/api/v1/dyads/{}/IRQ",
    "dyad-b": "/api/v1/dyads/RUS/{}",
    "timeline-a": "/api/v1/dyads/{}/IRQ/timeline",
    "timeline-b": "/api/v1/dyads/RUS/{}/timeline",
}
SEGMENTS: list[str | bytes] = [
    "0",
    "-1",
    "2147483648",
    "99999999999999999999",
    "9" * 1000,
    "1.5",
    "1e3",
    "\uff10\uff11",  # fullwidth digits
    "²",
    "' OR 1=1 --",
    '"; DROP TABLE fact; --',
    "%",
    "_",
    "\\",
    "\x00",
    "a\x00b",
    "\x1b\x7f\x85",
    "x" * 100_000,
    "漢字🙂\u202e",
    Raw(b"\xff\xfe"),
    "..",
    "../../etc/passwd",
    "%2e%2e%2f",
    "..%2f..%2fetc%2fpasswd",
    "rus",
    "OPEC+",
]


@pytest.mark.parametrize("route", list(PATH_ROUTES))
@_settings(max_examples=15)
@with_examples(*({"segment": s} for s in SEGMENTS))
@given(segment=st.one_of(st.text(min_size=1, max_size=40), QUERY_VALUE.filter(bool)))
def test_path_segments_never_break_the_api(
    client: FlaskClient, backend: str, route: str, segment: str | bytes
) -> None:
    set_aside(backend, path_bugs(route, as_received(segment)))
    url = PATH_ROUTES[route].format(_encode(segment))
    check_answer(client.get(url), url[:300])


def test_altered_cursors_are_refused(client: FlaskClient) -> None:
    """Any ASCII edit of a real cursor is a 400 invalid-cursor (or, if base64 ignores the
    edited bits, the very same page); a cursor from another query is refused too."""
    first = client.get("/api/v1/facts?limit=2").get_json()
    cursor = first["links"]["next"].split("cursor=")[1]
    expected = client.get(f"/api/v1/facts?limit=2&cursor={cursor}").get_json()["data"]

    @_settings(max_examples=60)
    @given(
        position=st.integers(0, len(cursor) - 1),
        char=st.sampled_from(string.ascii_letters + string.digits + "-_.=+/~"),
    )
    def altered(position: int, char: str) -> None:
        changed = cursor[:position] + char + cursor[position + 1 :]
        url = url_with("/api/v1/facts", [("limit", "2"), ("cursor", changed)])
        response = client.get(url)
        body = check_answer(response, url)
        if body is not None:
            assert response.status_code == 400 and body["type"] == "/problems/invalid-cursor"
        else:
            assert response.get_json()["data"] == expected, changed

    altered()
    other = client.get(f"/api/v1/facts?limit=2&type=trade_volume&cursor={cursor}")
    body = check_answer(other, "foreign cursor")
    assert body is not None and body["type"] == "/problems/invalid-cursor"


# --------------------------------------------------------------------------- write bodies

COUNTED = (
    "fact",
    "evidence",
    "fact_actor",
    "fact_party",
    "source",
    "source_band",
    "revision",
    "change",
    "idempotency_key",
)


def snapshot(session: Session) -> dict[str, int]:
    """Row counts of every table a write touches, and the data version."""
    row = session.execute(SNAPSHOT).one()
    return {
        name: int(value or 0) for name, value in zip((*COUNTED, "data_version"), row, strict=True)
    }


SNAPSHOT = text(
    "SELECT "
    + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in COUNTED)
    + ", (SELECT version FROM data_state)"
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    media: tuple[str, ...]
    etag_of: str | None = None


ROUTES = {
    "post-facts": Route("post", "/api/v1/facts", ("application/json",)),
    "patch-fact": Route(
        "patch",
        "/api/v1/facts/1",
        ("application/json", "application/merge-patch+json"),
        etag_of="/api/v1/facts/1",
    ),
    "post-sources": Route("post", "/api/v1/sources", ("application/json", "text/plain")),
    "patch-source": Route(
        "patch",
        "/api/v1/sources/1",
        ("application/json", "application/merge-patch+json"),
        etag_of="/api/v1/sources/1",
    ),
}


@pytest.fixture
def writer(db_session: Session) -> str:
    """A write-scope token's Authorization header."""
    return make_token(db_session, "fuzz-writer")


def send(
    client: FlaskClient,
    route: Route,
    auth: str,
    data: bytes,
    content_type: str | None,
    query: Iterable[tuple[str | bytes, str | bytes]] = (),
) -> Any:
    headers = {"Authorization": auth}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if route.etag_of:
        current = client.get(route.etag_of, headers={"Authorization": auth})
        headers["If-Match"] = current.headers["ETag"]
    return getattr(client, route.method)(url_with(route.path, query), data=data, headers=headers)


def check_write(session: Session, before: dict[str, int], response: Any, what: str) -> None:
    """A write either fails with problem+json and changes nothing, or is a whole write."""
    check_answer(response, what)
    after = snapshot(session)
    delta = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    if response.status_code >= 300:
        assert not delta, f"{what} -> {response.status_code} but rows changed: {delta}"
        return
    assert response.mimetype == "application/json", what
    if response.status_code == 201:  # a new entity comes with its revision and change row
        assert delta.get("revision") == delta.get("change") == 1, delta
        assert delta.get("fact", 0) + delta.get("source", 0) == 1, delta
    else:
        assert delta.get("fact", 0) == delta.get("source", 0) == 0, delta
        assert delta.get("revision", 0) == delta.get("change", 0) <= 1, delta


def text_body_bugs(backend: str, data: bytes, media: str) -> list[str]:
    """Bugs a raw body hits: a text/plain article, or a JSON document."""
    if media == "text/plain":
        try:
            return article_bugs(data.decode("utf-8"))
        except UnicodeDecodeError:
            return []
    try:
        return body_bugs(backend, json.loads(data))
    except (ValueError, RecursionError):
        return []


BYTES_EXAMPLES = [
    b"",
    b" ",
    b"\xff\xfe\xfd",
    b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
    b"\xc0\xaf",  # an overlong '/'
    b"\x00",
    b"{",
    b'{"summary": ',
    b"\xef\xbb\xbf{}",  # BOM
    '{"summary": "x"}'.encode("utf-16"),
    b"{}" + b"\x00" * 10,
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00",  # a gzip header
    b"A" * 300 + b" (Reuters) - Body text.",  # an overlong dateline
]


@pytest.mark.parametrize("name", list(ROUTES))
@_settings(max_examples=25)
@with_examples(*({"data": b, "media_index": i} for b in BYTES_EXAMPLES for i in (0, 1)))
@given(data=st.binary(max_size=3000), media_index=st.integers(0, 1))
def test_write_bodies_of_random_bytes(
    client: FlaskClient,
    db_session: Session,
    backend: str,
    writer: str,
    name: str,
    data: bytes,
    media_index: int,
) -> None:
    route = ROUTES[name]
    media = route.media[media_index % len(route.media)]
    set_aside(backend, text_body_bugs(backend, data, media))
    before = snapshot(db_session)
    response = send(client, route, writer, data, media)
    check_write(db_session, before, response, f"{name} {media} {data[:80]!r}")


@pytest.mark.parametrize("name", list(ROUTES))
def test_write_bodies_over_the_size_limit_are_413(
    client: FlaskClient, db_session: Session, writer: str, name: str
) -> None:
    route = ROUTES[name]
    big = 1024 * 1024 + 1
    bodies = {
        "application/json": json.dumps({"summary": "x" * big, "title": "x"}).encode(),
        "text/plain": b"Long article text. " * (big // 19 + 1),
    }
    for media in route.media:
        data = bodies.get(media, bodies["application/json"])
        before = snapshot(db_session)
        response = send(client, route, writer, data, media)
        check_write(db_session, before, response, f"{name} {media} {len(data)} bytes")
        assert response.status_code == 413, response.status_code
        assert response.get_json(force=True)["type"] == "/problems/too-large"


DEEP = {
    "array": "[" * 10_000 + "]" * 10_000,
    "object": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "in-a-field": '{"summary": ' + "[" * 10_000 + "]" * 10_000 + "}",
}


@pytest.mark.parametrize("shape", list(DEEP))
@pytest.mark.parametrize("name", list(ROUTES))
def test_deeply_nested_json_bodies(
    client: FlaskClient,
    db_session: Session,
    backend: str,
    request: pytest.FixtureRequest,
    writer: str,
    name: str,
    shape: str,
) -> None:
    if name != "post-sources":  # POST /sources parses with orjson, which refuses the depth
        known_bug(request, backend, "deep-json")
    before = snapshot(db_session)
    response = send(client, ROUTES[name], writer, DEEP[shape].encode(), "application/json")
    check_write(db_session, before, response, f"{name} {shape}")
    assert 400 <= response.status_code < 500


CONTENT_TYPES = [
    "text/plain",
    "text/html",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/octet-stream",
    "application/json-patch+json",
    "application/jsonx",
    "json",
    "application/json; charset=utf-16",
    "APPLICATION/JSON",
    "application/json;;;",
    "text/plain; charset=latin-1",
    "*/*",
    "",
]


@pytest.mark.parametrize("name", list(ROUTES))
@_settings(max_examples=25)
@with_examples(*({"content_type": c, "data": b'{"title": "x"}'} for c in [None, *CONTENT_TYPES]))
@given(
    content_type=st.one_of(
        st.none(),
        st.sampled_from(CONTENT_TYPES),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    ),
    data=st.sampled_from([b"", b'{"title": "x"}', b"Plain article text.", b"\xff"]),
)
def test_write_bodies_with_wrong_content_types(
    client: FlaskClient,
    db_session: Session,
    writer: str,
    name: str,
    content_type: str | None,
    data: bytes,
) -> None:
    route = ROUTES[name]
    before = snapshot(db_session)
    response = send(client, route, writer, data, content_type)
    check_write(db_session, before, response, f"{name} {content_type!r} {data!r}")
    mimetype = parse_options_header(content_type or "")[0].lower()
    if mimetype not in route.media:
        assert response.status_code == 415, (content_type, response.status_code)
        assert response.get_json(force=True)["type"] == "/problems/unsupported-media-type"


# A valid body per route, for "nearly valid" mutations.
VALID: dict[str, dict[str, Any]] = {
    "post-facts": {
        "type": "statement",
        "subject": "RUS",
        "counterpart": "IRQ",
        "date": "2015-05-21",
        "date_precision": "day",
        "date_basis": "stated",
        "summary": "A fuzzed statement.",
        "attributes": {"kind": "other"},
        "actors": [{"actor": "vladimir-putin", "role": "President"}],
        "evidence": [{"source_id": 1, "quote": "Russia offered visiting Iraqi"}],
        "status": "draft",
    },
    "patch-fact": {"summary": "A fuzzed summary.", "date": "2015", "date_precision": "year"},
    "post-sources": {
        "body": "MOSCOW (Reuters) - A fuzzed article about Russia and Iraq.",
        "title": "Fuzz",
        "outlet": "Reuters",
        "url": "https://example.com/fuzz",
        "published": "2015-05",
        "language": "en",
        "authors": ["A. Writer", {"name": "B. Editor", "credit": "editing"}],
    },
    "patch-source": {"title": "A fuzzed title", "outlet": "TASS", "published": "2016"},
}
EXTRA_KEYS = ["id", "version", "verified", "raw", "created_at", "value", "unit", "evidence"]

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and Infinity too: the stdlib json module reads them
    st.text(max_size=30),
    st.sampled_from([s for s in NASTY if isinstance(s, str) and len(s) < 2000]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
# How to build a body: ("any", value), ("shape", {key: value}), ("mutate", key, value),
# ("merge", {key: value}), ("nested", field, wrapper, item); built on VALID[name].
BODY_PLANS = st.one_of(
    st.tuples(st.just("any"), JSON_VALUES),
    st.tuples(
        st.just("shape"),
        st.dictionaries(
            st.sampled_from(sorted({k for v in VALID.values() for k in v})), JSON_VALUES
        ),
    ),
    st.tuples(st.just("mutate"), st.integers(0, 20), JSON_VALUES),
    st.tuples(
        st.just("nested"),
        st.sampled_from(["evidence", "actors", "attributes", "authors"]),
        st.sampled_from(["list", "bare", "twice"]),
        st.fixed_dictionaries(
            {},
            optional={
                k: JSON_VALUES for k in ("source_id", "quote", "start", "end", "actor", "role")
            },
        ),
    ),
)


def build_body(name: str, plan: tuple[Any, ...]) -> Any:
    valid = json.loads(json.dumps(VALID[name]))
    kind = plan[0]
    if kind == "any":
        return plan[1]
    if kind == "shape":
        return plan[1]
    if kind == "mutate":
        keys = sorted(valid) + EXTRA_KEYS
        valid[keys[plan[1] % len(keys)]] = plan[2]
        return valid
    if kind == "merge":
        return {**valid, **plan[1]}
    _, field, wrapper, item = plan
    valid[field] = {"list": [item], "bare": item, "twice": [item, item]}[wrapper]
    return valid


WRONG_JSON: list[Any] = [
    None,
    [],
    0,
    "x",
    {},
    {"": None},
    {"type": None},
    {"summary": {"$ne": 1}},
    {"summary": "' OR 1=1 --", "key": '"; DROP TABLE fact; --'},
    {"summary": "x" * 100_000},
    {"title": "../../etc/passwd", "url": "file:///etc/passwd"},
    {"url": "javascript:alert(1)"},
    {"body": None},
    {"body": "\x07 binary"},
    {"evidence": [{"source_id": True, "quote": "x"}]},
    {"evidence": [{"source_id": 2**70, "quote": "x"}]},
    {"actors": [{"actor": ["vladimir-putin"], "role": "x"}]},
    {"actors": [{"actor": 2**70, "role": "x"}]},
    {"value": "NaN", "unit": "USD", "value_qualifier": "exact"},
    {"value": "1E+999999999", "unit": "USD", "value_qualifier": "exact"},
    {"value": "1E-999999999", "unit": "USD", "value_qualifier": "exact"},
    {"value": 1e308, "unit": "USD", "value_qualifier": "exact"},
    {"summary": "a\x00b", "title": "a\x00b"},
    {"summary": "a\ud800b", "title": "a\ud800b"},
    {"published": "2015", "published_precision": "day"},
    {"date": "2015-02-30", "date_precision": "day"},
]


@pytest.mark.parametrize("name", list(ROUTES))
@_settings(max_examples=40)
@with_examples(*({"plan": ("any", b)} for b in WRONG_JSON))
@with_examples(*({"plan": ("merge", b)} for b in WRONG_JSON if isinstance(b, dict) and b))
@given(plan=BODY_PLANS)
def test_write_bodies_of_random_json(
    client: FlaskClient,
    db_session: Session,
    backend: str,
    writer: str,
    name: str,
    plan: tuple[Any, ...],
) -> None:
    body = build_body(name, plan)
    set_aside(backend, body_bugs(backend, body))
    route = ROUTES[name]
    raw = json.dumps(body).encode()
    before = snapshot(db_session)
    response = send(client, route, writer, raw, route.media[0])
    check_write(db_session, before, response, f"{name} {raw[:300]!r}")


META_NAMES = ["title", "outlet", "url", "published", "published_precision", "published_basis"]


@_settings(max_examples=30)
@with_examples(
    {"meta": {"title": "a\x00b"}},
    {"meta": {"published": "2015", "published_precision": "day"}},
    {"meta": {"published": "99999-99"}},
    {"meta": {"url": "javascript:alert(1)"}},
    {"meta": {"language": "x" * 100_000}},
    {"meta": {"authors": "x"}},
    {"meta": {"' OR 1=1 --": "1"}},
)
@given(
    meta=st.dictionaries(
        st.sampled_from([*META_NAMES, "language", "authors", "body", "colour"]),
        QUERY_VALUE,
        max_size=4,
    )
)
def test_article_upload_metadata_parameters(
    client: FlaskClient,
    db_session: Session,
    backend: str,
    writer: str,
    meta: dict[str, str | bytes],
) -> None:
    """text/plain uploads take metadata as query parameters: bad ones are refused whole."""
    if any("\x00" in as_received(v) for v in meta.values()):
        set_aside(backend, ["pg-nul-body"])
    before = snapshot(db_session)
    article = f"MOSCOW (Reuters) - Upload {sorted(meta.items())!r:.200} about Russia and Iraq."
    route = ROUTES["post-sources"]
    response = send(client, route, writer, article.encode(), "text/plain", list(meta.items()))
    check_write(db_session, before, response, f"upload {meta!r:.300}")


# --------------------------------------------------------------------------- bug reproductions

# (bug, method, url, body). "fixed" rows were bugs when these tests were written (ids out
# of the integer range in paths, ?actor= and ?since=) and were fixed since: regressions.
REPRODUCTIONS: list[tuple[str, str, str, Any]] = [
    ("fixed", "get", "/api/v1/facts/99999999999999999999", None),
    ("fixed", "get", "/api/v1/facts/2147483648", None),
    ("fixed", "get", "/api/v1/facts/99999999999999999999/history", None),
    ("fixed", "get", "/api/v1/sources/99999999999999999999", None),
    ("fixed", "get", "/api/v1/sources/99999999999999999999/facts", None),
    ("fixed", "get", "/api/v1/actors/99999999999999999999", None),
    ("fixed", "get", "/api/v1/facts?actor=99999999999999999999", None),
    ("actor-digits", "get", "/api/v1/actors/%C2%B2", None),
    ("actor-digits", "get", "/api/v1/facts?actor=%C2%B2", None),
    ("fixed", "get", "/api/v1/changes?since=2147483648", None),
    ("cursor-non-ascii", "get", "/api/v1/facts?cursor=YQ.%C3%A9", None),
    ("cursor-non-ascii", "get", "/api/v1/sources?cursor=YQ.%C3%A9", None),
    ("as-of-overflow", "get", "/api/v1/facts?as_of=9999-12-31T23:59:59-23:59", None),
    ("as-of-overflow", "get", "/api/v1/facts/1?as_of=0001-01-01T00:00:00%2B23:59", None),
    ("decimal-overflow", "get", "/api/v1/facts?value_min=1E%2B999999999&unit=USD", None),
    (
        "decimal-overflow",
        "patch",
        "/api/v1/facts/1",
        {"value": "1E+999999999", "unit": "USD", "value_qualifier": "exact"},
    ),
    ("decimal-tiny", "get", "/api/v1/facts?value_min=1E-999999999&unit=USD", None),
    (
        "decimal-tiny",
        "patch",
        "/api/v1/facts/1",
        {"value": "1E-999999999", "unit": "USD", "value_qualifier": "exact"},
    ),
    ("fts-no-words", "get", "/api/v1/facts?q=%25", None),
    ("fts-no-words", "get", "/api/v1/facts?q=*&format=csv", None),
    ("pg-nul-query", "get", "/api/v1/sources?q=a%00b", None),
    ("pg-nul-query", "get", "/api/v1/actors/a%00b", None),
    ("pg-nul-query", "get", "/api/v1/facts?unit=a%00b", None),
    ("pg-nul-body", "patch", "/api/v1/facts/1", {"summary": "a\x00b"}),
    ("pg-nul-body", "patch", "/api/v1/sources/1", {"title": "a\x00b"}),
    ("pg-nul-body", "post", "/api/v1/sources", {"body": "A short article.", "title": "a\x00b"}),
    ("pg-long-text", "post", "/api/v1/sources", "A" * 300 + " (Reuters) - Body text."),
    ("surrogate-body", "patch", "/api/v1/facts/1", b'{"summary": "a\\ud800b"}'),
    ("surrogate-body", "patch", "/api/v1/sources/1", b'{"title": "a\\ud800b"}'),
    (
        "body-id-overflow",
        "patch",
        "/api/v1/facts/1",
        {"evidence": [{"source_id": 2**70, "quote": "x"}]},
    ),
    ("body-id-overflow", "patch", "/api/v1/facts/1", {"actors": [{"actor": 2**70, "role": "x"}]}),
    ("deep-json", "post", "/api/v1/facts", ("[" * 10_000 + "]" * 10_000).encode()),
]


@pytest.mark.parametrize(
    ("bug", "method", "url", "body"),
    REPRODUCTIONS,
    ids=[f"{b}-{m}-{u[8:50]}" for b, m, u, _ in REPRODUCTIONS],
)
def test_bug_reproduction(
    client: FlaskClient,
    db_session: Session,
    backend: str,
    request: pytest.FixtureRequest,
    writer: str,
    bug: str,
    method: str,
    url: str,
    body: Any,
) -> None:
    """One minimal request per listed bug: never 5xx, and a refused write writes nothing."""
    known_bug(request, backend, bug)
    if method == "get":
        check_answer(client.get(url), url)
        return
    headers = {"Authorization": writer}
    if method == "patch":
        headers["If-Match"] = client.get(url, headers=headers).headers["ETag"]
    if isinstance(body, str):
        data, headers["Content-Type"] = body.encode(), "text/plain"
    else:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    before = snapshot(db_session)
    response = getattr(client, method)(url, data=data, headers=headers)
    check_write(db_session, before, response, f"{method} {url} {data[:100]!r}")


# --------------------------------------------------------------------------- importer

IMPORT_COUNTED = ("source", "source_band", "revision", "change")


def import_counts(session: Session) -> dict[str, int]:
    return {
        t: int(session.scalar(text(f'SELECT count(*) FROM "{t}"')) or 0) for t in IMPORT_COUNTED
    }


def try_import(session: Session, raw: str, metadata: dict[str, Any] | None = None) -> None:
    """import_text either imports (one whole new source, or the stored one) or raises
    ArticleError having written nothing; any other exception fails the test."""
    before = import_counts(session)
    try:
        result = import_text(session, raw, name="fuzz", metadata=metadata)
    except ArticleError:
        assert import_counts(session) == before, "ArticleError after a partial write"
        return
    after = import_counts(session)
    if result.created:
        assert after["source"] == before["source"] + 1, (before, after)
        assert after["revision"] == before["revision"] + 1, (before, after)
        assert after["change"] == before["change"] + 1, (before, after)
        assert result.source.raw == raw
    else:
        assert after == before


IMPORT_TEXTS = [
    "",
    " \n\t\r\f ",
    "\u00a0\u2028\u3000",
    "\x00",
    "Text with a NUL\x00 inside.",
    "Escape \x1b[31m red",
    "Next line \x85 char",
    "Delete \x7f char",
    "' OR 1=1 --; DROP TABLE source; --",
    "../../etc/passwd",
    "BAGHDAD (Reuters) -",
    "By Staff\nReporting by\nEditing by",
    "\ufeffBOM then text",
    "\uffff\ufffe noncharacters",
    "\u202eright-to-left override",
    "漢字 🙂 Ünïcödé",
    "x" * 100_000,
    "A" * 300 + " (Reuters) - Body text.",
    "MOSCOW, " + "a" * 300 + " May 21 (Reuters) - Body text.",
]
ARTICLE_PIECES = [
    "MOSCOW (Reuters) - ",
    "BAGHDAD, May 21 (Reuters) - ",
    "Russia offered Iraq aid. ",
    "\n",
    "\n\n",
    "By Jane Doe\n",
    "Reporting by A; Editing by B\n",
    "May 21, 2015\n",
    "Reading Time: 2 minutes\n",
    "Share this article\n",
    "\x0b",
    "\t",
    "A" * 120,
]


@_settings(max_examples=60)
@with_examples(*({"raw": t} for t in IMPORT_TEXTS))
@given(
    raw=st.one_of(
        st.text(max_size=400),
        st.text(st.characters(max_codepoint=0xFF), max_size=200),
        st.lists(st.sampled_from(ARTICLE_PIECES), max_size=20).map("".join),
    )
)
def test_import_text_imports_or_refuses_cleanly(
    bare_session: Session, backend: str, raw: str
) -> None:
    set_aside(backend, article_bugs(raw))
    try_import(bare_session, raw)


@_settings(max_examples=40)
@with_examples({"raw": "Some article.", "metadata": {"title": "x" * 600}})
@given(
    raw=st.text(min_size=1, max_size=80),
    metadata=st.fixed_dictionaries(
        {},
        optional={
            "title": st.text(max_size=600),
            "outlet": st.text(max_size=250),
            "url": st.text(max_size=40),
            "published": st.one_of(
                st.text(max_size=12), st.from_regex(r"\A\d{4}(-\d{2}(-\d{2})?)?\Z")
            ),
            "published_precision": st.sampled_from(DATE_PRECISIONS),
            "published_basis": st.sampled_from(DATE_BASES),
            "language": st.text(max_size=20),
            "colour": st.text(max_size=5),
        },
    ),
)
def test_import_text_with_random_metadata(
    bare_session: Session, backend: str, raw: str, metadata: dict[str, Any]
) -> None:
    """Metadata as `facts import` passes it (any text, no NUL: argv cannot hold one)."""
    metadata = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in metadata.items()}
    set_aside(backend, article_bugs(raw, metadata))
    try_import(bare_session, raw, metadata)


def test_import_text_with_lone_surrogates(
    bare_session: Session, backend: str, request: pytest.FixtureRequest
) -> None:
    known_bug(request, backend, "surrogate-import")
    try_import(bare_session, "Hello \ud800 world")


@pytest.mark.parametrize(
    ("raw", "metadata"),
    [
        ("A" * 300 + " (Reuters) - Body text.", None),
        ("Some article.", {"title": "x" * 600}),
        ("Another article.", {"language": "x" * 17}),
    ],
    ids=["dateline", "title", "language"],
)
def test_import_text_with_overlong_fields(
    bare_session: Session,
    backend: str,
    request: pytest.FixtureRequest,
    raw: str,
    metadata: dict[str, Any] | None,
) -> None:
    known_bug(request, backend, "pg-long-text")
    try_import(bare_session, raw, metadata)


DECODE_BYTES = [
    b"",
    b"   \n",
    b"\x00",
    b"text\x00more",
    b"\xff\xfe",
    b"\xfe\xff\x00a",
    b"\xef\xbb\xbftext",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82",
    b"ok \x1b[0m",
    "ünïcödé".encode("latin-1"),
    "text".encode("utf-16"),
]


@_settings(max_examples=200)
@with_examples(*({"data": b} for b in DECODE_BYTES))
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)))
def test_decode_article_accepts_text_or_raises_article_error(data: bytes) -> None:
    try:
        decoded = decode_article(data, "fuzz")
    except ArticleError as err:
        assert err.name == "fuzz" and err.problem
        return
    assert decoded.encode("utf-8") == data


@_settings(max_examples=40)
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=200).map(str.encode)))
def test_decoded_bytes_import_or_refuse_cleanly(
    bare_session: Session, backend: str, data: bytes
) -> None:
    try:
        raw = decode_article(data, "fuzz")
    except ArticleError:
        return
    set_aside(backend, article_bugs(raw))
    try_import(bare_session, raw)


def test_ten_megabyte_single_lines(bare_session: Session) -> None:
    """A 10 MB line imports whole; the same line ending in a control character, or in a
    byte that is not UTF-8, is refused and writes nothing."""
    words = ("Russia and Iraq discussed trade and energy cooperation " * 200_000)[:10_000_000]
    data = words.encode()
    assert len(data) == 10_000_000 and b"\n" not in data
    try_import(bare_session, words)

    with pytest.raises(ArticleError, match="not valid UTF-8"):
        decode_article(data[:-1] + b"\xff", "ten-mb-bad")
    before = import_counts(bare_session)
    with pytest.raises(ArticleError, match="control character U\\+0007 at offset 9999999"):
        import_text(bare_session, words[:-1] + "\x07", name="ten-mb-bell")
    assert import_counts(bare_session) == before
