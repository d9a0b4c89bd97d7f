"""The generated project's own gates, run for real on a pairwise cover of combinations.

All generated projects share one virtualenv (their package names differ), so the
dependencies are installed once per test session.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from apigen.dev_env import development_key_pem
from tests.gates import (
    GROWN,
    POSTGRES_ADDRESS,
    POSTGRES_SERVER_URL,
    RESOURCES,
    answers_of,
    check,
    complete,
    fresh_database,
    require_postgres,
    require_redis,
    services_required,
    tool,
    venv_tool,
)
from tests.helpers import REPO_ROOT, isolated_env
from tests.matrix import contract_cover

pytestmark = pytest.mark.gates

# With the terminal report (the 90% gate's message) and a JSON one (each file's lines).
COVERAGE = ("--cov", "--cov-report=term")
FULL_CONTRACT = [complete(combination) for combination in contract_cover()]


def test_ruff_check(project: Path, shared_venv: Path) -> None:
    check([venv_tool(shared_venv, "ruff"), "check", "."], cwd=project)


def test_ruff_format(project: Path, shared_venv: Path) -> None:
    check([venv_tool(shared_venv, "ruff"), "format", "--check", "."], cwd=project)


def test_mypy_strict(project: Path, shared_venv: Path) -> None:
    # One cache for every project: the dependencies are analysed once, not per project.
    # A module whose file differs (each project's own) is checked again, never trusted.
    cache = shared_venv.parent / "mypy-cache"
    output = check([venv_tool(shared_venv, "mypy"), "--cache-dir", str(cache)], cwd=project)

    assert "Success: no issues found" in output


def test_own_tests_pass_with_the_coverage_gate(project: Path, shared_venv: Path) -> None:
    # Where apigen's run requires the services, the project's Redis tests may not skip either.
    env = {**os.environ, "TEST_REQUIRE_SERVICES": "1"} if services_required() else dict(os.environ)
    # The projects of the contract cover, which hold every framework and versioning mode,
    # run a thorough contract (25 generated requests per operation; their own CI runs 50);
    # the others keep the quick default (10), to keep the suite in its time. Whatever the size,
    # the project's string-field tests try every field deterministically.
    if answers_of(project) in FULL_CONTRACT:
        env["CONTRACT_MAX_EXAMPLES"] = "25"
    else:
        env.pop("CONTRACT_MAX_EXAMPLES", None)
    if answers_of(project)["database"] == "postgresql":
        # The project's tests make (and drop) a schema of their own in this database.
        require_postgres()
        env["DATABASE_URL"] = POSTGRES_SERVER_URL.format(
            host=POSTGRES_ADDRESS[0], port=POSTGRES_ADDRESS[1], database="test"
        )
    # In one process (-n 0): apigen's own workers already keep every core busy, and with
    # coverage a project's two workers took 66 s of CPU where one process took 38 (fastapi,
    # jwt, 448 tests). The suite's parallel run, as a user starts it, is test_workflow's
    # `make test`.
    python = venv_tool(shared_venv, "python")
    report = project.parent / "coverage.json"
    report_json = f"--cov-report=json:{report}"
    output = check(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", *COVERAGE, report_json],
        cwd=project,
        env=env,
        # A guard against a hung suite, not a budget: a loaded machine (the suite's other
        # worker, PostgreSQL) takes a contract-cover project past five minutes.
        timeout=600,
    )

    assert " passed" in output
    assert re.search(r"Required test coverage of 90(\.0)?% reached", output)
    if any(complete(grown) == answers_of(project) for grown in GROWN):
        # A grown project's added resources are covered line for line by their own tests.
        package = project.name.replace("-", "_")
        measured = json.loads(report.read_text())["files"]
        modules = ("models", "schemas", "errors", "repository", "service")
        missing = {
            f"{resource}/{module}.py": measured[f"src/{package}/{resource}/{module}.py"][
                "missing_lines"
            ]
            for resource, _fields in RESOURCES
            for module in modules
        }
        assert {path: lines for path, lines in missing.items() if lines} == {}


def test_migrations_upgrade_and_match_the_models(
    project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    alembic = venv_tool(shared_venv, "alembic")
    with fresh_database(project, shared_venv, tmp_path / "migrate.db") as url:
        env = {**os.environ, "DATABASE_URL": url}
        check([alembic, "upgrade", "heads"], cwd=project, env=env)
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


@contextmanager
def gunicorn(project: Path, venv: Path, tmp_path: Path, **settings: str) -> Iterator[str]:
    """The README's production command, `gunicorn`, started for real on a free port.

    The project's own `.env` (the development key apigen wrote) is read, as it would be,
    except in production (`production_settings`), which reads no `.env`.
    What the server prints, on stdout and stderr, lands in `tmp_path / "gunicorn.log"`.
    """
    port = free_port()
    # Counts kept in memory need one worker (gunicorn.conf.py refuses more); the others run
    # two, so that whatever the workers must share is shared.
    workers = "1" if answers_of(project)["rate_limit"] == "memory" else "2"
    with fresh_database(project, venv, tmp_path / "serve.db") as database_url:
        env = {
            **isolated_env(tmp_path),
            "DATABASE_URL": database_url,
            "BIND": f"127.0.0.1:{port}",
            # Projects with Prometheus metrics serve them on a port of their own.
            "METRICS_PORT": str(free_port()),
            "WEB_CONCURRENCY": workers,
            **settings,
        }
        check([venv_tool(venv, "alembic"), "upgrade", "heads"], cwd=project, env=env)
        # A file, not a pipe: a pipe nobody reads fills up and stalls the server's logging.
        with (tmp_path / "gunicorn.log").open("w") as log:
            process = subprocess.Popen(
                [venv_tool(venv, "gunicorn")],
                cwd=project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_live(url)
            yield url
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def server(project: Path, shared_venv: Path, tmp_path: Path) -> Iterator[str]:
    with gunicorn(project, shared_venv, tmp_path) as url:
        yield url


def lower_keys(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """HTTP header names are case-insensitive; uvicorn sends them in lower case."""
    return {name.lower(): value for name, value in headers}


def send(
    url: str,
    *,
    method: str = "GET",
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, dict[str, str]]:
    """One request, sent once: a POST must never be repeated behind the test's back."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (a local URL)
        url, data=data, method=method, headers=headers or {}
    )
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local)
            return response.status, response.read(), lower_keys(response.headers.items())
    except urllib.error.HTTPError as error:
        return error.code, error.read(), lower_keys(error.headers.items())


