"""Fixtures that generate projects and install them into one shared virtualenv."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from apigen.options import CHOICE_OPTIONS, combination_id
from tests.helpers import apigen, flags_for
from tests.matrix import pairwise_combinations

GATED = pairwise_combinations()
# The first two projects of the cover are grown before their gates, as a user grows one:
# three resources added by `apigen add resource`, each committed, the last referring to
# the other two, then API version 2 by `apigen add version`. They hold both frameworks,
# two kinds of auth (jwt, oidc), two versioning modes (url, header) and both databases; the
# other projects of the cover stay as generated, within the suite's time.
GROWN = GATED[:2]
# One resource with every kind of field the specs know.
EVERY_FIELD = [
    "title:str",
    "body:text?",
    "summary:text(500)=none yet",
    "count:int=0",
    "price:decimal",
    "done:bool",
    "due:date",
    "at:datetime?",
    "status:enum(draft,published)=draft",
    "code:str(20):unique",
]
RESOURCES = [
    ("projects", EVERY_FIELD),
    ("categories", ["name:str(60):unique", "weight:int?"]),
    # A line item belongs to a project (deleted with it) and may have a category (cleared).
    (
        "line_items",
        [
            "project:ref(projects)",
            "category:ref(categories)?",
            "label:str",
            "quantity:int=1",
            "paid:bool=false",
        ],
    ),
]


def complete(combination: dict[str, str]) -> dict[str, str]:
    """The combination with every option it does not name at its default."""
    return {
        option.name: combination.get(option.name, option.default or "") for option in CHOICE_OPTIONS
    }


REDIS_ADDRESS = ("127.0.0.1", 6379)
POSTGRES_ADDRESS = ("127.0.0.1", 5432)
# Trust authentication on this machine and in CI; each gate makes its own database here.
POSTGRES_SERVER_URL = "postgresql+psycopg://postgres@{host}:{port}/{database}"


def services_required() -> bool:
    """CI sets APIGEN_REQUIRE_SERVICES=1: a missing Redis then fails instead of skipping."""
    return os.environ.get("APIGEN_REQUIRE_SERVICES") == "1"


def require_redis() -> None:
    """Skip the calling test when Redis does not answer, or fail where services are required."""
    try:
        with socket.create_connection(REDIS_ADDRESS, timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            answered = connection.recv(16).startswith(b"+PONG")
    except OSError as exc:
        answered, reason = False, str(exc)
    else:
        reason = "it does not answer PING"
    if answered:
        return
    message = f"Redis at {REDIS_ADDRESS[0]}:{REDIS_ADDRESS[1]} is needed: {reason}"
    if services_required():
        pytest.fail(f"{message} (APIGEN_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def require_postgres() -> None:
    """Skip the calling test when PostgreSQL does not listen, or fail where it is required."""
    try:
        socket.create_connection(POSTGRES_ADDRESS, timeout=2).close()
    except OSError as exc:
        message = f"PostgreSQL at {POSTGRES_ADDRESS[0]}:{POSTGRES_ADDRESS[1]} is needed: {exc}"
        if services_required():
            pytest.fail(f"{message} (APIGEN_REQUIRE_SERVICES=1)")
        pytest.skip(message)


def answers_of(project: Path) -> dict[str, str]:
    """The options a generated project was made with, from its copier answers file."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return {option.name: str(answers[option.name]) for option in CHOICE_OPTIONS}


