"""The one source of truth for apigen's options and which combinations are valid.

The CLI flags, the interactive prompts, ``copier.yml`` (generated from this
module by :func:`copier_yml`) and the test matrix all read from here. This
module imports nothing heavy so that ``apigen --help`` stays fast.
"""

from __future__ import annotations

import itertools
import keyword
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields

# Lengths are capped so that every generated line stays within the 100-column limit.
NAME_MAX_LENGTH = 40
DESCRIPTION_MAX_LENGTH = 90
PACKAGE_NAME_PATTERN = rf"^[a-z][a-z0-9_]{{0,{NAME_MAX_LENGTH - 1}}}$"
PROJECT_NAME_PATTERN = rf"^[A-Za-z][A-Za-z0-9 ._-]{{0,{NAME_MAX_LENGTH - 1}}}$"
# Printable, one line, and nothing that needs escaping in TOML, YAML or a docstring.
DESCRIPTION_PATTERN = rf"^[^\x00-\x1f\x7f\"\\]{{0,{DESCRIPTION_MAX_LENGTH}}}$"
PROJECT_NAME_RULE = (
    "must start with an ASCII letter, contain only ASCII letters, digits, spaces, "
    f"'.', '_' or '-', and be at most {NAME_MAX_LENGTH} characters long"
)
PACKAGE_NAME_RULE = (
    "must be lower-case ASCII letters, digits and '_', starting with a letter, "
    f"at most {NAME_MAX_LENGTH} characters long"
)
DESCRIPTION_RULE = (
    f"must be one line of at most {DESCRIPTION_MAX_LENGTH} characters, "
    "without double quotes or backslashes"
)
# Import names a generated project depends on or lays out itself: a package of the same
# name would shadow them.
TAKEN_IMPORT_NAMES = frozenset({
    "alembic", "argon2", "bandit", "cryptography", "fastapi", "flask", "flask_cors", "gunicorn",
    "httpx", "httpx2", "hypothesis", "jwt", "limits", "migrations", "mypy",
    "openapi_spec_validator", "opentelemetry", "prometheus_client", "psycopg", "psycopg_pool",
    "pydantic", "pydantic_core", "pydantic_settings", "pytest", "redis", "ruff", "schemathesis",
    "sqlalchemy", "starlette", "structlog", "tests", "uvicorn", "uvicorn_worker", "werkzeug",
})  # fmt: skip
# Spelled out rather than read from `keyword`, whose soft keywords differ between
# Python versions: copier.yml must not depend on the Python that generated it.
RESERVED_NAMES = tuple(sorted({*keyword.kwlist, "_", "case", "match", "type"}))


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice option, with the label a person reads."""

    value: str
    label: str


@dataclass(frozen=True)
class Option:
    """One question asked at ``apigen new``: a flag, a prompt and a copier question."""

    name: str
    flag: str
    prompt: str
    help: str
    panel: str
    default: str | None = None
    choices: tuple[Choice, ...] = ()
    derived_from: str | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    @property
    def noun(self) -> str:
        """What the option is called in messages: its flag in words ('rate limit')."""
        return self.flag.removeprefix("--").replace("-", " ")


@dataclass(frozen=True)
class Constraint:
    """A rule that forbids one value of an option when another option has a value."""

    when: tuple[str, str]
    forbids: tuple[str, str]
    reason: str

    def violated_by(self, answers: Mapping[str, str]) -> bool:
        (when_name, when_value), (name, value) = self.when, self.forbids
        return answers.get(when_name) == when_value and answers.get(name) == value


PROJECT_NAME = Option(
    name="project_name",
    flag="--name",
    prompt="Project name",
    help="Human name of the project; the distribution and folder name derive from it.",
    panel="Project",
)
PACKAGE_NAME = Option(
    name="package_name",
    flag="--package",
    prompt="Python package name",
    help="Import name of the generated package; derived from the project name.",
    panel="Project",
    derived_from="project_name",
)
DESCRIPTION = Option(
    name="description",
    flag="--description",
    prompt="One-line description",
    help="Shown in the README, pyproject.toml and the OpenAPI document.",
    panel="Project",
    default="A production-grade task API.",
)
FRAMEWORK = Option(
    name="framework",
    flag="--framework",
    prompt="Web framework",
    help="FastAPI (ASGI, async-capable) or Flask (WSGI).",
    panel="Stack",
    default="fastapi",
    choices=(
        Choice("fastapi", "FastAPI: ASGI under gunicorn with uvicorn workers"),
        Choice("flask", "Flask: WSGI under gunicorn with gthread workers"),
    ),
)

AUTH = Option(
    name="auth",
    flag="--auth",
    prompt="Authentication",
    help="Who may call: users logging in here (JWT), an external OpenID provider, or anyone.",
    panel="Stack",
    default="jwt",
    choices=(
        Choice("jwt", "JWT: users log in here; ES256 access tokens, rotating refresh tokens"),
        Choice("oidc", "OIDC: tokens from an identity provider, verified through its JWKS"),
        Choice("none", "None: every endpoint is public and tasks have no owner"),
    ),
)
RATE_LIMIT = Option(
    name="rate_limit",
    flag="--rate-limit",
    prompt="Rate limiting",
    help="Where request counts live: in each process, in Redis shared by every replica, or off.",
    panel="Stack",
    default="memory",
    choices=(
        Choice("memory", "In memory: one process counts its own requests"),
        Choice("redis", "Redis: every worker and replica shares one count"),
        Choice("none", "None: no rate limits (put them in front of the API instead)"),
    ),
)

VERSIONING = Option(
    name="versioning",
    flag="--versioning",
    prompt="API versioning",
    help="How a client picks the API version: in the path, the Accept header, a query "
    "parameter, or one API that only grows.",
    panel="Stack",
    default="url",
    choices=(
        Choice("url", "URL: /api/v1, then /api/v2 next to it when one is added"),
        Choice("header", "Header: Accept: application/vnd.<project>.v1+json"),
        Choice("query", "Query: ?version=1"),
        Choice("none", "None: one unversioned API that only changes additively"),
    ),
)
DATABASE = Option(
    name="database",
    flag="--database",
    prompt="Database",
    help="SQLite in a file next to the app, or a PostgreSQL server (psycopg 3, pooled).",
    panel="Stack",
    default="sqlite",
    choices=(
        Choice("sqlite", "SQLite: embedded, nothing to run"),
        Choice("postgresql", "PostgreSQL: a server, through psycopg 3 with a connection pool"),
    ),
)
DEPLOY = Option(
    name="deploy",
    flag="--deploy",
    prompt="Deployment",
    help="What ships beside the Dockerfile: nothing, a compose file, or Kubernetes manifests.",
    panel="Operations",
    default="docker",
    choices=(
        Choice("docker", "Docker: the Dockerfile only"),
        Choice("compose", "Compose: the API with its database and Redis, health-checked"),
        Choice("kubernetes", "Kubernetes: hardened Deployment, Service, autoscaler, migration Job"),
    ),
)
METRICS = Option(
    name="metrics",
    flag="--metrics",
    prompt="Metrics",
    help="Prometheus metrics on /metrics (requests and latency by route), or none.",
    panel="Operations",
    default="none",
    choices=(
        Choice("none", "None: no metrics endpoint"),
        Choice("prometheus", "Prometheus: request count and latency on /metrics"),
    ),
)
TRACING = Option(
    name="tracing",
    flag="--tracing",
    prompt="Tracing",
    help="OpenTelemetry tracing exported over OTLP (switched on by a setting), or none.",
    panel="Operations",
    default="none",
    choices=(
        Choice("none", "None: no tracing"),
        Choice("otlp", "OpenTelemetry: spans over OTLP, trace id in the logs"),
    ),
)
CI = Option(
    name="ci",
    flag="--ci",
    prompt="Continuous integration",
    help="The CI pipeline the project ships: lint, types, tests with coverage, image build.",
    panel="Operations",
    default="github",
    choices=(
        Choice("github", "GitHub Actions"),
        Choice("gitlab", "GitLab CI"),
        Choice("none", "None: no pipeline file"),
    ),
)

OPTIONS: tuple[Option, ...] = (
    PROJECT_NAME,
    PACKAGE_NAME,
    DESCRIPTION,
    FRAMEWORK,
    AUTH,
    RATE_LIMIT,
    VERSIONING,
    DATABASE,
    DEPLOY,
    METRICS,
    TRACING,
    CI,
)
OPTIONS_BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}
CHOICE_OPTIONS: tuple[Option, ...] = tuple(option for option in OPTIONS if option.choices)

# Which combinations of choice values are invalid. Every consumer (CLI, prompts,
# copier.yml validators, test matrix) asks this tuple, never its own copy.
CONSTRAINTS: tuple[Constraint, ...] = ()


@dataclass(frozen=True)
class Answers:
    """A complete, validated set of answers handed to the renderer."""

    project_name: str
    package_name: str
    description: str
    framework: str
    auth: str
    rate_limit: str
    versioning: str
    database: str
    deploy: str
    metrics: str
    tracing: str
    ci: str

    def as_data(self) -> dict[str, str]:
        """The answers as copier data (the question names are the keys)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def derive_package_name(project_name: str) -> str:
    """Derive a Python import name from a human project name ('My API' -> 'my_api')."""
    return re.sub(r"[^0-9a-z]+", "_", project_name.lower()).strip("_")


