"""Changing `auth` on a project whose database is in use: every change, both ways, with data.

One project per database walks none -> jwt -> none -> oidc -> jwt -> oidc -> none, which
makes each of the six changes once, on one live database that holds tasks written through
the API and a column of the user's own migration. After each `apigen update --data auth=...`
the database is migrated (`alembic upgrade heads`), `alembic check` is clean, the old tasks
are served through the API as the new answer says (claimed by their owner with
`python -m <package>.tasks.claim` where there is sign-in; nothing lost but what
--allow-data-loss let go) and ruff passes.

At the end of the walk every migration it added is still in the project: mypy checks them
all, and the project's migration tests run the whole chain up from an empty database and
back down. What else the project holds is the template's for its answers, which
tests/test_gates.py gates (the project's whole suite, for fastapi, none and SQLite).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.gates import check, fresh_database, install, venv_tool
from tests.helpers import apigen, isolated_env

# From none, each of the six changes between none, jwt and oidc once.
WALK = ["jwt", "none", "oidc", "jwt", "oidc", "none"]
# The changes that drop data need --allow-data-loss (tests/test_update.py: refused without).
LOSSY = {("jwt", "none"), ("oidc", "none"), ("jwt", "oidc"), ("oidc", "jwt")}
NOTE_LINE = "    note: Mapped[str | None] = mapped_column(String(100))\n"
OIDC_SUBJECT = "alice@idp"
DATABASES = ["sqlite", "postgresql"]

# Run in the project: claims the unclaimed tasks where there is sign-in, lists the tasks
# through the API as their owner, then writes one more. Prints the titles it listed.
SERVE = """
import json, os, sys

from fastapi.testclient import TestClient

from {package}.api.app import create_app

auth, new_title = sys.argv[1], sys.argv[2]


def claim(subject, headers):
    # Unclaimed, the old tasks are nobody's: not listed, not found, even by their owner-to-be.
    with TestClient(create_app()) as client:
        listed = client.get("/api/v1/tasks", headers=headers)
        assert listed.status_code == 200 and listed.json()["total"] == 0, listed.text
        assert client.get("/api/v1/tasks/1", headers=headers).status_code == 404
    from {package}.tasks.claim import main  # as `python -m {package}.tasks.claim` runs it

    assert main([subject]) == 0


def serve(headers):
    with TestClient(create_app()) as client:
        listed = client.get("/api/v1/tasks", params={{"limit": 100}}, headers=headers)
        assert listed.status_code == 200, listed.text
        print("LISTED", json.dumps(sorted(task["title"] for task in listed.json()["items"])))
        made = client.post("/api/v1/tasks", json={{"title": new_title}}, headers=headers)
        assert made.status_code == 201, made.text


if auth == "none":
    serve({{}})
elif auth == "jwt":
    account = {{"email": "owner@example.com", "password": "a long enough passphrase"}}
    with TestClient(create_app()) as client:
        registered = client.post("/api/auth/register", json=account)
        assert registered.status_code in (201, 409), registered.text
        token = client.post("/api/auth/login", json=account).json()["access_token"]
        headers = {{"Authorization": f"Bearer {{token}}"}}
        user_id = client.get("/api/auth/me", headers=headers).json()["id"]
    claim(str(user_id), headers)
    serve(headers)
else:
    from tests.identity_provider import IdentityProvider

    with IdentityProvider.serving() as provider:
        os.environ.update(
            OIDC_ISSUER=provider.issuer,
            OIDC_AUDIENCE=provider.audience,
            OIDC_JWKS_URL=provider.jwks_url,
            OIDC_ACCESS_TOKEN_TYPE="at+jwt",  # RFC 9068's, which the stand-in signs
        )
        headers = {{"Authorization": f"Bearer {{provider.issue({subject!r})}}"}}
        claim({subject!r}, headers)
        serve(headers)
"""
FILL_NOTES = """
import os

from sqlalchemy import create_engine, text

with create_engine(os.environ["DATABASE_URL"]).begin() as connection:
    connection.execute(text("UPDATE tasks SET note = 'ours'"))
"""
NOTES = """
import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
with engine.connect() as connection:
    print(connection.execute(text("SELECT title, note FROM tasks ORDER BY id")).all())
