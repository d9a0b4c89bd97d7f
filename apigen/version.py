"""`apigen add version` and `apigen remove version`: an API version's life in a project.

A version is the package `api/v<n>/` (its routes, and its schemas once it has its own), the
number in `VERSIONS` (versioning.py) and, once deprecated, two settings in config.py with
their entry in `Settings.api_deprecations`. Adding a version copies the latest package:
its schema classes become subclasses with the new version's suffix, so the copy serves the
same representation until the user changes it; the previous version may be deprecated on a
date with a sunset. Removing one deletes what adding it wrote. Every edit is planned first,
and nothing is written when a check refuses.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from apigen.errors import ApigenError, UsageError
from apigen.resource import Plan, Project, read_project, write

# Without --sunset, a deprecated version answers for this long after its deprecation.
DEFAULT_NOTICE = timedelta(days=180)
LIFECYCLE_TEST = "tests/api/test_v{version}_lifecycle.py"


@dataclass(frozen=True)
class Versions:
    """A versioned project and the versions it serves, oldest first."""

    project: Project
    numbers: tuple[int, ...]

    @property
    def source(self) -> Path:
        return self.project.root / "src" / self.project.package

    @property
    def latest(self) -> int:
        return self.numbers[-1]

    def package(self, version: int) -> str:
        """The version's package, relative to the project root."""
        return f"src/{self.project.package}/api/v{version}"


# --- reading the project ----------------------------------------------------------------


def _relative(project: Project, path: Path) -> str:
    return path.relative_to(project.root).as_posix()


def _parse(project: Project, path: Path) -> ast.Module:
    try:
        return ast.parse(path.read_text())
    except (OSError, SyntaxError, ValueError) as exc:
        raise ApigenError(f"{_relative(project, path)}: cannot be read as Python: {exc}") from exc


def _versions_assignment(module: ast.Module) -> ast.Assign | None:
    for node in module.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "VERSIONS"
        ):
            return node
    return None


def read_versions(root: Path) -> Versions:
    """The project and its VERSIONS; refused for a project without versions."""
    project = read_project(root)
    if project.versioning == "none":
        from apigen.resource import added_resources

        if added_resources(root, project.package):
            raise UsageError(
                "this project has no API versions (versioning: none), and its added resources "
                "keep `apigen update --data versioning=...` from adding them yet"
            )
        raise UsageError(
            "this project has no API versions (versioning: none); choose a strategy with "
            "`apigen update --data versioning=url` (or header, query) first"
        )
    path = root / "src" / project.package / "versioning.py"
    if not path.is_file():
        raise ApigenError(f"src/{project.package}/versioning.py is missing")
    node = _versions_assignment(_parse(project, path))
    numbers: object = None
    if node is not None:
        try:
            numbers = ast.literal_eval(node.value)
        except ValueError:
            numbers = None
    if not (
        isinstance(numbers, tuple)
        and numbers
        and all(type(number) is int and number > 0 for number in numbers)
        and list(numbers) == sorted(set(numbers))
    ):
        raise ApigenError(
            f"src/{project.package}/versioning.py: no `VERSIONS = (1, ...)` line with the "
            "versions in order; restore it before apigen changes the versions"
        )
    versions = Versions(project, numbers)
    for number in numbers:
        if not (root / versions.package(number) / "__init__.py").is_file():
            raise ApigenError(f"{versions.package(number)}/ is missing, yet VERSIONS has {number}")
    return versions


# --- dates ------------------------------------------------------------------------------


# The dates a version's life may take: a Unix timestamp and an HTTP date hold them all.
EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def parse_moment(flag: str, text: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 date and time with its time zone."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment: datetime | None = datetime.combine(
                date.fromisoformat(text), datetime.min.time(), UTC
            )
        else:
            moment = datetime.fromisoformat(text)
        if moment is not None and moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise UsageError(
            f"{flag} {text!r}: give a date (2027-06-30) or a date and time with its time "
            "zone (2027-06-30T12:00:00Z)"
        )
    if not EARLIEST <= moment < LATEST:
        raise UsageError(f"{flag} {text!r}: give a date between 1970 and 9000")
    return moment


