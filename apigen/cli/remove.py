"""`apigen remove version`: take an API version out after its sunset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from apigen import console


def version(
    number: Annotated[
        int,
        typer.Argument(metavar="N", help="The version to remove: 1 removes api/v1/."),
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Remove it before its sunset, or one that was never deprecated.",
        ),
    ] = False,
    project: Annotated[
        Path,
        typer.Option("--project", help="The project to change.", show_default="the current folder"),
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what it would change; change nothing.")
    ] = False,
) -> None:
    """Remove an API version after its sunset: its package, settings and tests."""
    from apigen.cli.add import show_plan
    from apigen.version import remove_version

    plan = remove_version(project, number, force=force, dry_run=dry_run)
    show_plan(plan, dry_run=dry_run)
    if not dry_run:
        console.out().print(
            f"Version {number} is gone. Next: `make check`; review with `git status`, then commit.",
            markup=False,
        )
