"""Fixtures for apigen's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import isolated_env

pytest_plugins = ["tests.gates"]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty folder to run apigen in, with its own HOME (no git identity)."""
    (tmp_path / ".home").mkdir()
    return tmp_path


@pytest.fixture
def env(workdir: Path) -> dict[str, str]:
    return isolated_env(workdir / ".home")
