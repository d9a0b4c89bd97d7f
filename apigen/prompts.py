"""Interactive questions with questionary; input and output are injectable for tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from apigen.options import (
    Option,
    choice_error,
    derive_package_name,
    description_error,
    package_name_error,
    project_name_error,
)

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

_CHECKS: dict[str, Callable[[str], str | None]] = {
    "project_name": project_name_error,
    "package_name": package_name_error,
    "description": description_error,
}


def _validator(option: Option) -> Callable[[str], bool | str]:
    """questionary wants True for a good answer and the message for a bad one."""
    check = _CHECKS.get(option.name)

    def validate(text: str) -> bool | str:
        problem = check(text) if check else choice_error(option, text)
        return True if problem is None else problem

    return validate


def ask(
    options: Sequence[Option],
    known: Mapping[str, str],
    *,
    input: Input | None = None,  # noqa: A002 (prompt_toolkit's own name)
    output: Output | None = None,
) -> dict[str, str]:
    """Ask each option in turn, showing its default and one-line help.

    `known` holds answers already given (flags) and is used for defaults derived
    from earlier answers. Ctrl-C raises KeyboardInterrupt.
    """
    import questionary

    io: dict[str, Any] = {"input": input, "output": output}
    answers = dict(known)
    for option in options:
        default = _default(option, answers)
        if option.choices:
            question = questionary.select(
                option.prompt,
                choices=[questionary.Choice(c.label, value=c.value) for c in option.choices],
                default=default,
                instruction=f"({option.help})",
                **io,
            )
        else:
            question = questionary.text(
                option.prompt,
                default=default,
                instruction=f"({option.help})",
                validate=_validator(option),
                **io,
            )
        answers[option.name] = question.unsafe_ask()
    return answers


def _default(option: Option, answers: Mapping[str, str]) -> str:
    if option.name in answers:
        return answers[option.name]
    if option.derived_from == "project_name":
        return derive_package_name(answers.get("project_name", ""))
    return option.default or ""
