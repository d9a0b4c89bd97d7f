"""apigen.history: which migrations an update adds, and that it never rewrites one."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from apigen import history
from apigen.answers import defaults_for
from apigen.errors import ApigenError
from tests.fast_render import render

VERSIONS = "migrations/versions/"


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """apigen's renderer keeps compiled templates under APIGEN_HOME: a folder of the test's."""
    monkeypatch.setenv("APIGEN_HOME", str(tmp_path / "home"))


def answers(**changes: str) -> dict[str, str]:
    return defaults_for({"project_name": "shop", **changes})


def project_at(folder: Path, **changes: str) -> Path:
    """The migrations `apigen new` writes for these answers, in a project folder."""
    for path, text in render(answers(**changes)).items():
        if path.startswith(VERSIONS):
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text)
    return folder


def migrate(project: Path, old: dict[str, str], new: dict[str, str]) -> list[history.Migration]:
    """Add what an update from `old` to `new` adds; what was added, as apigen reads it."""
    added = history.missing_migrations(project, old, new)
    history.check_free(project, added)
    history.write(project, added)
    read = [history.read_migration(m.path, m.content) for m in added]
    assert None not in read
    return [m for m in read if m is not None]


def test_a_project_as_generated_misses_nothing(tmp_path: Path) -> None:
    for auth in ("jwt", "oidc", "none"):
        project = project_at(tmp_path / auth, auth=auth)
        assert history.missing_migrations(project, answers(auth=auth), answers(auth=auth)) == []


def test_none_to_jwt_adds_one_migration_standing_for_the_users_tables(tmp_path: Path) -> None:
    project = project_at(tmp_path, auth="none")
    before = {path: path.read_bytes() for path in (tmp_path / VERSIONS).iterdir()}

    [added] = migrate(project, answers(auth="none"), answers(auth="jwt"))

    assert re.fullmatch(r"auth_none_to_jwt_[0-9a-f]{6}", added.revision)
    assert history.TEMPLATE_REVISION.fullmatch(added.revision)
    assert added.down_revisions == ("0001",)
    assert added.stands_for == ("0002",)  # the template's users migration, never added now
    assert {path: path.read_bytes() for path in before} == before  # nothing rewritten
    assert history.missing_migrations(project, answers(auth="jwt"), answers(auth="jwt")) == []


def test_the_same_change_twice_is_two_steps_of_history(tmp_path: Path) -> None:
    project = project_at(tmp_path, auth="jwt")

    [dropped] = migrate(project, answers(auth="jwt"), answers(auth="none"))
    [restored] = migrate(project, answers(auth="none"), answers(auth="jwt"))
    [again] = migrate(project, answers(auth="jwt"), answers(auth="none"))

    assert dropped.down_revisions == ("0002",)
    assert dropped.stands_for == ()
    assert restored.down_revisions == (dropped.revision,)
    assert restored.stands_for == ()  # 0002 is in the project's history already
    assert again.down_revisions == (restored.revision,)
    assert len({dropped.revision, again.revision}) == 2
    assert history.History.read(project).template_head == again.revision


def test_a_release_migration_comes_before_the_option_change(tmp_path: Path) -> None:
    # The template's 0002 stands in for a release's new migration: a jwt project without it
    # takes the release at its old answers (0002), then the change to oidc after it.
    project = project_at(tmp_path, auth="jwt")
    (tmp_path / VERSIONS / "0002_create_users.py").unlink()

    release, change = migrate(project, answers(auth="jwt"), answers(auth="oidc"))

    assert (release.revision, release.down_revisions) == ("0002", ("0001",))
    assert change.down_revisions == ("0002",)
    assert change.revision.startswith("auth_jwt_to_oidc_")
    text = (tmp_path / VERSIONS / "0002_create_users.py").read_text()
    assert text == render(answers(auth="jwt"))[f"{VERSIONS}0002_create_users.py"]


def test_a_release_migration_after_an_option_change_is_chained_after_it(tmp_path: Path) -> None:
    project = project_at(tmp_path, auth="jwt")
    [dropped] = migrate(project, answers(auth="jwt"), answers(auth="none"))
    template = render(answers(auth="jwt"))[f"{VERSIONS}0002_create_users.py"]
    migration = history.NewMigration(f"{VERSIONS}0003_x.py", template.replace("0002", "0003"))

    chained = history.after(migration, dropped.revision)

    assert f'down_revision: str | None = "{dropped.revision}"' in chained.content
    assert f"Revises: {dropped.revision}\n" in chained.content
    assert chained.content.replace(dropped.revision, "0001") == migration.content


def test_the_template_migrations_a_project_ran_are_read_as_history(tmp_path: Path) -> None:
    # A migration of the user's in migrations/versions (before the project branch existed)
    # is not the template's: the next template migration still follows 0002.
    project = project_at(tmp_path, auth="jwt")
    (tmp_path / VERSIONS / "ab12cd34ef56_notes.py").write_text(
        'revision = "ab12cd34ef56"\ndown_revision = "0002"\n'
    )
    (tmp_path / VERSIONS / "helpers.py").write_text("VALUE = 1\n")  # not a migration

    read = history.History.read(project)

    assert read.template_head == "0002"
    assert read.known == {"0001", "0002", "ab12cd34ef56"}


def test_two_template_heads_are_refused_in_one_line(tmp_path: Path) -> None:
    project = project_at(tmp_path, auth="jwt")
    (tmp_path / VERSIONS / "0003_x.py").write_text('revision = "0003"\ndown_revision = "0001"\n')

    with pytest.raises(ApigenError, match=r"several heads \(0002, 0003\)"):
        history.missing_migrations(project, answers(auth="jwt"), answers(auth="none"))


def test_a_migration_that_is_not_python_is_named(tmp_path: Path) -> None:
    project = project_at(tmp_path, auth="none")
    (tmp_path / VERSIONS / "0001_create_tasks.py").write_text("revision = (\n")

    with pytest.raises(ApigenError, match=r"^migrations/versions/0001_create_tasks\.py: not valid"):
        history.History.read(project)


def test_a_file_of_the_user_s_is_never_written_over(tmp_path: Path) -> None:
    project = project_at(tmp_path, auth="jwt")
    (tmp_path / VERSIONS / "0002_create_users.py").rename(tmp_path / VERSIONS / "keep.py")
    (tmp_path / VERSIONS / "keep.py").write_text('revision = "other"\n')
    (tmp_path / VERSIONS / "0002_create_users.py").write_text("# ours\n")
    added = history.missing_migrations(project, answers(auth="jwt"), answers(auth="jwt"))

    with pytest.raises(ApigenError, match="the project has another; rename yours"):
        history.check_free(project, added)
    assert (tmp_path / VERSIONS / "0002_create_users.py").read_text() == "# ours\n"


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        ("jwt", "none", "the users and refresh_tokens tables and the owner of every task"),
        ("oidc", "none", "the owner of every task"),
        ("jwt", "oidc", "the users and refresh_tokens tables and the owner of every task"),
        ("oidc", "jwt", "the owner of every task"),
        ("none", "jwt", None),
        ("none", "oidc", None),
    ],
)
def test_what_each_auth_change_drops_is_said(old: str, new: str, lost: str | None) -> None:
    said = history.data_lost(answers(auth=old), answers(auth=new))

    if lost is None:
        assert said == []
    else:
        [line] = said
        assert line.startswith(f"--data auth={new} drops {lost}")


def test_env_py_knows_the_template_s_revisions_as_apigen_does() -> None:
    env_py = render(answers())["migrations/env.py"]
    pattern = re.search(r'^TEMPLATE_REVISION = re\.compile\(r"(.+)"\)$', env_py, re.MULTILINE)

    assert pattern is not None
    assert pattern.group(1) == history.TEMPLATE_REVISION.pattern


def test_every_option_change_migration_passes_the_project_s_ruff(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for path, text in render(answers(project_name="z" * 40)).items():
        if path in ("pyproject.toml",):
            (project / path).parent.mkdir(parents=True, exist_ok=True)
            (project / path).write_text(text)
    pairs = [(a, b) for a in ("none", "jwt", "oidc") for b in ("none", "jwt", "oidc") if a != b]
    for old, new in pairs:
        migration = history.option_change("auth", old, new, "0001", ["0002"], "z" * 40)
        (project / migration.path).parent.mkdir(parents=True, exist_ok=True)
        (project / migration.path).write_text(migration.content)
    ruff = str(Path(sys.executable).parent / "ruff")

    for command in ([ruff, "check", "--quiet", "."], [ruff, "format", "--check", "--quiet", "."]):
        done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    assert len(list((project / VERSIONS).glob("auth_*.py"))) == 6


def test_only_the_schema_options_change_the_template_s_migrations() -> None:
    """An option that shapes the schema needs a catalog of changes: none may do so unnoticed."""
    from apigen.options import CHOICE_OPTIONS

    def migrations(**changes: str) -> dict[str, str]:
        return {p: t for p, t in render(answers(**changes)).items() if p.startswith(VERSIONS)}

    default = migrations()
    shaping = set()
    for option in CHOICE_OPTIONS:
        for choice in option.choices:
            if migrations(**{option.name: choice.value}) != default:
                shaping.add(option.name)
    assert shaping == set(history.SCHEMA_OPTIONS)
    assert all(history.SUMMARIES.values())
    auth = next(option for option in CHOICE_OPTIONS if option.name == "auth")
    values = [choice.value for choice in auth.choices]
    pairs = {("auth", old, new) for old in values for new in values if old != new}
    assert set(history.SUMMARIES) == pairs