def datetime_source(moment: datetime) -> str:
    """Python that makes `moment` (UTC): datetime(2027, 6, 30, tzinfo=UTC)."""
    parts = [moment.year, moment.month, moment.day]
    clock = [moment.hour, moment.minute, moment.second]
    while clock and clock[-1] == 0:
        clock.pop()
    return f"datetime({', '.join(map(str, parts + clock))}, tzinfo=UTC)"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- copying a version's package --------------------------------------------------------


def _words(text: str, renames: dict[str, str], skip: set[int]) -> str:
    """`text` with each whole-word name of `renames` replaced, except on the lines in `skip`."""
    if not renames:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, renames)) + r")\b")
    lines = text.splitlines(keepends=True)
    return "".join(
        line if number in skip else pattern.sub(lambda match: renames[match[1]], line)
        for number, line in enumerate(lines, start=1)
    )


def _renumbered(text: str, old: int, new: int) -> str:
    """The package's own version number in paths, names and prose: v1 -> v2."""
    text = re.sub(rf"/api/v{old}\b", f"/api/v{new}", text)
    text = re.sub(rf"\.api\.v{old}\b", f".api.v{new}", text)
    text = re.sub(rf"([\"'])v{old}\1", rf"\g<1>v{new}\g<1>", text)
    text = re.sub(rf"\bversion_route\({old}\)", f"version_route({new})", text)
    return re.sub(rf"\b([Vv])ersion {old}\b", rf"\g<1>ersion {new}", text)


@dataclass(frozen=True)
class SchemaModule:
    """A resource's schemas module: its classes and where each of its names comes from."""

    module: str
    tree: ast.Module
    text: str

    def classes(self) -> dict[str, ast.ClassDef]:
        return {node.name: node for node in self.tree.body if isinstance(node, ast.ClassDef)}

    def origin(self, name: str) -> str | None:
        """An import that gives `name` as the module has it: its own import, or from it."""
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        imported = alias.name if alias.asname is None else f"{alias.name} as {name}"
                        return f"from {node.module} import {imported}"
            elif isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
                return f"from {self.module} import {name}"
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(target, ast.Name) and target.id == name for target in targets):
                    return f"from {self.module} import {name}"
        return None


def _schema_module(versions: Versions, module: str) -> SchemaModule | None:
    """The resource schemas module `module` names (`<package>.<resource>.schemas`), if it is one."""
    package = versions.project.package
    match = re.fullmatch(rf"{re.escape(package)}\.(\w+)\.schemas", module)
    if match is None:
        return None
    path = versions.source / match[1] / "schemas.py"
    if not path.is_file():
        return None
    return SchemaModule(module, _parse(versions.project, path), path.read_text())


def own_classes(texts: list[str], old: int, new: int) -> dict[str, str]:
    """The classes a version's package defines with its suffix, each with its new name."""
    return {
        node.name: re.sub(rf"V{old}$", f"V{new}", node.name)
        for text in texts
        for node in ast.parse(text).body
        if isinstance(node, ast.ClassDef) and node.name.endswith(f"V{old}")
    }


REPRESENTATION = re.compile(r"# Version \d+'s representation, which starts as version \d+'s:")


def _docstring(node: ast.ClassDef, fallback: str) -> str:
    """The class's docstring, indented for a class body: the schema's description stays."""
    lines = (ast.get_docstring(node) or fallback).splitlines()
    if len(lines) == 1:
        return f'    """{lines[0]}"""'
    rest = "\n".join(f"    {line}" if line else "" for line in lines[1:])
    return f'    """{lines[0]}\n{rest}\n    """'


