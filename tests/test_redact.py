"""Secrets out of logs and problems: what api/redact.py masks, and what it leaves alone."""

from __future__ import annotations

import pytest

from api.redact import redact_path, redact_query, redact_request_line, redact_target, redact_text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("token=abc", "token=REDACTED"),
        ("TOKEN=abc&limit=2", "TOKEN=REDACTED&limit=2"),
        ("limit=2&Access_Token=abc", "limit=2&Access_Token=REDACTED"),
        ("api-key=abc;apikey=def", "api-key=REDACTED;apikey=REDACTED"),
        ("%74oken=abc", "%74oken=REDACTED"),  # a percent-encoded name
        (
            "refresh_token=a&client_secret=b&password=c",
            "refresh_token=REDACTED&client_secret=REDACTED&password=REDACTED",
        ),
        ("q=bft_abc123&type=statement", "q=REDACTED&type=statement"),
        ("q=bft%5Fabc", "q=REDACTED"),  # a percent-encoded prefix
        ("bft_abc123", "REDACTED"),  # a bare token
        ("q=oil&limit=5&monkey=1", "q=oil&limit=5&monkey=1"),  # nothing secret: unchanged
        ("token=", "token="),  # nothing to hide
        ("", ""),
    ],
)
def test_redact_query(query: str, expected: str) -> None:
    assert redact_query(query) == expected


def test_redact_path_and_target() -> None:
    assert redact_path("/api/v1/facts/bft_abc/history") == "/api/v1/facts/REDACTED/history"
    assert redact_path("/api/v1/facts/1") == "/api/v1/facts/1"
    assert redact_target("/api/v1/facts?key=k&limit=1") == "/api/v1/facts?key=REDACTED&limit=1"
    assert redact_target("/api/v1/facts") == "/api/v1/facts"


def test_redact_request_line() -> None:
    assert (
        redact_request_line("GET /api/v1/facts?auth=x HTTP/1.1")
        == "GET /api/v1/facts?auth=REDACTED HTTP/1.1"
    )
    assert redact_request_line("GET /?bearer=x") == "GET /?bearer=REDACTED"
    assert redact_request_line("-") == "-"


def test_redact_text() -> None:
    message = "Invalid HTTP request line: 'GET /x?Secret=s1&q=oil bft_tok9 HTTP/1.1'"
    assert redact_text(message) == (
        "Invalid HTTP request line: 'GET /x?Secret=REDACTED&q=oil REDACTED HTTP/1.1'"
    )
    assert redact_text("nothing here, q=oil") == "nothing here, q=oil"
