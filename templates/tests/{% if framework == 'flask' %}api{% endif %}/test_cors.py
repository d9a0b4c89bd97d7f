"""CORS: only the configured origins may call the API from a browser."""

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

ALLOWED_ORIGIN = "https://app.example.com"  # the origin the test settings allow


def preflight(app: Flask, origin: str) -> TestResponse:
    """A browser's preflight: it never carries the user's credentials."""
    return app.test_client().options(
        "/api/v1/tasks",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )


def test_preflight_from_an_allowed_origin_is_answered(app: Flask) -> None:
    response = preflight(app, ALLOWED_ORIGIN)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_preflight_from_another_origin_gets_no_cors_headers(app: Flask) -> None:
    response = preflight(app, "https://evil.example.com")

    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_responses_vary_by_origin(client: FlaskClient) -> None:
    response = client.get("/api/v1/tasks", headers={"Origin": ALLOWED_ORIGIN})

    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "Origin" in response.vary


def test_the_request_id_header_is_readable_by_browsers(client: FlaskClient) -> None:
    response = client.get("/api/v1/tasks", headers={"Origin": ALLOWED_ORIGIN})

    assert response.headers["Access-Control-Expose-Headers"] == "X-Request-ID"