def _copied_module(versions: Versions, text: str, old: int, new: int, own: dict[str, str]) -> str:
    """A resource module of version `old` as version `new`'s, with schema classes of its own.

    A class the module imports from a resource's schemas gets a subclass `<Name>V<new>`
    that the module uses instead; a class of the old version's own (`<Name>V<old>`, here or
    in another module of its package) is renamed. A subclass redeclares the fields whose
    types name another such class (a page's items), so that the whole representation is the
    new version's.
    """
    tree = ast.parse(text)
    imported: dict[str, SchemaModule] = {}
    import_lines: set[int] = set()
    last_import = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            last_import = node.end_lineno or node.lineno
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                schemas = _schema_module(versions, node.module)
                if schemas is not None:
                    classes = schemas.classes()
                    for alias in node.names:
                        if alias.asname is None and alias.name in classes:
                            imported[alias.name] = schemas
                            import_lines.update(range(node.lineno, (node.end_lineno or 0) + 1))
    # A class the old version has its own subclass of keeps being the base of the renamed one.
    imported = {name: module for name, module in imported.items() if f"{name}V{old}" not in own}
    renames = {**own, **{name: f"{name}V{new}" for name in imported}}
    body = _words(_renumbered(text, old, new), renames, import_lines)
    body = REPRESENTATION.sub(
        f"# Version {new}'s representation, which starts as version {old}'s:", body
    )
    if not imported:
        return body
    extra_imports: set[str] = set()
    blocks = []
    # In the order the schemas define them: a page's items are defined before the page.
    ordered = sorted(
        imported.items(), key=lambda item: (item[1].module, item[1].classes()[item[0]].lineno)
    )
    for name, schemas in ordered:
        node = schemas.classes()[name]
        lines = [
            f"class {name}V{new}({name}):",
            _docstring(node, f"Version {new}'s {name}."),
        ]
        for statement in node.body:
            if not (
                isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            ):
                continue
            annotation = ast.get_source_segment(schemas.text, statement.annotation) or ""
            names = {n.id for n in ast.walk(statement.annotation) if isinstance(n, ast.Name)}
            if not names & set(imported):
                continue
            value = ""
            if statement.value is not None:
                value = " = " + (ast.get_source_segment(schemas.text, statement.value) or "")
                names |= {n.id for n in ast.walk(statement.value) if isinstance(n, ast.Name)}
            declared = _words(annotation + value, {n: f"{n}V{new}" for n in imported}, set())
            lines.append(f"    {statement.target.id}: {declared}")
            for used in names - set(imported):
                origin = schemas.origin(used)
                if origin is not None:
                    extra_imports.add(origin)
        blocks.append("\n".join(lines))
    header = (
        f"# Version {new}'s representation, which starts as version {old}'s: change these "
        f"classes to change\n# what version {new} accepts and answers. The service takes "
        "and returns the same objects.\n"
    )
    code = header + "\n\n\n".join(blocks) + "\n"
    lines = body.splitlines(keepends=True)
    before, after = "".join(lines[:last_import]), "".join(lines[last_import:])
    imports = "".join(f"{line}\n" for line in sorted(extra_imports))
    return f"{before}{imports}\n\n{code}{after}"


