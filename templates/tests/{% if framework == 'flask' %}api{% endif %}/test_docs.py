"""The OpenAPI document describes every route; the docs can be switched off."""

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from tests.api.conftest import AppWith

UNDOCUMENTED_ENDPOINTS = {"docs.openapi", "docs.swagger_ui"}


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    openapi: dict[str, Any] = response.get_json()
    return openapi


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_every_route_is_documented(app: Flask, document: dict[str, Any]) -> None:
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNDOCUMENTED_ENDPOINTS
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }

    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented == routes


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/api/v1/tasks", "post", "422"),
        ("/api/v1/tasks", "get", "422"),
        ("/api/v1/tasks/{task_id}", "get", "404"),
        ("/api/v1/tasks/{task_id}", "patch", "422"),
        ("/api/v1/tasks/{task_id}", "delete", "404"),
    ],
)
def test_errors_are_documented_with_the_envelope(
    document: dict[str, Any], path: str, method: str, status: str
) -> None:
    response = document["paths"][path][method]["responses"][status]

    schema = response["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}


def test_the_docs_page_loads_swagger_ui(client: FlaskClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert "swagger-ui-dist@5" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_docs_can_be_disabled(app_with: AppWith, path: str) -> None:
    app = app_with(docs_enabled=False)

    response = app.test_client().get(path)

    assert response.status_code == 404
