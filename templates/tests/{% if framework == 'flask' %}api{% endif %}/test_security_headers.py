"""Security headers are on every response: successes, client errors and server errors."""

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize("path", ["/health/live", "/api/v1/tasks/404", "/no/such/route"])
def test_security_headers_are_sent(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_security_headers_are_sent_on_a_server_error(
    client: FlaskClient, failing_path: str
) -> None:
    response = client.get(failing_path)

    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_docs_page_may_load_swagger_ui(client: FlaskClient) -> None:
    response = client.get("/docs")

    assert "https://cdn.jsdelivr.net" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
