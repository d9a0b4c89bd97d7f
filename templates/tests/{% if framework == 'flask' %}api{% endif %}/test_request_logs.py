"""One structured log line per request, with what operators need to find it again."""

from flask.testing import FlaskClient
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs


def test_each_request_is_logged_once(client: FlaskClient) -> None:
    with capture_logs(processors=[merge_contextvars]) as logs:
        client.get("/api/v1/tasks?limit=5", headers={"X-Request-ID": "checkout-42"})

    [line] = [entry for entry in logs if entry["event"] == "request_completed"]
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/tasks"
    assert line["status_code"] == 200
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "checkout-42"


def test_failed_requests_are_logged_with_their_status(client: FlaskClient) -> None:
    with capture_logs() as logs:
        client.get("/api/v1/tasks/404")

    [line] = [entry for entry in logs if entry["event"] == "request_completed"]
    assert line["status_code"] == 404
