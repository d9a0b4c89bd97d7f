"""`apigen update`: bring template improvements into a project, keeping its edits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from apigen import console


def update(
    path: Annotated[
        Path, typer.Argument(help="The project to update.", show_default="the current folder")
    ] = Path(),
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Change an answer, e.g. --data description='Billing API'. Repeatable.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show which files would change; change nothing.")
    ] = False,
    allow_data_loss: Annotated[
        bool,
        typer.Option(
            "--allow-data-loss",
            help="Let an option change drop data when the database is migrated "
            "(--data auth=none drops the users and the owners of tasks).",
        ),
    ] = False,
) -> None:
    """Update a project from this apigen's template; conflicts are marked inline."""
    from apigen.update import update as run_update
    from apigen.update import warn_if_rej_hidden

    with console.err().status("Updating from the template"):
        result = run_update(path, data or [], dry_run=dry_run, allow_data_loss=allow_data_loss)
    verb = "would change" if dry_run else "changed"
    if result.env:
        env = result.env
        told = {
            (False, False): "brought .env in step",
            (False, True): "wrote .env (a development key)",
            (True, False): "would bring .env in step",
            (True, True): "would write .env (a development key)",
        }[dry_run, env.created]
        details = [f"added {', '.join(env.added)}"] if env.added else []
        details += [f"updated {', '.join(env.updated)}"] if env.updated else []
        suffix = f": {'; '.join(details)}" if details else ""
        console.out().print(f"The update {told}{suffix}.", markup=False)
    if not result.changed and not result.rejected and not result.kept:
        console.out().print("Already up to date: no file " + verb + ".")
        return
    console.out().print(f"Files the update {verb}:")
    for file in result.changed:  # a path as it is: not wrapped, not read as markup
        console.out().print(f"  {file}", markup=False, soft_wrap=True)
    if result.migrations:
        console.out().print(
            f"The update {'would add' if dry_run else 'added'} {len(result.migrations)} "
            "migration(s): run `make migrate` (alembic upgrade heads) on every database."
        )
    for hint in result.after_migrating:
        console.out().print(hint, markup=False)
    if not dry_run:
        warn_if_rej_hidden(path.absolute())
    if result.clean:
        if not dry_run:
            console.out().print("Review with `git diff`, run the tests, then commit.")
        return
    would = "would " if dry_run else ""
    for file in result.conflicted:
        console.error(f"{would}conflict: {file} (resolve the <<<<<<< markers)")
    for file in result.rejected:
        console.error(f"{would}reject hunks: {file} (apply them by hand, then delete the file)")
    for file in result.kept:
        console.error(
            f"{would}conflict: {file} (the template no longer has it; kept because you "
            "changed it: delete it, or keep it as your own)"
        )
    raise typer.Exit(1)
