"""Errors the framework raises itself leave in the same envelope as the application's own."""

from collections.abc import Iterator

from fastapi.testclient import TestClient
from structlog.testing import capture_logs


def test_unknown_path_answers_404_with_the_envelope(client: TestClient) -> None:
    response = client.get("/no/such/path")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_wrong_method_answers_405_with_the_envelope_and_allow(client: TestClient) -> None:
    response = client.put("/api/v1/tasks/1", json={"title": "Replaced"})

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert response.headers["Allow"] == "DELETE, GET, PATCH"


def test_body_over_the_limit_answers_413(client: TestClient) -> None:
    oversized = b"x" * 4097  # the test settings allow 4096 bytes

    response = client.post(
        "/api/v1/tasks", content=oversized, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_streamed_body_over_the_limit_answers_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        yield b"x" * 4096
        yield b'"}'

    # A generator is sent chunked, without Content-Length: the limit applies while reading.
    response = client.post(
        "/api/v1/tasks", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert "Content-Length" not in response.request.headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_unexpected_exception_answers_a_generic_500(client: TestClient, broken_path: str) -> None:
    response = client.get(broken_path)

    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "INTERNAL_ERROR", "message": "Internal server error.", "details": []}
    }
    assert "hunter2" not in response.text


def test_unexpected_exception_is_logged_with_its_traceback(
    client: TestClient, broken_path: str
) -> None:
    with capture_logs() as logs:
        client.get(broken_path)

    [error] = [log for log in logs if log["event"] == "unhandled_exception"]
    assert error["log_level"] == "error"
    assert error["exc_info"] is True
