"""Running git: the one place apigen starts it, and turns its failures into StepError."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from apigen.errors import StepError

# apigen's own commits (the template store, a project's first commit without a user
# identity) carry this identity; signing and hooks are the user's, not apigen's.
APIGEN_IDENTITY = ("-c", "user.name=apigen", "-c", "user.email=apigen@localhost")
QUIET_COMMIT = ("-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false",
                "-c", f"core.hooksPath={os.devnull}")  # fmt: skip


def git(cwd: Path, *args: str, step: str | None = None) -> str:
    """Run git in `cwd` and return its output as git wrote it; a failure names `step`.

    Nothing is stripped: in git's porcelain formats a leading space is a column of its own
    (` M README.md`), so trimming the output would cut the first path short.
    """
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            ["git", *args],  # noqa: S607 (git is looked up on PATH on purpose)
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    except FileNotFoundError as exc:
        raise StepError("git", "git is not installed or not on PATH") from exc
    except subprocess.CalledProcessError as exc:
        lines = (exc.stderr or exc.stdout).strip().splitlines()
        command = next((arg for arg in args if not arg.startswith("-") and "=" not in arg), "")
        raise StepError(step or f"git {command}", lines[0] if lines else "failed") from exc
    return done.stdout


def status(cwd: Path) -> list[tuple[str, str]]:
    """Every path `git status` lists, ignored ones included, as (two-letter state, path).

    `-z` gives each path whole and unquoted, whatever characters it holds; the original
    path of a rename or copy follows its entry as a field of its own, and is skipped.
    """
    output = git(cwd, "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=all")
    return parse_status(output)


def parse_status(output: str) -> list[tuple[str, str]]:
    """The entries of `git status --porcelain=v1 -z` output, as (two-letter state, path)."""
    fields = iter(output.split("\0"))
    entries = []
    for field in fields:
        if not field:
            continue
        state, path = field[:2], field[3:]
        if "R" in state or "C" in state:
            next(fields, None)
        entries.append((state, path))
    return entries


def succeeds(cwd: Path, *args: str) -> bool:
    """Whether a git query answers yes (exit 0); git missing counts as no."""
    try:
        done = subprocess.run(  # noqa: S603
            ["git", *args],  # noqa: S607
            cwd=cwd,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        return False
    return done.returncode == 0
