"""`apigen add resource`: a whole resource from field specs, in the shape of `tasks`.

It writes the domain package (model, schemas, repository, service, errors), the routes in
the latest API version, a migration on the project's own Alembic branch, unit and HTTP tests
and the README's rows. Everything is rendered and formatted before the first file is
written; a file that exists already stops it with nothing written.
"""

from __future__ import annotations

import datetime
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from apigen import history
from apigen.errors import ApigenError, UsageError
from apigen.fields import (
    DECIMAL_DIGITS,
    DECIMAL_PLACES,
    FieldSpec,
    camel,
    check_identifier,
)

TEMPLATES = Path(__file__).resolve().parent / "resource_templates"
PROJECT_VERSIONS = "migrations/project/"

# Names a generated project uses for its own packages, modules and tables.
RESERVED_NAMES = frozenset(
    {"api", "auth", "tasks", "health", "users", "refresh_tokens", "tests", "migrations"}
    | {"config", "database", "errors", "logs", "pagination", "patterns", "schemas"}
    | {"metrics", "tracing", "versioning", "rate_limits", "request_id", "security_headers"}
    | {"swagger_ui", "client_address", "alembic_version", "discovery", "routes"}
)


@dataclass(frozen=True)
class Resource:
    """What is added: a table, its names, its fields, and where the project serves it."""

    table: str
    singular: str
    fields: tuple[FieldSpec, ...]

    @property
    def class_name(self) -> str:
        return camel(self.singular)

    @property
    def label(self) -> str:
        return self.singular.replace("_", " ")

    @property
    def url_segment(self) -> str:
        return self.table.replace("_", "-")


@dataclass
class Plan:
    """The files to create, the files to change, and what to tell the user afterwards."""

    created: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def singular_of(plural: str) -> str:
    """`projects` -> `project`, `categories` -> `category`, `boxes` -> `box`."""
    if plural.endswith("ies") and len(plural) > 4:
        return plural[:-3] + "y"
    if re.search(r"(s|x|z|ch|sh)es$", plural):
        return plural[:-2]
    if plural.endswith("s") and not plural.endswith("ss"):
        return plural[:-1]
    return plural


def check_name(name: str, package: str, what: str = "resource") -> None:
    check_identifier(what, name)
    if name in RESERVED_NAMES or name == package:
        raise UsageError(f"{what} {name!r} is a name the project uses itself; choose another")
    if name in sys.stdlib_module_names:
        raise UsageError(f"{what} {name!r} is a module of Python's standard library")


# --- what each field becomes ------------------------------------------------------------


def enum_class(resource: Resource, spec: FieldSpec) -> str:
    return resource.class_name + camel(spec.name)


def alias(resource: Resource, spec: FieldSpec) -> str:
    """The name of a field's request type in schemas.py: `Title`, or `TitleValue` if taken."""
    name = camel(spec.name)
    taken = {resource.class_name + suffix for suffix in ("Create", "Update", "Read", "Page")}
    taken |= {resource.class_name + "ListParams", resource.class_name}
    taken |= {enum_class(resource, other) for other in resource.fields if other.type == "enum"}
    taken |= {"Annotated", "BaseModel", "ConfigDict", "Field", "Decimal", "AwareDatetime"}
    return name + "Value" if name in taken else name


def request_type(spec: FieldSpec) -> str:
    return {
        "str": f"str, Field(min_length=1, max_length={spec.constant}, pattern=NOT_BLANK), "
        "AfterValidator(str.strip)",
        "text": f"str, Field(max_length={spec.constant}, pattern=WITHOUT_NUL), "
        "AfterValidator(str.strip)",
        "int": "int, Field(ge=INT_MIN, le=INT_MAX), BeforeValidator(written_as_number)",
        "decimal": "Decimal, BeforeValidator(written_as_decimal), AfterValidator(with_places), "
        "WithJsonSchema(DECIMAL_SCHEMA)",
        "bool": "bool, Field(strict=True)",
        "date": "date, BeforeValidator(written_as_text)",
        "datetime": "AwareDatetime, BeforeValidator(written_as_text), AfterValidator(in_utc)",
        "ref": "int, Field(ge=1, le=INT_MAX), BeforeValidator(written_as_number)",
    }[spec.type]


