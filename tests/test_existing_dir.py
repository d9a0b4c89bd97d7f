"""`apigen new --force` into a folder that has files: the user's files are never lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import apigen, tree_digest


def tracked(project: Path) -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    )
    return set(listed.stdout.split())


@pytest.fixture
def folder(workdir: Path) -> Path:
    """A folder with a file only the user has and a README the project also writes."""
    folder = workdir / "shop"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "README.md").write_text("# my readme\n")
    return folder


@pytest.mark.usefixtures("folder")
def test_without_force_a_folder_with_files_is_refused(workdir: Path) -> None:
    before = tree_digest(workdir)

    run = apigen("new", "shop", "--yes", cwd=workdir)

    assert run.returncode == 1
    assert "not empty" in run.stderr
    assert "--force" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert tree_digest(workdir) == before


def test_force_adds_the_project_and_keeps_the_users_files(folder: Path, workdir: Path) -> None:
    run = apigen("new", "shop", "--yes", "--force", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert (folder / "notes.txt").read_text() == "my notes\n"
    assert (folder / "README.md").read_text() == "# my readme\n"
    assert "kept your version (--overwrite replaces it): README.md" in run.stdout
    assert (folder / "src" / "shop" / "tasks" / "service.py").is_file()


def test_force_commits_only_the_projects_files(folder: Path, workdir: Path) -> None:
    apigen("new", "shop", "--yes", "--force", cwd=workdir)

    files = tracked(folder)
    assert "pyproject.toml" in files
    assert "notes.txt" not in files
    assert "README.md" not in files


def test_overwrite_replaces_the_projects_files_but_not_the_users_own(
    folder: Path, workdir: Path
) -> None:
    run = apigen("new", "shop", "--yes", "--force", "--overwrite", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert (folder / "README.md").read_text().startswith("# shop\n")
    assert "replaced with the project's version: README.md" in run.stdout
    assert (folder / "notes.txt").read_text() == "my notes\n"


def test_force_into_a_git_repository_leaves_the_commit_to_the_user(
    folder: Path, workdir: Path
) -> None:
    subprocess.run(["git", "init", "--quiet"], cwd=folder, check=True)

    run = apigen("new", "shop", "--yes", "--force", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert "review and commit" in run.stdout
    assert tracked(folder) == set()


@pytest.mark.usefixtures("folder")
def test_overwrite_without_force_is_a_usage_error(workdir: Path) -> None:
    before = tree_digest(workdir)

    run = apigen("new", "shop", "--yes", "--overwrite", cwd=workdir)

    assert run.returncode == 2
    assert run.stderr == "apigen: error: --overwrite only applies together with --force\n"
    assert tree_digest(workdir) == before
