"""The interactive prompts, driven for real: prompt_toolkit pipe input, and tmux."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from apigen.options import OPTIONS
from apigen.prompts import ask

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


def test_ctrl_c_interrupts() -> None:
    with pytest.raises(KeyboardInterrupt):
        answer(["\x03"])


# --- a real terminal ------------------------------------------------------------------


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[str]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    session = f"apigen-test-{os.getpid()}"
    socket = str(tmp_path / "tmux.sock")
    env_args = [f"PATH={os.environ['PATH']}", "NO_COLOR=1", f"HOME={tmp_path}"]
    command = " ".join([*env_args, sys.executable, "-m", "apigen", "new", "shop"])
    subprocess.run(
        [
            "tmux",
            "-S",
            socket,
            "new-session",
            "-d",
            "-s",
            session,
            "-x",
            "120",
            "-y",
            "40",
            "-c",
            str(tmp_path),
            f"env {command}; sleep 30",
        ],
        check=True,
    )
    yield socket
    subprocess.run(["tmux", "-S", socket, "kill-server"], check=False)


def screen(socket: str) -> str:
    return subprocess.run(
        ["tmux", "-S", socket, "capture-pane", "-p"], capture_output=True, text=True, check=True
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


def test_apigen_new_in_a_terminal_asks_and_generates(tmux: str, tmp_path: Path) -> None:
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

    wait_for(tmux, "Next steps", timeout=60)

    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert answers["project_name"] == "shop"
    assert (answers["auth"], answers["rate_limit"]) == ("jwt", "redis")
    assert (answers["versioning"], answers["database"]) == ("header", "sqlite")
    assert (answers["deploy"], answers["metrics"], answers["ci"]) == ("compose", "none", "github")
