"""Every error answers with the JSON envelope; framework pages and internals never leak."""

from flask.testing import FlaskClient
from structlog.testing import capture_logs


def test_unknown_route_answers_the_not_found_envelope(client: FlaskClient) -> None:
    response = client.get("/no/such/route")

    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "NOT_FOUND"


def test_wrong_method_answers_405_and_keeps_allow(client: FlaskClient) -> None:
    response = client.put("/api/v1/tasks/1", json={"title": "Replace"})

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert {"GET", "PATCH", "DELETE"} <= set(response.allow)


def test_oversized_body_answers_413(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/tasks", data='{"title": "' + "x" * 5000 + '"}', content_type="application/json"
    )

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_unexpected_error_answers_a_generic_500(client: FlaskClient, failing_path: str) -> None:
    response = client.get(failing_path)

    assert response.status_code == 500
    assert response.get_json() == {
        "error": {"code": "INTERNAL_ERROR", "message": "Internal server error.", "details": []}
    }


def test_unexpected_error_text_never_reaches_the_client(
    client: FlaskClient, failing_path: str
) -> None:
    response = client.get(failing_path)

    assert "hunter2" not in response.get_data(as_text=True)


def test_unexpected_error_is_logged_with_its_traceback(
    client: FlaskClient, failing_path: str
) -> None:
    with capture_logs() as logs:
        client.get(failing_path)

    [failure] = [entry for entry in logs if entry["event"] == "unhandled_exception"]
    assert failure["log_level"] == "error"
    assert isinstance(failure["exc_info"], RuntimeError)