"""


def commit(project: Path, message: str) -> None:
    check(["git", "add", "--all"], cwd=project)
    check(["git", "commit", "--quiet", "--message", message], cwd=project)


@pytest.mark.gates
@pytest.mark.parametrize(
    "database",
    # A worker each: the two walks are among the longest gates.
    [pytest.param(db, marks=pytest.mark.xdist_group(f"walk-{db}")) for db in DATABASES],
)
def test_every_auth_change_migrates_a_database_with_data(
    tmp_path: Path, database: str, shared_venv: Path
) -> None:
    (tmp_path / ".home").mkdir()
    home = isolated_env(tmp_path / ".home")  # apigen's template store, for the updates
    name = f"walk-{database}"
    package = name.replace("-", "_")
    new = apigen(
        "new", name, "--auth", "none", "--database", database, "--yes", cwd=tmp_path, env=home
    )
    assert new.returncode == 0, new.stderr
    project = tmp_path / name
    install(project, shared_venv)
    python, alembic = venv_tool(shared_venv, "python"), venv_tool(shared_venv, "alembic")
    ruff, mypy = venv_tool(shared_venv, "ruff"), venv_tool(shared_venv, "mypy")
    models = project / "src" / package / "tasks" / "models.py"
    serve = SERVE.format(package=package, subject=OIDC_SUBJECT)
    with fresh_database(project, shared_venv, tmp_path / "live.db") as url:
        env = {**os.environ, "DATABASE_URL": url, "CONTRACT_MAX_EXAMPLES": "5"}
        env.pop("VIRTUAL_ENV", None)
        # In production since the first day: migrated, a task written, a migration of the
        # user's own (a column on tasks) run and filled.
        check([alembic, "upgrade", "heads"], cwd=project, env=env)
        check([python, "-c", serve, "none", "made under none"], cwd=project, env=env)
        models.write_text(models.read_text() + NOTE_LINE)
        check([alembic, "revision", "--autogenerate", "-m", "add notes"], cwd=project, env=env)
        check([alembic, "upgrade", "heads"], cwd=project, env=env)
        check([python, "-c", FILL_NOTES], cwd=project, env=env)
        commit(project, "Notes on tasks")

        titles = ["made under none"]
        old = "none"
        for auth in WALK:
            flags = ["--allow-data-loss"] if (old, auth) in LOSSY else []
            run = apigen("update", "--data", f"auth={auth}", *flags, cwd=project, env=home)
            assert run.returncode == 0, f"{old} -> {auth}: {run.stdout}{run.stderr}"
            install(project, shared_venv)
            upgraded = check([alembic, "upgrade", "heads"], cwd=project, env=env)
            assert f"-> auth_{old}_to_{auth}_" in upgraded, upgraded
            checked = check([alembic, "check"], cwd=project, env=env)
            assert "No new upgrade operations detected" in checked, f"{old} -> {auth}"

            served = check([python, "-c", serve, auth, f"made under {auth}"], project, env)
            [line] = [line for line in served.splitlines() if line.startswith("LISTED ")]
            listed = json.loads(line.removeprefix("LISTED "))
            assert listed == sorted(titles), f"{old} -> {auth}: {served}"
            if auth != "none":  # every task was unclaimed after the migration, then claimed
                assert f"{len(titles)} unclaimed task(s) now belong to" in served
            titles.append(f"made under {auth}")

            check([ruff, "check", "--quiet", "."], cwd=project)
            check([ruff, "format", "--check", "--quiet", "."], cwd=project)
            commit(project, f"auth={auth}")
            old = auth

        notes = check([python, "-c", NOTES], cwd=project, env=env)
        # The cache test_gates.py's mypy runs fill: the libraries' types are checked once.
        check([mypy, "--cache-dir", str(shared_venv.parent / "mypy-cache")], cwd=project)
        # On this database's server (in a schema of the tests' own), or on SQLite files.
        tests = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        check([*tests, "tests/unit/test_migrations.py"], cwd=project, env=env)

    assert "('made under none', 'ours')" in notes  # the user's column kept its data
    assert NOTE_LINE in models.read_text()