def project_name_error(name: str) -> str | None:
    """Why a project name is unusable, or None when it is fine."""
    if not name.strip():
        return "the project name is empty"
    if not re.match(PROJECT_NAME_PATTERN, name):
        return f"project name {name!r} {PROJECT_NAME_RULE}"
    return None


def package_name_error(name: str) -> str | None:
    """Why a package name is unusable as a Python import name, or None."""
    if not re.match(PACKAGE_NAME_PATTERN, name):
        return f"package name {name!r} {PACKAGE_NAME_RULE}"
    if name in RESERVED_NAMES:
        return f"package name {name!r} is a Python keyword"
    if name in sys.stdlib_module_names:
        return f"package name {name!r} would shadow the standard library module {name!r}"
    if name in TAKEN_IMPORT_NAMES:
        return f"package name {name!r} would shadow the {name!r} package the project uses"
    return None


def description_error(text: str) -> str | None:
    """Why a description cannot be written into the project files, or None."""
    if not re.match(DESCRIPTION_PATTERN, text):
        return f"the description {DESCRIPTION_RULE}"
    return None


def choice_error(option: Option, value: str) -> str | None:
    """Why a value is not one of an option's choices, or None.

    The same words wherever the value came from: a flag, `--data`, an answers file.
    """
    if option.choices and value not in option.values:
        *others, last = option.values
        return f"unknown {option.noun} {value!r} (choose {', '.join(others)} or {last})"
    return None


