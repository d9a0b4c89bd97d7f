"""apigen's own renderer (apigen/renderer.py), in memory, for thousands of combinations.

`apigen new` renders with the same code; tests/test_copier_parity.py and
tests/test_render.py prove it renders what copier renders. Here it is stricter than
copier in one way: an undefined name is an error, not an empty string.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from apigen.renderer import TemplateRenderer
from tests.helpers import REPO_ROOT

ANSWERS_FILE = ".copier-answers.yml"


@functools.cache
def _renderer() -> TemplateRenderer:
    return TemplateRenderer(REPO_ROOT, strict=True)


def render(answers: Mapping[str, str]) -> dict[str, str]:
    """The rendered project (relative path -> text), without copier's answers file."""
    rendered = _renderer().render(
        answers, src_path=str(REPO_ROOT), commit=None, dst_path=Path("project")
    )
    return {
        file.path: file.content.decode() for file in rendered.files if file.path != ANSWERS_FILE
    }
