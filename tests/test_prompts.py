"""The interactive prompts, driven for real: prompt_toolkit pipe input, and tmux."""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.plain_text import PlainTextOutput

from apigen.answers import defaults_for
from apigen.options import OPTIONS, PROJECT_NAME, Answers, Option, project_name_error
from apigen.prompts import ask, confirm

ENTER = "\r"
DOWN = "\x1b[B"
CLEAR = "\x15"  # Ctrl-U: the prompts start filled with their default


def answer(keys: list[str], known: dict[str, str] | None = None) -> dict[str, str]:
    """Ask every option, typing `keys` one prompt after another."""
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        return ask(list(OPTIONS), known or {}, input=pipe, output=DummyOutput())


def test_enter_everywhere_takes_every_default() -> None:
    answers = answer([ENTER] * len(OPTIONS), {"project_name": "shop"})

    assert answers == {
        "project_name": "shop",
        "package_name": "shop",
        "description": "A production-grade task API.",
        "framework": "fastapi",
        "auth": "jwt",
        "rate_limit": "memory",
        "versioning": "url",
        "database": "sqlite",
        "deploy": "docker",
        "metrics": "none",
        "tracing": "none",
        "ci": "github",
    }


def test_typed_answers_and_a_selected_choice_are_returned() -> None:
    keys = [
        CLEAR + "Billing API" + ENTER,
        ENTER,
        CLEAR + "Bills." + ENTER,
        DOWN + ENTER,
        DOWN + ENTER,
        DOWN + DOWN + ENTER,
        DOWN + DOWN + ENTER,
        DOWN + ENTER,
        DOWN + DOWN + ENTER,
        DOWN + ENTER,
        DOWN + ENTER,
        DOWN + ENTER,
    ]

    answers = answer(keys)

    assert answers["project_name"] == "Billing API"
    assert answers["package_name"] == "billing_api"  # derived from the name just typed
    assert answers["description"] == "Bills."
    assert answers["framework"] == "flask"
    assert answers["auth"] == "oidc"
    assert answers["rate_limit"] == "none"
    assert answers["versioning"] == "query"
    assert answers["database"] == "postgresql"
    assert answers["deploy"] == "kubernetes"
    assert answers["metrics"] == "prometheus"
    assert answers["tracing"] == "otlp"
    assert answers["ci"] == "gitlab"


def test_an_invalid_answer_is_asked_again() -> None:
    keys = [CLEAR + "9lives" + ENTER, CLEAR + "lives" + ENTER] + [ENTER] * (len(OPTIONS) - 1)

    answers = answer(keys)

    assert answers["project_name"] == "lives"


def test_a_refused_answer_is_explained_whole_and_offered_again_for_editing() -> None:
    shown = io.StringIO()
    home = "\x01"  # Ctrl-A: to the start of the refused answer, which is offered again
    with create_pipe_input() as pipe:
        pipe.send_text(CLEAR + "9lives" + ENTER + home + "x" + ENTER)
        answers = ask([PROJECT_NAME], {}, input=pipe, output=PlainTextOutput(shown))

    assert answers == {"project_name": "x9lives"}
    assert f"✗ {project_name_error('9lives')}\r\n" in shown.getvalue()


def every_answer(**changes: str) -> Answers:
    return Answers(**defaults_for({"project_name": "shop", **changes}))


@pytest.mark.parametrize(("keys", "confirmed"), [(ENTER, True), ("y", True), ("n", False)])
def test_the_confirmation_shows_every_answer_and_enter_says_yes(
    keys: str, confirmed: bool, tmp_path: Path
) -> None:
    shown = io.StringIO()
    answers = every_answer(framework="flask", ci="gitlab")
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        result = confirm(answers, tmp_path / "shop", input=pipe, output=PlainTextOutput(shown))

    assert result is confirmed
    lines = shown.getvalue().splitlines()
    for option in OPTIONS:
        value = answers.as_data()[option.name]
        assert any(line.split() == [*option.prompt.split(), *value.split()] for line in lines)
    assert "? Create it in " in shown.getvalue()  # the path in full: see the terminal tests


