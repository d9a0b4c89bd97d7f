"""The task endpoints over HTTP: status codes, bodies and the error envelope."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

TASKS = "/api/v1/tasks"


def create_task(client: TestClient, title: str = "Write docs", **fields: str) -> dict[str, Any]:
    response = client.post(TASKS, json={"title": title, **fields})
    assert response.status_code == 201
    task: dict[str, Any] = response.json()
    return task


def error_fields(response: Response) -> list[str]:
    return [detail["field"] for detail in response.json()["error"]["details"]]


def test_create_returns_201_with_the_task(client: TestClient) -> None:
    response = client.post(TASKS, json={"title": "Write docs", "description": "The README"})

    assert response.status_code == 201
    task = response.json()
    assert set(task) == {"id", "title", "description", "status", "created_at", "updated_at"}
    assert (task["title"], task["description"], task["status"]) == (
        "Write docs",
        "The README",
        "pending",
    )


def test_create_with_an_empty_title_answers_422_with_the_envelope(client: TestClient) -> None:
    response = client.post(TASKS, json={"title": ""})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert [detail["field"] for detail in error["details"]] == ["body.title"]
    assert set(error["details"][0]) == {"field", "message", "type"}


def test_create_refuses_unknown_fields(client: TestClient) -> None:
    response = client.post(TASKS, json={"title": "Write docs", "owner": "someone"})

    assert response.status_code == 422
    assert error_fields(response) == ["body.owner"]


def test_create_refuses_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post(
        TASKS, content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_create_refuses_a_body_that_is_not_utf8(client: TestClient) -> None:
    response = client.post(TASKS, content=b"\x80{}", headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert error_fields(response) == ["body"]


def test_validation_errors_never_echo_the_input(client: TestClient) -> None:
    response = client.get(TASKS, params={"status": "<script>alert(1)</script>"})

    assert response.status_code == 422
    assert "<script>" not in response.text


def test_list_returns_a_page_newest_first(client: TestClient) -> None:
    for title in ("First", "Second", "Third"):
        create_task(client, title)

    response = client.get(TASKS, params={"limit": 2, "offset": 1})

    assert response.status_code == 200
    page = response.json()
    assert [task["title"] for task in page["items"]] == ["Second", "First"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)


def test_list_filters_by_status(client: TestClient) -> None:
    done = create_task(client, "Done")
    client.patch(f"{TASKS}/{done['id']}", json={"status": "completed"})
    create_task(client, "Open")

    response = client.get(TASKS, params={"status": "completed"})

    assert [task["title"] for task in response.json()["items"]] == ["Done"]


def test_list_refuses_a_page_larger_than_100(client: TestClient) -> None:
    response = client.get(TASKS, params={"limit": 101})

    assert response.status_code == 422
    assert error_fields(response) == ["query.limit"]


def test_list_refuses_an_unknown_status(client: TestClient) -> None:
    response = client.get(TASKS, params={"status": "someday"})

    assert response.status_code == 422
    assert error_fields(response) == ["query.status"]


def test_get_returns_the_task(client: TestClient) -> None:
    task = create_task(client)

    response = client.get(f"{TASKS}/{task['id']}")

    assert response.status_code == 200
    assert response.json() == task


def test_get_unknown_task_answers_404_with_the_envelope(client: TestClient) -> None:
    response = client.get(f"{TASKS}/404")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "TASK_NOT_FOUND", "message": "Task not found.", "details": []}
    }


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_that_is_not_a_number_is_refused(client: TestClient, method: str) -> None:
    response = client.request(method, f"{TASKS}/abc", json={"title": "x"})

    assert response.status_code == 422
    assert error_fields(response) == ["path.task_id"]


def test_update_changes_only_the_given_fields(client: TestClient) -> None:
    task = create_task(client, "Draft", description="keep me")

    response = client.patch(f"{TASKS}/{task['id']}", json={"status": "in_progress"})

    assert response.status_code == 200
    updated = response.json()
    assert (updated["title"], updated["description"], updated["status"]) == (
        "Draft",
        "keep me",
        "in_progress",
    )


def test_update_refuses_null(client: TestClient) -> None:
    task = create_task(client)

    response = client.patch(f"{TASKS}/{task['id']}", json={"title": None})

    assert response.status_code == 422
    assert error_fields(response) == ["body.title"]


def test_update_unknown_task_answers_404(client: TestClient) -> None:
    response = client.patch(f"{TASKS}/404", json={"title": "New title"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "TASK_NOT_FOUND"


def test_delete_answers_204_and_the_task_is_gone(client: TestClient) -> None:
    task = create_task(client)

    response = client.delete(f"{TASKS}/{task['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{TASKS}/{task['id']}").status_code == 404


def test_delete_unknown_task_answers_404(client: TestClient) -> None:
    response = client.delete(f"{TASKS}/404")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "TASK_NOT_FOUND"


def test_an_id_too_large_for_the_database_answers_404(client: TestClient) -> None:
    response = client.delete(f"{TASKS}/{2**63}")

    assert response.status_code == 404
