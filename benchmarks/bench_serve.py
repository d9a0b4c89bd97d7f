"""Requests per second of the generated server against a bare app of the same framework.

Run from the repository root, on an otherwise idle machine:

    python benchmarks/bench_serve.py [--runs 5] [--duration 5] [--connections 16]

For each framework it generates a project with apigen from this checkout (JWT auth, a rate
limit, SQLite), installs it with `uv sync`, and writes a bare app next to it: the same two
endpoints with no middleware, no auth and no validation, the page of tasks read by the same
SQLAlchemy ORM query from the same database. Each app runs under gunicorn with one worker of
the generated project's own worker class (`api/server.py`), so the difference is the
application's. The generated one runs with its production settings (ENVIRONMENT=production:
JSON log line per request, security headers, request id, rate limit, token checks), the
rate limits set high enough that wrk is never refused.

A third server is the bare app with one thing of the generated project's added: its log
line per request, through the project's own logging pipeline. Its ratio to the bare app is the
ceiling of any app that logs each request that way, whatever else it does or leaves out.

wrk then loads `GET /health/live` and an authenticated `GET` of a page of 20 tasks, the
generated, the bare and the logged server in turn (interleaved runs), and the table gives the
medians: requests per second, p99 latency, their ratios, the workers gunicorn booted during
the runs (a recycle or a crash) and the socket errors wrk saw (connections dropped).
wrk only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a long benchmark passphrase"  # noqa: S105 (a throwaway local account)
TASKS = 25
# High enough that wrk is never refused, so every response is a real one; the limiter
# still counts each request.
NO_REFUSAL = "100000000/minute"

# What both bare apps share: the tasks table and the page the generated repository reads
# (a count subquery, then one page, newest first), with nothing around them.
BARE_TASKS = '''
"""The tasks table and one page of an owner's tasks, through the same ORM query."""

import os
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

engine = create_engine(os.environ["DATABASE_URL"])
OWNER = os.environ["BENCH_OWNER"]


class Base(DeclarativeBase):
    pass


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    title: Mapped[str]
    description: Mapped[str]
    status: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def page(limit: int, offset: int, moment: Callable[[datetime], object]) -> dict[str, object]:
    """A page of the owner's tasks; `moment` writes a datetime as the framework wants it."""
    with Session(engine) as session:
        query = select(Task).where(Task.owner == OWNER)
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(Task.id.desc()).limit(limit).offset(offset))
        items = [
            {
                "id": task.id,
                "title": task.title,
                "description": task.description,
                "status": task.status,
                "created_at": moment(task.created_at),
                "updated_at": moment(task.updated_at),
            }
            for task in rows
        ]
    return {"items": items, "total": total, "limit": limit, "offset": offset}
'''

BARE_FASTAPI = '''
"""A bare FastAPI app: the two endpoints, no middleware, the same ORM query."""

from fastapi import FastAPI

from bare_tasks import page

app = FastAPI()


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/tasks")
def tasks(limit: int = 20, offset: int = 0) -> dict[str, object]:
    return page(limit, offset, lambda moment: moment)  # FastAPI writes datetimes itself
'''

BARE_FLASK = '''
"""A bare Flask app: the two endpoints, no extension or hook, the same ORM query."""

from datetime import datetime

from flask import Flask, request

from bare_tasks import page

app = Flask(__name__)


@app.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/tasks")
def tasks() -> dict[str, object]:
    limit = int(request.args.get("limit", 20))
    offset = int(request.args.get("offset", 0))
    return page(limit, offset, datetime.isoformat)
'''

# The bare apps again, with one thing of the generated project's added: its log line per
# request, written by its own logging pipeline (`configure_logging`: structlog, then the
# standard `logging` module, one JSON object on stdout). The ratio of this server to the bare
# one is the ceiling of any generated app that logs each request.
LOGGED_FASTAPI = '''
"""The bare FastAPI app and the generated project's log line per request, nothing else."""

import time

import structlog

