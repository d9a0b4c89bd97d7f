"""Render the template exactly as `copier copy` does, without importing copier.

Copier spends most of a copy compiling the same path names again and again (each file's
path parts, and the answers file's name, for every file) and starting one `git config`
per file written; importing it costs as much again. apigen renders its own template
here instead, with the Jinja environment copier builds, and copier's rules:

- the settings that matter come from `copier.yml`: `_subdirectory`, `_templates_suffix`,
  `_exclude` (gitignore-style patterns, matched by pathspec against the rendered path,
  each pattern itself rendered first, `_copier_operation` being "copy") and
  `_answers_file`; a setting this renderer does
  not implement (tasks, extensions, envops, ...) is refused rather than ignored;
- a file whose name ends with the suffix is a Jinja template, rendered and written as
  UTF-8 (Jinja reads it as UTF-8, newlines become `\\n`, the trailing newline is kept);
  any other file is copied byte for byte; a plain file with a templated sibling
  (`x` beside `x.jinja`) is left out;
- each part of a path is rendered; a file or folder a part of which renders empty is
  left out, and a part that renders to the answers file's name is the answers file;
- a written file gets its source file's mode (copier chmods it to that); folders are
  made with the process umask, as copier's mkdir makes them;
- the answers file is the template's own `{{_copier_conf.answers_file}}.jinja`, rendered
  with `_copier_answers` = `_commit`, `_src_path`, then the answers, as copier records them.

`tests/test_copier_parity.py` proves the result is byte for byte what `copier copy`
writes, answers file included (apart from the template's source and revision, which
apigen records as the public source and its version tag).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any
from unicodedata import normalize

if TYPE_CHECKING:
    from jinja2 import BaseLoader, BytecodeCache, Environment, Template

CONFIG_FILE = "copier.yml"
# copier.yml settings this renderer implements. Questions are the other keys (no `_`).
_SUPPORTED_SETTINGS = frozenset(
    {
        "_min_copier_version",
        "_subdirectory",
        "_answers_file",
        "_templates_suffix",
        "_exclude",
        "_message_after_copy",  # shown by copier unless quiet; apigen prints its own
        "_message_after_update",  # shown by a plain `copier update`
    }
)
# The keys of a question this renderer understands; `when`, `secret` and the like
# change what copier records, so they are refused.
_SUPPORTED_QUESTION_KEYS = frozenset({"type", "help", "default", "choices", "validator"})
_DEFAULT_EXCLUDE = (
    "copier.yaml", "copier.yml", "~*", "*.py[co]", "__pycache__", ".git", ".DS_Store", ".svn",
)  # fmt: skip


class UnsupportedTemplateError(Exception):
    """The template uses a copier feature this renderer does not implement."""


@dataclass(frozen=True)
class RenderedFile:
    """One file of the project: where it goes, what it holds, its permission bits."""

    path: str  # relative, POSIX separators
    content: bytes
    mode: int


@dataclass(frozen=True)
class Rendered:
    """A whole project in memory: its files and the folders copier would create."""

    files: tuple[RenderedFile, ...]
    folders: tuple[str, ...]

    def write(self, target: Path) -> None:
        """Write the project into `target` (created; it must not hold these files)."""
        target.mkdir(parents=True, exist_ok=True)
        made: set[str] = set()
        for folder in self.folders:
            (target / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        for file in self.files:
            path = target / file.path
            parent = file.path.rpartition("/")[0]
            if parent and parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(parent)
            path.write_bytes(file.content)
            if stat.S_IMODE(path.stat().st_mode) != file.mode:
                path.chmod(file.mode)


class _CopierConf(dict[str, Any]):
    """`_copier_conf` in the render context: what copier gives, where this renderer has it.

    A key copier has and this renderer does not is an error, not an empty string.
    """

    def __missing__(self, key: str) -> Any:
        raise UnsupportedTemplateError(f"the template reads _copier_conf.{key}")


@dataclass(frozen=True)
class _Source:
    """One entry of the template, with what copier works out from its path alone."""

    relpath: PurePosixPath  # relative to the template's subdirectory
    path: Path  # on disk
    is_dir: bool
    is_template: bool  # its name ends with the templates suffix
    parts: tuple[str, ...]  # the parts of its destination path, still to render
    shadowed: bool  # a plain file beside its templated version (`x` and `x.jinja`)
    name: str  # the loader's name for it


class TemplateRenderer:
    """apigen's template, read once, rendered for any answers."""

    def __init__(
        self, root: Path, *, strict: bool = False, bytecode_cache: Path | None = None
    ) -> None:
        """`root` holds copier.yml; `strict` makes an undefined name an error (tests).

        `bytecode_cache` is a folder where Jinja keeps the templates it compiled, as
        Python keeps modules in __pycache__: a template whose source changed is compiled
        again; without it every run compiles every template.
        """
        import yaml

        self.root = root.resolve()
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        config: dict[str, Any] = yaml.load((self.root / CONFIG_FILE).read_text(), loader)  # noqa: S506 (a safe loader)
        settings = {key for key in config if key.startswith("_")}
        if unsupported := sorted(settings - _SUPPORTED_SETTINGS):
            raise UnsupportedTemplateError(f"copier.yml uses {', '.join(unsupported)}")
        self.questions = [key for key in config if not key.startswith("_")]
        for name in self.questions:
            extra = set(config[name]) - _SUPPORTED_QUESTION_KEYS
            if extra:
                raise UnsupportedTemplateError(f"question {name} uses {', '.join(sorted(extra))}")
            if config[name].get("type", "str") != "str":
                raise UnsupportedTemplateError(f"question {name} is not of type str")
        self.subdirectory = str(config.get("_subdirectory", ""))
        self.suffix = str(config.get("_templates_suffix", ".jinja"))
        default_exclude = _DEFAULT_EXCLUDE if Path(self.subdirectory) == Path() else ()
        self.exclude = tuple(config.get("_exclude", default_exclude))
        self.answers_file = str(config.get("_answers_file", ".copier-answers.yml"))
        self.copy_root = self.root / self.subdirectory
        self.env = _environment(self.root, strict=strict, bytecode_cache=bytecode_cache)
        self._sources = tuple(self._scan(self.copy_root, PurePosixPath()))
        self._compiled: dict[str, Template] = {}
        self._plain: dict[Path, bytes] = {}
        self._siblings: dict[str, bool] = {}
        self._modes: dict[Path, int] = {}

    def _scan(self, folder: Path, relpath: PurePosixPath) -> Iterator[_Source]:
        """copier's scantree: every entry, symlinks followed (and kept inside the template)."""
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = Path(entry.path)
                if entry.is_symlink() and not path.resolve().is_relative_to(self.root):
                    raise UnsupportedTemplateError(f"{path} points outside the template")
                is_dir = entry.is_dir(follow_symlinks=True)
                relative = relpath / entry.name
                is_template = bool(self.suffix) and entry.name.endswith(self.suffix)
                shadowed = bool(self.suffix) and (folder / f"{entry.name}{self.suffix}").exists()
                destination = relative.with_suffix("") if is_template else relative
                name = (PurePosixPath(self.subdirectory) / relative).as_posix()
                yield _Source(
                    relative, path, is_dir, is_template, destination.parts, shadowed, name
                )
                if is_dir:
                    yield from self._scan(path, relative)

    def _string(self, source: str) -> Template:
        """A path part or exclusion compiled once (through the loader, so the bytecode
        cache keeps it too; the code is the same as `from_string` makes)."""
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = self.env.get_template(_STRING + source)
        return compiled

    def _destination(
        self, source: _Source, context: Mapping[str, Any], names: dict[str, str]
    ) -> str | None:
        """copier's _render_path: the rendered relative path, or None when it is skipped.

        `names` holds the path parts rendered so far with the same context.
        """
        if source.shadowed:
            return None
        rendered: list[str] = []
        for part in source.parts:
            name = names.get(part)
            if name is None:
                name = names[part] = self._string(part).render(context) if "{" in part else part
            if not name:
                return None
            if name == self.answers_file:
                return self.answers_file
            rendered.append(name)
        path = "/".join(rendered)
        # Copier looks for the templated sibling at the template's root, not in its
        # subdirectory; so does this.
        if not source.is_template and self._root_sibling(path):
            return None
        return path

    def _root_sibling(self, path: str) -> bool:
        found = self._siblings.get(path)
        if found is None:
            found = self._siblings[path] = (self.root / f"{path}{self.suffix}").exists()
        return found

    def render(
        self,
        answers: Mapping[str, str],
        *,
        src_path: str,
        commit: str | None,
        dst_path: Path,
        under: str = "",
    ) -> Rendered:
        """The project copier would write for `answers` (in question order).

        `under` (a folder, e.g. "migrations/versions/") keeps only the files in it.
        """
        from pathspec import PathSpec
        from pathspec import __version__ as pathspec_version

        unknown = set(answers) - set(self.questions)
        missing = set(self.questions) - set(answers)
        if unknown or missing:
            raise UnsupportedTemplateError(
                f"answers do not match the questions ({sorted(unknown | missing)})"
            )
        remembered: dict[str, Any] = {}
        for key, value in (("_commit", commit), ("_src_path", src_path)):
            if value is not None:
                remembered[key] = value
        remembered.update((name, answers[name]) for name in self.questions)
        conf = _CopierConf(
            answers_file=PurePath(self.answers_file),
            dst_path=PurePath(dst_path),
            src_path=PurePath(self.root),
            sep=os.sep,
        )
        context: dict[str, Any] = {
            **{name: answers[name] for name in self.questions},
            "_copier_answers": remembered,
            "_copier_conf": conf,
            "_folder_name": dst_path.name,
            "_copier_python": sys.executable,
            "_copier_phase": "render",
            "_copier_operation": "copy",
        }
        patterns = (
            normalize("NFD", line)
            for exclusion in self.exclude
            for line in self._string(exclusion).render(context).splitlines()
        )
        # pathspec 1.0 renamed copier's "gitwildmatch" style to "gitignore".
        style = "gitignore" if int(pathspec_version.split(".")[0]) >= 1 else "gitwildmatch"
        excluded = PathSpec.from_lines(style, patterns).match_file

        files: list[RenderedFile] = []
        folders: list[str] = []
        seen: set[str] = set()
        names: dict[str, str] = {}
        for source in self._sources:
            destination = self._destination(source, context, names)
            if destination is None or excluded(destination):
                continue
            if under and not (destination + "/").startswith(under):
                continue
            if _escapes(destination):
                raise UnsupportedTemplateError(f"{source.relpath} renders outside the project")
            if source.is_dir:
                folders.append(destination)
                continue
            if destination in seen:
                raise UnsupportedTemplateError(f"two template files render to {destination}")
            seen.add(destination)
            if source.is_template:
                content = self.env.get_template(source.name).render(context).encode()
            else:
                content = self._read(source.path)
            files.append(RenderedFile(destination, content, self._mode(source.path)))
        return Rendered(tuple(files), tuple(folders))

    def _mode(self, path: Path) -> int:
        mode = self._modes.get(path)
        if mode is None:
            mode = self._modes[path] = stat.S_IMODE(path.stat().st_mode)
        return mode

    def _read(self, path: Path) -> bytes:
        content = self._plain.get(path)
        if content is None:
            content = self._plain[path] = path.read_bytes()
        return content


