"""The generated project's own gates, run for real on a pairwise cover of combinations.

All generated projects share one virtualenv (their package names differ), so the
dependencies are installed once per test session.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.gates import check, tool, venv_tool
from tests.helpers import isolated_env

pytestmark = pytest.mark.gates


def test_ruff_check(project: Path, shared_venv: Path) -> None:
    check([venv_tool(shared_venv, "ruff"), "check", "."], cwd=project)


def test_ruff_format(project: Path, shared_venv: Path) -> None:
    check([venv_tool(shared_venv, "ruff"), "format", "--check", "."], cwd=project)


def test_mypy_strict(project: Path, shared_venv: Path) -> None:
    output = check([venv_tool(shared_venv, "mypy")], cwd=project)

    assert "Success: no issues found" in output


def test_own_tests_pass_with_the_coverage_gate(project: Path, shared_venv: Path) -> None:
    output = check(
        [venv_tool(shared_venv, "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--cov"],
        cwd=project,
    )

    assert " passed" in output
    assert re.search(r"Required test coverage of 90(\.0)?% reached", output)


def test_migrations_upgrade_and_match_the_models(
    project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'migrate.db'}"}
    alembic = venv_tool(shared_venv, "alembic")

    check([alembic, "upgrade", "head"], cwd=project, env=env)
    output = check([alembic, "check"], cwd=project, env=env)

    assert "No new upgrade operations detected" in output


def test_bandit_finds_nothing_at_medium_severity_and_confidence(
    project: Path, shared_venv: Path
) -> None:
    bandit = venv_tool(shared_venv, "bandit")

    check(
        [bandit, "-q", "-r", "src", "--severity-level", "medium", "--confidence-level", "medium"],
        cwd=project,
    )


def test_hadolint_finds_nothing(project: Path) -> None:
    check([tool("hadolint"), "Dockerfile"], cwd=project)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(project: Path, shared_venv: Path, tmp_path: Path) -> Iterator[str]:
    """The README's production command, `gunicorn`, started for real on a free port."""
    port = free_port()
    env = {
        **isolated_env(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }
    check([venv_tool(shared_venv, "alembic"), "upgrade", "head"], cwd=project, env=env)
    process = subprocess.Popen(
        [venv_tool(shared_venv, "gunicorn")],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def lower_keys(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """HTTP header names are case-insensitive; uvicorn sends them in lower case."""
    return {name.lower(): value for name, value in headers}


def get(url: str, timeout: float = 30) -> tuple[int, bytes, dict[str, str]]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local URL)
                return response.status, response.read(), lower_keys(response.headers.items())
        except urllib.error.HTTPError as error:
            return error.code, error.read(), lower_keys(error.headers.items())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gunicorn_serves_liveness_and_readiness(server: str) -> None:
    live_status, _, _ = get(f"{server}/health/live")
    ready_status, ready_body, headers = get(f"{server}/health/ready")

    assert live_status == 200
    assert ready_status == 200, ready_body
    assert b'"database":"ok"' in ready_body.replace(b" ", b"")
    assert headers["x-content-type-options"] == "nosniff"
    assert "x-request-id" in headers