from bare_app import app as bare
from {package}.config import get_settings
from {package}.logs import configure_logging

configure_logging(get_settings())
logger = structlog.get_logger("request")


async def app(scope, receive, send):
    if scope["type"] != "http":
        await bare(scope, receive, send)
        return
    status_code = 500
    started_at = time.perf_counter()

    async def send_with_status(message):
        nonlocal status_code
        if message["type"] == "http.response.start":
            status_code = message["status"]
        await send(message)

    try:
        await bare(scope, receive, send_with_status)
    finally:
        logger.info(
            "request_completed",
            method=scope["method"],
            path=scope["path"],
            client=scope["client"][0],
            status_code=status_code,
            duration_ms=round((time.perf_counter() - started_at) * 1000, 2),
        )
'''

LOGGED_FLASK = '''
"""The bare Flask app and the generated project's log line per request, nothing else."""

import time

import structlog
from flask import g, request

from bare_app import app
from {package}.config import get_settings
from {package}.logs import configure_logging

configure_logging(get_settings())
logger = structlog.get_logger("request")


@app.before_request
def start() -> None:
    g.started_at = time.perf_counter()


@app.after_request
def log(response):
    logger.info(
        "request_completed",
        method=request.method,
        path=request.path,
        client=request.remote_addr,
        status_code=response.status_code,
        duration_ms=round((time.perf_counter() - g.started_at) * 1000, 2),
    )
    return response
