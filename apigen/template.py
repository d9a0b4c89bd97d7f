"""Where the copier template lives: inside the wheel, or at the root of a checkout."""

from __future__ import annotations

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


def is_git_checkout(path: Path) -> bool:
    """A checkout is rendered through git by copier, a bundled copy as plain files."""
    return (path / ".git").exists()