def value_error(option: Option, value: str) -> str | None:
    """Why one answer is unusable on its own, or None; combinations are checked apart."""
    if option.name == "project_name":
        return project_name_error(value)
    if option.name == "package_name":
        return package_name_error(value)
    if option.name == "description":
        return description_error(value)
    return choice_error(option, value)


def combination_errors(answers: Mapping[str, str]) -> list[str]:
    """The reasons this combination of answers is invalid (empty when it is valid)."""
    return [c.reason for c in CONSTRAINTS if c.violated_by(answers)]


def answer_errors(answers: Mapping[str, str]) -> list[str]:
    """Every problem with a full set of answers, in option order."""
    problems = [
        problem
        for option in OPTIONS
        if (problem := value_error(option, answers.get(option.name, ""))) is not None
    ]
    return problems + combination_errors(answers)


def valid_combinations() -> Iterator[dict[str, str]]:
    """Every valid combination of the choice options, in a stable order."""
    names = [option.name for option in CHOICE_OPTIONS]
    for values in itertools.product(*(option.values for option in CHOICE_OPTIONS)):
        combination = dict(zip(names, values, strict=True))
        if not combination_errors(combination):
            yield combination


def combination_id(combination: Mapping[str, str]) -> str:
    """A readable test id for a combination, e.g. 'fastapi'."""
    return "-".join(combination[option.name] for option in CHOICE_OPTIONS)


