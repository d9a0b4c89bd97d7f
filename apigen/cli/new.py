"""`apigen new`: ask or take the answers, then generate the project."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from apigen import console
from apigen.errors import UsageError
from apigen.options import (
    AUTH,
    CI,
    DATABASE,
    DEPLOY,
    DESCRIPTION,
    FRAMEWORK,
    METRICS,
    PACKAGE_NAME,
    PROJECT_NAME,
    RATE_LIMIT,
    TRACING,
    VERSIONING,
    Answers,
    Option,
)

BEHAVIOUR = "Behaviour"

Framework = enum.Enum("Framework", {value: value for value in FRAMEWORK.values}, type=str)  # type: ignore[misc]
Auth = enum.Enum("Auth", {value: value for value in AUTH.values}, type=str)  # type: ignore[misc]
RateLimit = enum.Enum("RateLimit", {value: value for value in RATE_LIMIT.values}, type=str)  # type: ignore[misc]
Versioning = enum.Enum("Versioning", {value: value for value in VERSIONING.values}, type=str)  # type: ignore[misc]
Database = enum.Enum("Database", {value: value for value in DATABASE.values}, type=str)  # type: ignore[misc]
Deploy = enum.Enum("Deploy", {value: value for value in DEPLOY.values}, type=str)  # type: ignore[misc]
Metrics = enum.Enum("Metrics", {value: value for value in METRICS.values}, type=str)  # type: ignore[misc]
Tracing = enum.Enum("Tracing", {value: value for value in TRACING.values}, type=str)  # type: ignore[misc]
Ci = enum.Enum("Ci", {value: value for value in CI.values}, type=str)  # type: ignore[misc]


def _value(choice: enum.Enum | None) -> str | None:
    """The value of a choice flag, or None when the flag was not given."""
    return str(choice.value) if choice is not None else None


# How each framework's development server starts; the generated README says the same.
RUN_COMMANDS = {
    "fastapi": "uv run uvicorn {package}.api.app:create_app --factory --reload",
    "flask": "uv run flask --app {package}.api.app run --debug --port 8000",
}


def _flag(option: Option, *, case_sensitive: bool = True) -> Any:
    """The typer option of an apigen option: its flag, help and panel come from options.py."""
    return typer.Option(
        option.flag,
        help=option.help,
        rich_help_panel=option.panel,
        show_default=False,
        case_sensitive=case_sensitive,
    )


def new(
    destination: Annotated[
        Path | None,
        typer.Argument(
            help="Folder to create; must be new or empty. Default: derived from the project name.",
            show_default=False,
        ),
    ] = None,
    project_name: Annotated[str | None, _flag(PROJECT_NAME)] = None,
    package_name: Annotated[str | None, _flag(PACKAGE_NAME)] = None,
    description: Annotated[str | None, _flag(DESCRIPTION)] = None,
    framework: Annotated[Framework | None, _flag(FRAMEWORK, case_sensitive=False)] = None,
    auth: Annotated[Auth | None, _flag(AUTH, case_sensitive=False)] = None,
    rate_limit: Annotated[RateLimit | None, _flag(RATE_LIMIT, case_sensitive=False)] = None,
    versioning: Annotated[Versioning | None, _flag(VERSIONING, case_sensitive=False)] = None,
    database: Annotated[Database | None, _flag(DATABASE, case_sensitive=False)] = None,
    deploy: Annotated[Deploy | None, _flag(DEPLOY, case_sensitive=False)] = None,
    metrics: Annotated[Metrics | None, _flag(METRICS, case_sensitive=False)] = None,
    tracing: Annotated[Tracing | None, _flag(TRACING, case_sensitive=False)] = None,
    ci: Annotated[Ci | None, _flag(CI, case_sensitive=False)] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help="Take the default for every option not given; never prompt.",
            rich_help_panel=BEHAVIOUR,
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show the files that would be written, and write nothing.",
            rich_help_panel=BEHAVIOUR,
        ),
    ] = False,
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers-file",
            help="Take the options from a project's .copier-answers.yml; never prompt.",
            rich_help_panel=BEHAVIOUR,
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Add the project to a folder that has files; yours are never touched.",
            rich_help_panel=BEHAVIOUR,
        ),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="With --force, replace your changed versions of the project's files.",
            rich_help_panel=BEHAVIOUR,
        ),
    ] = False,
) -> None:
    """Create a new API project (asks in a terminal, or takes flags and --yes)."""
    from apigen.answers import collect, folder_name, read_answers_file

    if overwrite and not force:
        raise UsageError("--overwrite only applies together with --force")
    flags = {
        "project_name": project_name,
        "package_name": package_name,
        "description": description,
        "framework": _value(framework),
        "auth": _value(auth),
        "rate_limit": _value(rate_limit),
        "versioning": _value(versioning),
        "database": _value(database),
        "deploy": _value(deploy),
        "metrics": _value(metrics),
        "tracing": _value(tracing),
        "ci": _value(ci),
    }
    recorded = read_answers_file(answers_file) if answers_file is not None else {}
    given = {name: flags[name] if flags[name] is not None else recorded.get(name) for name in flags}
    answers = collect(
        given,
        destination,
        use_defaults=yes or answers_file is not None,
        interactive=console.is_interactive(),
        ask=_ask,
    )
    target = destination if destination is not None else Path(folder_name(answers.project_name))
    if dry_run:
        _show_dry_run(answers, target, force=force)
        return
    _generate(answers, target, force=force, overwrite=overwrite)


def _ask(options: list[Option], known: Mapping[str, str]) -> Mapping[str, str]:
    from apigen.prompts import ask

    return ask(options, known)


def _show_dry_run(answers: Answers, target: Path, *, force: bool) -> None:
    from rich.tree import Tree

    from apigen.render import check_destination, preview

    check_destination(target.absolute(), force=force)
    with console.err().status("Rendering the template (dry run)"):
        files = preview(answers)
    tree = Tree(f"{target}/")
    branches: dict[tuple[str, ...], Tree] = {(): tree}
    for file in files:
        parts = tuple(file.split("/"))
        for depth in range(1, len(parts)):
            if parts[:depth] not in branches:
                branches[parts[:depth]] = branches[parts[: depth - 1]].add(f"{parts[depth - 1]}/")
        branches[parts[:-1]].add(parts[-1])
    console.out().print(tree)
    console.out().print(
        f"Dry run: {len(files)} files would be written to {target}; nothing was written."
    )


def _generate(answers: Answers, target: Path, *, force: bool, overwrite: bool) -> None:
    from rich.panel import Panel

    from apigen.render import generate

    status = console.err().status("Starting")
    with status:
        merge = generate(
            answers,
            target,
            progress=lambda step: status.update(f"{step}..."),
            force=force,
            overwrite=overwrite,
        )
    console.err().print(
        f"[green]✓[/] Created {answers.framework} project {answers.project_name!r} "
        f"(package {answers.package_name}) in {target}"
    )
    if merge is not None:
        for file in merge.replaced:
            console.out().print(f"replaced with the project's version: {file}")
        for file in merge.kept:
            console.out().print(f"kept your version (--overwrite replaces it): {file}")
        if not merge.committed:
            console.out().print("The folder was a git repository already: review and commit.")
    run = RUN_COMMANDS[answers.framework].format(package=answers.package_name)
    database_step = (
        ["# PostgreSQL: set DATABASE_URL in .env for your server (README: Database)"]
        if answers.database == "postgresql"
        else []
    )
    steps = "\n".join(
        [
            f"cd {target}",
            "uv sync                       # install",
            *database_step,
            "uv run alembic upgrade head   # create the database",
            f"{run}",
            "uv run pytest --cov           # test",
        ]
    )
    console.out().print(Panel(steps, title="Next steps", title_align="left", expand=False))
