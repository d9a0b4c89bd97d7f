"""CORS: only the configured origins may call the API from a browser."""

from fastapi.testclient import TestClient

ALLOWED_ORIGIN = "https://app.example.com"  # the test settings allow only this origin


def test_preflight_from_an_allowed_origin_is_allowed(client: TestClient) -> None:
    response = client.options(
        "/api/v1/tasks",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type, X-Request-ID",
        },
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert response.headers["Access-Control-Max-Age"] == "600"


def test_preflight_carries_the_request_id_and_security_headers(client: TestClient) -> None:
    response = client.options(
        "/api/v1/tasks",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"},
    )

    assert "X-Request-ID" in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_disallowed_origin_gets_no_allow_origin_header(client: TestClient) -> None:
    response = client.get("/api/v1/tasks", headers={"Origin": "https://evil.example"})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_a_disallowed_origin_preflight_is_refused(client: TestClient) -> None:
    response = client.options(
        "/api/v1/tasks",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_request_id_header_is_exposed_to_browsers(client: TestClient) -> None:
    response = client.get("/api/v1/tasks", headers={"Origin": ALLOWED_ORIGIN})

    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert response.headers["Access-Control-Expose-Headers"] == "X-Request-ID"
