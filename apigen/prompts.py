"""Interactive questions with questionary; input and output are injectable for tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apigen.options import OPTIONS, Answers, Option, derive_package_name, value_error

if TYPE_CHECKING:
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output
    from questionary import Question

    from apigen.fields import FieldSpec


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
    io: dict[str, Any] = {"input": input, "output": output}
    answers = dict(known)
    for option in options:
        default = _default(option, answers)
        if option.choices:
            answers[option.name] = _select(option, default, io).unsafe_ask()
        else:
            answers[option.name] = _ask_text(option, default, io)
    return answers


def confirm(
    answers: Answers,
    destination: Path,
    *,
    input: Input | None = None,  # noqa: A002
    output: Output | None = None,
) -> bool:
    """Show every answer, then ask whether to write the project (Enter says yes)."""
    import questionary
    from prompt_toolkit import print_formatted_text

    data = answers.as_data()
    width = max(len(option.prompt) for option in OPTIONS)
    lines = [f"  {option.prompt:<{width}}  {data[option.name]}" for option in OPTIONS]
    print_formatted_text("\n".join(["", "The project:", *lines, ""]), output=output)
    return bool(
        questionary.confirm(
            f"Create it in {destination.absolute()}?", default=True, input=input, output=output
        ).unsafe_ask()
    )


def _select(option: Option, default: str, io: Mapping[str, Any]) -> Question:
    """A choice among the option's labels; the labels say what each choice is."""
    import questionary

    return questionary.select(
        option.prompt,
        choices=[questionary.Choice(choice.label, value=choice.value) for choice in option.choices],
        default=default,
        **io,
    )


def _ask_text(option: Option, default: str, io: Mapping[str, Any]) -> str:
    """Ask until the answer is usable; a refused answer is offered again for editing.

    The reason is printed as ordinary output, which the terminal wraps at any width
    (prompt_toolkit's validation bar is one line, cut at the terminal's edge).
    """
    from prompt_toolkit import print_formatted_text
    from prompt_toolkit.formatted_text import FormattedText

    while True:
        answer: str = _text(option, default, io).unsafe_ask()
        problem = value_error(option, answer)
        if problem is None:
            return answer
        print_formatted_text(FormattedText([("fg:ansired", f"✗ {problem}")]), output=io["output"])
        default = answer


def _text(option: Option, default: str, io: Mapping[str, Any]) -> Question:
    """A text question: `? <prompt> (<help>) <default>`, one space between each part.

    Built like questionary's own text prompt, whose instruction adds a second space.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.document import Document
    from prompt_toolkit.formatted_text import FormattedText
    from prompt_toolkit.lexers import SimpleLexer
    from questionary import Question
    from questionary.constants import DEFAULT_QUESTION_PREFIX
    from questionary.styles import merge_styles_default

    message = FormattedText(
        [
            ("class:qmark", DEFAULT_QUESTION_PREFIX),
            ("class:question", f" {option.prompt} "),
            ("class:instruction", f"({option.help}) "),
        ]
    )
    session: PromptSession[str] = PromptSession(
        message, style=merge_styles_default([]), lexer=SimpleLexer("class:answer"), **io
    )
    session.default_buffer.reset(Document(default))
    return Question(session.app)


def _default(option: Option, answers: Mapping[str, str]) -> str:
    if option.name in answers:
        return answers[option.name]
    if option.derived_from == "project_name":
        return derive_package_name(answers.get("project_name", ""))
    return option.default or ""


def ask_fields(
    *,
    input: Input | None = None,  # noqa: A002 (prompt_toolkit's own name)
    output: Output | None = None,
) -> list[FieldSpec]:
    """Ask for a resource's fields one by one, as `--field` takes them; Enter alone ends.

    A spec that cannot be read is explained and asked again, with the text kept for editing.
    """
    import questionary
    from prompt_toolkit import print_formatted_text
    from prompt_toolkit.formatted_text import FormattedText

    from apigen.errors import UsageError
    from apigen.fields import parse_fields

    print_formatted_text(
        "Fields as NAME:TYPE (str, str(N), text, int, decimal, bool, date, datetime,\n"
        "enum(a,b), ref(TABLE)); add ? if it may be null, =DEFAULT, :unique. Enter alone\n"
        "when done.",
        output=output,
    )
    specs: list[str] = []
    default = ""
    while True:
        answer: str = questionary.text(
            f"Field {len(specs) + 1}", default=default, input=input, output=output
        ).unsafe_ask()
        default = ""
        if not answer.strip():
            if specs:
                return parse_fields(specs)
            problem = "give at least one field, e.g. title:str"
        else:
            try:
                parse_fields([*specs, answer.strip()])
            except UsageError as refused:
                problem = str(refused).removeprefix("--field ")
                default = answer
            else:
                specs.append(answer.strip())
                continue
        print_formatted_text(FormattedText([("fg:ansired", f"✗ {problem}")]), output=output)


def confirm_resource(
    name: str,
    fields: Sequence[FieldSpec],
    *,
    input: Input | None = None,  # noqa: A002
    output: Output | None = None,
) -> bool:
    """Show the fields, then ask whether to write the resource (Enter says yes)."""
    import questionary
    from prompt_toolkit import print_formatted_text

    width = max(len(field.name) for field in fields)
    lines = [f"  {field.name:<{width}}  {field.describe()}" for field in fields]
    print_formatted_text("\n".join(["", f"The resource {name}:", *lines, ""]), output=output)
    return bool(
        questionary.confirm("Write it?", default=True, input=input, output=output).unsafe_ask()
    )
