"""Request ids: the caller's id is echoed back, otherwise one is generated."""

from flask.testing import FlaskClient


def test_a_given_request_id_is_echoed(client: FlaskClient) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": "checkout-42"})

    assert response.headers["X-Request-ID"] == "checkout-42"


def test_a_request_id_is_generated_when_absent(client: FlaskClient) -> None:
    first = client.get("/health/live").headers["X-Request-ID"]
    second = client.get("/health/live").headers["X-Request-ID"]

    assert len(first) == 32
    assert first != second


def test_an_unsafe_request_id_is_replaced(client: FlaskClient) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": "<script>"})

    assert response.headers["X-Request-ID"] != "<script>"
