"""apigen update and plain copier update, after apigen itself was upgraded.

Two copies of apigen stand for two releases: 1.0.0 generates the project, 2.0.0 (with
a changed template) updates it. Both share one template store under APIGEN_HOME, and
the public template source is unreachable, so every update here runs offline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from apigen.git import status
from tests.gates import check, fresh_database, install, on_one_worker, venv_tool
from tests.helpers import REPO_ROOT, Run, isolated_env, tree_digest

UNREACHABLE_SOURCE = "https://apigen.invalid/apigen.git"
MARKER = "<<<<<<< before updating"


def release(root: Path, version: str, change: Callable[[Path], None] | None = None) -> Path:
    """A copy of apigen as version `version`, its template changed by `change`."""
    shutil.copytree(
        REPO_ROOT / "apigen", root / "apigen", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(REPO_ROOT / "copier.yml", root / "copier.yml")
    shutil.copytree(REPO_ROOT / "templates", root / "templates")
    init = root / "apigen" / "__init__.py"
    init.write_text(re.sub(r'__version__ = ".*"', f'__version__ = "{version}"', init.read_text()))
    if change is not None:
        change(root / "templates")
    return root


def change_template(templates: Path) -> None:
    """Release 2.0.0: a new file, a change nobody else touches, a change a user also makes."""
    (templates / "CHANGELOG.md").write_text("# Changelog\n")
    env_example = templates / ".env.example.jinja"
    env_example.write_text(
        env_example.read_text() + "# Seconds before a request is abandoned.\nREQUEST_TIMEOUT=30\n"
    )
    readme = templates / "README.md.jinja"
    readme.write_text(
        readme.read_text().replace("# {{ project_name }}\n", "# {{ project_name }} service\n", 1)
    )


@dataclass
class Releases:
    v1: Path
    v2: Path
    env: dict[str, str]

    def run(self, release: Path, *args: str, cwd: Path) -> Run:
        done = subprocess.run(
            [sys.executable, "-m", "apigen", *args],
            cwd=cwd,
            env={**self.env, "PYTHONPATH": str(release)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        return Run(done.returncode, done.stdout, done.stderr)


Change = Callable[[Path], None]


def releases_in(tmp_path: Path, first: Change | None, second: Change | None) -> Releases:
    """Releases 1.0.0 and 2.0.0, their templates changed by `first` and `second`."""
    home = tmp_path / "home"
    home.mkdir()
    return Releases(
        v1=release(tmp_path / "apigen-1", "1.0.0", first),
        v2=release(tmp_path / "apigen-2", "2.0.0", second),
        env=isolated_env(home, APIGEN_TEMPLATE_SOURCE=UNREACHABLE_SOURCE),
    )


@pytest.fixture
def releases(tmp_path: Path) -> Releases:
    return releases_in(tmp_path, None, change_template)


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=User", "-c", "user.email=user@example.com", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture
def project(releases: Releases, tmp_path: Path) -> Path:
    """A project from release 1.0.0 that its user edited and committed."""
    run = releases.run(releases.v1, "new", "shop", "--yes", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    project = tmp_path / "shop"
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("# shop\n", "# Shop, by its team\n", 1))
    service = project / "src" / "shop" / "tasks" / "service.py"
    service.write_text(service.read_text() + '\n\ndef describe() -> str:\n    return "ours"\n')
    (project / "NOTES.md").write_text("Our own notes.\n")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "Our edits")
    return project


def answers(project: Path) -> dict[str, str]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())  # type: ignore[no-any-return]


def assert_merged_with_one_conflict(project: Path) -> None:
    assert (project / "CHANGELOG.md").read_text() == "# Changelog\n"  # new file arrived
    assert "REQUEST_TIMEOUT=30" in (project / ".env.example").read_text()  # untouched change merged
    assert 'return "ours"' in (project / "src/shop/tasks/service.py").read_text()  # edit kept
    assert (project / "NOTES.md").read_text() == "Our own notes.\n"  # user's file kept
    readme = (project / "README.md").read_text()
    assert MARKER in readme
    assert "# Shop, by its team" in readme
    assert "# shop service" in readme
    assert answers(project)["_commit"] == "v2.0.0"
    assert answers(project)["_src_path"] == UNREACHABLE_SOURCE


def test_the_project_records_the_public_source_and_version(project: Path) -> None:
    assert answers(project)["_src_path"] == UNREACHABLE_SOURCE
    assert answers(project)["_commit"] == "v1.0.0"


def test_apigen_update_merges_keeps_edits_and_reports_the_conflict(
    releases: Releases, project: Path
) -> None:
    run = releases.run(releases.v2, "update", cwd=project)

    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        "apigen: error: conflict: README.md (resolve the <<<<<<< markers)"
    ]
    assert "CHANGELOG.md" in run.stdout
    assert_merged_with_one_conflict(project)


def test_plain_copier_update_works_where_the_source_is_reachable(
    releases: Releases, project: Path
) -> None:
    # "Reachable": git fetches the public source from apigen's store, as from a mirror.
    store = Path(releases.env["HOME"]) / ".local" / "share" / "apigen" / "templates"
    releases.run(releases.v2, "new", "warm-up", "--yes", cwd=project.parent)  # records 2.0.0
    env = {
        **releases.env,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{store}.insteadOf",
        "GIT_CONFIG_VALUE_0": UNREACHABLE_SOURCE,
    }

    done = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults", "--conflict", "inline"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert_merged_with_one_conflict(project)


# What release 2.0.0 changes in the edited project, in the order apigen lists it. Git
# lists `.copier-answers.yml` first, as ` M .copier-answers.yml`: its leading space is a
# column of git's output, and a path read from it must still start with its dot.
CHANGED_FILES = [".copier-answers.yml", ".env.example", "CHANGELOG.md", "README.md"]


def listed_files(stdout: str) -> list[str]:
    """The paths under "Files the update (would) change:", one per indented line."""
    return [line.strip() for line in stdout.splitlines() if line.startswith("  ")]


def test_update_lists_every_changed_path_whole(releases: Releases, project: Path) -> None:
    run = releases.run(releases.v2, "update", cwd=project)

    assert "Files the update changed:" in run.stdout
    assert listed_files(run.stdout) == CHANGED_FILES


def test_dry_run_lists_the_files_and_changes_nothing(releases: Releases, project: Path) -> None:
    before = tree_digest(project)

    run = releases.run(releases.v2, "update", "--dry-run", cwd=project)

    assert "Files the update would change:" in run.stdout
    assert listed_files(run.stdout) == CHANGED_FILES
    assert "would conflict: README.md" in run.stderr
    assert tree_digest(project) == before


def ship(name: str, setting: str) -> Callable[[Path], None]:
    """A template change that ships the file `name` with one setting."""

    def change(templates: Path) -> None:
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        (templates / name).write_text(f"[tool]\nexclude = {setting}\n")

    return change


@pytest.mark.parametrize(
    ("name", "dry_run"),
    [
        (".bandit", False),  # sorts before `.copier-answers.yml`: the first path git lists
        (".bandit", True),
        ("docs/design notes [v2].md", False),  # quoted by git, markup to rich
    ],
    ids=["first-file", "first-file-dry-run", "quoted-path"],
)
def test_a_conflict_is_reported_whatever_the_path(tmp_path: Path, name: str, dry_run: bool) -> None:
    # The user and release 2.0.0 change the file's one setting differently.
    releases = releases_in(tmp_path, ship(name, "tests"), ship(name, "tests,migrations"))
    assert releases.run(releases.v1, "new", "shop", "--yes", cwd=tmp_path).returncode == 0
    project = tmp_path / "shop"
    (project / name).write_text("[tool]\nexclude = tests,scripts\n")
    git(project, "commit", "--quiet", "--all", "--message", "Exclude our scripts too")

    run = releases.run(releases.v2, "update", *(["--dry-run"] if dry_run else []), cwd=project)

    assert run.returncode == 1
    assert name in listed_files(run.stdout)
    would = "would " if dry_run else ""
    assert run.stderr.strip().splitlines() == [
        f"apigen: error: {would}conflict: {name} (resolve the <<<<<<< markers)"
    ]
    assert (MARKER in (project / name).read_text()) is not dry_run


KEPT = (
    "(the template no longer has it; kept because you changed it: "
    "delete it, or keep it as your own)"
)


def ship_guides(templates: Path) -> None:
    """Release 1.0.0 of this test: two files that the plain template, 2.0.0 here, drops."""
    (templates / "guides").mkdir()
    (templates / "guides" / "deploying.md").write_text("# Deploying\n")
    (templates / "guides" / "testing.md").write_text("# Testing\n")


@pytest.mark.parametrize("dry_run", [False, True], ids=["update", "dry-run"])
def test_a_dropped_file_the_user_changed_is_kept_as_a_conflict(
    tmp_path: Path, dry_run: bool
) -> None:
    # Copier deletes what a new release no longer ships, edited or not; apigen keeps the edit.
    releases = releases_in(tmp_path, ship_guides, None)
    assert releases.run(releases.v1, "new", "shop", "--yes", cwd=tmp_path).returncode == 0
    project = tmp_path / "shop"
    (project / "guides" / "deploying.md").write_text("# Deploying\n\nOur own steps.\n")
    git(project, "commit", "--quiet", "--all", "--message", "Our deploy steps")
    before = tree_digest(project)

    run = releases.run(releases.v2, "update", *(["--dry-run"] if dry_run else []), cwd=project)

    assert run.returncode == 1
    would = "would " if dry_run else ""
    assert run.stderr.strip().splitlines() == [
        f"apigen: error: {would}conflict: guides/deploying.md {KEPT}"
    ]
    if dry_run:
        assert tree_digest(project) == before
        return
    assert (project / "guides" / "deploying.md").read_text() == "# Deploying\n\nOur own steps.\n"
    assert not (project / "guides" / "testing.md").exists()  # unchanged: removed as shipped


def test_an_option_change_keeps_a_changed_file_the_new_answers_drop(
    releases: Releases, project: Path
) -> None:
    client = project / "tests" / "api" / "client.py"  # FastAPI's test client, not Flask's
    client.write_text(client.read_text() + "# Our retries.\n")
    git(project, "commit", "--quiet", "--all", "--message", "Our client")

    run = releases.run(releases.v1, "update", "--data", "framework=flask", cwd=project)

    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"apigen: error: conflict: tests/api/client.py {KEPT}"
    ]
    assert client.read_text().endswith("# Our retries.\n")
    assert not (project / "tests" / "api" / "test_request_context.py").exists()  # unchanged
    assert (project / "src" / "shop" / "api" / "openapi.py").is_file()  # Flask's arrived


def without_the_migrations_exclude(templates: Path) -> None:
    """A fork of the template whose copier.yml lets copier rewrite migrations."""
    copier_yml = templates.parent / "copier.yml"
    lines = copier_yml.read_text().splitlines(keepends=True)
    kept = [line for line in lines if "migrations/versions/*" not in line]
    assert len(kept) == len(lines) - 1
    copier_yml.write_text("".join(kept))


REWRITTEN = "migrations/versions/0001_create_tasks.py, migrations/versions/0002_create_users.py"


@pytest.mark.parametrize("dry_run", [False, True], ids=["update", "dry-run"])
def test_a_template_that_would_rewrite_migrations_is_refused_and_undone(
    tmp_path: Path, dry_run: bool
) -> None:
    # A database stamped 0002 would never run a rewritten 0001, nor find a deleted 0002.
    # Undoing the update leaves git's own files touched (copier writes objects; the reset,
    # the index): the files and the history are what must be as they were.
    releases = releases_in(tmp_path, without_the_migrations_exclude, None)
    assert releases.run(releases.v1, "new", "shop", "--yes", cwd=tmp_path).returncode == 0
    project = tmp_path / "shop"
    skip = (".home",) if dry_run else (".home", ".git")
    before, head = tree_digest(project, skip=skip), git(project, "rev-parse", "HEAD")

    flags = ["--dry-run"] if dry_run else []
    run = releases.run(
        releases.v1, "update", "--data", "auth=none", "--allow-data-loss", *flags, cwd=project
    )

    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"apigen: error: --data auth=none would change or delete migrations a database may "
        f"already have run ({REWRITTEN}), so nothing was changed; the template must leave "
        "migrations/versions to apigen (see docs/updating.md)"
    ]
    assert tree_digest(project, skip=skip) == before
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain") == ""


LOSS = (
    "apigen: error: --data auth=none drops the users and refresh_tokens tables and the owner "
    "of every task when the database is migrated, so nothing was changed; pass "
    "--allow-data-loss to go ahead"
)


@pytest.mark.parametrize("dry_run", [False, True], ids=["update", "dry-run"])
def test_an_option_change_that_drops_data_says_so_and_changes_nothing(
    releases: Releases, project: Path, dry_run: bool
) -> None:
    before = tree_digest(project)
    flags = ["--dry-run"] if dry_run else []

    run = releases.run(releases.v1, "update", "--data", "auth=none", *flags, cwd=project)

    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [LOSS]
    assert tree_digest(project) == before


def test_an_auth_change_adds_a_migration_and_rewrites_none(
    releases: Releases, project: Path
) -> None:
    versions = project / "migrations" / "versions"
    before = {path.name: path.read_bytes() for path in versions.iterdir()}

    run = releases.run(
        releases.v1, "update", "--data", "auth=none", "--allow-data-loss", cwd=project
    )

    assert run.returncode == 0, run.stderr
    assert answers(project)["auth"] == "none"
    after = {path.name: path.read_bytes() for path in versions.iterdir()}
    [added] = sorted(after.keys() - before.keys())
    assert re.fullmatch(r"auth_jwt_to_none_[0-9a-f]{6}\.py", added)
    assert {name: after[name] for name in before} == before  # 0001 and 0002 as they were
    assert 'down_revision: str | None = "0002"' in after[added].decode()
    assert f"  migrations/versions/{added}\n" in run.stdout
    assert "The update added 1 migration(s): run `make migrate`" in run.stdout
    assert 'return "ours"' in (project / "src/shop/tasks/service.py").read_text()


def test_a_dry_run_lists_the_migration_it_would_add(releases: Releases, project: Path) -> None:
    before = tree_digest(project)

    run = releases.run(
        releases.v1, "update", "--data", "auth=oidc", "--dry-run", "--allow-data-loss", cwd=project
    )

    assert run.returncode == 0, run.stderr
    assert re.search(r"^  migrations/versions/auth_jwt_to_oidc_[0-9a-f]{6}\.py$", run.stdout, re.M)
    assert "The update would add 1 migration(s)" in run.stdout
    assert (
        "Tasks that exist are unclaimed once migrated: `python -m shop.tasks.claim SUBJECT` "
        "gives them to their owner." in " ".join(run.stdout.split())
    )
    assert tree_digest(project) == before


def test_apigen_update_adds_the_migrations_a_plain_copier_update_left(
    releases: Releases, project: Path
) -> None:
    # As a plain `copier update` leaves it: the template's version is current (1.0.0), and
    # a migration of that version is missing, as copier keeps out of migrations/versions.
    migration = project / "migrations" / "versions" / "0002_create_users.py"
    shipped = migration.read_bytes()
    migration.unlink()
    git(project, "commit", "--quiet", "--all", "--message", "As a plain copier update left it")

    run = releases.run(releases.v1, "update", cwd=project)

    assert run.returncode == 0, run.stderr
    assert "  migrations/versions/0002_create_users.py\n" in run.stdout
    assert migration.read_bytes() == shipped


def test_an_option_change_brings_env_in_step_and_keeps_the_users_values(
    releases: Releases, project: Path
) -> None:
    env = project / ".env"
    key = re.search(r'^JWT_PRIVATE_KEY="[^"]*"$', env.read_text(), re.MULTILINE)
    assert key is not None
    env.write_text(env.read_text().replace("LOG_LEVEL=INFO", "LOG_LEVEL=DEBUG"))

    run = releases.run(releases.v1, "update", "--data", "rate_limit=redis", cwd=project)

    assert run.returncode == 0, run.stderr
    assert "The update brought .env in step: updated RATE_LIMIT_STORAGE_URL." in run.stdout
    text = env.read_text()
    assert "\nRATE_LIMIT_STORAGE_URL=redis://localhost:6379/0\n" in text  # was memory://
    assert "\nLOG_LEVEL=DEBUG\n" in text  # the user's
    assert key[0] in text  # the development key, as it was


def test_a_dry_run_says_what_it_would_do_to_env_and_changes_nothing(
    releases: Releases, project: Path
) -> None:
    before = tree_digest(project)

    flags = ["--data", "rate_limit=redis", "--dry-run"]
    run = releases.run(releases.v1, "update", *flags, cwd=project)

    assert run.returncode == 0, run.stderr
    assert "The update would bring .env in step: updated RATE_LIMIT_STORAGE_URL." in run.stdout
    assert tree_digest(project) == before


def test_git_status_gives_every_path_whole(tmp_path: Path) -> None:
    files = {"README.md": "a\n", "notes with spaces.md": "b\n", "café.md": "c\n", "old.md": "d\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "--message", "Files")
    (tmp_path / "README.md").write_text("changed\n")  # unstaged: " M", a leading space
    (tmp_path / "notes with spaces.md").write_text("changed\n")
    (tmp_path / "café.md").write_text("changed\n")  # git quotes it unless given -z
    git(tmp_path, "mv", "old.md", "new.md")  # a rename carries its old path too
    (tmp_path / "new → file.md").write_text("e\n")

    assert status(tmp_path) == [
        (" M", "README.md"),
        (" M", "café.md"),
        ("R ", "new.md"),
        (" M", "notes with spaces.md"),
        ("??", "new → file.md"),
    ]


def test_a_dirty_tree_is_refused_and_left_alone(releases: Releases, project: Path) -> None:
    (project / "NOTES.md").write_text("Not committed yet.\n")
    before = tree_digest(project)

    run = releases.run(releases.v2, "update", cwd=project)

    assert run.returncode == 1
    assert run.stderr == (
        f"apigen: error: {project}: uncommitted changes: NOTES.md; commit or stash them,"
        " then update\n"
    )
    assert tree_digest(project) == before


@pytest.mark.parametrize(
    ("names", "named"),
    [
        # Past three, the rest are counted.
        (["a.md", "b.md", "c.md", "d.md", "e.md"], "a.md, b.md, c.md and 2 more"),
        # `uv sync` (make install) writes uv.lock after `apigen new` made its first commit.
        (["uv.lock"], "uv.lock (made by uv sync: commit it)"),
    ],
    ids=["many", "lock-file"],
)
def test_a_refusal_names_what_is_uncommitted(
    releases: Releases, project: Path, names: list[str], named: str
) -> None:
    for name in names:
        (project / name).write_text("Not committed yet.\n")

    run = releases.run(releases.v2, "update", cwd=project)

    assert run.returncode == 1
    assert f"uncommitted changes: {named}; commit" in run.stderr


def test_an_update_to_the_version_the_project_has_changes_nothing(
    releases: Releases, project: Path
) -> None:
    before = tree_digest(project)

    run = releases.run(releases.v1, "update", cwd=project)

    assert run.returncode == 0, run.stderr
    assert run.stdout == "Already up to date: no file changed.\n"
    assert tree_digest(project) == before


def test_a_dirty_tree_is_refused_even_when_up_to_date(releases: Releases, project: Path) -> None:
    (project / "NOTES.md").write_text("Not committed yet.\n")

    run = releases.run(releases.v1, "update", cwd=project)

    assert run.returncode == 1
    assert "uncommitted changes" in run.stderr


def test_a_version_missing_from_the_store_says_what_to_do(
    releases: Releases, project: Path
) -> None:
    shutil.rmtree(Path(releases.env["HOME"]) / ".local" / "share" / "apigen")
    before = tree_digest(project)

    run = releases.run(releases.v2, "update", cwd=project)

    assert run.returncode == 1
    assert len(run.stderr.strip().splitlines()) == 1
    assert "v1.0.0" in run.stderr
    assert "copier update --trust" in run.stderr
    assert tree_digest(project) == before


def test_data_changes_an_answer_and_keeps_the_edits(releases: Releases, project: Path) -> None:
    run = releases.run(
        releases.v1, "update", "--data", "description=Orders for the shop.", cwd=project
    )

    assert run.returncode == 0, run.stderr
    assert 'description = "Orders for the shop."' in (project / "pyproject.toml").read_text()
    assert answers(project)["description"] == "Orders for the shop."
    assert 'return "ours"' in (project / "src/shop/tasks/service.py").read_text()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("framework", "KEY=VALUE"),
        ("colour=blue", "unknown option"),
        ("framework=django", "unknown framework 'django' (choose fastapi or flask)"),
        # The flag's spelling names the option too; the value is what is wrong here.
        ("rate-limit=pigeon", "unknown rate limit 'pigeon' (choose memory, redis or none)"),
        ("package_name=class", "keyword"),
    ],
)
def test_bad_data_is_a_usage_error(
    releases: Releases, project: Path, data: str, message: str
) -> None:
    before = tree_digest(project)

    run = releases.run(releases.v2, "update", "--data", data, cwd=project)

    assert run.returncode == 2
    assert message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert tree_digest(project) == before


def test_a_warning_when_gitignore_hides_rej_files(releases: Releases, project: Path) -> None:
    with (project / ".gitignore").open("a") as ignore:
        ignore.write("*.rej\n")
    git(project, "commit", "--quiet", "--all", "--message", "Ignore rejects")

    run = releases.run(releases.v2, "update", cwd=project)

    assert ".gitignore hides *.rej files" in run.stderr


@pytest.mark.gates
@on_one_worker({"framework": "fastapi"})
def test_a_grown_project_keeps_its_resources_and_passes_after_a_clean_update(
    releases: Releases,
    tmp_path: Path,
    installed: Callable[[dict[str, str]], Path],
    shared_venv: Path,
) -> None:
    installed({"framework": "fastapi"})  # the shared venv then holds every dependency
    assert releases.run(releases.v1, "new", "clean", "--yes", cwd=tmp_path).returncode == 0
    project = tmp_path / "clean"
    # The user grew the project with release 1.0.0 before taking release 2.0.0: invoices,
    # and their payments, which refer to them.
    added: dict[Path, bytes] = {}
    for resource, fields in (
        ("invoices", ["name:str:unique", "due:date?", "price:decimal"]),
        ("payments", ["invoice:ref(invoices)", "amount:decimal"]),
    ):
        flags = [argument for spec in fields for argument in ("--field", spec)]
        grown = releases.run(releases.v1, "add", "resource", resource, *flags, cwd=project)
        assert grown.returncode == 0, grown.stderr
        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--message", f"Add {resource}")
        committed = git(project, "show", "--name-only", "--format=", "HEAD").split()
        added |= {project / path: (project / path).read_bytes() for path in committed}
    del added[project / "README.md"]  # the one file both the user and the release change

    run = releases.run(releases.v2, "update", cwd=project)

    assert run.returncode == 0, run.stderr
    assert (project / "CHANGELOG.md").is_file()
    assert len(added) == 20  # each: the package's 6 files, the routes, the migration, 2 tests
    assert {path: path.read_bytes() for path in added} == added
    readme = (project / "README.md").read_text()
    assert "/api/v1/invoices" in readme
    assert "/api/v1/payments?invoice_id=&limit=&offset=" in readme
    install(project, shared_venv)
    done = subprocess.run(
        [
            venv_tool(shared_venv, "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
        ],
        cwd=project,
        # The contract test runs at full size in test_gates.py; here it only has to pass.
        env={**os.environ, "CONTRACT_MAX_EXAMPLES": "5"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout


# A template release that changes the schema: a column on tasks, and the migration adding it
# as the next of the template's numbered chain.
TITLE_LINE = "    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))\n"
PRIORITY_LINE = '    priority: Mapped[int] = mapped_column(default=0, server_default="0")\n'
PRIORITY_MIGRATION = '''"""Add tasks.priority.

