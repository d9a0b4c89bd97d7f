"""`apigen` run as a user runs it: in a subprocess, without a terminal."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from apigen import __version__
from apigen.options import OPTIONS
from tests.helpers import REPO_ROOT, apigen, isolated_env, tree_digest


def test_version(workdir: Path) -> None:
    run = apigen("--version", cwd=workdir)

    assert (run.returncode, run.stdout) == (0, f"apigen {__version__}\n")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["new", "--help"]])
def test_help_and_version_import_neither_copier_nor_jinja(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from apigen.cli import main\n"
        f"code = main({args!r})\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'copier', 'jinja2', 'questionary', 'prompt_toolkit', 'plumbum'})\n"
        "print(code, heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert done.stderr.strip().splitlines()[-1] == "0 []"


def test_help_groups_the_new_options_into_panels(workdir: Path) -> None:
    run = apigen("new", "--help", cwd=workdir)

    assert run.returncode == 0
    for panel in ("Project", "Stack", "Behaviour"):
        assert f"─ {panel} " in run.stdout


def help_words(text: str) -> str:
    """Help text without its boxes, each run of whitespace one space: what a reader reads."""
    return " ".join(text.translate(str.maketrans("", "", "│╭╮╰╯─")).split())


@pytest.mark.parametrize("columns", ["60", "200"], ids=["narrow", "wide"])
def test_new_help_shows_every_default_and_no_type_on_flags(workdir: Path, columns: str) -> None:
    env = {**isolated_env(workdir / ".home"), "COLUMNS": columns}

    run = apigen("new", "--help", cwd=workdir, env=env)

    assert run.returncode == 0
    assert max(len(line) for line in run.stdout.splitlines()) <= int(columns)
    assert "…" not in run.stdout  # nothing cropped
    assert "<bool>" not in run.stdout  # a flag takes no value
    words = help_words(run.stdout)
    for option in OPTIONS:
        assert option.flag in words
        if option.default is not None:
            assert f"[default: {option.default}]" in words
    assert "[default: (the destination's folder name, or my-api)]" in words
    assert "[default: (derived from --name)]" in words
    for flag in ("--yes", "--dry-run", "--force", "--overwrite"):
        row = next(line for line in run.stdout.splitlines() if f" {flag} " in line)
        assert "<" not in row


def test_options_lists_every_option_with_choices_and_default(workdir: Path) -> None:
    # Wide enough that no cell wraps; the table's layout is rich's business.
    run = apigen("options", cwd=workdir, env={**isolated_env(workdir / ".home"), "COLUMNS": "250"})

    assert run.returncode == 0
    for option in OPTIONS:
        assert option.flag in run.stdout
        assert ", ".join(option.values) in run.stdout


def test_the_quick_start_generates_outside_the_checkout(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    commands = [part.strip() for line in block.splitlines() for part in line.split("&&")]
    command = next(part for part in commands if part.startswith("apigen new "))
    destination = shlex.split(command)[2].replace("~", str(tmp_path), 1)
    written = (REPO_ROOT / destination).resolve()
    assert not written.is_relative_to(REPO_ROOT), f"{command!r} writes into the checkout"
    env = isolated_env(tmp_path)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"  # apigen itself

    done = subprocess.run(["bash", "-c", command], cwd=REPO_ROOT, env=env, capture_output=True)

    assert done.returncode == 0, done.stderr
    assert (written / ".copier-answers.yml").is_file()


def test_yes_generates_a_git_repository_with_one_commit_without_a_git_identity(
    workdir: Path,
) -> None:
    run = apigen("new", "demo", "--framework", "flask", "--yes", cwd=workdir)

    assert run.returncode == 0, run.stderr
    project = workdir / "demo"
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=project, capture_output=True, text=True, check=True
    )
    assert log.stdout.splitlines() == ["Generate the project with apigen"]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert answers["project_name"] == "demo"
    assert (project / "src" / "demo" / "api" / "app.py").is_file()


def test_flags_set_every_answer(workdir: Path) -> None:
    run = apigen(
        "new",
        "svc",
        "--name",
        "Orders Service",
        "--package",
        "orders",
        "--description",
        "Orders for the shop.",
        "--framework",
        "fastapi",
        "--auth",
        "oidc",
        "--rate-limit",
        "redis",
        "--versioning",
        "query",
        "--database",
        "postgresql",
        "--deploy",
        "compose",
        "--metrics",
        "prometheus",
        "--tracing",
        "otlp",
        "--ci",
        "gitlab",
        cwd=workdir,
    )

    assert run.returncode == 0, run.stderr
    answers = yaml.safe_load((workdir / "svc" / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Orders Service"
    assert answers["package_name"] == "orders"
    assert answers["description"] == "Orders for the shop."
    assert (answers["auth"], answers["rate_limit"]) == ("oidc", "redis")
    assert (answers["versioning"], answers["database"], answers["deploy"]) == (
        "query",
        "postgresql",
        "compose",
    )
    assert (answers["metrics"], answers["tracing"], answers["ci"]) == (
        "prometheus",
        "otlp",
        "gitlab",
    )
    assert (workdir / "svc" / "compose.yaml").is_file()
    assert (workdir / "svc" / ".gitlab-ci.yml").is_file()
    assert (workdir / "svc" / "src" / "orders" / "tasks" / "service.py").is_file()


def test_choice_flags_ignore_case(workdir: Path) -> None:
    run = apigen("new", "svc", "--framework", "Flask", "--ci", "GITLAB", "--yes", cwd=workdir)

    assert run.returncode == 0, run.stderr
    answers = yaml.safe_load((workdir / "svc" / ".copier-answers.yml").read_text())
    assert (answers["framework"], answers["ci"]) == ("flask", "gitlab")


def test_without_destination_the_folder_is_named_after_the_project(workdir: Path) -> None:
    run = apigen("new", "--name", "My Project", "--yes", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert (workdir / "my-project" / "src" / "my_project").is_dir()


def test_next_steps_name_the_run_and_test_commands(workdir: Path) -> None:
    run = apigen("new", "demo", "--framework", "fastapi", "--yes", cwd=workdir)

    assert "cd demo" in run.stdout
    assert "uv run uvicorn demo.api.app:create_app --factory" in run.stdout
    assert "uv run pytest" in run.stdout


def test_a_destination_is_shown_as_typed_and_quoted_for_the_shell(workdir: Path) -> None:
    # Brackets are rich markup, a space splits a shell word: neither may change the path.
    run = apigen("new", "shop [v2]", "--name", "shop", "--yes", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert "in shop [v2]" in run.stderr
    assert "cd 'shop [v2]'" in run.stdout
    preview = apigen("new", "other [v2]", "--name", "shop", "--yes", "--dry-run", cwd=workdir)
    assert preview.stdout.startswith("other [v2]/\n")
    assert "written to other [v2];" in preview.stdout


@pytest.mark.parametrize("framework", ["fastapi", "flask"])
def test_next_steps_match_the_generated_readme(workdir: Path, framework: str) -> None:
    from apigen.cli.new import RUN_COMMANDS

    apigen("new", "demo", "--framework", framework, "--yes", cwd=workdir)

    readme = (workdir / "demo" / "README.md").read_text()
    # The whole command, as the README spells it between backticks: not a shorter prefix.
    assert f"`{RUN_COMMANDS[framework].format(package='demo')}`" in readme


def test_dry_run_shows_the_tree_and_writes_nothing(workdir: Path) -> None:
    before = tree_digest(workdir)

    run = apigen("new", "demo", "--yes", "--dry-run", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert "pyproject.toml" in run.stdout
    assert "nothing was written" in run.stdout
    assert tree_digest(workdir) == before


@pytest.mark.parametrize(
    ("args", "flags"),
    [
        (["new", "demo"], ["--description", "--framework", "--auth", "--rate-limit"]),
        (["new"], ["--name", "--description", "--framework", "--auth", "--rate-limit"]),
        (["new", "demo", "--framework", "flask"], ["--description", "--auth", "--rate-limit"]),
    ],
)
def test_missing_answers_without_a_terminal_name_the_flags(
    workdir: Path, args: list[str], flags: list[str]
) -> None:
    before = tree_digest(workdir)

    run = apigen(*args, cwd=workdir)

    assert run.returncode == 2
    assert len(run.stderr.strip().splitlines()) == 1
    assert all(flag in run.stderr for flag in flags)
    assert "Traceback" not in run.stderr
    assert tree_digest(workdir) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "demo", "-y", "--framework", "django"], "unknown framework 'django'"),
        (["new", "demo", "-y", "--auth", "basic"], "unknown auth 'basic'"),
        (["new", "demo", "-y", "--rate-limit", "memcached"], "unknown rate limit 'memcached'"),
        (["new", "demo", "-y", "--package", "jwt"], "the 'jwt' package the project uses"),
        (["new", "demo", "-y", "--name", "9lives"], "must start with an ASCII letter"),
        (["new", "demo", "-y", "--package", "class"], "is a Python keyword"),
        (["new", "demo", "-y", "--package", "json"], "standard library module 'json'"),
        (["new", "demo", "-y", "--package", "fastapi"], "the 'fastapi' package the project uses"),
        (["new", "demo", "-y", "--package", "tests"], "the 'tests' package"),
        (["new", "demo", "-y", "--name", "../escape"], "must start with an ASCII letter"),
        (["new", "demo", "-y", "--name", "caf\u00e9"], "must start with an ASCII letter"),
        (["new", "demo", "-y", "--name", "b\u0430d"], "must start with an ASCII letter"),
        (["new", "demo", "-y", "--name", "tab\tname"], "must start with an ASCII letter"),
        (["new", "demo", "-y", "--package", "My-Pkg"], "lower-case ASCII"),
        (["new", "demo", "-y", "--description", 'say "hi"'], "double quotes"),
        (["new", "demo", "-y", "--no-such-flag"], "No such option"),
        (["frobnicate"], "No such command"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    workdir: Path, args: list[str], message: str
) -> None:
    before = tree_digest(workdir)

    run = apigen(*args, cwd=workdir)

    assert run.returncode == 2
    assert message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr
    assert tree_digest(workdir) == before


def test_an_empty_destination_is_used(workdir: Path) -> None:
    (workdir / "demo").mkdir()

    run = apigen("new", "demo", "--yes", cwd=workdir)

    assert run.returncode == 0, run.stderr
    assert (workdir / "demo" / "pyproject.toml").is_file()


def test_the_current_directory_is_filled_in_place(workdir: Path, env: dict[str, str]) -> None:
    here = workdir / "shop"
    here.mkdir()
    inode = here.stat().st_ino

    run = apigen("new", ".", "--yes", cwd=here, env=env)

    assert run.returncode == 0, run.stderr
    assert here.stat().st_ino == inode  # the same folder, not a replacement
    assert (here / "src" / "shop" / "tasks" / "service.py").is_file()
    assert (here / ".git").is_dir()
    assert sorted(p.name for p in workdir.iterdir()) == [".home", "shop"]


@pytest.mark.parametrize(
    ("destination", "message"),
    [("a-file", "is not a directory"), ("missing/demo", "parent directory does not exist")],
)
def test_an_unusable_destination_is_one_line_exit_1(
    workdir: Path, destination: str, message: str
) -> None:
    (workdir / "a-file").write_text("x")
    before = tree_digest(workdir)

    run = apigen("new", destination, "--yes", cwd=workdir)

    assert run.returncode == 1
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert tree_digest(workdir) == before


def test_a_derived_package_name_is_shown(workdir: Path) -> None:
    run = apigen("new", "--name", "My Project", "--yes", cwd=workdir)

    assert "(package my_project)" in run.stderr


def test_an_unwritable_location_is_one_line_exit_1(workdir: Path) -> None:
    run = apigen("new", "/proc/apigen-demo", "--yes", cwd=workdir)

    assert run.returncode == 1
    assert run.stderr.startswith("apigen: error: /proc: cannot create files here (")
    assert len(run.stderr.strip().splitlines()) == 1


def test_no_staging_directory_is_left_after_success(workdir: Path) -> None:
    apigen("new", "demo", "--yes", cwd=workdir)

    assert sorted(p.name for p in workdir.iterdir()) == [".home", "demo"]


def test_git_missing_names_the_step_and_leaves_nothing(workdir: Path, env: dict[str, str]) -> None:
    empty_bin = workdir / ".home" / "bin"
    empty_bin.mkdir()
    before = tree_digest(workdir)

    run = apigen("new", "demo", "--yes", cwd=workdir, env={**env, "PATH": str(empty_bin)})

    assert run.returncode == 1
    assert run.stderr == "apigen: error: git failed: git is not installed or not on PATH\n"
    assert "Traceback" not in run.stderr
    assert tree_digest(workdir) == before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_during_generation_leaves_nothing(
    workdir: Path, env: dict[str, str], signum: signal.Signals
) -> None:
    # Each git command waits a second first, so the interrupt always lands mid-generation
    # however fast or loaded the machine: git runs in the staging directory.
    real_git = shutil.which("git")
    assert real_git is not None
    slow_bin = workdir / ".home" / "slow-git"
    slow_bin.mkdir(parents=True)
    (slow_bin / "git").write_text(f'#!/bin/sh\nsleep 1\nexec {shlex.quote(real_git)} "$@"\n')
    (slow_bin / "git").chmod(0o755)
    before = tree_digest(workdir)
    # A shell starts background jobs with SIGINT ignored, and children inherit that: apigen
    # starts with SIGINT's usual handler, as in a terminal, whatever runs this test.
    as_in_a_terminal = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "sys.argv[0] = 'apigen'; runpy.run_module('apigen', run_name='__main__')"
    )
    process = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-c", as_in_a_terminal, "new", "demo", "--yes"],
        cwd=workdir,
        env={**env, "PATH": f"{slow_bin}{os.pathsep}{env['PATH']}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not any(path.name.startswith(".apigen-") for path in workdir.iterdir()):
        assert process.poll() is None, "apigen finished before it could be interrupted"
        assert time.monotonic() < deadline, "no staging directory appeared"
        time.sleep(0.005)

    process.send_signal(signum)
    try:
        _, stderr = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # faulthandler prints where apigen was
        _, stderr = process.communicate()
        pytest.fail(f"apigen went on after the interrupt:\n{stderr[-3000:]}")

    assert process.returncode == 130
    assert stderr == "apigen: error: interrupted; nothing was written\n"
    assert tree_digest(workdir) == before


def test_update_of_a_folder_that_does_not_exist_says_so(workdir: Path) -> None:
    run = apigen("update", "nowhere", cwd=workdir)

    assert run.returncode == 1
    assert run.stderr == f"apigen: error: {workdir / 'nowhere'}: no such directory\n"
