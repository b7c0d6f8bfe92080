"""The OpenAPI description: valid, complete, and errors documented as problem+json."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from openapi_spec_validator import validate


def spec(client: FlaskClient) -> dict[str, Any]:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    body: dict[str, Any] = r.get_json()
    return body


def test_spec_is_valid_openapi(client: FlaskClient) -> None:
    validate(spec(client))  # raises on any violation


def test_every_get_route_is_documented(app: Any, client: FlaskClient) -> None:
    documented = set(spec(client)["paths"])
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        if (
            path.startswith("/api/v1")
            and "GET" in rule.methods
            and not path.startswith(("/api/v1/docs", "/api/v1/openapi.json"))
        ):
            assert path in documented, path


def test_parameters_carry_bounds_and_enums(client: FlaskClient) -> None:
    params = {
        p["name"]: p["schema"] for p in spec(client)["paths"]["/api/v1/facts"]["get"]["parameters"]
    }
    assert params["limit"]["minimum"] == 1 and params["limit"]["maximum"] == 500
    assert "-date" in params["sort"]["enum"] and "json" in params["format"]["enum"]
    assert "trade_volume" in params["type"]["items"]["enum"]
    assert {"from", "to", "q", "cursor", "count", "fields", "dyad", "actor", "source"} <= set(
        params
    )


def test_errors_are_problem_json(client: FlaskClient) -> None:
    doc = spec(client)
    ops = doc["paths"]["/api/v1/facts/{fact_id}"]["get"]["responses"]
    assert ops["404"] == {"$ref": "#/components/responses/NOT_FOUND"}
    not_found = doc["components"]["responses"]["NOT_FOUND"]
    assert list(not_found["content"]) == ["application/problem+json"]
    lists = doc["paths"]["/api/v1/facts"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/x-ndjson"} <= set(lists)
