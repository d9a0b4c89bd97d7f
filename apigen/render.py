"""Render the template into a staging directory, commit it with git, then move it into place.

The destination only ever receives a complete project: every step runs in a
temporary directory next to it (same filesystem, so the final move is a rename)
and the temporary directory is removed whatever happens.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from apigen import __version__, console, store
from apigen.dev_env import write_development_env
from apigen.errors import ApigenError, StepError
from apigen.git import APIGEN_IDENTITY, QUIET_COMMIT, git, succeeds
from apigen.options import Answers
from apigen.store import template_source
from apigen.template import template_root

if TYPE_CHECKING:
    from apigen.renderer import Rendered

Progress = Callable[[str], None]

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def check_destination(destination: Path, *, force: bool = False) -> None:
    """Refuse, before any work, a destination that cannot take a new project."""
    if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
        raise ApigenError(f"{destination}: exists and is not a directory")
    if not force and destination.is_dir() and any(destination.iterdir()):
        raise ApigenError(
            f"{destination}: directory is not empty; choose a new destination, "
            "or pass --force to add the project's files to it"
        )
    parent = destination.parent
    if not parent.is_dir():
        raise ApigenError(f"{parent}: parent directory does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ApigenError(f"{parent}: permission denied; cannot create the project here")


@contextmanager
def _uninterruptible(*, then_stop: bool = True) -> Iterator[None]:
    """Hold off Ctrl-C and SIGTERM for a step that must not stop half-way.

    One that arrives meanwhile is not lost: it stops the run once the step is done, unless
    `then_stop` is false (the step completes the project, so there is nothing left to stop).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    # A signal the process ignores (SIGINT in a shell's background job) stays ignored.
    held = [signum for signum in _STOP_SIGNALS if signal.getsignal(signum) != signal.SIG_IGN]
    previous = {signum: signal.signal(signum, hold) for signum in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received and then_stop:
        raise KeyboardInterrupt


@contextmanager
def _staging(parent: Path) -> Iterator[Path]:
    """A temporary directory next to the destination, removed whatever happens."""
    staging: Path | None = None
    try:
        # Created and owned by the `finally` below, never in between: an interrupt that comes
        # meanwhile stops the run once `staging` is set, so the folder is removed.
        with _uninterruptible():
            try:
                staging = Path(tempfile.mkdtemp(prefix=".apigen-", dir=parent))
            except OSError as exc:
                raise ApigenError(f"{parent}: cannot create files here ({exc.strerror})") from exc
        yield staging
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def record_template_version() -> str:
    """Keep this apigen's template in the local store (for offline updates); return its tag."""
    try:
        return store.record(template_root(), __version__)
    except (StepError, OSError) as exc:
        console.warn(f"{exc}; `apigen update` will need the template source online")
        return f"v{__version__}"


def render(answers: Answers, target: Path, tag: str | None = None, under: str = "") -> Rendered:
    """Render the template for `answers` in memory, as copier would write it into `target`.

    `tag` is the template version to record in the answers file (none for a preview);
    `under` (a folder, e.g. "migrations/versions/") keeps only the files in it.
    """
    from apigen.renderer import TemplateRenderer

    try:
        renderer = TemplateRenderer(template_root(), bytecode_cache=store.cache_path() / "jinja")
        return renderer.render(
            answers.as_data(), src_path=template_source(), commit=tag, dst_path=target, under=under
        )
    except Exception as exc:  # Jinja and YAML raise many unrelated types
        raise StepError("rendering the template", _first_line(exc)) from exc


def commit_initial(project: Path, paths: list[str] | None = None) -> None:
    """Make the project a git repository with one commit, so copier update can work.

    `paths` limits the commit to those files (the rest of the folder is the user's).
    """
    git(project, "init", "--quiet")
    if paths is None:
        git(project, "add", "--all")
    else:
        git(project, "add", "--", *paths)
    identity = () if succeeds(project, "config", "user.email") else APIGEN_IDENTITY
    git(
        project,
        *identity,
        *QUIET_COMMIT,
        "commit",
        "--quiet",
        "--message",
        "Generate the project with apigen",
    )


def move_into_place(project: Path, destination: Path) -> None:
    """Rename the finished project to the destination (same filesystem, so nothing is copied).

    An existing empty destination is kept and filled instead of replaced: it may be the
    user's current directory (`apigen new .`), and its permissions are the user's choice.
    """
    if not destination.exists():
        project.rename(destination)
        return
    for entry in project.iterdir():
        entry.rename(destination / entry.name)


@dataclass(frozen=True)
class Merge:
    """How a project joins a folder that already had files (`--force`)."""

    added: list[str]
    identical: list[str]
    replaced: list[str]
    kept: list[str]  # the user's version differs and stays: no --overwrite
    committed: bool  # apigen made the folder a git repository and committed its files


def _plan(project: Path, destination: Path, overwrite: bool) -> Merge:
    added, identical, replaced, kept = [], [], [], []
    for path in sorted(p for p in project.rglob("*") if p.is_file() and ".git" not in p.parts):
        relative = path.relative_to(project).as_posix()
        theirs = destination / relative
        if not theirs.exists() and not theirs.is_symlink():
            added.append(relative)
        elif (
            theirs.is_file()
            and not theirs.is_symlink()
            and theirs.read_bytes() == path.read_bytes()
        ):
            identical.append(relative)
        elif overwrite and theirs.is_file() and not theirs.is_symlink():
            replaced.append(relative)
        else:
            kept.append(relative)
    return Merge(added, identical, replaced, kept, committed=False)


def _merge_into(project: Path, destination: Path, overwrite: bool) -> Merge:
    """Add the project's files to a folder that has files of its own."""
    plan = _plan(project, destination, overwrite)
    blocked = [
        p for p in plan.added if any(parent.is_file() for parent in (destination / p).parents)
    ]
    if blocked:
        raise ApigenError(f"{destination / blocked[0]}: a file of yours is in the way of a folder")
    with _uninterruptible(then_stop=False):  # the user's folder gets all the files or none
        for relative in plan.added + plan.replaced:
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            (project / relative).replace(destination / relative)
    if (destination / ".git").exists():
        return plan
    commit_initial(destination, plan.added + plan.replaced + plan.identical)
    return Merge(plan.added, plan.identical, plan.replaced, plan.kept, committed=True)


def generate(
    answers: Answers,
    destination: Path,
    progress: Progress,
    *,
    force: bool = False,
    overwrite: bool = False,
) -> Merge | None:
    """Create the project at `destination`, all or nothing.

    With `force`, a folder that has files gets the project's files added: the user's own
    files are never touched, and files of the project that the user changed are kept
    unless `overwrite`. Returns what that merge did, or None for a new folder.
    """
    destination = destination.absolute()
    check_destination(destination, force=force)
    if shutil.which("git") is None:  # needed for the project's first commit: fail before any work
        raise StepError("git", "git is not installed or not on PATH")
    with _staging(destination.parent) as staging:
        project = staging / destination.name
        progress("Rendering the template")
        rendered = render(answers, project, record_template_version())
        try:
            rendered.write(project)
        except OSError as exc:
            raise StepError("writing the project", exc.strerror or str(exc)) from exc
        if destination.is_dir() and any(destination.iterdir()):
            progress("Adding the project's files to the folder")
            merge = _merge_into(project, destination, overwrite)
            write_development_env(destination, answers.auth)
            return merge
        progress("Creating the git repository")
        commit_initial(project)
        # After the commit: the key must never enter git, even where .gitignore was edited.
        write_development_env(project, answers.auth)
        progress("Moving the project into place")
        # Past this point the project is complete: finish the move, whatever arrives.
        with _uninterruptible(then_stop=False):
            move_into_place(project, destination)
    return None


def preview(answers: Answers) -> list[str]:
    """The files `generate` would write, relative to the destination, sorted."""
    rendered = render(answers, Path.cwd() / "project")
    return sorted(file.path for file in rendered.files)


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
