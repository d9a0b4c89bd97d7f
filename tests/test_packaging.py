"""The wheel carries the template, so an installed apigen generates projects on its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, isolated_env, tree_files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not installed: pip install -e '.[test]'")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv, "build", "--wheel", "--quiet", "--out-dir", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("apigen-*.whl"))


def test_the_wheel_contains_the_template(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()

    assert "apigen/_template/copier.yml" in names
    assert "apigen/_template/templates/pyproject.toml.jinja" in names
    assert not [name for name in names if "__pycache__" in name]


def test_the_installed_wheel_generates_the_same_project_as_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv is not None
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
    )
    env = isolated_env(tmp_path)
    for runner, name in (
        (str(venv / "bin" / "apigen"), "installed"),
        (f"{sys.executable} -m apigen", "checkout"),
    ):
        subprocess.run(
            [*runner.split(), "new", name, "--name", "same", "--framework", "flask", "--yes"],
            cwd=tmp_path,
            env=env,
            check=True,
            capture_output=True,
        )
    template_root = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from apigen.template import template_root as t; print(t())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    assert template_root == str(next(venv.glob("lib/python*/site-packages/apigen/_template")))
    # Each project gets its own development key in .env (test_dev_env.py).
    skip = (".git", ".env")
    assert tree_files(tmp_path / "installed", skip=skip) == tree_files(
        tmp_path / "checkout", skip=skip
    )
