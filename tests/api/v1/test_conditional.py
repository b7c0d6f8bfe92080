"""If-None-Match: * matches any current representation, and only of a request that succeeds."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.http import parse_etags

from api.responses.headers import current, revalidated
from tests.conftest import problem

STAR = {"If-None-Match": "*"}


@pytest.mark.parametrize(
    "url",
    ["/api/v1/facts?limit=2", "/api/v1/facts?format=csv", "/api/v1/dyads", "/api/v1/facts/1"],
)
def test_star_revalidates_what_exists(client: FlaskClient, url: str) -> None:
    r = client.get(url, headers=STAR)
    assert r.status_code == 304 and r.data == b""
    assert r.headers["ETag"] == client.get(url).headers["ETag"]
    assert "Link" not in r.headers and "Content-Disposition" not in r.headers


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/facts?limit=-1", 400),
        ("/api/v1/changes?since=true", 400),
        ("/api/v1/facts/99999/history", 404),
        ("/api/v1/sources/99999", 404),
        ("/api/v1/no-such-thing", 404),
    ],
)
def test_star_never_hides_an_error(client: FlaskClient, url: str, status: int) -> None:
    problem(client.get(url, headers=STAR), status)


TAG = "0123abcd"
_ONE = st.sampled_from(
    [f'"{TAG}"', f'W/"{TAG}"', '"other"', 'W/"other"', "*", f"{TAG}", f'"{TAG}', '""']
)


@given(st.one_of(_ONE, st.lists(_ONE, min_size=1, max_size=3).map(", ".join), st.text(max_size=20)))
@settings(max_examples=300, derandomize=True, database=None)
def test_a_header_as_sent_is_judged_as_its_parsed_form(sent: str) -> None:
    """The thin path hands ``revalidated`` and ``current`` the header as sent (compared as
    a string with the tag first); Flask hands them the parsed header. Same verdicts."""
    parsed = parse_etags(sent)
    assert revalidated(sent, TAG) == revalidated(parsed, TAG)
    assert current(sent, TAG) == current(parsed, TAG)
    assert revalidated(f'"{TAG}"', TAG) and not revalidated("*", TAG) and current("*", TAG)