def _escapes(relative: str) -> bool:
    normal = os.path.normpath(relative)
    return os.path.isabs(normal) or normal == ".." or normal.startswith("../")


# The loader's name for a template given as a string (a path part, an exclusion).
_STRING = "\0string:"


def _loader(root: Path) -> BaseLoader:
    """Copier's loader (the files below the template's root), and strings by name."""
    from jinja2 import BaseLoader, FileSystemLoader

    files = FileSystemLoader([str(root)])

    class Loader(BaseLoader):
        def get_source(
            self, environment: Environment, template: str
        ) -> tuple[str, str | None, Callable[[], bool] | None]:
            if template.startswith(_STRING):
                return template.removeprefix(_STRING), None, lambda: True
            return files.get_source(environment, template)

    return Loader()


def bytecode_cache_in(folder: Path, signature: str) -> BytecodeCache | None:
    """Jinja's file cache of compiled templates in `folder`, or None if it cannot be made.

    An entry is keyed by `signature` (the environment's settings, which change the
    compiled code), the template's name and its source's checksum, so that two versions
    of one template (an update renders both) each keep their own; Jinja also checks the
    Python version of each entry.
    """
    from hashlib import sha256

    from jinja2 import FileSystemBytecodeCache
    from jinja2.bccache import Bucket

    class Cache(FileSystemBytecodeCache):
        def get_bucket(
            self,
            environment: Environment,
            name: str,
            filename: str | None,  # noqa: ARG002 (the same source anywhere is the same code)
            source: str,
        ) -> Bucket:
            checksum = self.get_source_checksum(source)
            key = sha256(f"{signature}|{name}|{checksum}".encode()).hexdigest()
            bucket = Bucket(environment, key, checksum)
            self.load_bytecode(bucket)
            return bucket

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return Cache(str(folder))


