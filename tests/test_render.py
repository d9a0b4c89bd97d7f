"""The gated combinations render with plain copier (pytest-copie) into clean projects.

Every other combination gets the cheap checks in tests/test_every_combination.py, through
an in-memory renderer that the first test here proves renders what copier renders.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from apigen.options import combination_id
from tests.fast_render import render
from tests.matrix import pairwise_combinations

COMBINATIONS = pairwise_combinations()
LEFTOVER = re.compile(r"\{\{|\{%|\{#|%\}")
FRAMEWORK_IMPORTS = re.compile(r"^\s*(from|import)\s+(fastapi|flask|starlette|werkzeug)\b", re.M)


@pytest.fixture(scope="module", params=COMBINATIONS, ids=[combination_id(c) for c in COMBINATIONS])
def project(request: pytest.FixtureRequest, copie_session, template_repo: Path) -> Path:  # type: ignore[no-untyped-def]
    """One copier render per combination for every check below (the checks only read it)."""
    answers = {"project_name": "Render Check", **request.param}
    result = copie_session.copy(extra_answers=answers, template_dir=template_repo)
    assert result.exit_code == 0, result.exception
    return result.project_dir  # type: ignore[no-any-return]


def test_the_fast_renderer_renders_what_copier_renders(project: Path) -> None:
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    answers = {name: value for name, value in recorded.items() if not name.startswith("_")}
    on_disk = {
        path.relative_to(project).as_posix(): path.read_text()
        for path in project.rglob("*")
        if path.is_file() and path.name != ".copier-answers.yml"
    }

    assert render(answers) == on_disk


def test_no_template_syntax_is_left(project: Path) -> None:
    for path in project.rglob("*"):
        assert not path.name.endswith(".jinja"), path
        assert "{" not in path.name, path
        if path.is_file() and path.suffix not in {".mako"}:
            text = path.read_text()
            assert not LEFTOVER.search(text), f"template syntax left in {path}"


def test_answers_file_records_every_answer(project: Path) -> None:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())

    assert answers["project_name"] == "Render Check"
    assert answers["package_name"] == "render_check"
    assert "_src_path" in answers


def test_domain_layers_import_no_web_framework(project: Path) -> None:
    package = project / "src" / "render_check"
    for path in package.rglob("*.py"):
        if "api" in path.relative_to(package).parts:
            continue
        assert not FRAMEWORK_IMPORTS.search(path.read_text()), f"{path} imports a web framework"


def test_the_framework_code_lives_in_the_api_package(project: Path) -> None:
    api = project / "src" / "render_check" / "api"

    assert (api / "app.py").is_file()
    assert FRAMEWORK_IMPORTS.search((api / "app.py").read_text())


def test_python_files_are_valid_syntax(project: Path) -> None:
    for path in project.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")


# The import names each dependency a generated project may declare provides.
PROVIDES = {
    "alembic": {"alembic"},
    "anyio": {"anyio"},
    "argon2-cffi": {"argon2"},
    "bandit": set(),
    "fastapi": {"fastapi"},
    "flask": {"flask", "werkzeug"},
    "flask-cors": {"flask_cors"},
    "gunicorn": {"gunicorn"},
    "h11": {"h11"},
    "httpx2": {"httpx2"},
    "jsonschema-rs": {"jsonschema_rs"},
    "limits": {"limits"},
    "limits[redis]": {"limits", "redis"},
    "mypy": set(),
    "openapi-spec-validator": {"openapi_spec_validator"},
    "opentelemetry-api": {"opentelemetry"},
    "opentelemetry-exporter-otlp-proto-http": {"opentelemetry"},
    "opentelemetry-instrumentation-flask": {"opentelemetry"},
    "opentelemetry-sdk": {"opentelemetry"},
    "pre-commit": set(),
    "prometheus-client": {"prometheus_client"},
    "pydantic": {"pydantic"},
    "pydantic-settings": {"pydantic_settings"},
    "pyjwt[crypto]": {"jwt", "cryptography"},
    "psycopg[binary]": {"psycopg"},
    "pytest": {"pytest"},
    "pytest-cov": set(),
    "pytest-xdist": set(),
    "ruff": set(),
    "schemathesis": {"schemathesis", "hypothesis"},
    "sniffio": set(),
    "sqlalchemy": {"sqlalchemy"},
    "starlette": {"starlette"},
    "structlog": {"structlog"},
    "types-gunicorn": set(),
    "uvicorn": {"uvicorn"},
    "uvicorn-worker": {"uvicorn_worker"},
}


def imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    names |= {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
    }
    return {name.split(".")[0] for name in names}


def test_every_import_is_a_declared_dependency(project: Path) -> None:
    """A module the project's own dependencies do not bring would only work by accident."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    declared = [*pyproject["project"]["dependencies"], *pyproject["dependency-groups"]["dev"]]
    distributions = {re.split(r"[<>=!~ ]", requirement)[0] for requirement in declared}
    assert distributions <= set(PROVIDES), "a new dependency: say what it provides in PROVIDES"
    allowed = {"render_check", "tests", *sys.stdlib_module_names}
    allowed |= {name for distribution in distributions for name in PROVIDES[distribution]}

    for path in project.rglob("*.py"):
        undeclared = imported_names(path) - allowed
        assert not undeclared, f"{path.relative_to(project)} imports {sorted(undeclared)}"


def test_dockerfile_is_multi_stage_pinned_and_non_root(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text()
    images = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)
    user = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)

    assert len(images) >= 2
    assert all(re.search(r":\d+\.\d+\.\d+-slim", image) for image in images)
    final_uid = user[-1].split(":")[0]
    assert final_uid.isdigit()
    assert final_uid != "0"
    assert re.search(r'^CMD \["gunicorn"', dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile


def test_dockerignore_keeps_secrets_and_git_out_of_the_image(project: Path) -> None:
    ignored = (project / ".dockerignore").read_text().splitlines()

    assert {".git", ".env", ".venv"} <= set(ignored)


def test_env_file_is_git_ignored_and_documented(project: Path) -> None:
    assert ".env" in (project / ".gitignore").read_text().splitlines()
    assert "DATABASE_URL=" in (project / ".env.example").read_text()


# 40 characters, the longest allowed; its package sorts after `tests`, as `webshop` would.
LONGEST_NAME = "z" * 19 + "-" + "b" * 20
LONGEST_DESCRIPTION = "A task API whose description is as long as apigen allows, " + "x" * 32


@pytest.mark.parametrize("combination", COMBINATIONS, ids=[combination_id(c) for c in COMBINATIONS])
def test_the_longest_names_still_pass_ruff(  # type: ignore[no-untyped-def]
    copie, template_repo: Path, combination: dict[str, str]
) -> None:
    answers = {"project_name": LONGEST_NAME, "description": LONGEST_DESCRIPTION, **combination}
    result = copie.copy(extra_answers=answers, template_dir=template_repo)
    assert result.exit_code == 0, result.exception
    ruff = str(Path(sys.executable).parent / "ruff")

    for args in (["check", "--output-format", "concise", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [ruff, *args], cwd=result.project_dir, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
