"""gunicorn's configuration: where the server listens, by environment."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = Path(__file__).parents[2] / "gunicorn.conf.py"


def bind_with(monkeypatch: pytest.MonkeyPatch, **environment: str) -> str:
    """The address gunicorn.conf.py gives the server in this environment."""
    for variable in ("ENVIRONMENT", "BIND"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    bind: str = runpy.run_path(str(CONFIG))["bind"]
    return bind


def test_outside_production_the_server_answers_this_machine_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert bind_with(monkeypatch) == "127.0.0.1:8000"
    assert bind_with(monkeypatch, ENVIRONMENT="development") == "127.0.0.1:8000"


def test_in_production_the_server_listens_on_every_interface(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert bind_with(monkeypatch, ENVIRONMENT="production") == "0.0.0.0:8000"


def test_bind_chooses_the_address_in_every_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert bind_with(monkeypatch, ENVIRONMENT="production", BIND="127.0.0.1:9000") == (
        "127.0.0.1:9000"
    )


def test_a_wrong_setting_stops_the_server_with_one_line_naming_it(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603  (this interpreter, with the project's own file)
        [sys.executable, str(CONFIG)],
        cwd=tmp_path,  # no .env here: only the environment below counts
        env={**os.environ, "LOG_LEVEL": "loud"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert done.stderr.startswith("Error: invalid settings: LOG_LEVEL: Input should be")
    assert len(done.stderr.strip().splitlines()) == 1
