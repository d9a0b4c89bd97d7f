"""`apigen new`: ask or take the answers, then generate the project."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from apigen import console
from apigen.errors import ApigenError, UsageError
from apigen.options import (
    AUTH,
    CI,
    DATABASE,
    DEPLOY,
    DESCRIPTION,
    FRAMEWORK,
    METRICS,
    OPTIONS_BY_NAME,
    PACKAGE_NAME,
    PROJECT_NAME,
    RATE_LIMIT,
    TRACING,
    VERSIONING,
    Answers,
    Option,
)

BEHAVIOUR = "Behaviour"


# How each framework's development server starts; the generated README says the same.
# Each watches the project's code only: watching .venv too costs a core while idle.
RUN_COMMANDS = {
    "fastapi": (
        "uv run uvicorn {package}.api.app:create_app --factory --reload --reload-dir src"
        " --port 8000"
    ),
    "flask": (
        "uv run flask --app {package}.api.app run --debug --port 8000"
        " --exclude-patterns '*/.venv/*'"
    ),
}


def _flag(option: Option, *, default: str | None = None) -> Any:
    """The typer option of an apigen option: its flag, help and panel come from options.py.

    Choice flags take any text and are checked against options.py by `apigen new` itself,
    so a wrong value gets the same message as in an answers file or `apigen update --data`;
    the help shows the choices and the default. `default` describes a derived default.
    """
    return typer.Option(
        option.flag,
        help=option.help,
        rich_help_panel=option.panel,
        metavar=f"<{'|'.join(option.values)}>" if option.choices else None,
        show_default=default if default is not None else option.default is not None,
    )


def new(
    ctx: typer.Context,
    destination: Annotated[
        Path | None,
        typer.Argument(
            help="Folder to create; must be new or empty.",
            show_default="named after the project",
        ),
    ] = None,
    project_name: Annotated[
        str | None, _flag(PROJECT_NAME, default="the destination's folder name, or my-api")
    ] = None,
    package_name: Annotated[str | None, _flag(PACKAGE_NAME, default="derived from --name")] = None,
    description: Annotated[str, _flag(DESCRIPTION)] = str(DESCRIPTION.default),
    framework: Annotated[str, _flag(FRAMEWORK)] = str(FRAMEWORK.default),
    auth: Annotated[str, _flag(AUTH)] = str(AUTH.default),
    rate_limit: Annotated[str, _flag(RATE_LIMIT)] = str(RATE_LIMIT.default),
    versioning: Annotated[str, _flag(VERSIONING)] = str(VERSIONING.default),
    database: Annotated[str, _flag(DATABASE)] = str(DATABASE.default),
    deploy: Annotated[str, _flag(DEPLOY)] = str(DEPLOY.default),
    metrics: Annotated[str, _flag(METRICS)] = str(METRICS.default),
    tracing: Annotated[str, _flag(TRACING)] = str(TRACING.default),
    ci: Annotated[str, _flag(CI)] = str(CI.default),
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
    values = {
        "project_name": project_name,
        "package_name": package_name,
        "description": description,
        "framework": framework,
        "auth": auth,
        "rate_limit": rate_limit,
        "versioning": versioning,
        "database": database,
        "deploy": deploy,
        "metrics": metrics,
        "tracing": tracing,
        "ci": ci,
    }
    flags = {name: _given(ctx, name, value) for name, value in values.items()}
    recorded = read_answers_file(answers_file) if answers_file is not None else {}
    given = {name: flags[name] if flags[name] is not None else recorded.get(name) for name in flags}
    use_defaults = yes or answers_file is not None
    interactive = console.is_interactive()
    if destination is not None:
        from apigen.render import check_destination

        # Before any question: a folder that cannot take the project would waste the answers.
        check_destination(destination.absolute(), force=force)
    answers = collect(
        given, destination, use_defaults=use_defaults, interactive=interactive, ask=_ask
    )
    target = destination if destination is not None else Path(folder_name(answers.project_name))
    if dry_run:
        _show_dry_run(answers, target, force=force)
        return
    if interactive and not use_defaults and not _confirm(answers, target):
        raise ApigenError("not confirmed; nothing was written")
    _generate(answers, target, force=force, overwrite=overwrite)


def _given(ctx: typer.Context, name: str, value: str | None) -> str | None:
    """The value of a flag the user passed, or None when it holds only its default.

    Choice values are matched case-insensitively: `--framework Flask` means flask.
    """
    source = ctx.get_parameter_source(name)
    if value is None or source is None or source.name == "DEFAULT":
        return None
    option = OPTIONS_BY_NAME[name]
    return value.lower() if value.lower() in option.values else value


def _ask(options: list[Option], known: Mapping[str, str]) -> Mapping[str, str]:
    from apigen.prompts import ask

    return ask(options, known)


def _confirm(answers: Answers, target: Path) -> bool:
    from apigen.prompts import confirm

    return confirm(answers, target)


def _show_dry_run(answers: Answers, target: Path, *, force: bool) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    from apigen.render import check_destination, preview

    check_destination(target.absolute(), force=force)
    with console.err().status("Rendering the template (dry run)"):
        files = preview(answers)
    tree = Tree(escape(f"{target}/"))
    branches: dict[tuple[str, ...], Tree] = {(): tree}
    for file in files:
        parts = tuple(file.split("/"))
        for depth in range(1, len(parts)):
            if parts[:depth] not in branches:
                branches[parts[:depth]] = branches[parts[: depth - 1]].add(f"{parts[depth - 1]}/")
        branches[parts[:-1]].add(parts[-1])
    console.out().print(tree)
    console.out().print(
        f"Dry run: {len(files)} files would be written to {target}; nothing was written.",
        markup=False,
    )


def _generate(answers: Answers, target: Path, *, force: bool, overwrite: bool) -> None:
    import shlex

    from rich.markup import escape

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
        f"(package {answers.package_name}) in {escape(str(target))}"
    )
    if merge is not None:
        for file in merge.replaced:
            console.out().print(f"replaced with the project's version: {file}", markup=False)
        for file in merge.kept:
            console.out().print(
                f"kept your version (--overwrite replaces it): {file}", markup=False
            )
        if not merge.committed:
            console.out().print("The folder was a git repository already: review and commit.")
    run = RUN_COMMANDS[answers.framework].format(package=answers.package_name)
    database_step = (
        ["# PostgreSQL: set DATABASE_URL in .env for your server (README: Database)"]
        if answers.database == "postgresql"
        else []
    )
    steps = [
        f"cd {shlex.quote(str(target))}",
        "uv sync                       # install",
        *database_step,
        "uv run alembic upgrade heads  # create the database",
        run,
        "uv run pytest --cov           # test",
    ]
    # Plain lines, never wrapped or boxed by rich: each must paste into a shell whole.
    console.out().print(
        "Next steps:\n" + "\n".join(f"  {step}" for step in steps), markup=False, soft_wrap=True
    )
