"""Fixtures for apigen's tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from apigen.options import combination_id
from tests.gates import GROWN, complete
from tests.helpers import REPO_ROOT, isolated_env

pytest_plugins = ["tests.gates"]
GROWN_GROUPS = frozenset(combination_id(complete(combination)) for combination in GROWN)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest work first, so that no worker is left idle at the end of the run.

    Each generated project's tests run on one worker (its xdist group), in minutes; the
    workers take groups in the order of the items. A long group taken last keeps one worker
    busy while the other waits, so the grown projects go first, then the option-change
    walks and the other gated projects, and the thousands of short tests fill in behind.
    The sort is stable: within a group, and within a module, the order stays as it was.
    """

    def rank(item: pytest.Item) -> int:
        mark = item.get_closest_marker("xdist_group")
        if mark is None:
            return 3
        group = str(mark.args[0] if mark.args else mark.kwargs.get("name", ""))
        if group in GROWN_GROUPS:
            return 0
        return 1 if group.startswith("walk-") else 2

    items.sort(key=rank)


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