# --- copier.yml -----------------------------------------------------------

_COPIER_HEADER = """\
# Generated from apigen/options.py by `python -m apigen.options`; do not edit by hand.
# A test fails when this file and apigen/options.py disagree.
_min_copier_version: "9.5"
_subdirectory: templates
_answers_file: .copier-answers.yml
_templates_suffix: .jinja
_exclude:
  - "copier.yml"
  - "~*"
  - "*.py[co]"
  - "__pycache__"
  - ".git"
  - ".DS_Store"
  - ".venv"
  # A migration is history a database may have run: an update never rewrites, adds or
  # deletes one. `apigen update` adds the template's new ones itself (docs/updating.md).
  - "{% if _copier_operation == 'update' %}migrations/versions/*{% endif %}"
_message_after_copy: |
  Your project "{{ project_name }}" is ready in {{ _copier_conf.dst_path }}.
  Next: cd into it, `uv sync`, then `uv run pytest`.
_message_after_update: |
  copier left migrations/versions as it was: a migration is history. Run `apigen update`
  to add the template's new migrations, then `make migrate`; change `auth` with
  `apigen update --data auth=...`, which adds the migration between the two schemas.
"""


def _yaml_str(text: str) -> str:
    """Quote a string for YAML in double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _jinja_literal(pattern: str) -> str:
    """A regex as a single-quoted Jinja string; Jinja unescapes backslashes once."""
    return "'" + pattern.replace("\\", "\\\\") + "'"


def _pattern_validator(name: str, pattern: str, rule: str, *more: str) -> list[str]:
    """A copier validator that shows `rule` when the answer does not match `pattern`."""
    test = f"{name} | regex_search({_jinja_literal(pattern)})"
    return [
        "  validator: >-",
        f"    {{% if not ({test}) %}}",
        f"    {rule}",
        *more,
        "    {% endif %}",
    ]


def _validator(option: Option) -> list[str]:
    """The Jinja validator lines of a copier question, mirroring the Python checks."""
    name = option.name
    if name == "project_name":
        return _pattern_validator(name, PROJECT_NAME_PATTERN, PROJECT_NAME_RULE)
    if name == "package_name":
        keywords = ", ".join(f"'{word}'" for word in RESERVED_NAMES)
        return _pattern_validator(
            name,
            PACKAGE_NAME_PATTERN,
            PACKAGE_NAME_RULE,
            f"    {{% elif package_name in [{keywords}] %}}",
            "    is a Python keyword",
        )
    if name == "description":
        return _pattern_validator(name, DESCRIPTION_PATTERN, DESCRIPTION_RULE)
    rules = [c for c in CONSTRAINTS if c.forbids[0] == name]
    if not rules:
        return []
    lines = ["  validator: >-"]
    for index, rule in enumerate(rules):
        tag = "if" if index == 0 else "elif"
        (when_name, when_value), (_, value) = rule.when, rule.forbids
        lines.append(
            f"    {{% {tag} {when_name} == '{when_value}' and {name} == '{value}' %}}{rule.reason}"
        )
    lines.append("    {% endif %}")
    return lines


def _question(option: Option) -> list[str]:
    lines = [f"{option.name}:", "  type: str", f"  help: {_yaml_str(option.help)}"]
    if option.name == "project_name":
        lines.append("  default: my-api")
    elif option.derived_from == "project_name":
        lines.append(
            "  default: \"{{ project_name | lower | regex_replace('[^0-9a-z]+', '_')"
            " | regex_replace('^_+|_+$', '') }}\""
        )
    elif option.default is not None:
        lines.append(f"  default: {_yaml_str(option.default)}")
    if option.choices:
        lines.append("  choices:")
        lines.extend(f"    {_yaml_str(c.label)}: {c.value}" for c in option.choices)
    return lines + _validator(option)


def copier_yml() -> str:
    """The full text of copier.yml, derived from OPTIONS and CONSTRAINTS."""
    blocks = [_COPIER_HEADER] + ["\n".join(_question(option)) + "\n" for option in OPTIONS]
    return "\n".join(blocks)


if __name__ == "__main__":
    print(copier_yml(), end="")