def copy_package(versions: Versions, plan: Plan) -> None:
    """Version latest+1's package, as a copy of the latest's."""
    old, new = versions.latest, versions.latest + 1
    source = versions.project.root / versions.package(old)
    modules = [path for path in sorted(source.rglob("*.py")) if "__pycache__" not in path.parts]
    try:
        own = own_classes([path.read_text() for path in modules], old, new)
    except SyntaxError as exc:
        raise ApigenError(f"{versions.package(old)}/: {exc}") from exc
    for path in sorted(source.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        relative = path.relative_to(source).as_posix()
        target = f"{versions.package(new)}/{relative}"
        text = path.read_text()
        if path.suffix == ".py" and path.name != "__init__.py":
            try:
                plan.created[target] = _copied_module(versions, text, old, new, own)
            except SyntaxError as exc:
                raise ApigenError(f"{versions.package(old)}/{relative}: {exc}") from exc
        else:
            plan.created[target] = _renumbered(text, old, new)


# --- versioning.py, config.py and .env.example -----------------------------------------


def with_versions(versions: Versions, numbers: tuple[int, ...]) -> str:
    path = versions.source / "versioning.py"
    text = path.read_text()
    node = _versions_assignment(ast.parse(text))
    if node is None:  # read_versions found it: the file changed since
        raise ApigenError(f"src/{versions.project.package}/versioning.py changed meanwhile")
    lines = text.splitlines(keepends=True)
    start, end = node.lineno - 1, node.end_lineno or node.lineno
    listed = ", ".join(map(str, numbers)) + ("," if len(numbers) == 1 else "")
    return "".join([*lines[:start], f"VERSIONS = ({listed})\n", *lines[end:]])


@dataclass(frozen=True)
class Config:
    """config.py's lifecycle parts: the deprecation entries and where the fields go."""

    text: str
    entries: dict[int, str]  # version -> its entry's source
    returned: ast.Return

    @classmethod
    def read(cls, versions: Versions) -> Config:
        path = versions.source / "config.py"
        text = path.read_text()
        tree = _parse(versions.project, path)
        problem = (
            f"src/{versions.project.package}/config.py: `Settings.api_deprecations` must "
            "return a dict literal of `<version>: Deprecation(...)` for apigen to change it"
        )
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "api_deprecations":
                returns = [s for s in node.body if isinstance(s, ast.Return)]
                if len(returns) != 1 or not isinstance(returns[0].value, ast.Dict):
                    raise ApigenError(problem)
                entries: dict[int, str] = {}
                for key, value in zip(returns[0].value.keys, returns[0].value.values, strict=True):
                    if not (isinstance(key, ast.Constant) and type(key.value) is int):
                        raise ApigenError(problem)
                    entries[key.value] = ast.get_source_segment(text, value) or ""
                return cls(text, entries, returns[0])
        raise ApigenError(problem)

    def with_entries(self, entries: dict[int, str]) -> str:
        lines = self.text.splitlines(keepends=True)
        node = self.returned
        indent = " " * node.col_offset
        if entries:
            listed = "".join(
                f"{indent}    {version}: {source},\n" for version, source in sorted(entries.items())
            )
            statement = f"{indent}return {{\n{listed}{indent}}}\n"
        else:
            statement = f"{indent}return {{}}\n"
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        return "".join([*lines[:start], statement, *lines[end:]])


FIELD = re.compile(r"^\s+api_v(?P<version>\d+)_(?:deprecated|sunset)_at\s*:")


def with_deprecation_fields(text: str, version: int, since: datetime, sunset: datetime) -> str:
    """config.py with the version's two date settings, after the ones there, and imports."""
    lines = text.splitlines(keepends=True)
    anchor = next(
        (index for index, line in enumerate(lines) if "`apigen add version` writes" in line), None
    )
    if anchor is None:
        anchor = next(
            (index for index, line in enumerate(lines) if "def api_deprecations" in line), None
        )
        if anchor is None:
            raise ApigenError("config.py: no `def api_deprecations` to add the settings next to")
        anchor -= 1
    else:
        while anchor + 1 < len(lines) and lines[anchor + 1].lstrip().startswith("#"):
            anchor += 1
    while anchor + 1 < len(lines) and FIELD.match(lines[anchor + 1]):
        anchor += 1
    fields = [
        f"    api_v{version}_deprecated_at: AwareDatetime = {datetime_source(since)}\n",
        f"    api_v{version}_sunset_at: AwareDatetime = {datetime_source(sunset)}\n",
    ]
    text = "".join([*lines[: anchor + 1], *fields, *lines[anchor + 1 :]])
    # ruff sorts these into the imports there: only the names used stay.
    return _with_imports(
        text, ["from datetime import UTC, datetime", "from pydantic import AwareDatetime"]
    )


def _with_imports(text: str, statements: list[str]) -> str:
    tree = ast.parse(text)
    last = max(
        (node.end_lineno or node.lineno)
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    )
    lines = text.splitlines(keepends=True)
    added = "".join(f"{statement}\n" for statement in statements)
    return "".join([*lines[:last], added, *lines[last:]])


def without_deprecation_fields(text: str, version: int) -> str:
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not ((match := FIELD.match(line)) and int(match["version"]) == version)
    )


def env_lines(version: int, since: datetime, sunset: datetime) -> list[str]:
    return [
        f"API_V{version}_DEPRECATED_AT={iso(since)}\n",
        f"API_V{version}_SUNSET_AT={iso(sunset)}\n",
    ]


ENV_LINE = re.compile(r"^API_V(?P<version>\d+)_(?:DEPRECATED|SUNSET)_AT=")