def read_type(resource: Resource, spec: FieldSpec) -> str:
    base = {
        "str": "str",
        "text": "str",
        "int": "int",
        "decimal": "Decimal",
        "bool": "bool",
        "date": "date",
        "datetime": "datetime",
        "ref": "int",
    }.get(spec.type) or enum_class(resource, spec)
    return f"{base} | None" if spec.optional else base


def value_type(resource: Resource, spec: FieldSpec) -> str:
    """The field's type in requests: its alias, or its enum."""
    return enum_class(resource, spec) if spec.type == "enum" else alias(resource, spec)


def default_source(resource: Resource, spec: FieldSpec) -> str | None:
    if spec.default is None:
        return None
    if spec.type == "enum":
        return f"{enum_class(resource, spec)}.{spec.default.upper()}"
    return spec.python_default()


def create_annotation(resource: Resource, spec: FieldSpec) -> str:
    kind = value_type(resource, spec)
    default = default_source(resource, spec)
    if spec.optional:
        return f"{kind} | None = {default or 'None'}"
    return f"{kind} = {default}" if default is not None else kind


def update_annotation(resource: Resource, spec: FieldSpec) -> str:
    kind = value_type(resource, spec)
    return f"{kind} | None = None" if spec.optional else f"{kind} | None = NeverNull"


def ondelete_of(spec: FieldSpec) -> str:
    """A required reference goes with the object it refers to; an optional one is cleared."""
    return "SET NULL" if spec.optional else "CASCADE"


def model_line(resource: Resource, spec: FieldSpec) -> str:
    """The mapped column of a field in models.py."""
    python = read_type(resource, spec)
    arguments: list[str] = []
    if spec.type == "enum":
        length = max(len(value) for value in spec.values)
        arguments.append(
            f'Enum({enum_class(resource, spec)}, name="{resource.singular}_{spec.name}", '
            f"native_enum=False, length={length}, "
            "values_callable=lambda members: [member.value for member in members])"
        )
    elif spec.type == "ref":
        arguments.append(f'ForeignKey("{spec.target}.id", ondelete="{ondelete_of(spec)}")')
    elif column := {
        "str": f"String({spec.constant})",
        "text": "Text",
        "decimal": f"Numeric({DECIMAL_DIGITS}, {DECIMAL_PLACES})",
        "datetime": "UTCDateTime",
    }.get(spec.type):
        arguments.append(column)
    if (default := default_source(resource, spec)) is not None:
        arguments.append(f"default={default}")
    if spec.indexed:
        arguments.append("index=True")
    column = f" = mapped_column({', '.join(arguments)})" if arguments else ""
    return f"{spec.name}: Mapped[{python}]{column}"


def migration_type(spec: FieldSpec) -> str:
    if spec.type == "enum":
        values = ", ".join(f'"{value}"' for value in spec.values)
        length = max(len(value) for value in spec.values)
        return f'sa.Enum({values}, name="{{singular}}_{spec.name}", native_enum=False, ' + (
            f"length={length})"
        )
    return {
        "str": f"sa.String(length={spec.max_length})",
        "text": "sa.Text()",
        "int": "sa.Integer()",
        "ref": "sa.Integer()",
        "decimal": f"sa.Numeric(precision={DECIMAL_DIGITS}, scale={DECIMAL_PLACES})",
        "bool": "sa.Boolean()",
        "date": "sa.Date()",
        "datetime": "sa.DateTime(timezone=True)",
    }[spec.type]


# --- sample values for the generated tests ----------------------------------------------

# Two valid values of each type, as sent and as the API answers them.
SAMPLES: dict[str, tuple[tuple[object, object], tuple[object, object]]] = {
    "str": (("First value", "First value"), ("Second value", "Second value")),
    "text": (("Some longer text.", "Some longer text."), ("Other text.", "Other text.")),
    "int": ((7, 7), (-3, -3)),
    "decimal": (("12.50", "12.50"), ("3", "3.00")),
    "bool": ((True, True), (False, False)),
    "date": (("2026-12-31", "2026-12-31"), ("2027-01-15", "2027-01-15")),
    "datetime": (
        ("2026-12-31T12:00:00+01:00", "2026-12-31T11:00:00Z"),
        ("2027-01-15T08:30:00Z", "2027-01-15T08:30:00Z"),
    ),
}

