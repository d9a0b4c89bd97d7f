"""Plain `copier copy` of this repository and `apigen new` produce the same project."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from apigen import __version__
from apigen.options import combination_id
from apigen.store import DEFAULT_TEMPLATE_SOURCE
from tests.helpers import REPO_ROOT, apigen, flags_for, isolated_env, tree_files
from tests.matrix import value_cover

# Two real renders each: enough combinations for every flag value to be passed once.
COMBINATIONS = value_cover()
# Long enough for YAML to fold it in the answers file, with a colon that makes it quote it.
DESCRIPTION = "Parity: a description long enough that YAML folds it over two lines of the file."


# Where the template was read from, and its revision: a clean clone and its commit for
# copier, the public source and apigen's version tag for apigen. Each is one line.
SOURCE_LINES = re.compile(rb"^_(commit|src_path): .*\n", re.MULTILINE)


def comparable(project: Path) -> dict[str, tuple[bytes, int]]:
    """Every file with its permission bits, the answers file without its source lines."""
    files = {
        relative: (content, (project / relative).stat().st_mode & 0o7777)
        for relative, content in tree_files(project).items()
    }
    # apigen also writes the development secrets (test_dev_env.py); copier never does.
    files.pop(".env", None)
    answers, mode = files[".copier-answers.yml"]
    assert len(SOURCE_LINES.findall(answers)) == 2
    files[".copier-answers.yml"] = (SOURCE_LINES.sub(b"", answers), mode)
    return files


def folders(project: Path) -> list[str]:
    """Every folder, empty ones included (git keeps none, copier makes them)."""
    return sorted(
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_dir() and ".git" not in path.relative_to(project).parts
    )


@pytest.mark.parametrize("combination", COMBINATIONS, ids=map(combination_id, COMBINATIONS))
def test_copier_copy_matches_apigen_new(
    workdir: Path, template_repo: Path, combination: dict[str, str]
) -> None:
    data = {"project_name": "Parity", "description": DESCRIPTION, **combination}
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
            str(template_repo),
            str(workdir / "by-copier"),
        ],
        env=isolated_env(workdir / ".home"),
        check=True,
        capture_output=True,
    )
    flags = flags_for(combination)
    run = apigen(
        "new",
        "by-apigen",
        "--name",
        "Parity",
        "--description",
        DESCRIPTION,
        *flags,
        "--yes",
        cwd=workdir,
    )
    assert run.returncode == 0, run.stderr

    assert comparable(workdir / "by-copier") == comparable(workdir / "by-apigen")
    assert folders(workdir / "by-copier") == folders(workdir / "by-apigen")


def test_apigen_records_the_public_source_and_its_version_tag(workdir: Path) -> None:
    apigen("new", "demo", "--yes", cwd=workdir)

    answers = yaml.safe_load((workdir / "demo" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == DEFAULT_TEMPLATE_SOURCE
    assert re.fullmatch(rf"v{re.escape(__version__)}(\+t[0-9a-f]{{12}})?", answers["_commit"])


def test_a_project_generated_inside_the_checkout_does_not_break_the_next(tmp_path: Path) -> None:
    """`apigen new my-api` run in the checkout leaves a git repository inside it."""
    first, second = (REPO_ROOT / f".{tmp_path.name}-{name}" for name in ("first", "second"))
    try:
        for project in (first, second):
            run = apigen("new", str(project), "--name", "nested", "--yes", cwd=tmp_path)
            assert run.returncode == 0, run.stderr
    finally:
        shutil.rmtree(first, ignore_errors=True)
        shutil.rmtree(second, ignore_errors=True)