def _environment(root: Path, *, strict: bool, bytecode_cache: Path | None) -> Environment:
    """The Jinja environment copier builds for a template without settings of its own."""
    import jinja2
    from jinja2 import StrictUndefined, Undefined
    from jinja2.sandbox import SandboxedEnvironment

    class CopierSandbox(SandboxedEnvironment):
        """Copier's sandbox also hides a path's `parser` (its other rules guard pydantic
        and copier objects, which this renderer never puts in the context)."""

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if isinstance(obj, PurePath) and attr == "parser":
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

    extensions = ["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
    signature = f"jinja2 {jinja2.__version__}, sandboxed, {extensions}, strict={strict}"
    env = CopierSandbox(
        loader=_loader(root),
        extensions=extensions,
        keep_trailing_newline=True,
        undefined=StrictUndefined if strict else Undefined,
        bytecode_cache=bytecode_cache_in(bytecode_cache, signature) if bytecode_cache else None,
    )
    to_json = env.filters["to_json"]

    def fallback(value: Any) -> Any:
        if isinstance(value, PurePath):
            return str(value)
        if isinstance(value, Mapping):
            return dict(value)
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    env.filters["to_json"] = lambda value, *args, **kwargs: to_json(
        value, *args, default=fallback, **kwargs
    )

    def pathjoin(*path: str, mode: str = "posix") -> str:
        from pathlib import PureWindowsPath

        kinds = {"posix": PurePosixPath, "windows": PureWindowsPath, "native": PurePath}
        return str(kinds[mode](*path))

    env.globals["pathjoin"] = pathjoin
    return env