@contextmanager
def fresh_database(project: Path, venv: Path, sqlite_file: Path) -> Iterator[str]:
    """A DATABASE_URL nobody else uses: a new PostgreSQL database, or a new SQLite file.

    PostgreSQL projects get a database of their own on the real server, dropped afterwards,
    so parallel gates never see each other's tables.
    """
    if answers_of(project)["database"] != "postgresql":
        yield f"sqlite:///{sqlite_file}"
        return
    require_postgres()
    name = f"apigen_gate_{uuid.uuid4().hex[:12]}"
    host, port = POSTGRES_ADDRESS
    admin = POSTGRES_SERVER_URL.format(host=host, port=port, database="postgres")
    python = str(venv / "bin" / "python")

    def run_sql(statement: str) -> None:
        script = (
            "import sys, psycopg\n"
            "with psycopg.connect(sys.argv[1], autocommit=True) as connection:\n"
            "    connection.execute(sys.argv[2])\n"
        )
        url = admin.replace("postgresql+psycopg", "postgresql")
        check([python, "-c", script, url, statement], cwd=project)

    run_sql(f"CREATE DATABASE {name}")
    try:
        yield POSTGRES_SERVER_URL.format(host=host, port=port, database=name)
    finally:
        run_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def tool(name: str) -> str:
    """A console script installed next to this Python (apigen's test extra), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def check(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{output}"
    return output


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("gates") / "venv"
    check([tool("uv"), "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=venv.parent)
    return venv


def install(project: Path, venv: Path) -> None:
    """`uv sync` the project into the shared venv, keeping what other projects installed.

    Bytecode is compiled as packages land (only the new files each time): where
    PYTHONDONTWRITEBYTECODE is set, as on CI's machines, every gate's process would
    otherwise compile its imports from source again, seconds each.
    """
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    env.pop("VIRTUAL_ENV", None)
    check([tool("uv"), "sync", "--inexact", "--quiet", "--compile-bytecode"], cwd=project, env=env)


@pytest.fixture(scope="session")
def installed(
    shared_venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[dict[str, str]], Path]:
    """Generate a project for a combination once per session, installed into the shared venv."""
    projects: dict[str, Path] = {}

    def generate(partial: dict[str, str]) -> Path:
        combination = complete(partial)
        key = combination_id(combination)
        # The combination names the folder; the project name must stay short and valid.
        name = "gate-" + hashlib.sha256(key.encode()).hexdigest()[:10]
        if name not in projects:
            workdir = tmp_path_factory.mktemp(key)
            (workdir / ".home").mkdir()
            flags = flags_for(combination)
            run = apigen("new", name, *flags, "--yes", cwd=workdir)
            assert run.returncode == 0, run.stderr
            if any(complete(grown) == combination for grown in GROWN):
                grow(workdir / name)
            install(workdir / name, shared_venv)
            projects[name] = workdir / name
        return projects[name]

    return generate


def grow(project: Path) -> None:
    """Add RESOURCES, then API version 2, one commit at a time, as a user grows a project.

    Version 2 copies every resource, the added ones too, and version 1 is deprecated: the
    resources' tests then exercise version 2 and the lifecycle tests version 1.
    """
    steps = [
        (["resource", name, *[a for spec in fields for a in ("--field", spec)]], f"Add {name}")
        for name, fields in RESOURCES
    ]
    steps.append((["version", "--sunset", "2099-12-31"], "Add API version 2"))
    identity = ["-c", "user.name=User", "-c", "user.email=user@example.com"]
    for arguments, message in steps:
        run = apigen("add", *arguments, cwd=project)
        assert run.returncode == 0, run.stderr
        check(["git", "add", "--all"], cwd=project)
        check(["git", *identity, "commit", "--quiet", "--message", message], cwd=project)


def on_one_worker(combination: dict[str, str]) -> pytest.MarkDecorator:
    """Keep every test of one generated project on the same xdist worker."""
    return pytest.mark.xdist_group(combination_id(complete(combination)))


@pytest.fixture(
    scope="module",
    params=[pytest.param(c, marks=on_one_worker(c)) for c in GATED],
    ids=[combination_id(c) for c in GATED],
)
def project(request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]) -> Path:
    """Each combination of the pairwise cover in turn."""
    return installed(request.param)


def _gated_where(**values: str) -> list[Any]:
    chosen = [c for c in GATED if values.items() <= c.items()]
    return [pytest.param(c, marks=on_one_worker(c), id=combination_id(c)) for c in chosen]


@pytest.fixture(scope="module", params=_gated_where(auth="jwt"))
def jwt_project(
    request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]
) -> Path:
    """Each gated project that issues its own tokens."""
    return installed(request.param)


@pytest.fixture(scope="module", params=_gated_where(metrics="prometheus"))
def metrics_project(
    request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]
) -> Path:
    """Each gated project that counts its requests for Prometheus."""
    return installed(request.param)


@pytest.fixture(scope="module", params=_gated_where(auth="oidc"))
def oidc_project(
    request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]
) -> Path:
    """Each gated project that verifies the tokens of an identity provider."""
    return installed(request.param)


@pytest.fixture(scope="module", params=_gated_where(rate_limit="redis"))
def redis_project(
    request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]
) -> Path:
    """Each gated project that counts its rate limits in Redis."""
    return installed(request.param)


def _one_per_framework(**values: str) -> list[Any]:
    """For each framework, the first gated combination with these values (SQLite first)."""
    chosen = []
    for framework in ("fastapi", "flask"):
        matching = [c for c in GATED if {**values, "framework": framework}.items() <= c.items()]
        matching.sort(key=lambda c: c["database"] != "sqlite")
        chosen.append(matching[0])
    return [pytest.param(c, marks=on_one_worker(c), id=combination_id(c)) for c in chosen]


@pytest.fixture(scope="module", params=_one_per_framework(rate_limit="memory"))
def memory_project(
    request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]
) -> Path:
    """One gated project per framework that counts its rate limits in the worker's memory."""
    return installed(request.param)


@pytest.fixture(scope="module", params=_one_per_framework(rate_limit="redis"))
def recycling_project(
    request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]
) -> Path:
    """One gated project per framework whose workers may be recycled (limits in Redis)."""
    return installed(request.param)


def venv_tool(venv: Path, name: str) -> str:
    return str(venv / "bin" / name)
