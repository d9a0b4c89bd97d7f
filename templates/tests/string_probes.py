"""Requests that try each documented string field with the values validation tends to get wrong.

The OpenAPI document promises which strings a field takes; schemathesis samples that promise
at random, and the values where a validator and its document part ways are rare among random
strings: a title of "\r" alone, a name padded with spaces past its maximum length. Each probe
here sends one such value in one field of one operation, everything else valid, and says
whether the document allows it. The API tests of either framework send the probes and
check that the API accepts exactly what the document allows.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Every character Python's str.isspace() counts (29 of them): validators strip these.
WHITESPACE = [chr(code) for code in range(0x110000) if chr(code).isspace()]
OTHER_VALUES = [
    "",
    "\x00",  # PostgreSQL text cannot hold NUL
    "text\x00",
    "\x1b[31mred",
    "\x7f",
    "\u00ad",  # soft hyphen: invisible, but not whitespace
    "\u200b",  # zero-width space: not whitespace to Python, ECMA-262 or Rust
    "\ufeff",  # byte order mark: whitespace to ECMA-262 alone
    "\U0001f600",  # one character, two UTF-16 code units
]
# Values that fit the usual fields, to fill the fields a probe does not try.
USUAL_VALUES = ["Valid text", "user@example.com", "correct horse battery staple", True]
# Values of the string formats, which the validator reads as dates and times, not text.
FORMAT_VALUES = {"date": "2026-12-31", "date-time": "2026-12-31T12:00:00Z"}


@dataclass(frozen=True)
class Probe:
    """One request: `value` in the field `location.name`, every other part valid."""

    method: str
    path: str
    location: str  # "body" or "query"
    name: str
    value: str
    allowed: bool
    query: dict[str, Any]
    body: dict[str, Any] | None

    @property
    def field(self) -> str:
        """How the error envelope names the field: `body.title`, `query.status`."""
        return f"{self.location}.{self.name}"

    def __str__(self) -> str:
        verdict = "allows" if self.allowed else "refuses"
        return f"{self.method.upper()} {self.path} {self.field}={self.value!r}: document {verdict}"


def probes(document: Mapping[str, Any]) -> Iterator[Probe]:
    """Every probe of every string parameter and body field of the documented operations."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield from operation_probes(document, method, path, operation)


def operation_probes(
    document: Mapping[str, Any], method: str, path: str, operation: Mapping[str, Any]
) -> Iterator[Probe]:
    parameters = [resolve(document, parameter) for parameter in operation.get("parameters", [])]
    for parameter in parameters:
        if parameter["in"] == "path":
            template = "{" + parameter["name"] + "}"
            path = path.replace(template, str(usual_value(parameter["schema"])))
    query = {
        parameter["name"]: usual_value(resolve(document, parameter["schema"]))
        for parameter in parameters
        if parameter["in"] == "query" and parameter.get("required")
    }
    content = operation.get("requestBody", {}).get("content", {})
    body_schema = resolve(document, content["application/json"]["schema"]) if content else None
    body = None
    if body_schema is not None:
        properties = {
            name: resolve(document, schema) for name, schema in body_schema["properties"].items()
        }
        body = {name: usual_value(properties[name]) for name in body_schema.get("required", [])}
        for name, schema in properties.items():
            for value in tricky_values(schema):
                yield Probe(
                    method=method,
                    path=path,
                    location="body",
                    name=name,
                    value=value,
                    allowed=allows(schema, value),
                    query=query,
                    body={**body, name: value},
                )
    for parameter in parameters:
        schema = resolve(document, parameter["schema"])
        if parameter["in"] == "query":
            for value in tricky_values(schema):
                yield Probe(
                    method=method,
                    path=path,
                    location="query",
                    name=parameter["name"],
                    value=value,
                    allowed=allows(schema, value),
                    query={**query, parameter["name"]: value},
                    body=body,
                )


def tricky_values(schema: Mapping[str, Any]) -> list[str]:
    """The values to try in a field of this schema; none unless it holds free text.

    A date or a time is no text to strip or to measure: its field is left alone.
    """
    if schema.get("type") != "string" or "format" in schema:
        return []
    values = [*OTHER_VALUES]
    usual = usual_value(schema)
    for space in WHITESPACE:
        # Alone, a blank; around a value that fits, text a validator may strip before checking.
        values += [space, f"{space}{usual}{space}"]
    shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
    values += ["x" * length for length in (shortest - 1, shortest) if length >= 0]
    if longest is not None:
        # At the limit with surrounding whitespace, and past it: lengths count as sent.
        values += ["x" * longest, "x" * (longest + 1), "x" * (longest - 1) + " "]
        values += [" " + "x" * longest, "x" * longest + "\n"]
    return values


def allows(schema: Mapping[str, Any], value: str) -> bool:
    """Whether the document allows `value` in a field of this schema.

    jsonschema-rs reads a pattern as ECMA-262, the document's own dialect; schemathesis
    and Python clients read it with `re`. A pattern the two read differently is a defect of
    its own: the API cannot agree with both.
    """
    pattern = schema.get("pattern")
    if pattern is not None:
        ecma_matches = jsonschema_rs.validator_for({"pattern": pattern}).is_valid(value)
        python_matches = re.search(pattern, value) is not None
        assert ecma_matches == python_matches, f"{pattern!r} reads two ways on {value!r}"
    return jsonschema_rs.validator_for(dict(schema)).is_valid(value)


def usual_value(schema: Mapping[str, Any]) -> Any:
    """A value the schema allows, for the fields a probe leaves alone."""
    formatted = [FORMAT_VALUES[schema["format"]]] if schema.get("format") in FORMAT_VALUES else []
    candidates = [*schema.get("enum", []), *schema.get("examples", []), *formatted]
    candidates += [*USUAL_VALUES, schema.get("minimum", 1)]
    for candidate in candidates:
        if jsonschema_rs.validator_for(dict(schema)).is_valid(candidate):
            return candidate
    raise AssertionError(f"no usual value fits {schema}: add one to USUAL_VALUES")


def resolve(document: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with every `$ref` into the document replaced by what it points to."""
    if "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return resolve(document, target)
    return {
        key: resolve(document, value) if isinstance(value, Mapping) else value
        for key, value in schema.items()
    }
