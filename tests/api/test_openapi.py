"""The API's OpenAPI document: a valid OpenAPI 3.1 description naming every route of the
API, and the answers of the endpoints match the schemas it gives."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from flask import Flask
from openapi_spec_validator import validate

from tests import factories
from tests.case_data import twelve_cases


def _document(app: Flask) -> dict[str, Any]:
    reply = app.test_client().get("/api/v1/openapi.json")
    assert reply.status_code == 200
    document: dict[str, Any] = reply.get_json()
    return document


def test_the_document_is_valid_openapi_3_1(app: Flask) -> None:
    document = _document(app)
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_names_every_route_of_the_api_and_no_other(app: Flask) -> None:
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert set(_document(app)["paths"]) == routes


def _schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    """The 200 answer's schema of ``path``, with the document's components to resolve $refs."""
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return {**schema["schema"], "components": document["components"]}


def test_the_answers_match_their_schemas(app: Flask) -> None:
    twelve_cases(app)
    factories.complete_response(app, factories.participants(app, 1)[0], "T1", {"age_band": 2})
    owner = factories.user(app, "admin")
    token = factories.api_token(app, owner.id)
    client = app.test_client()
    document = _document(app)
    checked = 0
    for path in document["paths"]:
        if path == "/exports/{fmt}":
            continue  # a file, not JSON
        url = path
        for name, listing in (("{case_id}", "/cases"), ("{pseudonym}", "/participants")):
            if name in url:
                first = client.get(
                    "/api/v1" + listing, headers={"Authorization": f"Bearer {token}"}
                ).get_json()["data"][0]["id"]
                url = url.replace(name, str(first))
        reply = client.get("/api/v1" + url, headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, (url, reply.get_json())
        body = reply.get_json()
        jsonschema.validate(body, _schema(document, path))
        checked += 1
    assert checked == len(document["paths"]) - 1
    error = client.get("/api/v1/due").get_json()
    error_schema = {
        **document["components"]["schemas"]["Error"],
        "components": document["components"],
    }
    jsonschema.validate(error, error_schema)
