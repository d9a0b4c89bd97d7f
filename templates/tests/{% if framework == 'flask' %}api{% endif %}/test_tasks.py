"""The task endpoints, through HTTP: status codes, bodies and the error envelope."""

from typing import Any

import pytest
from flask.testing import FlaskClient

TASKS = "/api/v1/tasks"


def create_task(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    response = client.post(TASKS, json={"title": "Write the docs", **fields})
    assert response.status_code == 201
    task: dict[str, Any] = response.get_json()
    return task


def test_create_returns_the_new_task(client: FlaskClient) -> None:
    response = client.post(TASKS, json={"title": "Write the docs", "description": "All of them"})

    assert response.status_code == 201
    task = response.get_json()
    assert task["title"] == "Write the docs"
    assert task["description"] == "All of them"
    assert task["status"] == "pending"
    assert response.headers["Location"] == f"{TASKS}/{task['id']}"


def test_create_keeps_the_field_order_of_the_response_model(client: FlaskClient) -> None:
    response = client.post(TASKS, json={"title": "Write the docs"})

    task = response.get_json()
    assert list(task) == ["id", "title", "description", "status", "created_at", "updated_at"]


def test_create_without_title_is_refused(client: FlaskClient) -> None:
    response = client.post(TASKS, json={"description": "No title"})

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in error["details"]] == ["body.title"]


def test_create_with_an_unknown_field_is_refused(client: FlaskClient) -> None:
    response = client.post(TASKS, json={"title": "Write the docs", "owner": "admin"})

    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "body.owner"


def test_create_does_not_echo_the_rejected_input(client: FlaskClient) -> None:
    response = client.post(TASKS, json={"title": "x" * 201})

    assert response.status_code == 422
    assert "xxxx" not in response.get_data(as_text=True)


def test_create_with_malformed_json_is_refused(client: FlaskClient) -> None:
    response = client.post(TASKS, data='{"title": ', content_type="application/json")

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "VALIDATION_ERROR"


def test_create_with_a_body_that_is_not_utf8_is_refused(client: FlaskClient) -> None:
    response = client.post(TASKS, data=b"\x80{}", content_type="application/json")

    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "body"


def test_create_with_a_body_that_is_not_json_is_refused(client: FlaskClient) -> None:
    response = client.post(TASKS, data="title=Write the docs")

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "VALIDATION_ERROR"


def test_list_returns_a_page_newest_first(client: FlaskClient) -> None:
    for title in ["First", "Second", "Third"]:
        create_task(client, title=title)

    response = client.get(TASKS, query_string={"limit": 2, "offset": 0})

    assert response.status_code == 200
    page = response.get_json()
    assert [task["title"] for task in page["items"]] == ["Third", "Second"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)


def test_list_filters_by_status(client: FlaskClient) -> None:
    done = create_task(client, title="Done")
    client.patch(f"{TASKS}/{done['id']}", json={"status": "completed"})
    create_task(client, title="Open")

    response = client.get(TASKS, query_string={"status": "completed"})

    assert [task["title"] for task in response.get_json()["items"]] == ["Done"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 101}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"status": "archived"}, "query.status"),
        ({"sort": "title"}, "query.sort"),
    ],
)
def test_list_refuses_invalid_query_parameters(
    client: FlaskClient, query: dict[str, Any], field: str
) -> None:
    response = client.get(TASKS, query_string=query)

    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == field


def test_get_returns_the_task(client: FlaskClient) -> None:
    task = create_task(client)

    response = client.get(f"{TASKS}/{task['id']}")

    assert response.status_code == 200
    assert response.get_json() == task


def test_get_unknown_task_is_not_found(client: FlaskClient) -> None:
    response = client.get(f"{TASKS}/404")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "TASK_NOT_FOUND"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_that_is_not_a_number_is_refused(client: FlaskClient, method: str) -> None:
    response = client.open(f"{TASKS}/abc", method=method, json={"title": "x"})

    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "path.task_id"


def test_update_changes_only_the_given_fields(client: FlaskClient) -> None:
    task = create_task(client, description="Keep me")

    response = client.patch(f"{TASKS}/{task['id']}", json={"status": "in_progress"})

    assert response.status_code == 200
    updated = response.get_json()
    assert updated["status"] == "in_progress"
    assert updated["description"] == "Keep me"


def test_update_with_null_is_refused(client: FlaskClient) -> None:
    task = create_task(client)

    response = client.patch(f"{TASKS}/{task['id']}", json={"title": None})

    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "body.title"


def test_update_with_an_unknown_status_is_refused(client: FlaskClient) -> None:
    task = create_task(client)

    response = client.patch(f"{TASKS}/{task['id']}", json={"status": "archived"})

    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "body.status"


def test_update_unknown_task_is_not_found(client: FlaskClient) -> None:
    response = client.patch(f"{TASKS}/404", json={"title": "Renamed"})

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "TASK_NOT_FOUND"


def test_delete_removes_the_task(client: FlaskClient) -> None:
    task = create_task(client)

    response = client.delete(f"{TASKS}/{task['id']}")

    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get(f"{TASKS}/{task['id']}").status_code == 404


def test_delete_unknown_task_is_not_found(client: FlaskClient) -> None:
    response = client.delete(f"{TASKS}/404")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "TASK_NOT_FOUND"
