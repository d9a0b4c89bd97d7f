"""An API version's whole life in a generated project, for each framework and strategy.

Each project grows as a user's would: a resource, version 2 (version 1 deprecated, its
sunset passed), version 3, then `apigen remove version 1`. After versions 2 and 3 come,
ruff, mypy and the tests of the versions run; every gate then runs on what is left,
versions 2 and 3: version 3 is a copy of a copy (its classes renamed from version 2's), and
version 2 is deprecated or kept. A project with one version is gated by the pairwise cover
(tests/test_gates.py), and one with versions 1 and 2 by its grown projects too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.gates import check, install, venv_tool
from tests.helpers import apigen

pytestmark = pytest.mark.gates

IDENTITY = ["-c", "user.name=User", "-c", "user.email=user@example.com"]
# framework, versioning, auth, and whether version 2 is deprecated when version 3 comes.
LIVES = [
    ("fastapi", "url", "jwt", True),
    ("fastapi", "header", "oidc", True),
    ("fastapi", "query", "none", False),
    ("flask", "url", "none", False),
    ("flask", "header", "jwt", True),
    ("flask", "query", "oidc", True),
]


# What a version's arrival can break, run after each: quick beside the whole suite.
VERSION_TESTS = ["tests/api/test_versions.py", "tests/unit/test_versioning.py"]


def quick_gates(project: Path, venv: Path) -> None:
    """ruff, mypy and the tests of the versions, on the project as it is now."""
    check([venv_tool(venv, "ruff"), "check", "."], cwd=project)
    check([venv_tool(venv, "mypy"), "--cache-dir", str(venv.parent / "mypy-cache")], cwd=project)
    lifecycles = sorted(
        str(path.relative_to(project)) for path in project.glob("tests/api/test_v*_lifecycle.py")
    )
    python = venv_tool(venv, "python")
    check(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *VERSION_TESTS, *lifecycles],
        cwd=project,
    )


def step(project: Path, message: str, *args: str) -> str:
    """Run apigen in the project and commit what it wrote, as a user would."""
    run = apigen(*args, cwd=project)
    assert run.returncode == 0, run.stderr
    check(["git", "add", "--all"], cwd=project)
    check(["git", *IDENTITY, "commit", "--quiet", "--message", message], cwd=project)
    return run.stdout


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(life, marks=pytest.mark.xdist_group("life-" + "-".join(map(str, life[:3]))))
        for life in LIVES
    ],
    ids=["-".join(map(str, life[:3])) for life in LIVES],
)
def lived(
    request: pytest.FixtureRequest,
    shared_venv: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The project of one life, lived once per session: xdist may interleave the params."""
    life: tuple[str, str, str, bool] = request.param
    if life not in LIVED:
        LIVED[life] = live(life, shared_venv, tmp_path_factory)
    return LIVED[life]


LIVED: dict[tuple[str, str, str, bool], Path] = {}


def live(
    life: tuple[str, str, str, bool], shared_venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    framework, versioning, auth, deprecate_two = life
    workdir = tmp_path_factory.mktemp(f"life-{framework}-{versioning}")
    (workdir / ".home").mkdir()
    name = f"life-{framework}-{versioning}"
    flags = ["--framework", framework, "--versioning", versioning, "--auth", auth]
    created = apigen("new", name, *flags, "--rate-limit", "none", "--yes", cwd=workdir)
    assert created.returncode == 0, created.stderr
    project = workdir / name
    step(project, "Add notes", "add", "resource", "notes", "--field", "body:str")
    install(project, shared_venv)
    check(["git", "add", "uv.lock"], cwd=project)
    check(["git", *IDENTITY, "commit", "--quiet", "--message", "Lock"], cwd=project)
    step(
        project,
        "Add version 2",
        "add",
        "version",
        "--deprecated-at",
        "2020-01-01",
        "--sunset",
        "2020-06-30",
    )
    quick_gates(project, shared_venv)
    step(
        project,
        "Add version 3",
        "add",
        "version",
        *(["--sunset", "2099-12-31"] if deprecate_two else ["--keep-previous"]),
    )
    quick_gates(project, shared_venv)
    stdout = step(project, "Remove version 1", "remove", "version", "1")
    assert "Version 1 is gone" in stdout
    return project


def test_versions_2_and_3_are_left(lived: Path) -> None:
    package = lived.name.replace("-", "_")
    api = lived / "src" / package / "api"

    assert sorted(path.name for path in api.glob("v[0-9]*")) == ["v2", "v3"]
    assert "VERSIONS = (2, 3)" in (lived / "src" / package / "versioning.py").read_text()
    assert "api_v1_" not in (lived / "src" / package / "config.py").read_text()
    assert "API_V1_" not in (lived / ".env.example").read_text()
    assert not (lived / "tests/api/test_v1_lifecycle.py").exists()
    assert (lived / "tests/api/test_v2_lifecycle.py").is_file()
    # Version 3's notes and tasks have classes of their own, renamed from version 2's.
    notes = (api / "v3" / "notes.py").read_text()
    assert "class NotePageV3(NotePage):" in notes
    assert "V2" not in notes


@pytest.mark.parametrize(
    "gate",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_the_static_gates_pass(lived: Path, shared_venv: Path, gate: list[str]) -> None:
    command = [venv_tool(shared_venv, gate[0]), *gate[1:]]
    if gate[0] == "mypy":
        command += ["--cache-dir", str(shared_venv.parent / "mypy-cache")]
    check(command, cwd=lived)


def test_its_tests_pass_with_the_coverage_gate(lived: Path, shared_venv: Path) -> None:
    python = venv_tool(shared_venv, "python")
    output = check(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "--cov"],
        cwd=lived,
        env={key: value for key, value in os.environ.items() if key != "CONTRACT_MAX_EXAMPLES"},
        timeout=600,
    )

    assert " passed" in output
    assert "Required test coverage of 90" in output
