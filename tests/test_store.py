"""The template store records each template once and finds it again without git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from apigen import store
from apigen.template import template_root


def tags(repo: Path) -> list[str]:
    done = subprocess.run(
        ["git", "tag", "--list"], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store of the test's own."""
    monkeypatch.setenv("APIGEN_HOME", str(tmp_path / "home"))


def test_a_recorded_template_is_found_again_without_starting_git(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert store.record(template_root(), "9.9.9") == "v9.9.9"

    def no_git(*args: object, **_: object) -> str:
        raise AssertionError(f"git started: {args}")

    monkeypatch.setattr(store, "_git", no_git)
    monkeypatch.setattr(store, "succeeds", no_git)

    assert store.record(template_root(), "9.9.9") == "v9.9.9"
    assert tags(store.store_path()) == ["v9.9.9"]


def test_a_tag_removed_from_the_store_is_recorded_again() -> None:
    store.record(template_root(), "9.9.9")
    subprocess.run(["git", "tag", "-d", "v9.9.9"], cwd=store.store_path(), check=True)

    assert store.record(template_root(), "9.9.9") == "v9.9.9"
    assert tags(store.store_path()) == ["v9.9.9"]


def test_other_template_files_get_a_tag_of_their_own(tmp_path: Path) -> None:
    store.record(template_root(), "9.9.9")
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "copier.yml").write_text((template_root() / "copier.yml").read_text())
    (changed / "templates").mkdir()
    (changed / "templates" / "README.md").write_text("Another template.\n")

    tag = store.record(changed, "9.9.9")

    assert tag.startswith("v9.9.9+t")
    assert sorted(tags(store.store_path())) == ["v9.9.9", tag]
