"""Field specs of `apigen add resource`: `title:str`, `count:int=0`, `status:enum(a,b)`...

A spec is `NAME:TYPE`, then `?` if the field may be null, `=DEFAULT` for the value a client
may omit, and `:unique` if no two of one owner's objects may share it. Each type knows the
column, the request type and the migration column it becomes; the templates only place them.
"""

from __future__ import annotations

import datetime
import keyword
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from apigen.errors import UsageError

IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
NAME_MAX_LENGTH = 40
STR_MAX_LENGTH_DEFAULT = 200
STR_MAX_LENGTH_LIMIT = 10_000
TEXT_MAX_LENGTH_DEFAULT = 2_000
TEXT_MAX_LENGTH_LIMIT = 100_000
ENUM_VALUE = re.compile(r"[a-z][a-z0-9_]{0,62}")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
DECIMAL_DIGITS, DECIMAL_PLACES = 12, 2
TYPES = ("str", "text", "int", "decimal", "bool", "date", "datetime", "enum", "ref")

# Columns every resource has, query parameters of its list, and names that pydantic models
# or SQLAlchemy's declarative classes keep for themselves.
RESERVED_FIELDS = frozenset(
    {"id", "owner", "created_at", "updated_at", "limit", "offset"}
    | {"metadata", "registry", "query", "copy", "dict", "json", "schema", "construct"}
    | {"validate", "fields", "self", "cls"}
    # A field named after its type would hide the type in the model's class body.
    | {"date", "datetime", "decimal", "str", "int", "bool", "float", "list", "type"}
)

SPEC = re.compile(
    r"(?P<name>[^:]+):(?P<type>[a-z]+)(?:\((?P<arg>[^)]*)\))?"
    r"(?P<optional>\?)?(?:=(?P<default>.*?))?(?P<unique>:unique)?"
)


def camel(name: str) -> str:
    """`due_date` -> `DueDate`."""
    return "".join(part.capitalize() for part in name.split("_"))


@dataclass(frozen=True)
class FieldSpec:
    """One field of a resource, as its spec declared it."""

    name: str
    type: str
    optional: bool = False
    default: str | None = None  # as written, already checked against the type
    unique: bool = False
    max_length: int | None = None  # str and text
    values: tuple[str, ...] = field(default_factory=tuple)  # enum only
    target: str | None = None  # ref only: the table referred to

    @property
    def constant(self) -> str:
        """The module constant of a str or text field's length: `TITLE_MAX_LENGTH`."""
        return f"{self.name.upper()}_MAX_LENGTH"

    @property
    def filterable(self) -> bool:
        """Enum, bool and ref fields filter the list (`?status=draft&project_id=3`)."""
        return self.type in ("enum", "bool", "ref")

    @property
    def indexed(self) -> bool:
        return self.filterable

    def describe(self) -> str:
        """`str(20), unique`, `enum(draft, published), default draft, may be null`."""
        kind = self.type
        if self.type in ("str", "text"):
            kind = f"{self.type}({self.max_length})"
        elif self.type == "enum":
            kind = f"enum({', '.join(self.values)})"
        elif self.type == "ref":
            kind = f"ref({self.target})"
        parts = [kind]
        if self.default is not None:
            parts.append(f"default {self.default}")
        if self.optional:
            parts.append("may be null")
        if self.unique:
            parts.append("unique")
        return ", ".join(parts)

    def python_default(self) -> str | None:
        """The default as Python source, or None without one."""
        if self.default is None:
            return None
        if self.type in ("str", "text"):
            return repr(self.default)
        if self.type == "bool":
            return "True" if self.default == "true" else "False"
        if self.type == "decimal":
            return f'Decimal("{self.default}")'
        if self.type == "date":
            year, month, day = (int(part) for part in self.default.split("-"))
            return f"date({year}, {month}, {day})"
        return self.default  # int, enum: set by the templates


def _fail(spec: str, reason: str) -> UsageError:
    return UsageError(f"--field {spec!r}: {reason}")


