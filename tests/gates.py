"""Fixtures that generate projects and install them into one shared virtualenv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from apigen.options import combination_id
from tests.helpers import apigen
from tests.matrix import pairwise_combinations

GATED = pairwise_combinations()


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
    """`uv sync` the project into the shared venv, keeping what other projects installed."""
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    env.pop("VIRTUAL_ENV", None)
    check([tool("uv"), "sync", "--inexact", "--quiet"], cwd=project, env=env)


@pytest.fixture(scope="session")
def installed(
    shared_venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[dict[str, str]], Path]:
    """Generate a project for a combination once per session, installed into the shared venv."""
    projects: dict[str, Path] = {}

    def generate(combination: dict[str, str]) -> Path:
        name = "gate-" + combination_id(combination)
        if name not in projects:
            workdir = tmp_path_factory.mktemp(name)
            (workdir / ".home").mkdir()
            flags = [arg for key, value in combination.items() for arg in (f"--{key}", value)]
            run = apigen("new", name, *flags, "--yes", cwd=workdir)
            assert run.returncode == 0, run.stderr
            install(workdir / name, shared_venv)
            projects[name] = workdir / name
        return projects[name]

    return generate


@pytest.fixture(scope="module", params=GATED, ids=[combination_id(c) for c in GATED])
def project(request: pytest.FixtureRequest, installed: Callable[[dict[str, str]], Path]) -> Path:
    """Each combination of the pairwise cover in turn."""
    return installed(request.param)


def venv_tool(venv: Path, name: str) -> str:
    return str(venv / "bin" / name)
