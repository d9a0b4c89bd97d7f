"""Where the copier template lives: inside the wheel, or at the root of a checkout."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
# The wheel ships copier.yml and templates/ here (see [tool.hatch] in pyproject.toml).
_BUNDLED = _PACKAGE_DIR / "_template"
# In a source checkout (editable install) the repository root is the template.
_CHECKOUT = _PACKAGE_DIR.parent


def template_root() -> Path:
    """The directory holding copier.yml."""
    for candidate in (_BUNDLED, _CHECKOUT):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise FileNotFoundError(f"apigen's template is missing: no copier.yml in {_BUNDLED}")


def copy_template(source: Path, target: Path) -> None:
    """Copy the template's files (copier.yml and templates/) into an existing folder."""
    shutil.copy2(source / "copier.yml", target / "copier.yml")
    shutil.copytree(
        source / "templates", target / "templates", ignore=shutil.ignore_patterns("__pycache__")
    )


def is_git_checkout(path: Path) -> bool:
    """A checkout is rendered through git by copier, a bundled copy as plain files."""
    return (path / ".git").exists()


def template_files(source: Path) -> list[tuple[str, Path]]:
    """The files `copy_template` copies, as (relative POSIX path, path), sorted."""
    files = [("copier.yml", source / "copier.yml")]
    for folder, dirs, names in os.walk(source / "templates", followlinks=True):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        base = Path(folder)
        for name in sorted(names):
            files.append(((base / name).relative_to(source).as_posix(), base / name))
    return files