Revision ID: 0003
Revises: {{ '0002' if auth == 'jwt' else '0001' }}
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "{{ '0002' if auth == 'jwt' else '0001' }}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_column("priority")
'''
# The user's own change, made before the release: a column of their own on the same table.
NOTE_LINE = "    note: Mapped[str | None] = mapped_column(String(100))\n"
# A user and a task, written through the API as a client would.
WRITE_DATA = """
from fastapi.testclient import TestClient

from {package}.api.app import create_app

account = {{"email": "owner@example.com", "password": "a long enough passphrase"}}
with TestClient(create_app()) as client:
    assert client.post("/api/auth/register", json=account).status_code == 201
    token = client.post("/api/auth/login", json=account).json()["access_token"]
    headers = {{"Authorization": f"Bearer {{token}}"}}
    answer = client.post("/api/v1/tasks", json={{"title": "Keep me"}}, headers=headers)
    assert answer.status_code == 201, answer.text
"""
READ_DATA = """
import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
with engine.connect() as connection:
    print(connection.execute(text("SELECT title, priority, note FROM tasks")).all())
    print(connection.execute(text("SELECT email FROM users")).all())
"""


def add_priority(templates: Path) -> None:
    models = templates / "src" / "{{package_name}}" / "tasks" / "models.py.jinja"
    assert TITLE_LINE in models.read_text()
    models.write_text(models.read_text().replace(TITLE_LINE, TITLE_LINE + PRIORITY_LINE, 1))
    migration = templates / "migrations" / "versions" / "0003_add_task_priority.py.jinja"
    migration.write_text(PRIORITY_MIGRATION)


@pytest.mark.gates
@on_one_worker({"framework": "fastapi"})
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_release_that_changes_the_schema_migrates_a_database_with_data(
    tmp_path: Path,
    database: str,
    installed: Callable[[dict[str, str]], Path],
    shared_venv: Path,
) -> None:
    installed({"framework": "fastapi"})  # the shared venv then holds every dependency
    releases = releases_in(tmp_path, None, add_priority)
    name = f"migrated-{database}"
    new = releases.run(releases.v1, "new", name, "--database", database, "--yes", cwd=tmp_path)
    assert new.returncode == 0, new.stderr
    project = tmp_path / name
    install(project, shared_venv)
    python, alembic = venv_tool(shared_venv, "python"), venv_tool(shared_venv, "alembic")
    models = project / "src" / name.replace("-", "_") / "tasks" / "models.py"
    with fresh_database(project, shared_venv, tmp_path / "live.db") as url:
        env = {**os.environ, "DATABASE_URL": url}
        # The database in production: migrated, with data, and a migration of the user's own.
        check([alembic, "upgrade", "heads"], cwd=project, env=env)
        check([python, "-c", WRITE_DATA.format(package=name.replace("-", "_"))], project, env)
        models.write_text(models.read_text() + NOTE_LINE)
        check([alembic, "revision", "--autogenerate", "-m", "add notes"], cwd=project, env=env)
        check([alembic, "upgrade", "heads"], cwd=project, env=env)
        git(project, "add", "--all")
        git(project, "commit", "--quiet", "--message", "Notes on tasks")

        run = releases.run(releases.v2, "update", cwd=project)
        assert run.returncode == 0, run.stderr
        install(project, shared_venv)
        upgraded = check([alembic, "upgrade", "heads"], cwd=project, env=env)
        checked = check([alembic, "check"], cwd=project, env=env)
        rows = check([python, "-c", READ_DATA], cwd=project, env=env)

    assert (project / "migrations" / "versions" / "0003_add_task_priority.py").is_file()
    assert "-> 0003, Add tasks.priority." in upgraded
    assert "No new upgrade operations detected" in checked
    assert "[('Keep me', 0, None)]\n[('owner@example.com',)]" in rows
    assert NOTE_LINE in models.read_text()
    assert PRIORITY_LINE in models.read_text()


def files_of(project: Path) -> dict[str, bytes]:
    """Every file a project holds but git's own, the answers file and the development `.env`."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
        and path.relative_to(project).parts[0] not in (".git", ".home")
        and path.name not in (".copier-answers.yml", ".env")
    }


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--framework", "flask", "--auth", "oidc", "--database", "postgresql"],
        ["--auth", "none", "--versioning", "header", "--rate-limit", "redis"],
    ],
    ids=["defaults", "flask-oidc-postgresql", "none-header-redis"],
)
def test_an_update_without_edits_gives_the_new_release_s_fresh_project(
    tmp_path: Path, flags: list[str]
) -> None:
    """Answers file and `.env` aside, byte for byte: new migrations included."""

    def both(templates: Path) -> None:
        change_template(templates)
        add_priority(templates)

    releases = releases_in(tmp_path, None, both)
    for folder in ("updated", "fresh"):
        (tmp_path / folder).mkdir()
    new = releases.run(releases.v1, "new", "shop", *flags, "--yes", cwd=tmp_path / "updated")
    assert new.returncode == 0, new.stderr
    updated = tmp_path / "updated" / "shop"

    run = releases.run(releases.v2, "update", cwd=updated)

    assert run.returncode == 0, run.stderr
    fresh_new = releases.run(releases.v2, "new", "shop", *flags, "--yes", cwd=tmp_path / "fresh")
    assert fresh_new.returncode == 0, fresh_new.stderr
    fresh = files_of(tmp_path / "fresh" / "shop")
    assert files_of(updated).keys() == fresh.keys()
    assert [name for name, content in files_of(updated).items() if content != fresh[name]] == []
