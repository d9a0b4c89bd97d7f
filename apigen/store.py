"""The local template store: every template version this machine's apigen has used.

A git repository under APIGEN_HOME (default ~/.local/share/apigen) with one tag per
template version. `apigen update` reads old and new versions from it, so updating
works offline after apigen itself was upgraded.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from apigen.git import APIGEN_IDENTITY, QUIET_COMMIT, git, succeeds
from apigen.template import copy_template, template_files

# Where generated projects say their template comes from: a source reachable from any
# machine, so that plain `copier update` works there. Mirrors can point elsewhere.
DEFAULT_TEMPLATE_SOURCE = "https://github.com/apigen-dev/apigen.git"


def template_source() -> str:
    """The template source recorded in generated projects."""
    return os.environ.get("APIGEN_TEMPLATE_SOURCE", DEFAULT_TEMPLATE_SOURCE)


def store_path() -> Path:
    """The store's git repository."""
    if home := os.environ.get("APIGEN_HOME"):
        return Path(home) / "templates"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "apigen" / "templates"


def cache_path() -> Path:
    """Where apigen keeps what it can compute again (Jinja's compiled templates)."""
    if home := os.environ.get("APIGEN_HOME"):
        return Path(home) / "cache"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "apigen"


def _git(repo: Path, *args: str) -> str:
    return git(repo, *APIGEN_IDENTITY, *QUIET_COMMIT, *args, step=f"the template store ({repo})")


def has_version(tag: str, store: Path | None = None) -> bool:
    """Whether the store holds this template version."""
    store = store or store_path()
    if not (store / ".git").is_dir():
        return False
    return succeeds(store, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}")


@contextmanager
def _locked(store: Path) -> Iterator[None]:
    """One apigen at a time writes the store."""
    store.parent.mkdir(parents=True, exist_ok=True)
    with (store.parent / "templates.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _replace_tree(store: Path, template: Path) -> None:
    for entry in store.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    copy_template(template, store)


# Inside the store's .git: one line `<fingerprint> <tag>` per template recorded, so that
# the common case (this template is in the store already) starts no git at all.
_RECORDED = "apigen-recorded"


def fingerprint(template: Path) -> str:
    """A digest of the template files the store keeps: their paths, modes and contents."""
    digest = hashlib.sha256()
    for relative, path in template_files(template):
        mode = path.stat().st_mode & 0o111
        digest.update(f"{relative}\0{mode:o}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _tag_exists(store: Path, tag: str) -> bool:
    """Whether git has the tag, read from its files (loose or packed refs)."""
    refs = store / ".git"
    if (refs / "refs" / "tags" / tag).is_file():
        return True
    try:
        packed = (refs / "packed-refs").read_text()
    except OSError:
        return False
    return f" refs/tags/{tag}\n" in packed


def _recorded_tag(store: Path, digest: str, version: str) -> str | None:
    """The tag recorded for these template files by this version, if git still has it."""
    try:
        lines = (store / ".git" / _RECORDED).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        recorded, _, tag = line.partition(" ")
        if (
            recorded == digest
            and (tag == f"v{version}" or tag.startswith(f"v{version}+t"))
            and _tag_exists(store, tag)
        ):
            return tag
    return None


def record(template: Path, version: str) -> str:
    """Keep the template files of this apigen version in the store; return their tag.

    The tag is `v<version>`. Should that tag already hold other files (an apigen
    checkout whose template changed without a new version), the files get a tag of
    their own, `v<version>+t<tree>`, so that no recorded version ever changes.
    Files recorded before are found by their fingerprint without starting git.
    """
    store = store_path()
    digest = fingerprint(template)
    if (tag := _recorded_tag(store, digest, version)) is not None:
        return tag
    with _locked(store):
        tag = _record(store, template, version)
        with (store / ".git" / _RECORDED).open("a") as recorded:
            recorded.write(f"{digest} {tag}\n")
        return tag


def _record(store: Path, template: Path, version: str) -> str:
    """Commit the template files to the store and tag them, unless a tag holds them."""
    if not (store / ".git").is_dir():
        store.mkdir(parents=True, exist_ok=True)
        _git(store, "init", "--quiet")
    _replace_tree(store, template)
    _git(store, "add", "--all")
    tree = _git(store, "write-tree").strip()
    candidates = [f"v{version}", f"v{version}+t{tree[:12]}"]
    for tag in candidates:
        if has_version(tag, store):
            if _git(store, "rev-parse", f"{tag}^{{tree}}").strip() == tree:
                return tag
            continue
        _git(store, "commit", "--quiet", "--allow-empty", "--message", f"apigen {tag}")
        _git(store, "tag", tag)
        return tag
    raise AssertionError("unreachable: the tree-named tag always matches its tree")


def git_redirect(source: str, store: Path | None = None) -> dict[str, str]:
    """Environment for git that fetches `source` from the store instead (git's insteadOf)."""
    store = store or store_path()
    count = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    return {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"url.{store}.insteadOf",
        f"GIT_CONFIG_VALUE_{count}": source,
    }
