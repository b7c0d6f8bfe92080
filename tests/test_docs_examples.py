"""Every curl example in docs/API.md answers as the guide says, on the fixture data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "API.md"
EXAMPLE = re.compile(
    r"^curl -s (?:-H '(?P<header>[^']+)' )?'http://127\.0\.0\.1:8000(?P<path>[^']+)'(?:\s+#\s*(?P<note>.*))?$"
)


def examples() -> list[tuple[str, str | None, int]]:
    found = []
    for line in GUIDE.read_text().splitlines():
        m = EXAMPLE.match(line.strip())
        if m:
            status = int(m["note"][:3]) if m["note"] and m["note"][:3].isdigit() else 200
            found.append((m["path"], m["header"], status))
    return found


def test_the_guide_has_examples_for_every_endpoint() -> None:
    paths = {re.sub(r"\?.*", "", p) for p, _, _ in examples()}
    for needed in (
        "/api/v1/",
        "/api/v1/facts",
        "/api/v1/facts/1",
        "/api/v1/sources",
        "/api/v1/sources/2",
        "/api/v1/sources/1/facts",
        "/api/v1/parties",
        "/api/v1/parties/OPEC",
        "/api/v1/actors",
        "/api/v1/actors/vladimir-putin",
        "/api/v1/dyads",
        "/api/v1/dyads/RUS/IRQ",
        "/api/v1/dyads/RUS/IRQ/timeline",
        "/api/v1/fact-types",
        "/api/v1/openapi.json",
        "/healthz",
        "/readyz",
    ):
        assert needed in paths, needed


@pytest.mark.parametrize(("path", "header", "status"), examples())
def test_example_answers(client: FlaskClient, path: str, header: str | None, status: int) -> None:
    headers = dict([header.split(": ", 1)]) if header else {}
    r = client.get(path, headers=headers)
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    if status == 200 and r.mimetype == "application/json" and "data" in (r.get_json() or {}):
        assert r.get_json()["data"], f"{path} shows no data"
