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
        p["name"]: p["schema"]
        for p in spec(client)["paths"]["/api/v1/facts"]["get"]["parameters"]
        if "name" in p  # not the shared header parameters ($ref)
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


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    ]


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = doc["components"][section][name]
    return node


def test_every_operation_has_a_unique_readable_id(client: FlaskClient) -> None:
    from api.v1.openapi import OPERATION_IDS

    ops = _operations(spec(client))
    ids = [operation.get("operationId") for _, _, operation in ops]
    assert all(isinstance(i, str) and re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", i) for i in ids), ids
    assert len(ids) == len(set(ids))
    assert set(ids) == set(OPERATION_IDS.values())  # no name left over for a removed route
    named = {(m, p): o["operationId"] for m, p, o in ops}
    assert named[("get", "/api/v1/facts")] == "listFacts"
    assert named[("delete", "/api/v1/facts/{fact_id}")] == "retractFact"


def test_conditional_and_idempotency_headers_are_parameters(client: FlaskClient) -> None:
    doc = spec(client)
    for method, path, operation in _operations(doc):
        params = {p["name"]: p for p in (_resolve(doc, x) for x in operation["parameters"])}
        responses = operation["responses"]
        if method == "get":
            assert params["If-None-Match"]["in"] == "header", path
            not_modified = _resolve(doc, responses["304"])
            assert (
                not_modified["headers"]["ETag"]["required"] is True
                and "content" not in not_modified
            )
        elif method == "post":
            assert params["Idempotency-Key"]["schema"]["maxLength"] == 200, path
        else:
            assert params["If-Match"]["required"] is True, (method, path)
            assert {"412", "428"} <= set(responses), (method, path)
        for status, response in responses.items():
            if status.startswith("2"):
                headers = _resolve(doc, response)["headers"]
                assert headers["ETag"]["required"] is True, (method, path, status)
                assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(headers)
                if method == "post":
                    assert headers["Location"]["required"] is True, path
        assert "406" in responses, (method, path)


def test_lists_document_their_link_header(client: FlaskClient) -> None:
    doc = spec(client)
    for method, path, operation in _operations(doc):
        ok = operation["responses"].get("200", {})
        body = _resolve(doc, ok.get("content", {}).get("application/json", {}).get("schema"))
        links = _resolve(doc, (body or {}).get("properties", {}).get("links", {}))
        paged = "next" in links.get("properties", {})
        assert ("Link" in ok.get("headers", {})) == paged, (method, path)
    assert "Link" in doc["paths"]["/api/v1/changes"]["get"]["responses"]["200"]["headers"]


def test_waiting_and_challenge_headers(client: FlaskClient) -> None:
    responses = spec(client)["components"]["responses"]
    for name in ("TOO_MANY_REQUESTS", "SERVICE_UNAVAILABLE"):
        assert responses[name]["headers"]["Retry-After"] == {
            "$ref": "#/components/headers/RETRY_AFTER"
        }
    assert responses["UNAUTHORIZED"]["headers"]["WWW-Authenticate"]["required"] is True


def test_output_schemas_say_what_is_always_there(client: FlaskClient) -> None:
    schemas = spec(client)["components"]["schemas"]
    detail = schemas["FactDetail"]
    assert set(detail["required"]) == set(detail["properties"])  # every field, always
    assert schemas["FactListItem"]["required"] == ["id"]  # sparse fieldsets keep the id only
    assert schemas["PartyListItem"]["required"] == ["code"]
    assert schemas["DyadListItem"]["required"] == ["pair"]
    assert "raw" not in schemas["Source"]["required"]
    assert schemas["Meta"]["required"] == ["limit"]  # total only with count=true
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail", "instance"}
    assert "PaginationMetadata" not in schemas  # lists are paged by cursor, not page number


def test_servers_are_relative(client: FlaskClient) -> None:
    assert [s["url"] for s in spec(client)["servers"]] == ["/"]
