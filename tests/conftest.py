"""Fixtures for apigen's tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, isolated_env

pytest_plugins = ["tests.gates"]


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: `-p no:xdist` leaves it unused
def pytest_xdist_auto_num_workers() -> int | None:
    """One worker more than there are CPUs (`-n auto` in pyproject.toml).

    The gates wait on what they start (servers, databases, the generated projects' own test
    runs) for about a fifth of the run: measured on two CPUs, they were idle 20% of the
    time. A third worker fills that. `PYTEST_XDIST_AUTO_NUM_WORKERS` sets the number.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # pytest-xdist reads it
    return (os.cpu_count() or 1) + 1


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty folder to run apigen in, with its own HOME (no git identity)."""
    (tmp_path / ".home").mkdir()
    return tmp_path


@pytest.fixture
def env(workdir: Path) -> dict[str, str]:
    return isolated_env(workdir / ".home")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository as a fresh clone has it, plus the uncommitted template edits.

    Copier and pytest-copie render a git template through git; untracked folders of a
    working checkout (a project someone generated there, say) would
    otherwise come along and break that.
    """
    repo = tmp_path_factory.mktemp("template") / "apigen"
    git = [
        "git",
        "-c",
        "user.name=apigen tests",
        "-c",
        "user.email=tests@localhost",
        "-c",
        "commit.gpgsign=false",
    ]
    subprocess.run([*git, "clone", "--quiet", str(REPO_ROOT), str(repo)], check=True)
    shutil.copy2(REPO_ROOT / "copier.yml", repo / "copier.yml")
    shutil.rmtree(repo / "templates")
    shutil.copytree(
        REPO_ROOT / "templates", repo / "templates", ignore=shutil.ignore_patterns("__pycache__")
    )
    subprocess.run([*git, "-C", str(repo), "add", "--all"], check=True)
    subprocess.run(
        [*git, "-C", str(repo), "commit", "--quiet", "--allow-empty", "-m", "Template edits"],
        check=True,
    )
    return repo
