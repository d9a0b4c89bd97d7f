"""Plain `copier copy` of this repository and `apigen new` produce the same project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from apigen.options import combination_id, valid_combinations
from tests.helpers import REPO_ROOT, apigen, isolated_env, tree_files

COMBINATIONS = list(valid_combinations())


def comparable(project: Path) -> dict[str, object]:
    """Every file, with the answers file parsed and its template revision left out."""
    files: dict[str, object] = dict(tree_files(project))
    answers = yaml.safe_load(files.pop(".copier-answers.yml"))  # type: ignore[arg-type]
    answers.pop("_commit", None)  # a dirty checkout gets a fresh draft commit per copy
    files[".copier-answers.yml"] = answers
    return files


@pytest.mark.parametrize("combination", COMBINATIONS, ids=map(combination_id, COMBINATIONS))
def test_copier_copy_matches_apigen_new(workdir: Path, combination: dict[str, str]) -> None:
    data = {"project_name": "Parity", **combination}
    copier_args = [arg for key, value in data.items() for arg in ("--data", f"{key}={value}")]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "HEAD",
            *copier_args,
            str(REPO_ROOT),
            str(workdir / "by-copier"),
        ],
        env=isolated_env(workdir / ".home"),
        check=True,
        capture_output=True,
    )
    flags = [arg for key, value in combination.items() for arg in (f"--{key}", value)]
    run = apigen("new", "by-apigen", "--name", "Parity", *flags, "--yes", cwd=workdir)
    assert run.returncode == 0, run.stderr

    assert comparable(workdir / "by-copier") == comparable(workdir / "by-apigen")