# Invalid values of each type, as Python source.
INVALID: dict[str, list[str]] = {
    "str": ['""', '"   "', '"\\x00"', "12"],
    "text": ['"\\x00"', "12"],
    "int": ['"7"', "1.5", f"{2**31}", "True"],
    "decimal": [
        '"1.234"',
        '"ten"',
        '"NaN"',
        "12.5",
        f'"{10 ** (DECIMAL_DIGITS - DECIMAL_PLACES)}"',
    ],
    "bool": ['"true"', "1", "None"],
    "date": ['"31/12/2026"', '"2026-02-30"', "20261231"],
    "datetime": ['"2026-12-31T12:00:00"', '"tomorrow"', "1767225600"],
    "ref": ['"1"', "0", "1.5", f"{2**31}", "True"],
}


def sample(spec: FieldSpec, which: int) -> tuple[object, object]:
    if spec.type == "enum":
        value = spec.values[which % len(spec.values)]
        return value, value
    if spec.type in ("str", "text") and spec.max_length is not None:
        sent, answered = SAMPLES[spec.type][which]
        return str(sent)[: spec.max_length], str(answered)[: spec.max_length]
    return SAMPLES[spec.type][which]


def invalid_values(spec: FieldSpec) -> list[str]:
    if spec.type == "enum":
        values = ['"not-a-value"', "1"]
    elif spec.type == "str":
        values = list(INVALID["str"])
    else:
        values = list(INVALID[spec.type])
    if spec.optional:
        values = [value for value in values if value != "None"]
    elif "None" not in values:
        values.append("None")
    return values


def distinct(spec: FieldSpec, index: int) -> object:
    """A valid value of a unique field, different for each index (the tests create several)."""
    return {
        "str": f"Value {index}",
        "int": 100 + index,
        "decimal": f"{index}.25",
        "date": f"2026-01-{10 + index}",
        "datetime": f"2026-01-01T0{index}:00:00Z",
    }[spec.type]


def python_source(value: object) -> str:
    return repr(value)


# --- the project ------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    root: Path
    package: str
    framework: str
    auth: bool
    versioning: str

    @property
    def api_package(self) -> str:
        """The folder under api/ that holds the latest version's routes."""
        if self.versioning == "none":
            return "routes"
        return f"v{self.latest_version}"

    @property
    def latest_version(self) -> int:
        api = self.root / "src" / self.package / "api"
        versions = [
            int(match[1])
            for child in api.iterdir()
            if child.is_dir() and (match := re.fullmatch(r"v([0-9]+)", child.name))
        ]
        if not versions:
            raise ApigenError(f"{api}: no version package (v1, v2...) to add routes to")
        return max(versions)

    @property
    def prefix(self) -> str:
        return f"/api/v{self.latest_version}" if self.versioning == "url" else "/api"


def read_project(root: Path) -> Project:
    from apigen.update import options_of, read_answers

    answers = options_of(read_answers(root))
    package = answers.get("package_name", "")
    if not (root / "src" / package / "__init__.py").is_file():
        raise ApigenError(f"{root}: no src/{package} package; is this an apigen project?")
    return Project(
        root, package, answers["framework"], answers["auth"] != "none", answers["versioning"]
    )


def added_resources(root: Path, package: str) -> list[str]:
    """The project's packages with a `models.py` that the template does not make."""
    source = root / "src" / package
    return sorted(
        models.parent.name
        for models in source.glob("*/models.py")
        if models.parent.name not in RESERVED_NAMES
    )


@dataclass(frozen=True)
class Target:
    """A resource that a ref field refers to: its table, model and test helpers."""

    table: str
    class_name: str
    singular: str

    @property
    def label(self) -> str:
        return self.singular.replace("_", " ")


@dataclass(frozen=True)
class Reference:
    """A ref field and the resource it refers to."""

    field: FieldSpec
    target: Target

    @property
    def ondelete(self) -> str:
        return ondelete_of(self.field)


