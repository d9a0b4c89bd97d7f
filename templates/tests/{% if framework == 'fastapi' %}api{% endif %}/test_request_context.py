"""Each request has an id, echoed back, and writes exactly one log line."""

from unittest.mock import ANY

from fastapi.testclient import TestClient
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs


def test_a_given_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": "trace-123"})

    assert response.headers["X-Request-ID"] == "trace-123"


def test_a_request_id_is_generated_when_absent(client: TestClient) -> None:
    response = client.get("/health/live")

    assert len(response.headers["X-Request-ID"]) == 32


def test_an_error_response_carries_the_request_id(client: TestClient) -> None:
    response = client.get("/no/such/path", headers={"X-Request-ID": "trace-404"})

    assert response.headers["X-Request-ID"] == "trace-404"


def test_each_request_writes_one_log_line(client: TestClient) -> None:
    # merge_contextvars adds the request id bound by the middleware, as in production.
    with capture_logs(processors=[merge_contextvars]) as logs:
        client.get("/api/v1/tasks?limit=5", headers={"X-Request-ID": "trace-123"})

    assert logs == [
        {
            "event": "request_completed",
            "log_level": "info",
            "method": "GET",
            "path": "/api/v1/tasks",
            "status_code": 200,
            "duration_ms": ANY,
            "request_id": "trace-123",
        }
    ]


def test_a_failed_request_is_logged_as_500(client: TestClient, broken_path: str) -> None:
    with capture_logs() as logs:
        client.get(broken_path)

    [line] = [log for log in logs if log["event"] == "request_completed"]
    assert line["status_code"] == 500
