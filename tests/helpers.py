"""Helpers shared by apigen's tests: running the CLI for real and reading trees."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from apigen.options import OPTIONS_BY_NAME

REPO_ROOT = Path(__file__).resolve().parents[1]


def flags_for(combination: Mapping[str, str]) -> list[str]:
    """`apigen new` flags that give these answers: {"rate_limit": "redis"} -> --rate-limit redis."""
    return [
        arg for name, value in combination.items() for arg in (OPTIONS_BY_NAME[name].flag, value)
    ]


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment without the developer's git identity or config."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / "no-gitconfig"),
        NO_COLOR="1",
        COLUMNS="100",
        **extra,
    )
    return env


def apigen(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """Run `python -m apigen` in a subprocess, never attached to a terminal."""
    done = subprocess.run(
        [sys.executable, "-m", "apigen", *args],
        cwd=cwd,
        env=env if env is not None else isolated_env(cwd / ".home"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def tree_files(root: Path, *, skip: tuple[str, ...] = (".git",)) -> dict[str, bytes]:
    """Every file below root (relative path -> content), skipping the named folders."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in skip or not path.is_file():
            continue
        files[relative.as_posix()] = path.read_bytes()
    return files


def tree_digest(root: Path, *, skip: tuple[str, ...] = (".home",)) -> str:
    """A hash of names and contents of everything below root, .git included.

    `.home` is the test's HOME (apigen keeps its template store there), not user files.
    """
    digest = hashlib.sha256()
    if not root.exists():
        return "absent"
    for path in sorted(root.rglob("*")):
        if path.relative_to(root).parts[0] in skip:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()
