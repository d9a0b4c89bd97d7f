"""Every valid combination of options renders to a clean project (the cheap checks).

The full gates run on a pairwise cover (tests/test_gates.py); these checks run on every
combination, rendered in memory by tests/fast_render.py (a few milliseconds each).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
import sys
import tomllib

import pytest
import yaml

from apigen.options import combination_id, valid_combinations
from tests.fast_render import render
from tests.test_render import PROVIDES

PACKAGE = "render_check"
LEFTOVER = re.compile(r"\{\{|\{%|\{#|%\}")
FRAMEWORK_IMPORTS = re.compile(r"^\s*(from|import)\s+(fastapi|flask|starlette|werkzeug)\b", re.M)
# Everything the two frameworks must render identically: all but the framework packages.
FRAMEWORK_PATHS = re.compile(rf"^(src/{PACKAGE}|tests)/api/")
# The layers point one way: models know no request schema, repositories commit nothing
# (each service method is one unit of work).
LAYER_RULES = [
    (
        re.compile(rf"^src/{PACKAGE}/.*/models\.py$"),
        re.compile(rf"^from {PACKAGE}\.\w+\.schemas import", re.M),
        "a model imports the API schemas",
    ),
    (
        re.compile(rf"^src/{PACKAGE}/.*/repository\.py$"),
        re.compile(r"\.commit\(\)"),
        "a repository commits: the service's unit of work does",
    ),
]

WITHOUT_FRAMEWORK = [
    {name: value for name, value in combination.items() if name != "framework"}
    for combination in valid_combinations()
    if combination["framework"] == "fastapi"
]


def _answers(choices: dict[str, str]) -> dict[str, str]:
    return {"project_name": "Render Check", "package_name": PACKAGE, "description": "A.", **choices}


@functools.cache
def _python_problem(text: str) -> str | None:
    try:
        ast.parse(text)
    except SyntaxError as error:
        return f"invalid Python at line {error.lineno}: {error.msg}"
    return None


@functools.cache
def _imports(text: str) -> frozenset[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return frozenset(name.split(".")[0] for name in names)


@functools.cache
def _data_problem(suffix: str, digest: str, text: str) -> str | None:
    del digest  # part of the cache key only
    try:
        if suffix == "toml":
            tomllib.loads(text)
        else:
            list(yaml.safe_load_all(text))
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        return f"invalid {suffix}: {str(error).splitlines()[0]}"
    return None


@functools.cache
def _defined(text: str) -> frozenset[str]:
    """What a module defines for others to call: its undecorated functions and classes, and
    the public methods of its classes that extend nothing (others override library hooks)."""
    names: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.decorator_list:
            names.add(node.name)
        if isinstance(node, ast.ClassDef) and not node.bases:
            names.update(
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef)
                and not item.decorator_list
                and not item.name.startswith("_")
            )
    return frozenset(names)


@functools.cache
def _used(text: str) -> frozenset[str]:
    """Every name a module reads, calls or imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.name for alias in node.names)
    return frozenset(names)


def _unused_definitions(files: dict[str, str]) -> list[str]:
    """Functions, classes and methods of the package that nothing in the project uses."""
    sources = {path: text for path, text in files.items() if path.endswith(".py")}
    used = frozenset().union(*(_used(text) for text in sources.values()))
    return [
        f"{path}: {name} is never used"
        for path, text in sources.items()
        if path.startswith(f"src/{PACKAGE}/")
        for name in sorted(_defined(text) - used)
    ]


def _unchecked_by_mypy(files: dict[str, str]) -> list[str]:
    """Python files outside mypy's `files`: `mypy` (the README's command) and `mypy .` differ."""
    checked = tomllib.loads(files["pyproject.toml"])["tool"]["mypy"]["files"]
    return [
        f"{path}: not in mypy's files"
        for path in files
        if path.endswith(".py") and not any(path == f or path.startswith(f"{f}/") for f in checked)
    ]


def _allowed_imports(files: dict[str, str]) -> set[str]:
    pyproject = tomllib.loads(files["pyproject.toml"])
    declared = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["dev"]]
    distributions = {re.split(r"[<>=!~ ;]", requirement)[0] for requirement in declared}
    unknown = distributions - set(PROVIDES)
    assert not unknown, f"new dependencies {sorted(unknown)}: say what they provide in PROVIDES"
    allowed = {PACKAGE, "tests", *sys.stdlib_module_names}
    return allowed | {name for distribution in distributions for name in PROVIDES[distribution]}


def problems_of(files: dict[str, str]) -> list[str]:
    """Everything wrong with one rendered project that needs no tool to find."""
    problems = [*_unused_definitions(files), *_unchecked_by_mypy(files)]
    allowed = _allowed_imports(files)
    for path, text in files.items():
        name = path.rsplit("/", 1)[-1]
        suffix = name.rsplit(".", 1)[-1] if "." in name else ""
        if "{" in path or path.endswith(".jinja"):
            problems.append(f"{path}: template syntax in the name")
        if suffix != "mako" and LEFTOVER.search(text):
            problems.append(f"{path}: template syntax left in the text")
        if suffix == "py":
            if (problem := _python_problem(text)) is not None:
                problems.append(f"{path}: {problem}")
                continue
            if undeclared := _imports(text) - allowed:
                problems.append(f"{path}: imports undeclared {sorted(undeclared)}")
            problems.extend(
                f"{path}: {problem}"
                for where, what, problem in LAYER_RULES
                if where.match(path) and what.search(text)
            )
            in_api = path.startswith(f"src/{PACKAGE}/api/")
            if path.startswith(f"src/{PACKAGE}/") and not in_api and FRAMEWORK_IMPORTS.search(text):
                problems.append(f"{path}: a web framework imported outside the api package")
        if suffix in {"yml", "yaml", "toml"}:
            digest = hashlib.sha256(text.encode()).hexdigest()
            if (problem := _data_problem(suffix, digest, text)) is not None:
                problems.append(f"{path}: {problem}")
    return problems


@pytest.mark.parametrize(
    "choices",
    WITHOUT_FRAMEWORK,
    ids=[combination_id({"framework": "-", **c}) for c in WITHOUT_FRAMEWORK],
)
def test_both_frameworks_render_cleanly_and_share_all_but_the_api(choices: dict[str, str]) -> None:
    """Services, models, repositories, settings and their tests know no framework."""
    fastapi = render(_answers({"framework": "fastapi", **choices}))
    flask = render(_answers({"framework": "flask", **choices}))

    assert problems_of(fastapi) == []
    assert problems_of(flask) == []
    assert f"src/{PACKAGE}/api/app.py" in fastapi
    assert f"src/{PACKAGE}/api/app.py" in flask
    shared = {path for path in fastapi.keys() | flask.keys() if not FRAMEWORK_PATHS.match(path)}
    different = sorted(path for path in shared if fastapi.get(path) != flask.get(path))
    # The framework's own files: the README's run commands, the dependencies, the server.
    assert set(different) <= FRAMEWORK_SPECIFIC, different


FRAMEWORK_SPECIFIC = {
    "Makefile",
    "README.md",
    "pyproject.toml",
    "gunicorn.conf.py",
}
