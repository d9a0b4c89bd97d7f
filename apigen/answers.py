"""Turn flags, defaults and prompts into one validated, frozen set of answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from apigen.errors import UsageError
from apigen.options import (
    OPTIONS,
    OPTIONS_BY_NAME,
    Answers,
    Option,
    answer_errors,
    derive_package_name,
    value_error,
)

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


def read_answers_file(path: Path) -> dict[str, str]:
    """The options recorded in a `.copier-answers.yml`, to recreate a project elsewhere."""
    import yaml

    try:
        recorded = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise UsageError(f"--answers-file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"--answers-file {path}: not valid YAML") from exc
    if not isinstance(recorded, dict):
        raise UsageError(f"--answers-file {path}: not a copier answers file")
    return {name: str(value) for name, value in recorded.items() if name in OPTIONS_BY_NAME}


def collect(
    given: Mapping[str, str | None],
    destination: Path | None,
    *,
    use_defaults: bool,
    interactive: bool,
    ask: Ask,
) -> Answers:
    """Fill in every answer; without a terminal or --yes a missing answer is a usage error.

    The destination's folder name stands in for the project name: as the answer
    without a terminal, as the suggested default at the prompt.
    """
    known = {name: value for name, value in given.items() if value is not None}
    _check_given(known)  # before any question: a wrong flag must not cost the answers typed
    suggested = dict(known)
    if "project_name" not in known:
        suggested["project_name"] = destination.absolute().name if destination else "my-api"
    if use_defaults:
        return _validated(defaults_for(suggested))
    if interactive:
        to_ask = [option for option in OPTIONS if option.name not in known]
        return _validated(defaults_for(ask(to_ask, suggested) if to_ask else suggested))
    if destination is not None:
        known = suggested
    missing = [
        option.flag
        for option in OPTIONS
        if option.name not in known and option.derived_from not in known
    ]
    if missing:
        flags = ", ".join(missing)
        raise UsageError(f"missing answers for {flags}; pass them, or --yes to take the defaults")
    return _validated(defaults_for(known))


def _check_given(known: Mapping[str, str]) -> None:
    problems = [
        problem
        for name, value in known.items()
        if (problem := value_error(OPTIONS_BY_NAME[name], value)) is not None
    ]
    if problems:
        raise UsageError("; ".join(problems))


def _validated(answers: Mapping[str, str]) -> Answers:
    problems = answer_errors(answers)
    if problems:
        raise UsageError("; ".join(problems))
    return Answers(**{option.name: answers[option.name] for option in OPTIONS})