def text_of(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


def read_target(project: Project, resource: Resource, spec: FieldSpec) -> Target:
    """What a `ref(TABLE)` needs of the resource it names; a UsageError when there is none.

    The generated tests create the objects referred to with the helpers apigen writes for
    each resource (`create_project` over HTTP, `add_project` in the database), so the target
    is a resource that `apigen add resource` made, found by its files.
    """
    table = spec.target or ""
    where = f"--field {spec.name}:ref({table})"
    if table == resource.table:
        raise UsageError(f"{where}: a resource cannot refer to itself")
    added = added_resources(project.root, project.package)
    if table not in added:
        known = ", ".join(added) or "none yet"
        raise UsageError(
            f"{where}: no resource {table!r} added with apigen add resource (added: {known})"
        )
    tests = project.root / "tests" / "api" / f"test_{table}.py"
    helper = re.search(r"^def create_(\w+)\(client", text_of(tests), re.MULTILINE)
    if helper is None:
        raise ApigenError(
            f"{where}: {tests.relative_to(project.root)} has no create_...(client) helper; "
            f"the tests of a resource that refers to {table} need one"
        )
    singular = helper[1]
    unit = project.root / "tests" / "unit" / f"test_{singular}_service.py"
    if not re.search(rf"^def add_{singular}\(session", text_of(unit), re.MULTILINE):
        raise ApigenError(
            f"{where}: {unit.relative_to(project.root)} has no add_{singular}(session...) "
            f"helper; the tests of a resource that refers to {table} need one"
        )
    # The model is named as `apigen add resource` names it: the singular, in CamelCase.
    return Target(table, camel(singular), singular)


def check_new(project: Project, resource: Resource) -> None:
    """An existing resource, module or table of that name stops the command (exit 1)."""
    package = project.root / "src" / project.package
    for path in (package / resource.table, package / f"{resource.table}.py"):
        if path.exists():
            raise ApigenError(f"{path.relative_to(project.root)} exists already: nothing written")
    for models in package.glob("*/models.py"):
        if re.search(rf"__tablename__ = \"{re.escape(resource.table)}\"", models.read_text()):
            raise ApigenError(f"the table {resource.table!r} exists already in {models.name}")
        if re.search(rf"^class {resource.class_name}\(", models.read_text(), re.MULTILINE):
            raise ApigenError(
                f"a model named {resource.class_name} exists already in "
                f"{models.relative_to(project.root)}: pass --singular to name it otherwise"
            )


def migration_parents(project: Project) -> tuple[str | None, str, str]:
    """`down_revision`, `branch_labels` and `depends_on` of the new migration, as source.

    As `migrations/env.py` places a revision: after the project branch's head, or as the
    branch's first revision, depending on the template's heads of the day.
    """
    found: list[history.Migration] = []
    for folder in (history.VERSIONS, PROJECT_VERSIONS):
        for file in sorted((project.root / folder).glob("*.py")):
            migration = history.read_migration(f"{folder}{file.name}", file.read_text())
            if migration is not None:
                found.append(migration)
    parents = {parent for migration in found for parent in migration.down_revisions}
    heads = sorted(m.revision for m in found if m.revision not in parents)
    template = [head for head in heads if history.TEMPLATE_REVISION.fullmatch(head)]
    own = [head for head in heads if not history.TEMPLATE_REVISION.fullmatch(head)]
    if len(own) > 1:
        raise ApigenError(
            f"the project's migrations have several heads ({', '.join(own)}): merge them "
            "(alembic merge heads), then add the resource"
        )
    depends_on = tuple_source(template)
    if own:
        return own[0], "None", depends_on
    return None, '("project",)', depends_on


def tuple_source(items: list[str]) -> str:
    if not items:
        return "None"
    if len(items) == 1:
        return f'"{items[0]}"'
    return "(" + ", ".join(f'"{item}"' for item in items) + ")"


# --- rendering --------------------------------------------------------------------------


def _context(project: Project, resource: Resource, targets: dict[str, Target]) -> dict[str, Any]:
    fields = list(resource.fields)
    refs = [Reference(spec, targets[spec.name]) for spec in fields if spec.type == "ref"]
    # Reference values exist only once their objects do: the tests add them as they go.
    valued = [spec for spec in fields if spec.type != "ref"]
    filters = [spec for spec in fields if spec.filterable]
    enums = [spec for spec in fields if spec.type == "enum"]
    unique = [spec.name for spec in fields if spec.unique]
    required = [spec.name for spec in fields if not spec.optional]
    must_send = [spec.name for spec in fields if not spec.optional and spec.default is None]
    lengths = [(spec.name, spec.max_length) for spec in fields if spec.max_length is not None]
    defaults = {spec.name: sample_default(spec) for spec in fields if spec.default is not None}
    column_types = {
        "str": "String",
        "text": "Text",
        "decimal": "Numeric",
        "enum": "Enum",
        "ref": "ForeignKey",
    }
    sqlalchemy_imports = {column_types[spec.type] for spec in fields if spec.type in column_types}
    if project.auth:
        sqlalchemy_imports.add("String")
    if unique:
        sqlalchemy_imports.add("UniqueConstraint")
    model_imports = [spec.constant for spec in fields if spec.max_length is not None]
    model_imports += [enum_class(resource, spec) for spec in enums]
    valid = {spec.name: sample(spec, 0)[0] for spec in valued}
    answered = {spec.name: sample(spec, 0)[1] for spec in valued}
    changed = {spec.name: sample(spec, 1)[0] for spec in valued}
    changed_answered = {spec.name: sample(spec, 1)[1] for spec in valued}
    for spec in valued:
        if spec.unique:
            valid[spec.name] = distinct(spec, 0)
            answered[spec.name] = distinct_answer(spec, 0)
            changed[spec.name] = distinct(spec, 9)
            changed_answered[spec.name] = distinct_answer(spec, 9)
    unique_specs = [spec for spec in fields if spec.unique]

    def distinct_kwargs(index: int) -> str:
        return "".join(f", {spec.name}={distinct(spec, index)!r}" for spec in unique_specs)

    def distinct_dict(index: int) -> str:
        return repr({spec.name: distinct(spec, index) for spec in unique_specs})

    def distinct_kwargs_python(variable: str) -> str:
        """Keyword arguments that give each unique field a value of its own per `variable`."""
        return ", ".join(
            f"{spec.name}={distinct_expression(spec, variable)}" for spec in unique_specs
        )

    def distinct_dict_python(variable: str) -> str:
        """A dict that gives each unique field a value of its own per `variable`, as source."""
        items = (f'"{spec.name}": {distinct_expression(spec, variable)}' for spec in unique_specs)
        return "{" + ", ".join(items) + "}"

    def filter_values(spec: FieldSpec) -> tuple[str, str]:
        if spec.type == "bool":
            return "True", "False"
        return repr(spec.values[0]), repr(spec.values[-1] if len(spec.values) > 1 else "")

    def filter_query(spec: FieldSpec) -> str:
        return '"true"' if spec.type == "bool" else repr(spec.values[0])

    helpers: dict[str, Callable[..., object]] = {
        "enum_class": lambda spec: enum_class(resource, spec),
        "alias": lambda spec: alias(resource, spec),
        "request_type": request_type,
        "create_annotation": lambda spec: create_annotation(resource, spec),
        "update_annotation": lambda spec: update_annotation(resource, spec),
        "read_type": lambda spec: read_type(resource, spec),
        "filter_type": lambda spec: read_type(resource, spec).removesuffix(" | None"),
        "model_line": lambda spec: model_line(resource, spec),
        "migration_type": lambda spec: migration_type(spec).replace(
            "{singular}", resource.singular
        ),
        "distinct_kwargs": distinct_kwargs,
        "distinct_dict": distinct_dict,
        "distinct_kwargs_python": distinct_kwargs_python,
        "distinct_dict_python": distinct_dict_python,
        "filter_values": filter_values,
        "filter_query": filter_query,
    }
    return {
        "package": project.package,
        "table": resource.table,
        "singular": resource.singular,
        "Class": resource.class_name,
        "label": resource.label,
        "Label": resource.label.capitalize(),
        "url_segment": resource.url_segment,
        "auth": project.auth,
        "framework": project.framework,
        "fields": fields,
        "refs": refs,
        "ref_targets": list({ref.target.table: ref.target for ref in refs}.values()),
        "filters": filters,
        "enums": enums,
        "unique_columns": unique,
        "required_names": required,
        "must_send": must_send,
        "lengths": lengths,
        "optional_names": [spec.name for spec in fields if spec.optional],
        "indexes": [*(["owner"] if project.auth else []), *(s.name for s in filters)],
        "sqlalchemy_imports": sorted(sqlalchemy_imports),
        "model_imports": sorted(model_imports),
        "decimal_digits": DECIMAL_DIGITS,
        "decimal_places": DECIMAL_PLACES,
        "route_class": None
        if project.versioning == "none"
        else f"version_route({project.latest_version})",
        "CONSTANT": resource.table.upper(),
        "valid": repr(valid),
        "answered": repr(answered),
        "changed": repr(changed),
        "changed_answered": repr(changed_answered),
        "defaults": defaults,
        "invalid": [(spec.name, value) for spec in fields for value in invalid_values(spec)],
        # Create and update share each field's type: an update tries one value per field.
        "invalid_once": [(spec.name, invalid_values(spec)[0]) for spec in fields],
        **helpers,
    }


def sample_default(spec: FieldSpec) -> object:
    """A default as the API answers it."""
    default = spec.default or ""
    if spec.type == "int":
        return int(default)
    if spec.type == "bool":
        return default == "true"
    if spec.type == "decimal":
        from decimal import Decimal

        return str(Decimal(default).quantize(Decimal(1).scaleb(-DECIMAL_PLACES)))
    return default


def distinct_answer(spec: FieldSpec, index: int) -> object:
    value = distinct(spec, index)
    if spec.type == "decimal":
        return f"{index}.25"
    return value


def distinct_expression(spec: FieldSpec, variable: str) -> str:
    return {
        "str": f'f"Value {{{variable}}}"',
        "int": f"100 + {variable}",
        "decimal": f'f"{{{variable}}}.25"',
        "date": f'f"2026-01-{{10 + {variable}}}"',
        "datetime": f'f"2026-01-01T0{{{variable}}}:00:00Z"',
    }[spec.type]


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(  # noqa: S701  (Python source, not HTML)
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(project: Project, resource: Resource) -> Plan:
    """Every file of the resource, rendered and formatted; nothing is written."""
    env = _environment()
    targets = {
        spec.name: read_target(project, resource, spec)
        for spec in resource.fields
        if spec.type == "ref"
    }
    context = _context(project, resource, targets)
    down_revision, branch_labels, depends_on = migration_parents(project)
    revision = secrets.token_hex(6)
    context |= {
        "revision": revision,
        "down_revision": down_revision,
        "branch_labels": branch_labels,
        "depends_on": depends_on,
        "created": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    source = f"src/{project.package}"
    routes = f"{project.framework}_routes.py.jinja"
    files = {
        f"{source}/{resource.table}/__init__.py": "",
        f"{source}/{resource.table}/models.py": "models.py.jinja",
        f"{source}/{resource.table}/schemas.py": "schemas.py.jinja",
        f"{source}/{resource.table}/errors.py": "errors.py.jinja",
        f"{source}/{resource.table}/repository.py": "repository.py.jinja",
        f"{source}/{resource.table}/service.py": "service.py.jinja",
        f"{source}/api/{project.api_package}/{resource.table}.py": routes,
        f"{PROJECT_VERSIONS}{revision}_create_{resource.table}.py": "migration.py.jinja",
        f"tests/unit/test_{resource.singular}_service.py": "test_service.py.jinja",
        f"tests/api/test_{resource.table}.py": "test_api.py.jinja",
    }
    plan = Plan()
    for path, template in files.items():
        text = env.get_template(template).render(context) if template else ""
        plan.created[path] = text
    for path in plan.created:
        if (project.root / path).exists():
            raise ApigenError(f"{path} exists already: nothing written")
    readme = project.root / "README.md"
    if readme.is_file():
        updated = readme_with_rows(readme.read_text(), project, resource)
        if updated is None:
            plan.notes.append(
                "README.md: the API table was not found; add the resource's rows by hand"
            )
        else:
            plan.changed["README.md"] = updated
    latest = project.latest_version
    api = project.root / "src" / project.package / "api"
    numbers = [child.name[1:] for child in api.glob("v[0-9]*") if child.is_dir()]
    older = sorted(int(n) for n in numbers if n.isdigit() and int(n) < latest)
    if older:
        plan.notes.append(
            f"{resource.table} is served by version {latest} only, the latest; "
            f"version(s) {', '.join(map(str, older))} do not have it"
            + (
                ""
                if project.versioning == "url"
                else ", and clients that name no version get the oldest (API_DEFAULT_VERSION)"
            )
        )
    return plan


def readme_rows(project: Project, resource: Resource) -> list[str]:
    path = f"{project.prefix}/{resource.url_segment}"
    filters = "".join(f"{spec.name}=&" for spec in resource.fields if spec.filterable)
    unique = any(spec.unique for spec in resource.fields)
    conflict = "; 409 when a unique field is taken" if unique else ""
    label = resource.label
    return [
        f"| `POST` | `{path}` | 201 with the {label}; 422 when invalid{conflict} |",
        f"| `GET` | `{path}?{filters}limit=&offset=` | 200 with a page (`limit` at most 100) |",
        f"| `GET` | `{path}/{{id}}` | 200, or 404 |",
        f"| `PATCH` | `{path}/{{id}}` | 200 with the updated {label}; 404, 422{conflict} |",
        f"| `DELETE` | `{path}/{{id}}` | 204, or 404 |",
    ]


def readme_with_rows(text: str, project: Project, resource: Resource) -> str | None:
    """The README with the resource's rows in the API table, before the health probes."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("| `GET` | `/health/live`"):
            rows = [row + "\n" for row in readme_rows(project, resource)]
            return "".join(lines[:index] + rows + lines[index:])
    return None


def _ruff() -> list[str]:
    """ruff, installed with apigen (a dependency), run as its package runs it."""
    return [sys.executable, "-m", "ruff"]


def _format(root: Path, paths: list[str]) -> None:
    """Sort imports, drop unused ones and format, in place, with the project's ruff settings.

    On disk, so that ruff sees the new package as the project's own (first-party) imports.
    """
    python = [path for path in paths if path.endswith(".py")]
    for command in (
        [*_ruff(), "check", "--no-cache", "--fix", "--select", "I,F401", "--exit-zero", "--quiet"],
        [*_ruff(), "format", "--no-cache", "--quiet"],
    ):
        result = subprocess.run(  # noqa: S603  (ruff, with fixed arguments)
            [*command, *python], capture_output=True, text=True, cwd=root, check=False
        )
        if result.returncode != 0:
            problem = (result.stderr or result.stdout).strip()
            raise ApigenError(f"ruff could not format the new files: {problem}")


def write(root: Path, plan: Plan) -> None:
    """Carry out the plan; a failure part way undoes it: what it created goes, the rest is restored.

    Files deleted go last, with the folders they leave empty.
    """
    created: list[Path] = []  # files and folders, in the order they were made
    originals = {path: (root / path).read_text() for path in [*plan.changed, *plan.deleted]}
    try:
        for path, text in plan.created.items():
            target = root / path
            for parent in reversed(target.relative_to(root).parents):
                folder = root / parent
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            with target.open("x") as file:  # never over a file that appeared meanwhile
                created.append(target)
                file.write(text)
        for path, text in plan.changed.items():
            (root / path).write_text(text)
        _format(root, [*plan.created, *plan.changed])
        for path in plan.deleted:
            (root / path).unlink()
        for folder in sorted({(root / path).parent for path in plan.deleted}, reverse=True):
            _remove_if_empty(folder)
    except BaseException:
        for path, text in originals.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        for made in reversed(created):
            if made.is_dir():
                made.rmdir()
            else:
                made.unlink()
        raise


def _remove_if_empty(folder: Path) -> None:
    """Remove `folder` if nothing but bytecode caches is left in it."""
    cache = folder / "__pycache__"
    if cache.is_dir() and all(path == cache for path in folder.iterdir()):
        shutil.rmtree(cache)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def check_target(
    root: Path, name: str, singular: str | None = None, *, dry_run: bool = False
) -> tuple[Project, Resource]:
    """Everything that can refuse before the fields are known: asked before any question."""
    from apigen.update import check_clean

    project = read_project(root)
    check_name(name, project.package)
    singular = singular or singular_of(name)
    check_identifier("--singular", singular)
    if singular in RESERVED_NAMES and singular != name:
        raise UsageError(f"--singular {singular!r} is a name the project uses itself")
    resource = Resource(name, singular, ())
    check_new(project, resource)
    if not dry_run:
        check_clean(root, doing="add a resource")
    return project, resource


def add_resource(
    root: Path,
    name: str,
    specs: list[FieldSpec],
    *,
    singular: str | None = None,
    dry_run: bool = False,
) -> Plan:
    """Check everything, render everything, then write (unless `dry_run`)."""
    project, resource = check_target(root, name, singular, dry_run=dry_run)
    if not specs:
        raise UsageError("give at least one --field, e.g. --field title:str")
    plan = render(project, replace(resource, fields=tuple(specs)))
    if not dry_run:
        write(root, plan)
    return plan
