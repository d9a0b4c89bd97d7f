"""Two hot spots of `copier update`, patched for the length of one apigen update.

An update renders the template three times (the old version, the new one, and the
project's answers again). Copier compiles every path name again for every file (over
3,500 compiles of some 60 strings) and every template file once per render, and starts
one `git config --get core.fileMode` for each file it writes (over 200). Both give the
same answer every time:

- copier's Jinja environment keeps each template string it compiled, and Jinja keeps
  compiled template files in apigen's cache (`renderer.bytecode_cache_in`), checked
  against their source. Copier's yield tag resets its state when a template is
  compiled; a template served from a cache resets it the same way first.
- `core.fileMode` is read once per repository (again should its config file change);
  copier only acts on the value `false`, and then runs exactly as it would.
- each checkout of the template (five per update) runs copier's two `git submodule`
  commands only when the checkout has a `.gitmodules` (without one they do nothing).

The patches are applied only to a copier that has the names they replace (checked
with copier 9.19); with any other, copier runs as it is. `copier update` run by a user
is never patched: it is the same update, only slower.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from apigen.renderer import bytecode_cache_in


@contextmanager
def patched(cache: Path) -> Iterator[None]:
    """Run copier with its compiles cached and core.fileMode read once per repository."""
    from copier import _main, _vcs

    sandbox = getattr(_main, "SandboxedEnvironment", None)
    checkout = getattr(_vcs, "_clone_via_cache", None)
    worker = getattr(_main, "Worker", None)
    sync = getattr(worker, "_sync_git_index_executable_bit", None)
    yield_context = getattr(_main, "get_yield_context", None)
    if None in (sandbox, worker, sync, yield_context, checkout):
        yield
        return
    get_git = getattr(_main, "get_git")  # noqa: B009 (not in copier's declared exports)
    setattr(_main, "SandboxedEnvironment", _caching_sandbox(sandbox, yield_context, cache))  # noqa: B010
    setattr(worker, "_sync_git_index_executable_bit", _file_mode_read_once(sync, get_git))  # noqa: B010
    setattr(_vcs, "_clone_via_cache", _checkout_without_idle_submodules(get_git))  # noqa: B010
    try:
        yield
    finally:
        setattr(_vcs, "_clone_via_cache", checkout)  # noqa: B010
        setattr(_main, "SandboxedEnvironment", sandbox)  # noqa: B010
        setattr(worker, "_sync_git_index_executable_bit", sync)  # noqa: B010


def _caching_sandbox(base: Any, yield_context: Any, cache: Path) -> Any:
    # Compiled code of template strings, shared by copier's environments of the same
    # settings (an update makes several); each environment makes its own templates of it.
    codes: dict[tuple[str, str], Any] = {}

    class CachingSandbox(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            extensions = [str(extension) for extension in kwargs.get("extensions", ())]
            options = sorted((key, repr(value)) for key, value in kwargs.items() if key != "loader")
            self._signature = f"copier sandbox, {extensions}, {options}"
            if "bytecode_cache" not in kwargs:
                kwargs["bytecode_cache"] = bytecode_cache_in(cache, self._signature)
            super().__init__(*args, **kwargs)
            self._strings: dict[str, Any] = {}

        def _reset_yield(self) -> None:
            context = yield_context(self)
            context.yield_name = None
            context.yield_iterable = None

        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            self._reset_yield()
            template = self._strings.get(source)
            if template is None:
                key = (self._signature, source)
                code = codes.get(key)
                if code is None:
                    code = codes[key] = self.compile(source)
                # What Environment.from_string does with the code it compiled.
                template = self.template_class.from_code(self, code, self.make_globals(None))
                self._strings[source] = template
            return template

        def get_template(self, *args: Any, **kwargs: Any) -> Any:
            self._reset_yield()
            return super().get_template(*args, **kwargs)

    return CachingSandbox


def _file_mode_read_once(sync: Any, get_git: Any) -> Any:
    from plumbum import ProcessExecutionError

    settings: dict[tuple[str, int | None], str | None] = {}

    def read(root: Path) -> str | None:
        try:
            changed: int | None = (root / ".git" / "config").stat().st_mtime_ns
        except OSError:
            changed = None
        key = (str(root), changed)
        if key not in settings:
            try:
                git = get_git(context_dir=root)
                settings[key] = git("config", "--type=bool", "--get", "core.fileMode").strip()
            except ProcessExecutionError:
                settings[key] = None
        return settings[key]

    def sync_executable_bit(self: Any, dst_relpath: Path, src_mode: int) -> None:
        if read(self.subproject.local_abspath) != "false":
            return  # what copier does for any other value, or none
        sync(self, dst_relpath, src_mode)

    return sync_executable_bit


def _checkout_without_idle_submodules(get_git: Any) -> Any:
    """copier's `_clone_via_cache`, whose submodule commands run only where there are any."""

    def clone_via_cache(ref: str, location: str, mirror: Path) -> str:
        placeholder = Path(location)
        if placeholder.exists():
            placeholder.rmdir()
        get_git().with_env(GIT_DIR=str(mirror))(
            "worktree", "add", "--detach", "--force", "--", location, ref
        )
        if (placeholder / ".gitmodules").exists():
            # copier's own steps, as they are (the worktree is there already).
            git = get_git(context_dir=placeholder)
            git("submodule", "sync", "--recursive")
            git("submodule", "update", "--checkout", "--init", "--recursive", "--force")
        return location

    return clone_via_cache
