"""`apigen add resource` and `apigen add version`: grow a generated project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from apigen import console

if TYPE_CHECKING:
    from apigen.resource import Plan


def resource(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The resource's plural name, lowercase: the table, the package and the "
            "URL segment (line_items is served at /line-items).",
        ),
    ],
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            "-f",
            metavar="SPEC",
            help="NAME:TYPE[?][=DEFAULT][:unique], TYPE one of str, str(N), text, int, "
            "decimal, bool, date, datetime, enum(a,b), ref(TABLE) (another added resource); "
            "`?` allows null. Repeatable.",
        ),
    ] = None,
    singular: Annotated[
        str | None,
        typer.Option(
            "--singular",
            metavar="NAME",
            help="The name of one object (model class, ids).",
            show_default="the name without its plural s",
        ),
    ] = None,
    project: Annotated[
        Path,
        typer.Option("--project", help="The project to add to.", show_default="the current folder"),
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the files it would write; write nothing.")
    ] = False,
) -> None:
    """Add a resource: model, schemas, service, routes, migration, tests and README rows."""
    from apigen.errors import ApigenError
    from apigen.fields import parse_fields
    from apigen.resource import add_resource, check_target

    if field or not console.is_interactive():
        specs = parse_fields(field or [])
    else:
        # A name or a project that cannot take the resource is refused before any question.
        check_target(project, name, singular, dry_run=dry_run)
        from apigen.prompts import ask_fields, confirm_resource

        specs = ask_fields()
        if not confirm_resource(name, specs):
            raise ApigenError("not confirmed; nothing was written")
    plan = add_resource(project, name, specs, singular=singular, dry_run=dry_run)
    show_plan(plan, dry_run=dry_run)
    if not dry_run:
        console.out().print(
            "Next: `make migrate` (alembic upgrade heads), then `make check`; review with "
            "`git status`, then commit.",
            markup=False,
        )


def version(
    deprecate: Annotated[
        bool,
        typer.Option(
            "--deprecate-previous/--keep-previous",
            help="Deprecate the latest version as the new one arrives: its responses then "
            "announce its deprecation, its sunset and its successor.",
        ),
    ] = True,
    deprecated_at: Annotated[
        str | None,
        typer.Option(
            "--deprecated-at",
            metavar="DATE",
            help="Since when the previous version is deprecated: 2027-01-31, or a date and "
            "time with its time zone.",
            show_default="today",
        ),
    ] = None,
    sunset: Annotated[
        str | None,
        typer.Option(
            "--sunset",
            metavar="DATE",
            help="When the previous version stops answering; after the deprecation.",
            show_default="180 days after the deprecation",
        ),
    ] = None,
    project: Annotated[
        Path,
        typer.Option("--project", help="The project to add to.", show_default="the current folder"),
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the files it would write; write nothing.")
    ] = False,
) -> None:
    """Add the next API version, a copy of the latest: routes, schemas, settings and tests."""
    from apigen.version import add_version

    number, plan = add_version(
        project, deprecate=deprecate, deprecated_at=deprecated_at, sunset=sunset, dry_run=dry_run
    )
    show_plan(plan, dry_run=dry_run)
    if not dry_run:
        console.out().print(
            f"Version {number} is the latest. Next: `make check`; change version {number}'s "
            "schemas and routes in its package as it needs; review with `git status`, then "
            "commit.",
            markup=False,
        )


def show_plan(plan: Plan, *, dry_run: bool) -> None:
    """The files the plan creates, changes and deletes, then what the user should know."""
    verbs = ("write", "change", "delete") if dry_run else ("Wrote", "changed", "deleted")
    counts = [
        f"{verb} {len(files)}"
        for verb, files in zip(verbs, (plan.created, plan.changed, plan.deleted), strict=True)
        if files
    ]
    summary = ", ".join(counts) + " file(s):" if counts else "nothing to change"
    console.out().print(f"Would {summary}" if dry_run else summary.capitalize(), markup=False)
    for path in plan.created:
        console.out().print(f"  {path}", markup=False, soft_wrap=True)
    for path in plan.changed:
        console.out().print(f"  {path} (changed)", markup=False, soft_wrap=True)
    for path in plan.deleted:
        console.out().print(f"  {path} (deleted)", markup=False, soft_wrap=True)
    for note in plan.notes:
        console.warn(note)
