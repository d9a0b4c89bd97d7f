"""`apigen new --answers-file` recreates a project with the same options, without asking."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import apigen, tree_digest, tree_files


def test_a_project_is_recreated_elsewhere_with_the_same_options(workdir: Path) -> None:
    first = apigen(
        "new",
        "first",
        "--name",
        "Billing API",
        "--description",
        "Bills.",
        "--framework",
        "flask",
        "--yes",
        cwd=workdir,
    )
    assert first.returncode == 0, first.stderr

    again = apigen("new", "again", "--answers-file", "first/.copier-answers.yml", cwd=workdir)

    assert again.returncode == 0, again.stderr
    # Each project gets its own development key in .env (test_dev_env.py).
    skip = (".git", ".env")
    assert tree_files(workdir / "again", skip=skip) == tree_files(workdir / "first", skip=skip)


def test_a_flag_wins_over_the_answers_file(workdir: Path) -> None:
    apigen("new", "first", "--framework", "flask", "--yes", cwd=workdir)

    apigen(
        "new",
        "second",
        "--answers-file",
        "first/.copier-answers.yml",
        "--framework",
        "fastapi",
        cwd=workdir,
    )

    assert "framework: fastapi" in (workdir / "second" / ".copier-answers.yml").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        ("{not yaml", "not valid YAML"),
        ("- a list", "not a copier answers file"),
        ("framework: django\n", "unknown framework 'django' (choose fastapi or flask)"),
    ],
)
def test_a_bad_answers_file_is_a_usage_error(
    workdir: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (workdir / "answers.yml").write_text(content)
    before = tree_digest(workdir)

    run = apigen("new", "demo", "--answers-file", "answers.yml", cwd=workdir)

    assert run.returncode == 2
    assert message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr
    assert tree_digest(workdir) == before
