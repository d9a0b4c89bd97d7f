"""The template's migrations in a project: each is history, added once and never rewritten.

copier leaves `migrations/versions` alone during an update (copier.yml excludes it then),
so nothing a database may have run is changed or deleted. After copier, `apigen update`
adds what the project is missing, as new files only:

1. the template's migrations the project has not got yet, for its answers before the
   update: a release's new ones (`0003`...), each chained after the project's template head;
2. when an answer that shapes the schema changes (`auth`), one migration from the old
   schema to the new (`auth_none_to_jwt_1a2b3c`), written from `apigen/option_migrations`
   with an id of its own, so that the same change made twice is two steps of history.

The second records the template migrations of the new answers that it stands for
(`template_revisions`): the project never runs those, and no later update adds them.
"""

from __future__ import annotations

import ast
import re
import secrets
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from apigen.errors import ApigenError

VERSIONS = "migrations/versions/"
# The ids of the template's migrations, as `migrations/env.py` knows them: a release's are
# numbered, an option change's name the option, the two answers and a random suffix.
TEMPLATE_REVISION = re.compile(r"\d{4}|[a-z]+_[a-z]+_to_[a-z]+_[0-9a-f]{6}")
# The options whose answers shape the schema, each with its catalog of changes.
SCHEMA_OPTIONS = ("auth",)
# What an option change drops from a database that already has data.
DATA_LOST: Mapping[tuple[str, str, str], str] = {
    ("auth", "jwt", "none"): "the users and refresh_tokens tables and the owner of every task",
    ("auth", "oidc", "none"): "the owner of every task",
    ("auth", "jwt", "oidc"): "the users and refresh_tokens tables and the owner of every task",
    ("auth", "oidc", "jwt"): "the owner of every task (the identity provider's subjects are "
    "not this API's users)",
}


@dataclass(frozen=True)
class Migration:
    """What apigen reads of a migration file: its id, its parents, what it stands for."""

    path: str
    revision: str
    down_revisions: tuple[str, ...]
    stands_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewMigration:
    """A file the update adds to `migrations/versions`."""

    path: str
    content: str


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _ids(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (tuple, list)):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def read_migration(path: str, text: str) -> Migration | None:
    """The migration in `text`, or None when it names no revision (not a migration)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise ApigenError(f"{path}: not valid Python ({exc.msg}, line {exc.lineno})") from exc
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            values[node.target.id] = _literal(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = _literal(node.value)
    revision = values.get("revision")
    if not isinstance(revision, str):
        return None
    return Migration(
        path,
        revision,
        _ids(values.get("down_revision")),
        _ids(values.get("template_revisions")),
    )


@dataclass(frozen=True)
class History:
    """The project's migrations in `migrations/versions`."""

    migrations: tuple[Migration, ...]

    @classmethod
    def read(cls, project: Path) -> History:
        folder = project / VERSIONS
        found = []
        for file in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            migration = read_migration(f"{VERSIONS}{file.name}", file.read_text())
            if migration is not None:
                found.append(migration)
        return cls(tuple(found))

    @property
    def known(self) -> set[str]:
        """The template revisions the project has, or has what they do through another."""
        return {m.revision for m in self.migrations} | {
            revision for m in self.migrations for revision in m.stands_for
        }

    @property
    def template_head(self) -> str | None:
        """The template's latest migration in the project, which the next one follows."""
        template = [m for m in self.migrations if TEMPLATE_REVISION.fullmatch(m.revision)]
        parents = {parent for m in template for parent in m.down_revisions}
        heads = sorted(m.revision for m in template if m.revision not in parents)
        if len(heads) > 1:
            raise ApigenError(
                f"{VERSIONS}: the template's migrations have several heads ({', '.join(heads)}); "
                "an update adds the next one after a single head"
            )
        return heads[0] if heads else None


def template_migrations(answers: Mapping[str, str]) -> dict[str, NewMigration]:
    """The template's migrations for `answers`, by revision id, as `apigen new` writes them."""
    from apigen.options import Answers
    from apigen.render import render

    rendered = render(Answers(**answers), Path("project"), under=VERSIONS)
    found: dict[str, NewMigration] = {}
    for file in rendered.files:
        text = file.content.decode()
        migration = read_migration(file.path, text)
        if migration is not None:
            found[migration.revision] = NewMigration(file.path, text)
    return found


_DOWN_REVISION = re.compile(r"^(down_revision\b[^=\n]*=\s*).*$", re.MULTILINE)
_REVISES = re.compile(r"^Revises:.*$", re.MULTILINE)