'''

# The bare apps' gunicorn settings: the generated worker class and what the generated
# gunicorn.conf.py sets that changes throughput (one worker, its threads, keep-alive).
BARE_CONFIG = """
import os

bind = os.environ["BIND"]
workers = 1
worker_class = "{package}.api.server.Worker"
threads = 8
keepalive = 5
max_requests = 0
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        sys.exit("uv is needed: pip install -e '.[test]'")
    return found


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return {**env, **extra}


@dataclass
class Server:
    """One gunicorn, started in the background, its output in a log file."""

    name: str
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def boots(self) -> int:
        return self.log.read_text(errors="replace").count("Booting worker")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start(name: str, command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Server:
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**env, "BIND": f"127.0.0.1:{port}"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, f"http://127.0.0.1:{port}", log, process)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/health/live", timeout=5):  # noqa: S310
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                sys.exit(f"{name} did not start:\n{log.read_text()}")
            time.sleep(0.2)


def call(url: str, method: str = "GET", body: object = None, token: str = "") -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (local)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local)
        return json.loads(response.read())


@dataclass
class Target:
    """A framework's generated project and its bare app, with what they need to run."""

    framework: str
    project: Path
    package: str
    tasks_path: str
    env: dict[str, str]
    bare_dir: Path
    servers: dict[str, Server] = field(default_factory=dict)
    token: str = ""

    @property
    def gunicorn(self) -> str:
        return str(self.project / ".venv" / "bin" / "gunicorn")


def prepare(framework: str, workdir: Path, rate_limit: str, checkout: Path) -> Target:
    """Generate and install the project, migrate and seed its database, write the bare app."""
    project = workdir / f"bench-{framework}"
    flags = ["--framework", framework, "--auth", "jwt", "--rate-limit", rate_limit]
    flags += ["--database", "sqlite", "--yes"]
    subprocess.run(
        [sys.executable, "-m", "apigen", "new", str(project), *flags],
        check=True,
        cwd=workdir,
        env=clean_env(PYTHONPATH=str(checkout), APIGEN_HOME=str(workdir / "apigen-home")),
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [uv(), "sync", "--quiet", "--compile-bytecode"], check=True, cwd=project, env=clean_env()
    )
    answers = (project / ".copier-answers.yml").read_text()
    package = re.search(r"^package_name: (\S+)", answers, re.MULTILINE)
    versioning = re.search(r"^versioning: (\S+)", answers, re.MULTILINE)
    if package is None or versioning is None:
        sys.exit(f"no package name or versioning in {project}/.copier-answers.yml")
    tasks_path = "/api/v2/tasks" if versioning[1] == "url" else "/api/tasks"
    database = workdir / f"bench-{framework}.db"
    sys.path.insert(0, str(REPO_ROOT))
    from apigen.dev_env import development_key_pem

    env = clean_env(
        ENVIRONMENT="production",
        JWT_PRIVATE_KEY=development_key_pem(),
        JWT_ISSUER="http://localhost:8000",
        JWT_AUDIENCE="bench",
        DATABASE_URL=f"sqlite:///{database}",
        WEB_CONCURRENCY="1",
        RATE_LIMIT_DEFAULT=NO_REFUSAL,
        RATE_LIMIT_AUTH=NO_REFUSAL,
        RATE_LIMIT_NAMESPACE=f"bench-{os.getpid()}-{framework}",
    )
    subprocess.run(
        [str(project / ".venv" / "bin" / "alembic"), "upgrade", "head"],
        check=True,
        cwd=project,
        env=env,
        capture_output=True,
    )
    bare_dir = workdir / f"bare-{framework}"
    bare_dir.mkdir()
    (bare_dir / "bare_tasks.py").write_text(BARE_TASKS)
    (bare_dir / "bare_app.py").write_text(BARE_FASTAPI if framework == "fastapi" else BARE_FLASK)
    (bare_dir / "bare_conf.py").write_text(BARE_CONFIG.format(package=package[1]))
    logged = LOGGED_FASTAPI if framework == "fastapi" else LOGGED_FLASK
    (bare_dir / "logged_app.py").write_text(logged.replace("{package}", package[1]))
    return Target(framework, project, package[1], tasks_path, env, bare_dir)


def seed(target: Target) -> None:
    """One user with TASKS tasks, through the generated API; the bare app reads the same."""
    url = target.servers["generated"].url
    account = {"email": "bench@example.com", "password": PASSWORD}
    call(f"{url}/api/auth/register", "POST", account)
    target.token = login(target)
    for number in range(TASKS):
        call(f"{url}{target.tasks_path}", "POST", {"title": f"Task {number}"}, target.token)
    database = target.env["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        (owner,) = connection.execute("SELECT DISTINCT owner FROM tasks").fetchone()
    target.env["BENCH_OWNER"] = owner


def login(target: Target) -> str:
    url = target.servers["generated"].url
    account = {"email": "bench@example.com", "password": PASSWORD}
    tokens = call(f"{url}/api/auth/login", "POST", account)
    if not isinstance(tokens, dict):
        sys.exit(f"login answered {tokens!r}")
    return str(tokens["access_token"])


def start_servers(target: Target, workdir: Path) -> None:
    target.servers["generated"] = start(
        f"generated {target.framework}",
        [target.gunicorn],
        target.project,
        target.env,
        workdir / f"generated-{target.framework}.log",
    )
    seed(target)
    for kind, module, label in (("bare", "bare_app", ""), ("logged", "logged_app", " + log")):
        target.servers[kind] = start(
            f"bare {target.framework}{label}",
            [target.gunicorn, "--config", "bare_conf.py", f"{module}:app"],
            target.bare_dir,
            {**target.env, "PYTHONPATH": str(target.bare_dir)},
            workdir / f"{kind}-{target.framework}.log",
        )


@dataclass
class Run:
    rps: float
    p99_ms: float
    socket_errors: int
    non_2xx: int
    boots: int


def wrk(url: str, token: str, duration: int, connections: int) -> tuple[float, float, int, int]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if token:
        command[1:1] = ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=duration + 60
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    if rate is None or p99 is None:
        sys.exit(f"wrk said:\n{output}")
    rps = float(rate[1])
    p99_ms = float(p99[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99[2]]
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = sum(int(n) for n in errors.groups()) if errors else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p99_ms, socket_errors, int(non_2xx[1]) if non_2xx else 0


def measure(
    target: Target, endpoint: str, runs: int, duration: int, connections: int
) -> dict[str, list[Run]]:
    """Interleaved runs, generated, bare, then bare with the log line, `runs` times over."""
    results: dict[str, list[Run]] = {"generated": [], "bare": [], "logged": []}
    # Access tokens last 15 minutes at most: a new one for each endpoint's runs.
    token = login(target) if endpoint == "tasks" else ""
    for _ in range(runs):
        for kind in ("generated", "bare", "logged"):
            server = target.servers[kind]
            path = "/health/live"
            if endpoint == "tasks":
                path = target.tasks_path if kind == "generated" else "/tasks"
            before = server.boots()
            # A short warm-up: imports, caches and the first connections are not measured.
            wrk(f"{server.url}{path}", token, 1, connections)
            rps, p99, errors, non_2xx = wrk(f"{server.url}{path}", token, duration, connections)
            results[kind].append(Run(rps, p99, errors, non_2xx, server.boots() - before))
    return results


@contextlib.contextmanager
def exclusive(lock: str | None) -> Iterator[None]:
    """Hold an exclusive flock on `lock` (when given) while measuring."""
    if lock is None:
        yield
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def row(framework: str, endpoint: str, results: dict[str, list[Run]]) -> str:
    generated, bare = results["generated"], results["bare"]
    g_rps = statistics.median(r.rps for r in generated)
    b_rps = statistics.median(r.rps for r in bare)
    g_p99 = statistics.median(r.p99_ms for r in generated)
    b_p99 = statistics.median(r.p99_ms for r in bare)
    l_rps = statistics.median(r.rps for r in results["logged"])
    boots = sum(r.boots for r in generated)
    errors = sum(r.socket_errors for r in generated)
    refused = sum(r.non_2xx for runs in results.values() for r in runs)
    label = "/health/live" if endpoint == "live" else "page of 20 tasks (auth)"
    return (
        f"| {framework} | {label} | {g_rps:.0f} | {b_rps:.0f} | **{g_rps / b_rps:.2f}** "
        f"| {g_p99:.1f} | {b_p99:.1f} | {g_p99 / b_p99:.2f} | {l_rps:.0f} | {l_rps / b_rps:.2f} "
        f"| {boots} | {errors} | {refused} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="paired runs per endpoint")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--frameworks", default="fastapi,flask")
    parser.add_argument("--rate-limit", default="redis", choices=("memory", "redis"))
    parser.add_argument(
        "--checkout",
        type=Path,
        default=REPO_ROOT,
        help="the apigen checkout that generates the projects (another one: a 'before')",
    )
    parser.add_argument("--lock", help="a file to flock exclusively while measuring")
    parser.add_argument("--keep", action="store_true", help="keep the projects and logs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="apigen-bench-serve-"))
    targets: list[Target] = []
    lines = [
        f"wrk -t1 -c{args.connections} -d{args.duration}s, median of {args.runs} paired runs; "
        f"one worker each; rate limit: {args.rate_limit}",
        "",
        "| framework | endpoint | generated req/s | bare req/s | ratio | generated p99 ms "
        "| bare p99 ms | p99 ratio | bare + log line req/s | its ratio (ceiling) "
        "| worker boots | socket errors | non-2xx |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    try:
        for framework in args.frameworks.split(","):
            target = prepare(framework, workdir, args.rate_limit, args.checkout.resolve())
            targets.append(target)
            start_servers(target, workdir)
        with exclusive(args.lock):
            for target in targets:
                for endpoint in ("live", "tasks"):
                    results = measure(target, endpoint, args.runs, args.duration, args.connections)
                    lines.append(row(target.framework, endpoint, results))
                    print(lines[-1], flush=True)
    finally:
        for target in targets:
            for server in target.servers.values():
                server.stop()
        if args.keep:
            print(f"kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("\n".join(lines))
    print(textwrap.dedent(f"\n(python benchmarks/bench_serve.py {' '.join(sys.argv[1:])})"))


if __name__ == "__main__":
    main()