def with_env_lines(text: str, lines_to_add: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    anchor = next((index for index, line in enumerate(lines) if "apigen add version" in line), None)
    if anchor is None:
        return "".join([*lines, *lines_to_add])
    while anchor + 1 < len(lines) and (
        (lines[anchor + 1].startswith("#") and "API_V<n>" in lines[anchor + 1])
        or ENV_LINE.match(lines[anchor + 1])
    ):
        anchor += 1
    return "".join([*lines[: anchor + 1], *lines_to_add, *lines[anchor + 1 :]])


def without_env_lines(text: str, version: int) -> str:
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not ((match := ENV_LINE.match(line)) and int(match["version"]) == version)
    )


def sunset_of(versions: Versions, version: int) -> datetime | None:
    """The sunset config.py gives a deprecated version, as written there."""
    tree = _parse(versions.project, versions.source / "config.py")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == f"api_v{version}_sunset_at"
            and isinstance(node.value, ast.Call)
        ):
            try:
                parts = [ast.literal_eval(argument) for argument in node.value.args]
                return datetime(*parts).replace(tzinfo=UTC)
            except (ValueError, TypeError):
                return None
    return None


# --- the generated tests ----------------------------------------------------------------


def first_resource_segment(versions: Versions, version: int) -> str | None:
    """The URL segment of a resource the version serves (`tasks`), for its tests."""
    package = versions.project.root / versions.package(version)
    for path in sorted(package.glob("*.py")):
        if path.name == "__init__.py":
            continue
        match = re.search(r"""\b(?:url_)?prefix\s*=\s*["']/([\w-]+)["']""", path.read_text())
        if match:
            return match[1]
    return None


def lifecycle_test(versions: Versions, version: int, *, deprecated: bool, segment: str) -> str:
    from apigen.resource import _environment

    project = versions.project
    template = _environment().get_template("test_version.py.jinja")
    return str(
        template.render(
            package=project.package,
            framework=project.framework,
            auth=project.auth,
            auth_endpoints=(project.root / "src" / project.package / "api" / "auth.py").is_file(),
            versioning=project.versioning,
            version=version,
            deprecated=deprecated,
            segment=segment,
        )
    )


# --- the commands -----------------------------------------------------------------------


def add_version(
    root: Path,
    *,
    deprecate: bool = True,
    deprecated_at: str | None = None,
    sunset: str | None = None,
    dry_run: bool = False,
    today: datetime | None = None,
) -> tuple[int, Plan]:
    """Plan version latest+1 and, unless `dry_run`, write it."""
    from apigen.update import check_clean

    versions = read_versions(root)
    if not deprecate and (deprecated_at is not None or sunset is not None):
        raise UsageError("--deprecated-at and --sunset need --deprecate-previous")
    since = parse_moment("--deprecated-at", deprecated_at) if deprecated_at is not None else None
    if since is None:
        now = today or datetime.now(UTC)
        since = datetime.combine(now.date(), datetime.min.time(), UTC)
    end = parse_moment("--sunset", sunset) if sunset is not None else since + DEFAULT_NOTICE
    if deprecate and end <= since:
        raise UsageError(
            f"--sunset {iso(end)} must come after the deprecation, {iso(since)}: clients are "
            "warned first"
        )
    old, new = versions.latest, versions.latest + 1
    if (root / versions.package(new)).exists():
        raise ApigenError(f"{versions.package(new)}/ exists already, yet VERSIONS ends at {old}")
    segment = first_resource_segment(versions, old)
    if segment is None:
        raise ApigenError(f"{versions.package(old)}/ has no resource module to copy")
    test = LIFECYCLE_TEST.format(version=old)
    if (root / test).exists():
        raise ApigenError(f"{test} exists already; remove it first")
    if not dry_run:
        check_clean(root, doing="add a version")

    plan = Plan()
    copy_package(versions, plan)
    plan.changed[f"src/{versions.project.package}/versioning.py"] = with_versions(
        versions, (*versions.numbers, new)
    )
    if deprecate:
        config = Config.read(versions)
        entries = {
            **config.entries,
            old: f"Deprecation(self.api_v{old}_deprecated_at, self.api_v{old}_sunset_at)",
        }
        text = config.with_entries(entries)
        text = with_deprecation_fields(text, old, since, end)
        plan.changed[f"src/{versions.project.package}/config.py"] = text
        example = root / ".env.example"
        if example.is_file():
            plan.changed[".env.example"] = with_env_lines(
                example.read_text(), env_lines(old, since, end)
            )
    plan.created[test] = lifecycle_test(versions, old, deprecated=deprecate, segment=segment)
    readme = root / "README.md"
    if versions.project.versioning == "url" and readme.is_file():
        # The API table shows the latest version's paths.
        rows = with_table_paths(readme.read_text(), old, new)
        if rows != readme.read_text():
            plan.changed["README.md"] = rows
    if not dry_run:
        write(root, plan)
    return new, plan