def tasks_path(project: Path) -> str:
    """The tasks' path: /api/v1/tasks with URL versioning; /api/tasks for the other modes."""
    return "/api/v1/tasks" if answers_of(project)["versioning"] == "url" else "/api/tasks"


def wait_until_live(url: str, timeout: float = 60) -> None:
    """Poll the liveness probe until a worker answers it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health/live", timeout=5):  # noqa: S310 (local)
                return
        # Refused, reset, or accepted by the listening socket before any worker has booted.
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_gunicorn_serves_liveness_and_readiness(server: str) -> None:
    live_status, _, _ = send(f"{server}/health/live")
    ready_status, ready_body, headers = send(f"{server}/health/ready")

    assert live_status == 200
    assert ready_status == 200, ready_body
    assert b'"database":"ok"' in ready_body.replace(b" ", b"")
    assert headers["x-content-type-options"] == "nosniff"
    assert "x-request-id" in headers


def test_gunicorn_serves_users_with_real_tokens(
    jwt_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """Register, log in and use the token, signed with the key apigen wrote into .env."""
    project = jwt_project
    account = {"email": "ada@example.com", "password": "a long passphrase"}
    with gunicorn(project, shared_venv, tmp_path) as url:
        registered, _, _ = send(f"{url}/api/auth/register", method="POST", body=account)
        _, tokens, headers = send(f"{url}/api/auth/login", method="POST", body=account)
        bearer = {"Authorization": f"Bearer {json.loads(tokens)['access_token']}"}
        tasks = f"{url}{tasks_path(project)}"
        created, _, _ = send(tasks, method="POST", body={"title": "Ship"}, headers=bearer)
        anonymous, _, challenge = send(tasks)

    assert registered == 201
    assert headers["cache-control"] == "no-store"
    assert created == 201
    assert anonymous == 401
    assert challenge["www-authenticate"].startswith("Bearer")


def test_two_gunicorn_workers_share_one_redis_limit(
    redis_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """Each worker is a process of its own; only Redis can make them count together."""
    require_redis()
    project = redis_project
    limits = {"RATE_LIMIT_DEFAULT": "6/minute", "RATE_LIMIT_NAMESPACE": f"gate-{uuid.uuid4().hex}"}
    with gunicorn(project, shared_venv, tmp_path, **limits) as url:
        send(f"{url}/health/live")  # wait until the workers answer
        statuses = [send(f"{url}{tasks_path(project)}")[0] for _ in range(12)]

    assert statuses.count(429) == 6, statuses


# --- the server itself: workers, proxies, slow clients, its own answers --------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"GUNICORN_CMD_ARGS": "--workers=2"},
        {"WEB_CONCURRENCY": "3"},
        {"GUNICORN_CMD_ARGS": "--max-requests=1000"},
    ],
    ids=["workers-flag", "web-concurrency", "recycling"],
)
def test_in_memory_limits_refuse_what_would_count_them_apart(
    memory_project: Path, shared_venv: Path, tmp_path: Path, settings: dict[str, str]
) -> None:
    """gunicorn's final configuration is checked, however the workers were asked for."""
    env = {
        **isolated_env(tmp_path),
        "BIND": f"127.0.0.1:{free_port()}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'refused.db'}",
        **settings,
    }
    process = subprocess.Popen(
        [venv_tool(shared_venv, "gunicorn")],
        cwd=memory_project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        # It started: stop the master and its workers together.
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()

    assert process.returncode == 1, stderr
    assert "rate limits are counted in the worker's memory" in stderr


def test_in_memory_limits_last_past_what_used_to_recycle_the_worker(
    memory_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """The shipped max_requests (1000 + up to 100) restarted the worker and its counts."""
    tasks = tasks_path(memory_project)
    with gunicorn(memory_project, shared_venv, tmp_path, RATE_LIMIT_DEFAULT="3/hour") as url:
        spent = [send(f"{url}{tasks}")[0] for _ in range(3)]
        probes = [send(f"{url}/health/live")[0] for _ in range(1200)]
        after, _, _ = send(f"{url}{tasks}")

    assert 429 not in spent
    assert set(probes) == {200}
    assert after == 429


def keep_alive_client(url: str, paths: list[str]) -> tuple[list[int], list[str], int]:
    """GET each path in turn on one keep-alive connection, opening another when told to.

    Returns the statuses of the complete responses, the failures (a connection closed or
    reset under a request, a short body) and how many responses said `Connection: close`.
    Nothing is retried: a request the server drops is a failure.
    """
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    statuses: list[int] = []
    failures: list[str] = []
    closes = 0
    for path in paths:
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{path}: {error!r}")
            connection.close()
            continue
        if len(body) != int(response.headers["Content-Length"]):
            failures.append(f"{path}: {len(body)} bytes of {response.headers['Content-Length']}")
        statuses.append(response.status)
        if response.will_close:
            closes += 1
            connection.close()  # the next request opens a new connection
    connection.close()
    return statuses, failures, closes


def test_no_request_fails_while_workers_recycle(
    recycling_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """One worker, recycled every 100 requests, under eight busy keep-alive clients.

    A stopping worker used to close its keep-alive connections under the clients' next
    requests: each recycle cost every client connected then a request.
    """
    require_redis()
    project = recycling_project
    recycling = {
        "WEB_CONCURRENCY": "1",
        "GUNICORN_MAX_REQUESTS": "100",
        "GUNICORN_MAX_REQUESTS_JITTER": "0",
        "RATE_LIMIT_DEFAULT": "100000/minute",
        "RATE_LIMIT_NAMESPACE": f"gate-{uuid.uuid4().hex}",
    }
    # Liveness, and the tasks without a token: the rate limit, authentication and the error
    # envelope all run, and the answer is a 401.
    paths = ["/health/live", tasks_path(project)] * 60
    with (
        gunicorn(project, shared_venv, tmp_path, **recycling) as url,
        ThreadPoolExecutor(8) as pool,
    ):
        results = list(pool.map(keep_alive_client, [url] * 8, [paths] * 8))
    boots = (tmp_path / "gunicorn.log").read_text().count("Booting worker")

    failures = [failure for _, failed, _ in results for failure in failed]
    statuses = [status for answered, _, _ in results for status in answered]
    assert failures == []
    assert len(statuses) == 8 * len(paths)
    assert set(statuses) == {200, 401}
    # 960 requests at 100 a worker and more: uvicorn checks its count ten times a second, and
    # a stopping worker answers each connection's next request.
    assert boots >= 4
    # Clients were connected when workers stopped, and were told to reconnect.
    assert sum(closes for _, _, closes in results) >= 8


def raw_exchange(url: str, request: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are and read until the server closes the connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def test_the_server_never_names_itself_and_answers_in_the_envelope(
    memory_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    requests = {
        "served": b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "malformed": b"NOT HTTP AT ALL\r\n\r\n",
        "too many headers": b"GET / HTTP/1.1\r\n"
        + b"".join(b"X-%d: %s\r\n" % (n, b"y" * 200) for n in range(120))
        + b"\r\n",
    }
    with gunicorn(memory_project, shared_venv, tmp_path) as url:
        answers = {name: raw_exchange(url, request) for name, request in requests.items()}

    for name, answer in answers.items():
        head, _, body = answer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").lower().split("\r\n")
        assert not [line for line in lines if line.startswith("server:")], name
        assert "x-content-type-options: nosniff" in lines, name
        if name != "served":
            assert lines[0].split()[1] in {"400", "431"}, lines[0]
            assert "content-type: application/json" in lines, name
            assert json.loads(body)["error"]["code"] in {"BAD_REQUEST", "HEADERS_TOO_LARGE"}


def test_a_few_hundred_slow_clients_neither_block_the_server_nor_stay(
    memory_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """Slowloris, bounded: 300 connections that send half a request head, on 127.0.0.1."""
    with gunicorn(memory_project, shared_venv, tmp_path, GUNICORN_HEADER_TIMEOUT="3") as url:
        host, port = url.removeprefix("http://").split(":")
        slow = [socket.create_connection((host, int(port)), timeout=10) for _ in range(300)]
        try:
            for connection in slow:
                connection.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
            latencies = []
            for _ in range(4):
                for connection in slow:
                    connection.sendall(b"X-Slow: 1\r\n")
                started = time.monotonic()
                status, _, _ = send(f"{url}/health/live")
                latencies.append((status, time.monotonic() - started))
                time.sleep(0.5)
            time.sleep(3)
            cut_off = 0
            for connection in slow:
                connection.settimeout(5)
                cut_off += connection.recv(1) == b""
        finally:
            for connection in slow:
                connection.close()

    assert all(status == 200 and seconds < 2 for status, seconds in latencies), latencies
    assert cut_off == len(slow)


def test_a_few_hundred_slow_bodies_neither_block_the_server_nor_stay(
    memory_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """300 connections that send a whole head and then part of the body, on 127.0.0.1.

    Both servers read bodies on their event loop and close a connection whose body is
    overdue: Flask's worker answers it 408 (it reads the body before the application sees
    the request), uvicorn's has answered 405 already (the route takes no body).
    """
    flask = answers_of(memory_project)["framework"] == "flask"
    head = (
        b"POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n"
    )
    with gunicorn(memory_project, shared_venv, tmp_path, GUNICORN_BODY_TIMEOUT="3") as url:
        host, port = url.removeprefix("http://").split(":")
        slow = [socket.create_connection((host, int(port)), timeout=10) for _ in range(300)]
        try:
            for connection in slow:
                connection.sendall(head + b'{"email"')
            latencies = []
            for _ in range(4):
                started = time.monotonic()
                status, _, _ = send(f"{url}/health/live")
                latencies.append((status, time.monotonic() - started))
                time.sleep(0.5)
            time.sleep(3)
            answers = []
            for connection in slow:
                connection.settimeout(5)
                received = b""
                while chunk := connection.recv(65536):  # until the server closes it
                    received += chunk
                answers.append(received.split(b"\r\n", 1)[0])
        finally:
            for connection in slow:
                connection.close()

    assert all(status == 200 and seconds < 2 for status, seconds in latencies), latencies
    expected = b"HTTP/1.1 408 Request Timeout" if flask else b"HTTP/1.1 405 Method Not Allowed"
    assert set(answers) == {expected}


def test_forwarded_for_counts_only_from_the_trusted_proxies(
    memory_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """One rule for both frameworks, uvicorn's own loopback trust included."""
    tasks = tasks_path(memory_project)
    spoofed = [f"203.0.113.{n}" for n in range(1, 5)]

    def statuses(url: str, addresses: list[str]) -> list[int]:
        return [send(f"{url}{tasks}", headers={"X-Forwarded-For": a})[0] for a in addresses]

    limit = {"RATE_LIMIT_DEFAULT": "3/minute"}
    for folder in ("untrusted", "trusted"):
        (tmp_path / folder).mkdir()
    with gunicorn(memory_project, shared_venv, tmp_path / "untrusted", **limit) as url:
        from_a_client = statuses(url, spoofed)
    trusted = {**limit, "FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with gunicorn(memory_project, shared_venv, tmp_path / "trusted", **trusted) as url:
        through_the_proxy = statuses(url, spoofed)
        one_client_through_it = statuses(url, ["198.51.100.7"] * 4)

    assert from_a_client[-1] == 429
    assert 429 not in through_the_proxy
    assert one_client_through_it[-1] == 429


def production_settings(project: Path) -> dict[str, str]:
    """What `ENVIRONMENT=production` needs, for any combination: production reads no `.env`,
    so its signing key is a new one, in the server's environment as a deployment sets it."""
    answers = answers_of(project)
    settings = {"ENVIRONMENT": "production", "RATE_LIMIT_NAMESPACE": f"gate-{uuid.uuid4().hex}"}
    if answers["auth"] == "jwt":
        settings["JWT_PRIVATE_KEY"] = development_key_pem()
    if answers["rate_limit"] == "memory":
        settings["WEB_CONCURRENCY"] = "1"  # production refuses per-process counts otherwise
    if answers["auth"] == "oidc":
        settings.update(
            OIDC_ISSUER="https://login.example.com",
            OIDC_AUDIENCE="gate",
            OIDC_JWKS_URL="https://login.example.com/certs",
        )
    return settings


def test_in_production_every_line_is_json_and_each_request_is_logged_once(
    project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """gunicorn's own lines, the workers' and the application's: one pipeline, one format."""
    paths = ["/health/live", "/health/ready", tasks_path(project), "/no/such/path"]
    with gunicorn(project, shared_venv, tmp_path, **production_settings(project)) as url:
        request_ids = [send(f"{url}{path}")[2]["x-request-id"] for path in paths]
    # After the server stopped: its shutdown lines are checked too.
    lines = (tmp_path / "gunicorn.log").read_text().splitlines()

    records = [json.loads(line) for line in lines]  # any line that is not JSON fails here
    for request_id in request_ids:
        [record] = [r for r in records if r.get("request_id") == request_id]
        assert record["event"] == "request_completed"
    assert {"gunicorn.error"} <= {record.get("logger") for record in records}
    assert not [r for r in records if str(r.get("logger")).endswith(".access")]


def test_gunicorn_serves_the_metrics_on_their_own_port_only(
    metrics_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """On the API's host (BIND's, even in production), and idle clients are cut, not kept."""
    port = free_port()
    settings = production_settings(metrics_project)
    with gunicorn(
        metrics_project, shared_venv, tmp_path, METRICS_PORT=str(port), **settings
    ) as url:
        send(f"{url}/health/live")
        api_metrics, _, _ = send(f"{url}/metrics")
        # Another loopback address reaches a listener on every interface, not one on 127.0.0.1.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
        idle = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(50)]
        try:
            for connection in idle:
                connection.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            cut_off = 0
            for connection in idle:
                try:
                    cut_off += connection.recv(1) == b""
                except ConnectionError:  # closed unanswered: beyond the connections served
                    cut_off += 1
        finally:
            for connection in idle:
                connection.close()
        status, scraped, _ = send(f"http://127.0.0.1:{port}/metrics")

    assert api_metrics == 404
    assert cut_off == len(idle)
    assert status == 200
    assert b'http_requests_total{method="GET",route="/health/live"' in scraped


@contextmanager
def identity_provider(project: Path, venv: Path) -> Iterator[tuple[dict[str, Any], Any]]:
    """The project's stand-in identity provider in a process of its own, with its tokens.

    Yields what it printed when it started, and a function that sends it one command
    (`slow`, `fast`) and returns the number of JWKS requests it has answered so far.
    """
    process = subprocess.Popen(
        [venv_tool(venv, "python"), str(REPO_ROOT / "tests" / "identity_provider_process.py")],
        cwd=project,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    stdin, stdout = process.stdin, process.stdout
    assert stdin is not None
    assert stdout is not None

    def command(line: str) -> int:
        stdin.write(f"{line}\n")
        stdin.flush()
        return int(stdout.readline())

    try:
        yield json.loads(stdout.readline()), command
    finally:
        stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def timed_get(url: str, token: str) -> tuple[int, float]:
    start = time.monotonic()
    status, _, _ = send(url, headers={"Authorization": f"Bearer {token}"})
    return status, time.monotonic() - start


def test_gunicorn_answers_valid_tokens_while_the_identity_provider_is_slow(
    oidc_project: Path, shared_venv: Path, tmp_path: Path
) -> None:
    """Tokens with made-up key ids make the API ask a provider that does not answer.

    Valid tokens are still verified at once, in the worker's threads (FastAPI's pool for
    sync dependencies, Flask's gthread), and the provider is asked once.
    """
    project = oidc_project
    with identity_provider(project, shared_venv) as (provider, command):
        settings = {name: provider[name] for name in provider if name.startswith("OIDC_")}
        with gunicorn(
            project,
            shared_venv,
            tmp_path,
            # One worker: each has its own key cache, and this one must hold the keys.
            WEB_CONCURRENCY="1",
            # Plain http on 127.0.0.1 is accepted outside production only.
            ENVIRONMENT="development",
            OIDC_JWKS_MIN_REFRESH_SECONDS="1",
            RATE_LIMIT_NAMESPACE=f"gate-{uuid.uuid4().hex}",
            **settings,
        ) as url:
            tasks = f"{url}{tasks_path(project)}"
            warm, _ = timed_get(tasks, provider["valid"][0])
            time.sleep(1.5)  # past the minimum interval: a made-up kid may fetch again
            before = command("slow")
            with ThreadPoolExecutor(max_workers=32) as pool:
                made_up = [pool.submit(timed_get, tasks, t) for t in provider["made_up_kid"]]
                time.sleep(0.5)
                valid = [pool.submit(timed_get, tasks, t) for t in provider["valid"]]
                valid_answers = [future.result() for future in valid]
                fetches = command("fast") - before
                made_up_answers = [future.result() for future in made_up]

    assert warm == 200
    assert {status for status, _ in valid_answers} == {200}
    # Waiting for the fetch would take its whole timeout, 5 seconds.
    assert max(seconds for _, seconds in valid_answers) < 3, valid_answers
    assert {status for status, _ in made_up_answers} == {401}
    assert fetches == 1