def check_identifier(kind: str, name: str) -> None:
    """A resource or field name: snake_case, not a keyword, not too long."""
    if not IDENTIFIER.fullmatch(name) or name.endswith("_") or "__" in name:
        raise UsageError(
            f"{kind} {name!r}: use lowercase letters, digits and single underscores, "
            "starting with a letter"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise UsageError(f"{kind} {name!r} is a Python keyword")
    if len(name) > NAME_MAX_LENGTH:
        raise UsageError(f"{kind} {name!r}: at most {NAME_MAX_LENGTH} characters")


def parse_field(spec: str) -> FieldSpec:
    """One `--field` spec, or a UsageError saying what is wrong with it."""
    match = SPEC.fullmatch(spec.strip())
    if match is None:
        raise _fail(spec, "write NAME:TYPE, e.g. title:str, count:int=0, note:text?")
    name, kind, arg = match["name"], match["type"], match["arg"]
    try:
        check_identifier("field", name)
    except UsageError as exc:
        raise _fail(spec, str(exc)) from None
    if name in RESERVED_FIELDS or name.startswith("model_"):
        raise _fail(spec, f"{name!r} is a name every resource keeps for itself")
    if kind not in TYPES:
        raise _fail(spec, f"unknown type {kind!r}; one of {', '.join(TYPES)}")
    max_length = None
    values: tuple[str, ...] = ()
    if kind == "str":
        max_length = _length(spec, arg, STR_MAX_LENGTH_DEFAULT, STR_MAX_LENGTH_LIMIT)
    elif kind == "text":
        max_length = _length(spec, arg, TEXT_MAX_LENGTH_DEFAULT, TEXT_MAX_LENGTH_LIMIT)
    elif kind == "enum":
        values = _enum_values(spec, arg)
    elif kind == "ref":
        return _reference(spec, name, arg, match)
    elif arg is not None:
        raise _fail(spec, f"{kind} takes no (...) argument")
    default = match["default"]
    field_spec = FieldSpec(
        name,
        kind,
        optional=bool(match["optional"]),
        default=default,
        unique=bool(match["unique"]),
        max_length=max_length,
        values=values,
    )
    if default is not None:
        _check_default(spec, field_spec, default)
    if field_spec.unique and kind in ("bool", "text", "enum"):
        raise _fail(spec, f"a {kind} field cannot be unique")
    return field_spec


def _reference(spec: str, name: str, arg: str | None, match: re.Match[str]) -> FieldSpec:
    """`project:ref(projects)`: the column `project_id`, referring to a row of `projects`."""
    if arg is None or not IDENTIFIER.fullmatch(arg):
        raise _fail(spec, "ref(TABLE) names the resource referred to, e.g. ref(projects)")
    if match["default"] is not None:
        raise _fail(spec, "a ref field takes no default")
    if match["unique"]:
        raise _fail(spec, "a ref field cannot be unique")
    column = name if name.endswith("_id") else f"{name}_id"
    try:
        check_identifier("field", column)
    except UsageError as exc:
        raise _fail(spec, str(exc)) from None
    return FieldSpec(column, "ref", optional=bool(match["optional"]), target=arg)


def _length(spec: str, arg: str | None, default: int, limit: int) -> int:
    if arg is None:
        return default
    if not arg.isdigit() or not 1 <= int(arg) <= limit:
        raise _fail(spec, f"(N) is a maximum length from 1 to {limit}")
    return int(arg)


def _enum_values(spec: str, arg: str | None) -> tuple[str, ...]:
    values = tuple(value.strip() for value in (arg or "").split(","))
    if not arg or not all(ENUM_VALUE.fullmatch(value) for value in values):
        raise _fail(spec, "enum(a,b,...) takes lowercase values: letters, digits, underscores")
    if len(set(values)) != len(values):
        raise _fail(spec, "an enum value is listed twice")
    return values


def _check_default(spec: str, field_spec: FieldSpec, default: str) -> None:
    kind = field_spec.type
    if kind == "str":
        if not default.strip() or len(default) > (field_spec.max_length or 0):
            raise _fail(spec, "the default must be non-blank text within the length")
    elif kind == "text":
        if len(default) > (field_spec.max_length or 0):
            raise _fail(spec, "the default is longer than the maximum length")
    elif kind == "int":
        if not re.fullmatch(r"-?[0-9]+", default) or not INT_MIN <= int(default) <= INT_MAX:
            raise _fail(spec, "the default of an int is a whole number of 32 bits")
    elif kind == "decimal":
        try:
            value = Decimal(default)
        except InvalidOperation:
            raise _fail(spec, "the default of a decimal is a number such as 9.99") from None
        exponent = value.as_tuple().exponent
        if (
            not value.is_finite()
            or not isinstance(exponent, int)
            or -exponent > DECIMAL_PLACES
            or abs(value) >= 10 ** (DECIMAL_DIGITS - DECIMAL_PLACES)
        ):
            raise _fail(spec, f"the default needs at most {DECIMAL_PLACES} decimal places")
    elif kind == "bool":
        if default not in ("true", "false"):
            raise _fail(spec, "the default of a bool is true or false")
    elif kind == "date":
        try:
            datetime.date.fromisoformat(default)
        except ValueError:
            raise _fail(spec, "the default of a date is written 2026-12-31") from None
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", default):
            raise _fail(spec, "the default of a date is written 2026-12-31")
    elif kind == "enum":
        if default not in field_spec.values:
            raise _fail(spec, f"the default is not one of {', '.join(field_spec.values)}")
    else:
        raise _fail(spec, f"a {kind} field takes no default")


def parse_fields(specs: list[str]) -> list[FieldSpec]:
    """Every `--field`, names unique; at least one."""
    fields = [parse_field(spec) for spec in specs]
    seen: set[str] = set()
    for field_spec in fields:
        if field_spec.name in seen:
            raise UsageError(f"--field: {field_spec.name!r} is given twice")
        seen.add(field_spec.name)
    if not fields:
        raise UsageError("give at least one --field, e.g. --field title:str")
    return fields