def after(migration: NewMigration, head: str | None) -> NewMigration:
    """The migration, chained after `head` (its file says where it goes, in two places)."""
    if not _DOWN_REVISION.search(migration.content):
        raise ApigenError(f"{migration.path}: the template's migration has no down_revision")
    value = f'"{head}"' if head else "None"
    content = _DOWN_REVISION.sub(lambda m: m.group(1) + value, migration.content, count=1)
    content = _REVISES.sub(f"Revises: {head or ''}".rstrip(), content, count=1)
    return NewMigration(migration.path, content)


# The first line of an option change's migration, by option and answers.
SUMMARIES: Mapping[tuple[str, str, str], str] = {
    ("auth", "none", "jwt"): "users sign in here, and every task has an owner",
    ("auth", "none", "oidc"): "an identity provider signs users in, and every task has an owner",
    ("auth", "jwt", "none"): "no sign-in, so the users and the owners of tasks go",
    ("auth", "oidc", "none"): "no sign-in, so the owners of tasks go",
    ("auth", "jwt", "oidc"): "an identity provider signs users in, and this API's users go",
    ("auth", "oidc", "jwt"): "users sign in here instead of at an identity provider",
}


def _python_tuple(items: list[str]) -> str:
    """A tuple of strings as ruff formats it."""
    if len(items) == 1:
        return f'("{items[0]}",)'
    return "(" + ", ".join(f'"{item}"' for item in items) + ")"


def option_change(
    option: str, old: str, new: str, head: str | None, stands_for: list[str], package: str
) -> NewMigration:
    """The migration taking a database from the schema of `old` to that of `new`."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    catalog = Path(__file__).resolve().parent / "option_migrations"
    env = Environment(  # noqa: S701  (Python source, not HTML)
        loader=FileSystemLoader(catalog), undefined=StrictUndefined, keep_trailing_newline=True
    )
    revision = f"{option}_{old}_to_{new}_{secrets.token_hex(3)}"
    notes = [f"Written by `apigen update --data {option}={new}` for a database that may hold data."]
    if lost := DATA_LOST.get((option, old, new)):
        notes.append(f"It drops {lost}; `apigen update` asked for --allow-data-loss first.")
    if option == "auth" and new != "none":
        notes.append(
            'Every task that exists when it runs is left unclaimed: its owner is "", which no '
            "token's subject can be, so nobody sees it until "
            f"`python -m {package}.tasks.claim SUBJECT` gives the unclaimed tasks to their owner."
        )
    content = env.get_template(f"{option}.py.jinja").render(
        old=old,
        new=new,
        summary=SUMMARIES[option, old, new],
        notes=[textwrap.fill(note, width=88) for note in notes],
        revision=revision,
        down_revision=head,
        stands_for=_python_tuple(stands_for),
    )
    return NewMigration(f"{VERSIONS}{revision}.py", content)


def data_lost(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """What changing the answers from `old` to `new` drops from a database, option by option."""
    return [
        f"--data {option}={new[option]} drops {lost}"
        for option in SCHEMA_OPTIONS
        if (lost := DATA_LOST.get((option, old[option], new[option])))
    ]


def unclaimed_tasks(old: Mapping[str, str], new: Mapping[str, str]) -> str | None:
    """What to tell the user when the change leaves the existing tasks without an owner."""
    if old["auth"] == new["auth"] or new["auth"] == "none":
        return None
    return (
        "Tasks that exist are unclaimed once migrated: "
        f"`python -m {new['package_name']}.tasks.claim SUBJECT` gives them to their owner."
    )


def missing_migrations(
    project: Path, old: Mapping[str, str], new: Mapping[str, str]
) -> list[NewMigration]:
    """The migrations the update adds: the template's new ones, then the option changes'.

    `old` and `new` are the project's answers before and after the update.
    """
    history = History.read(project)
    known = history.known
    head = history.template_head
    added: list[NewMigration] = []
    release = template_migrations(old)
    for revision in sorted(release.keys() - known):
        added.append(after(release[revision], head))
        head = revision
    changed = [option for option in SCHEMA_OPTIONS if old[option] != new[option]]
    if changed:
        stands_for = sorted(template_migrations(new).keys() - known - release.keys())
        for option in changed:
            migration = option_change(
                option, old[option], new[option], head, stands_for, new["package_name"]
            )
            added.append(migration)
            head = migration.path.removeprefix(VERSIONS).removesuffix(".py")
            stands_for = []
    return added


def check_free(project: Path, migrations: list[NewMigration]) -> None:
    """Refuse, before the update changes anything, to write over a file of the user's."""
    for migration in migrations:
        if (project / migration.path).exists():
            raise ApigenError(
                f"{migration.path}: the update adds the template's migration of this name, "
                "and the project has another; rename yours (and keep its revision id)"
            )


def write(project: Path, migrations: list[NewMigration]) -> None:
    """Add the migrations (`check_free` found their names free)."""
    for migration in migrations:
        path = project / migration.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(migration.content)
