"""`apigen new` gives a JWT project a development signing key in `.env`, never in git."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from apigen.dev_env import settings_of, synced_env
from tests.helpers import apigen


def env_values(path: Path) -> dict[str, str]:
    """The `NAME=value` lines of a .env file; a double-quoted value may span lines."""
    pairs = re.findall(r'^([A-Z_]+)=("[^"]*"|[^\n]*)$', path.read_text(), re.MULTILINE)
    return {name: value.strip('"') for name, value in pairs}


def git_output(project: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True)
    return done.stdout


def test_a_jwt_project_gets_a_private_key_in_env(workdir: Path) -> None:
    run = apigen("new", "demo", "--auth", "jwt", "--yes", cwd=workdir)
    assert run.returncode == 0, run.stderr

    values = env_values(workdir / "demo" / ".env")

    key = serialization.load_pem_private_key(values["JWT_PRIVATE_KEY"].encode(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert values["JWT_ALGORITHM"] == "ES256"
    assert stat.S_IMODE((workdir / "demo" / ".env").stat().st_mode) == 0o600


def test_the_key_never_enters_git(workdir: Path) -> None:
    apigen("new", "demo", "--auth", "jwt", "--yes", cwd=workdir)
    project = workdir / "demo"
    key_line = env_values(project / ".env")["JWT_PRIVATE_KEY"].splitlines()[1]

    committed_keys = subprocess.run(
        ["git", "grep", "--fixed-strings", "--files-with-matches", key_line, "HEAD"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )

    assert ".env" not in git_output(project, "ls-files").split()
    assert git_output(project, "status", "--porcelain") == ""
    assert committed_keys.returncode == 1, committed_keys.stdout  # 1: nothing found


def test_each_project_gets_its_own_key(workdir: Path) -> None:
    for name in ("first", "second"):
        apigen("new", name, "--auth", "jwt", "--yes", cwd=workdir)

    first, second = (env_values(workdir / name / ".env") for name in ("first", "second"))
    assert first["JWT_PRIVATE_KEY"] != second["JWT_PRIVATE_KEY"]


def test_a_project_verified_by_an_identity_provider_gets_no_env(workdir: Path) -> None:
    apigen("new", "demo", "--auth", "oidc", "--yes", cwd=workdir)

    assert not (workdir / "demo" / ".env").exists()


def test_force_never_touches_the_users_env(workdir: Path) -> None:
    folder = workdir / "shop"
    folder.mkdir()
    (folder / ".env").write_text("MY_SETTING=1\n")

    run = apigen("new", "shop", "--auth", "jwt", "--yes", "--force", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert (folder / ".env").read_text() == "MY_SETTING=1\n"


# `apigen update` keeps `.env` in step with the new answers (apigen.dev_env.synced_env).

OLD_EXAMPLE = "# Where the data lives.\nDATABASE_URL=sqlite:///./app.db\nLOG_LEVEL=INFO\n"
NEW_EXAMPLE = (
    "# Where the data lives.\nDATABASE_URL=postgresql+psycopg://shop@localhost/shop\n"
    "DATABASE_POOL_SIZE=5\nLOG_LEVEL=INFO\n"
)
# A PEM value over several lines; its last line reads like a setting of its own.
PEM = (
    '"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\nQQ==\n'
    '-----END PRIVATE KEY-----"'
)


def test_untouched_values_follow_the_example_and_the_users_stay() -> None:
    env = f"DATABASE_URL=sqlite:///./app.db\nLOG_LEVEL=DEBUG\nJWT_PRIVATE_KEY={PEM}\n"

    text, changes = synced_env(env, OLD_EXAMPLE, NEW_EXAMPLE, auth="jwt")

    assert text == (
        "DATABASE_URL=postgresql+psycopg://shop@localhost/shop\nLOG_LEVEL=DEBUG\n"
        f"JWT_PRIVATE_KEY={PEM}\n"
        "\n# Added by `apigen update` from .env.example:\nDATABASE_POOL_SIZE=5\n"
    )
    assert (changes.added, changes.updated) == (["DATABASE_POOL_SIZE"], ["DATABASE_URL"])
    assert "QQ" not in settings_of(env)  # the key's last line is part of the key


def test_a_value_the_user_set_is_kept_even_when_the_example_changes() -> None:
    env = "DATABASE_URL=sqlite:////var/lib/shop.db\nLOG_LEVEL=INFO\nDATABASE_POOL_SIZE=9\n"

    text, changes = synced_env(env, OLD_EXAMPLE, NEW_EXAMPLE, auth="none")

    assert text == env
    assert not changes


def test_a_project_that_now_signs_its_tokens_gets_a_development_key() -> None:
    text, changes = synced_env(OLD_EXAMPLE, OLD_EXAMPLE, OLD_EXAMPLE, auth="jwt")

    key = settings_of(text)["JWT_PRIVATE_KEY"][1].strip('"')
    assert isinstance(
        serialization.load_pem_private_key(key.encode(), None), ec.EllipticCurvePrivateKey
    )
    assert changes.added == ["JWT_PRIVATE_KEY"]
    assert text.startswith(OLD_EXAMPLE)