def test_ctrl_c_interrupts() -> None:
    with pytest.raises(KeyboardInterrupt):
        answer(["\x03"])


# --- a real terminal ------------------------------------------------------------------


Terminal = Callable[..., str]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """Start `apigen <args>` in a tmux terminal of the given width; return its socket.

    When apigen ends, the terminal shows `exit <code>` under its output.
    """
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    sockets: list[str] = []

    def start(*args: str, width: int = 120) -> str:
        socket = str(tmp_path / f"tmux-{len(sockets)}.sock")
        sockets.append(socket)
        env_args = [f"PATH={os.environ['PATH']}", "NO_COLOR=1", f"HOME={tmp_path}"]
        command = " ".join([*env_args, sys.executable, "-m", "apigen", *map(shlex.quote, args)])
        subprocess.run(
            [
                *("tmux", "-S", socket, "new-session", "-d", "-x", str(width), "-y", "50"),
                *("-c", str(tmp_path), f"env {command}; echo exit $?; sleep 60"),
            ],
            check=True,
        )
        return socket

    yield start
    for socket in sockets:
        subprocess.run(["tmux", "-S", socket, "kill-server"], check=False)


def screen(socket: str) -> str:
    """What the terminal shows, lines the terminal wrapped joined again (-J)."""
    return subprocess.run(
        ["tmux", "-S", socket, "capture-pane", "-p", "-J"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def wait_for(socket: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen(socket)
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen shows:\n{screen(socket)}")


def send(socket: str, *keys: str) -> None:
    subprocess.run(["tmux", "-S", socket, "send-keys", *keys], check=True)


def question_line(shown: str, option: Option) -> str:
    """The last line that asks `option`."""
    return [line for line in shown.splitlines() if line.startswith(f"? {option.prompt} ")][-1]


def test_apigen_new_in_a_terminal_asks_confirms_and_generates(
    terminal: Terminal, tmp_path: Path
) -> None:
    tmux = terminal("new", "shop")
    shown = wait_for(tmux, "Project name")
    assert "shop" in shown  # the default comes from the destination
    send(tmux, "Enter")
    wait_for(tmux, "Python package name")
    send(tmux, "Enter")
    wait_for(tmux, "One-line description")
    send(tmux, "Enter")
    shown = wait_for(tmux, "Web framework")
    assert "FastAPI" in shown
    assert "Flask" in shown
    send(tmux, "Down", "Enter")
    shown = wait_for(tmux, "Authentication")
    assert "OIDC" in shown
    send(tmux, "Enter")
    shown = wait_for(tmux, "Rate limiting")
    assert "Redis" in shown
    send(tmux, "Down", "Enter")
    shown = wait_for(tmux, "API versioning")
    assert "Accept: application/vnd" in shown
    send(tmux, "Down", "Enter")
    shown = wait_for(tmux, "Database")
    assert "PostgreSQL" in shown
    send(tmux, "Enter")
    shown = wait_for(tmux, "Deployment")
    assert "Kubernetes" in shown
    send(tmux, "Down", "Enter")
    for question in ("Metrics", "Tracing", "Continuous integration"):
        wait_for(tmux, question)
        send(tmux, "Enter")

    shown = wait_for(tmux, "? Create it in")
    assert not (tmp_path / "shop").exists()  # nothing is written before the answer
    assert re.search(r"^  Web framework +flask$", shown, re.MULTILINE)
    assert re.search(r"^  Rate limiting +redis$", shown, re.MULTILINE)
    assert f"? Create it in {tmp_path / 'shop'}? (Y/n)" in shown
    send(tmux, "Enter")
    wait_for(tmux, "Next steps", timeout=60)

    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert answers["project_name"] == "shop"
    assert (answers["auth"], answers["rate_limit"]) == ("jwt", "redis")
    assert (answers["versioning"], answers["database"]) == ("header", "sqlite")
    assert (answers["deploy"], answers["metrics"], answers["ci"]) == ("compose", "none", "github")


@pytest.mark.parametrize("width", [100, 140])
def test_a_refused_answer_shows_its_whole_reason_at_any_width(
    terminal: Terminal, width: int
) -> None:
    tmux = terminal("new", "shop", width=width)
    wait_for(tmux, "Project name")

    send(tmux, "C-u", "9lives", "Enter")

    reason = str(project_name_error("9lives"))
    assert len(reason) > width  # the terminal has to wrap it
    shown = wait_for(tmux, reason[-30:])
    assert f"✗ {reason}" in shown.splitlines()
    assert question_line(shown, PROJECT_NAME).endswith(") 9lives")  # offered again


def test_each_question_has_one_space_before_its_help_and_no_nested_parentheses(
    terminal: Terminal,
) -> None:
    tmux = terminal("new", "shop", width=250)
    for option in OPTIONS:
        shown = wait_for(tmux, f"? {option.prompt} ")
        line = question_line(shown, option)
        if option.choices:
            # The choices are listed below it, each saying what it is: no help repeats them.
            assert line == f"? {option.prompt} (Use arrow keys)"
        else:
            assert line.startswith(f"? {option.prompt} ({option.help}) ")
        assert "  " not in line
        assert re.search(r"\([^)]*\(", line) is None, line
        send(tmux, "Enter")
    wait_for(tmux, "? Create it in")


def test_declining_writes_nothing_and_exits_1(terminal: Terminal, tmp_path: Path) -> None:
    tmux = terminal("new", "shop", "--framework", "flask", "--description", "Shop.")
    for option in OPTIONS:
        if option.name not in ("framework", "description"):
            wait_for(tmux, f"? {option.prompt} ")
            send(tmux, "Enter")
    wait_for(tmux, "? Create it in")

    send(tmux, "n")

    shown = wait_for(tmux, "exit 1")
    assert "apigen: error: not confirmed; nothing was written" in shown
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tmux-0.sock"]


def test_all_flags_in_a_terminal_ask_only_for_the_confirmation(terminal: Terminal) -> None:
    flags = ["--name", "shop", "--package", "shop", "--description", "Shop."]
    flags += [
        arg for option in OPTIONS if option.choices for arg in (option.flag, option.values[-1])
    ]
    tmux = terminal("new", "shop", *flags)

    shown = wait_for(tmux, "? Create it in")

    assert [line for line in shown.splitlines() if line.startswith("? ")] == [
        line for line in shown.splitlines() if line.startswith("? Create it in")
    ]
    send(tmux, "Enter")
    wait_for(tmux, "exit 0", timeout=60)


def test_yes_in_a_terminal_asks_nothing(terminal: Terminal, tmp_path: Path) -> None:
    tmux = terminal("new", "shop", "--yes")

    shown = wait_for(tmux, "exit 0", timeout=60)

    assert "? " not in shown
    assert (tmp_path / "shop" / ".copier-answers.yml").is_file()


def test_a_wrong_flag_is_refused_before_any_question(terminal: Terminal) -> None:
    tmux = terminal("new", "shop", "--framework", "django")

    shown = wait_for(tmux, "exit 2")

    assert "apigen: error: unknown framework 'django' (choose fastapi or flask)" in shown
    assert "? " not in shown


def test_a_destination_that_cannot_take_the_project_is_refused_before_any_question(
    terminal: Terminal, tmp_path: Path
) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "notes.txt").write_text("mine\n")
    tmux = terminal("new", "shop")

    shown = wait_for(tmux, "exit 1")

    assert "apigen: error: " in shown
    assert "directory is not empty" in shown
    assert "? " not in shown
    assert (tmp_path / "shop" / "notes.txt").read_text() == "mine\n"
