"""apigen holds itself to the gates it sets for generated projects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

BIN = Path(sys.executable).parent
# Named, so that a project someone generated inside the checkout is not.
SOURCES = ["apigen", "tests", "benchmarks"]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", *SOURCES],
        ["ruff", "format", "--check", *SOURCES],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_apigen_passes(command: list[str]) -> None:
    done = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_xdist_keeps_a_group_on_one_worker(tmp_path: Path) -> None:
    """The suite runs `--dist loadgroup`: a generated project's tests run on one worker, which
    builds the project once. A pytest and pytest-xdist that stop agreeing on how to rename a
    test (pytest 9.2 with xdist 3.8) break it silently, and each worker builds each project
    it meets. Here two groups of tests report the worker that ran each."""
    (tmp_path / "test_groups.py").write_text(
        "import os\n"
        "import pytest\n\n"
        "GROUPS = [pytest.param(g, marks=pytest.mark.xdist_group(g)) for g in 'ab']\n\n\n"
        "@pytest.mark.parametrize('group', GROUPS)\n"
        "@pytest.mark.parametrize('index', range(6))\n"
        "def test_in_group(group: str, index: int) -> None:\n"
        "    with open(f'{group}-{index}.worker', 'w') as file:\n"
        "        file.write(os.environ['PYTEST_XDIST_WORKER'])\n"
    )
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"),
            *("--dist", "loadgroup", "-c", "/dev/null", "--rootdir", str(tmp_path), "."),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    for group in ("a", "b"):
        workers = {path.read_text() for path in tmp_path.glob(f"{group}-*.worker")}
        assert len(workers) == 1, f"group {group} ran on {sorted(workers)}"