def with_table_paths(text: str, old: int, new: int) -> str:
    """The README with its API table's `/api/v<old>/` paths made `/api/v<new>/`."""
    return "".join(
        line.replace(f"`/api/v{old}/", f"`/api/v{new}/") if line.startswith("| `") else line
        for line in text.splitlines(keepends=True)
    )


def default_version_notes(root: Path, version: int) -> list[str]:
    """Where a setting still makes the removed version the default one."""
    setting = re.compile(rf"^\s*API_DEFAULT_VERSION\s*=\s*[\"']?{version}[\"']?\s*$", re.MULTILINE)
    return [
        f"{name}: API_DEFAULT_VERSION={version} names the removed version; change it, or the "
        "application refuses to start"
        for name in (".env", ".env.example")
        if (root / name).is_file() and setting.search((root / name).read_text())
    ]


def remove_version(
    root: Path,
    version: int,
    *,
    force: bool = False,
    dry_run: bool = False,
    today: datetime | None = None,
) -> Plan:
    """Plan the removal of `version` and, unless `dry_run`, carry it out."""
    from apigen.update import check_clean

    versions = read_versions(root)
    served = ", ".join(map(str, versions.numbers))
    if version not in versions.numbers:
        raise UsageError(f"there is no version {version}; the project serves {served}")
    if version == versions.latest:
        raise UsageError(
            f"version {version} is the latest; `apigen add version` first, then remove it "
            "after its sunset"
        )
    config = Config.read(versions)
    if version not in config.entries and not force:
        raise UsageError(
            f"version {version} is not deprecated, so its clients were never told; deprecate "
            "it first (config.py, `api_deprecations`), or pass --force"
        )
    if version in config.entries and not force:
        sunset = sunset_of(versions, version)
        if sunset is None:
            raise UsageError(
                f"config.py gives no `api_v{version}_sunset_at = datetime(...)` to check; "
                "pass --force to remove the version anyway"
            )
        if sunset > (today or datetime.now(UTC)):
            raise UsageError(
                f"version {version} answers until its sunset, {iso(sunset)}; pass --force to "
                "remove it before"
            )
    package = versions.package(version)
    importers = [
        _relative(versions.project, path)
        for folder in ("src", "tests")
        for path in sorted((root / folder).rglob("*.py"))
        if not path.is_relative_to(root / package)
        and _relative(versions.project, path) != LIFECYCLE_TEST.format(version=version)
        and re.search(
            rf"\b{re.escape(versions.project.package)}\.api\.v{version}\b", path.read_text()
        )
    ]
    if importers:
        raise ApigenError(
            f"{', '.join(importers)} import(s) from version {version}'s package; change them first"
        )
    if not dry_run:
        check_clean(root, doing="remove a version")

    plan = Plan()
    for path in sorted((root / package).rglob("*")):
        if path.is_file():
            plan.deleted.append(_relative(versions.project, path))
    test = LIFECYCLE_TEST.format(version=version)
    if (root / test).is_file():
        plan.deleted.append(test)
    remaining = tuple(number for number in versions.numbers if number != version)
    plan.changed[f"src/{versions.project.package}/versioning.py"] = with_versions(
        versions, remaining
    )
    if version in config.entries:
        entries = {key: value for key, value in config.entries.items() if key != version}
        text = without_deprecation_fields(config.with_entries(entries), version)
        plan.changed[f"src/{versions.project.package}/config.py"] = text
    example = root / ".env.example"
    if example.is_file():
        text = without_env_lines(example.read_text(), version)
        if text != example.read_text():
            plan.changed[".env.example"] = text
    plan.notes.extend(default_version_notes(root, version))
    if not dry_run:
        write(root, plan)
    return plan
