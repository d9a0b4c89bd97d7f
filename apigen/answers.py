"""Turn flags, defaults and prompts into one validated, frozen set of answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from apigen.errors import UsageError
from apigen.options import OPTIONS, Answers, Option, answer_errors, derive_package_name

Ask = Callable[[list[Option], Mapping[str, str]], Mapping[str, str]]


def folder_name(project_name: str) -> str:
    """The default destination folder for a project name ('My API' -> 'my-api')."""
    return re.sub(r"[^0-9a-z._-]+", "-", project_name.lower()).strip("-")


def defaults_for(known: Mapping[str, str]) -> dict[str, str]:
    """Every answer not in `known`, taken from its default or derived from earlier answers."""
    answers = dict(known)
    for option in OPTIONS:
        if option.name in answers:
            continue
        if option.derived_from == "project_name":
            answers[option.name] = derive_package_name(answers["project_name"])
        else:
            answers[option.name] = option.default or ""
    return answers


def collect(
    given: Mapping[str, str | None],
    destination: Path | None,
    *,
    use_defaults: bool,
    interactive: bool,
    ask: Ask,
) -> Answers:
    """Fill in every answer; without a terminal or --yes a missing answer is a usage error."""
    known = {name: value for name, value in given.items() if value is not None}
    if "project_name" not in known and destination is not None:
        known["project_name"] = destination.absolute().name
    if "project_name" not in known and use_defaults:
        known["project_name"] = "my-api"
    missing = [
        option
        for option in OPTIONS
        if option.name not in known and not (use_defaults or option.derived_from in known)
    ]
    if missing and not interactive:
        flags = ", ".join(option.flag for option in missing)
        raise UsageError(f"missing answers for {flags}; pass them, or --yes to take the defaults")
    if missing:
        known = dict(ask(missing, known))
    answers = defaults_for(known)
    problems = answer_errors(answers)
    if problems:
        raise UsageError("; ".join(problems))
    return Answers(**answers)
