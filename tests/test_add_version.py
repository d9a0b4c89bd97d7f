"""`apigen add version` and `apigen remove version`: refusals that write nothing, and the edits."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apigen.errors import ApigenError
from apigen.update import check_versions_layout
from apigen.version import datetime_source, parse_moment
from tests.helpers import apigen
from tests.helpers import tree_files as snapshot

IDENTITY = ["-c", "user.name=User", "-c", "user.email=user@example.com"]


def commit(project: Path, message: str) -> None:
    subprocess.run(["git", "add", "--all"], cwd=project, check=True)
    subprocess.run(
        ["git", *IDENTITY, "commit", "--quiet", "--message", message], cwd=project, check=True
    )


def generate(workdir: Path, name: str, *flags: str) -> Path:
    (workdir / ".home").mkdir(exist_ok=True)
    run = apigen("new", name, *flags, "--yes", cwd=workdir)
    assert run.returncode == 0, run.stderr
    return workdir / name


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One committed project per framework with URL versioning, and one without versions."""
    workdir = tmp_path_factory.mktemp("add-version")
    return {
        "fastapi": generate(workdir, "shop", "--framework", "fastapi", "--versioning", "url"),
        "flask": generate(workdir, "store", "--framework", "flask", "--versioning", "query"),
        "none": generate(workdir, "plain", "--versioning", "none"),
    }


def copy_of(generated: dict[str, Path], which: str, tmp_path: Path) -> Path:
    copy = tmp_path / generated[which].name
    shutil.copytree(generated[which], copy, symlinks=True)
    (tmp_path / ".home").mkdir(exist_ok=True)
    return copy


@pytest.fixture
def project(generated: dict[str, Path], tmp_path: Path) -> Path:
    return copy_of(generated, "fastapi", tmp_path)


def run(project: Path, *args: str) -> tuple[int, str, str]:
    done = apigen(*args, cwd=project)
    return done.returncode, done.stdout, done.stderr


def versions_of(project: Path, package: str) -> tuple[int, ...]:
    text = (project / "src" / package / "versioning.py").read_text()
    match = re.search(r"^VERSIONS = (\(.*\))$", text, re.MULTILINE)
    assert match, text
    numbers: tuple[int, ...] = ast.literal_eval(match[1])
    return numbers


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-06-30", datetime(2027, 6, 30, tzinfo=UTC)),
        ("2027-06-30T12:30:00Z", datetime(2027, 6, 30, 12, 30, tzinfo=UTC)),
        ("2027-06-30T14:30:00+02:00", datetime(2027, 6, 30, 12, 30, tzinfo=UTC)),
    ],
)
def test_a_date_is_read_in_utc(text: str, expected: datetime) -> None:
    assert parse_moment("--sunset", text) == expected


@pytest.mark.parametrize(
    ("moment", "source"),
    [
        (datetime(2027, 6, 30, tzinfo=UTC), "datetime(2027, 6, 30, tzinfo=UTC)"),
        (datetime(2027, 6, 30, 12, 30, tzinfo=UTC), "datetime(2027, 6, 30, 12, 30, tzinfo=UTC)"),
    ],
)
def test_a_date_is_written_as_python(moment: datetime, source: str) -> None:
    assert datetime_source(moment) == source


# --- refusals: one line, exit 2, nothing written --------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sunset", "2027-01-01", "--deprecated-at", "2027-06-01"], "must come after"),
        (["--sunset", "2027-01-01", "--deprecated-at", "2027-01-01"], "must come after"),
        (["--sunset", "31/12/2027"], "give a date"),
        (["--sunset", "2027-12-31T10:00:00"], "time zone"),
        (["--keep-previous", "--sunset", "2027-12-31"], "need --deprecate-previous"),
        (["--sunset", ""], "give a date"),
        (["--deprecated-at", "9999-12-01"], "between 1970 and 9000"),
        (["--sunset", "9999-12-31T23:59:59-01:00"], "give a date"),
    ],
)
def test_add_version_refuses_bad_dates(project: Path, args: list[str], message: str) -> None:
    before = snapshot(project)

    code, _, stderr = run(project, "add", "version", *args)

    assert code == 2
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_a_project_without_versions_cannot_add_one(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    project = copy_of(generated, "none", tmp_path)
    before = snapshot(project)

    code, _, stderr = run(project, "add", "version")

    assert code == 2
    assert "versioning: none" in stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["3"], "there is no version 3; the project serves 1"),
        (["1"], "version 1 is the latest"),
        (["x"], "Invalid value for 'N'"),
    ],
)
def test_remove_version_refuses_what_is_not_there(
    project: Path, args: list[str], message: str
) -> None:
    before = snapshot(project)

    code, _, stderr = run(project, "remove", "version", *args)

    assert code == 2
    assert message in stderr
    assert snapshot(project) == before


def test_add_version_needs_a_committed_project(project: Path) -> None:
    (project / "notes.txt").write_text("work in progress\n")
    before = snapshot(project)

    code, _, stderr = run(project, "add", "version")

    assert code == 1
    assert "uncommitted changes: notes.txt" in stderr
    assert snapshot(project) == before


def test_a_dry_run_lists_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)

    code, stdout, _ = run(project, "add", "version", "--dry-run")

    assert code == 0
    assert "src/shop/api/v2/tasks.py" in stdout
    assert "src/shop/config.py (changed)" in stdout
    assert snapshot(project) == before


# --- what it writes ---------------------------------------------------------------------


def test_version_2_is_a_copy_with_schema_classes_of_its_own(project: Path) -> None:
    code, stdout, stderr = run(
        project, "add", "version", "--deprecated-at", "2027-01-04", "--sunset", "2027-12-31"
    )

    assert code == 0, stderr
    assert versions_of(project, "shop") == (1, 2)
    routes = (project / "src/shop/api/v2/tasks.py").read_text()
    assert "route_class=version_route(2)" in routes
    for name in ["TaskCreate", "TaskUpdate", "TaskListParams", "TaskRead", "TaskPage"]:
        assert f"class {name}V2({name}):" in routes
    assert "items: Sequence[TaskReadV2]" in routes
    assert "response_model=TaskReadV2" in routes
    # A subclass keeps its class's docstring: the schema's description in OpenAPI.
    assert 'class TaskReadV2(TaskRead):\n    """What the API returns for a task' in routes
    assert 'prefix="/api/v2"' in (project / "src/shop/api/v2/__init__.py").read_text()
    # Version 1 is as it was.
    assert "V2" not in (project / "src/shop/api/v1/tasks.py").read_text()
    config = (project / "src/shop/config.py").read_text()
    assert "api_v1_deprecated_at: AwareDatetime = datetime(2027, 1, 4, tzinfo=UTC)" in config
    assert "api_v1_sunset_at: AwareDatetime = datetime(2027, 12, 31, tzinfo=UTC)" in config
    assert "1: Deprecation(self.api_v1_deprecated_at, self.api_v1_sunset_at)," in config
    example = (project / ".env.example").read_text()
    assert "API_V1_DEPRECATED_AT=2027-01-04T00:00:00Z\nAPI_V1_SUNSET_AT=2027-12-31T00:00:00Z\n" in (
        example
    )
    assert (project / "tests/api/test_v1_lifecycle.py").is_file()
    assert "Version 2 is the latest" in stdout


def test_version_3_renames_version_2s_classes(project: Path) -> None:
    assert run(project, "add", "version")[0] == 0
    commit(project, "Add version 2")

    code, _, stderr = run(project, "add", "version", "--keep-previous")

    assert code == 0, stderr
    assert versions_of(project, "shop") == (1, 2, 3)
    routes = (project / "src/shop/api/v3/tasks.py").read_text()
    assert "class TaskReadV3(TaskRead):" in routes
    assert "items: Sequence[TaskReadV3]" in routes
    assert "V2" not in routes
    assert "# Version 3's representation, which starts as version 2's:" in routes
    config = (project / "src/shop/config.py").read_text()
    # Version 2 was kept: only version 1 is deprecated.
    assert "api_v2_" not in config
    assert "1: Deprecation(" in config
    assert "announces_no_end" in (project / "tests/api/test_v2_lifecycle.py").read_text()


def test_removing_a_version_before_its_sunset_needs_force(project: Path) -> None:
    assert run(project, "add", "version", "--sunset", "2999-01-01")[0] == 0
    commit(project, "Add version 2")
    before = snapshot(project)

    code, _, stderr = run(project, "remove", "version", "1")

    assert code == 2
    assert "answers until its sunset, 2999-01-01T00:00:00Z" in stderr
    assert snapshot(project) == before


def test_removing_a_version_never_deprecated_needs_force(project: Path) -> None:
    assert run(project, "add", "version", "--keep-previous")[0] == 0
    commit(project, "Add version 2")

    code, _, stderr = run(project, "remove", "version", "1")

    assert code == 2
    assert "not deprecated" in stderr
    assert run(project, "remove", "version", "1", "--force")[0] == 0
    assert versions_of(project, "shop") == (2,)


def test_remove_takes_out_what_add_wrote(generated: dict[str, Path], tmp_path: Path) -> None:
    project = copy_of(generated, "flask", tmp_path)
    before = snapshot(project)
    args = ["--deprecated-at", "2020-01-01", "--sunset", "2020-06-01"]
    assert run(project, "add", "version", *args)[0] == 0
    commit(project, "Add version 2")

    code, stdout, stderr = run(project, "remove", "version", "1")

    assert code == 0, stderr
    assert "src/store/api/v1/tasks.py (deleted)" in stdout
    assert not (project / "src/store/api/v1").exists()
    assert not (project / "tests/api/test_v1_lifecycle.py").exists()
    assert versions_of(project, "store") == (2,)
    after = snapshot(project)
    # The settings, their imports and the .env.example lines go with the version.
    for path in ["src/store/config.py", ".env.example"]:
        assert after[path] == before[path]


def test_update_refuses_a_project_with_the_old_fixed_versions(tmp_path: Path) -> None:
    """Templates before the lifecycle shipped versions 1 and 2: an update would drop 2."""
    config = tmp_path / "src/shop/config.py"
    config.parent.mkdir(parents=True)
    answers = {"package_name": "shop"}
    config.write_text("    api_v1_deprecated_at: AwareDatetime = datetime(2026, 1, 1)\n")

    with pytest.raises(ApigenError, match="fixed API versions 1 and 2"):
        check_versions_layout(tmp_path, answers, {"versioning": "url"})
    # Without versions, or with the lifecycle's settings, there is nothing to lose.
    check_versions_layout(tmp_path, answers, {"versioning": "none"})
    config.write_text("    def api_deprecations(self) -> dict[int, Deprecation]:\n")
    check_versions_layout(tmp_path, answers, {"versioning": "url"})


def test_the_readme_shows_the_latest_versions_paths(project: Path) -> None:
    assert "| `GET` | `/api/v1/tasks/{id}` |" in (project / "README.md").read_text()

    assert run(project, "add", "version")[0] == 0

    readme = (project / "README.md").read_text()
    assert "| `GET` | `/api/v2/tasks/{id}` |" in readme
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    assert not [row for row in rows if "/api/v1/" in row]


def test_removing_the_default_version_of_env_says_so(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    project = copy_of(generated, "flask", tmp_path)
    dates = ["--deprecated-at", "2020-01-01", "--sunset", "2020-06-01"]
    assert run(project, "add", "version", *dates)[0] == 0
    commit(project, "Add version 2")
    with (project / ".env").open("a") as env:  # git-ignored: the tree stays clean
        env.write("API_DEFAULT_VERSION=1\n")

    code, _, stderr = run(project, "remove", "version", "1")

    assert code == 0
    assert ".env: API_DEFAULT_VERSION=1 names the removed version" in stderr


def test_classes_of_another_module_of_the_version_are_renamed(project: Path) -> None:
    assert run(project, "add", "version")[0] == 0
    v2 = project / "src/shop/api/v2"
    (v2 / "shared.py").write_text(
        "from shop.tasks.schemas import TaskRead\n\n\n"
        'class TaskSummaryV2(TaskRead):\n    """A task in short."""\n'
    )
    (v2 / "summaries.py").write_text(
        "from shop.api.v2.shared import TaskSummaryV2\n\nSHOWN = TaskSummaryV2\n"
    )
    commit(project, "Add version 2, its schemas in a module of their own")

    assert run(project, "add", "version")[0] == 0

    v3 = project / "src/shop/api/v3"
    assert "class TaskSummaryV3(TaskRead):" in (v3 / "shared.py").read_text()
    summaries = (v3 / "summaries.py").read_text()
    assert "from shop.api.v3.shared import TaskSummaryV3" in summaries
    assert "V2" not in summaries


def test_a_resource_added_after_a_version_says_which_versions_lack_it(project: Path) -> None:
    assert run(project, "add", "version")[0] == 0
    commit(project, "Add version 2")

    code, _, stderr = run(project, "add", "resource", "notes", "--field", "body:str")

    assert code == 0, stderr
    assert "apigen: warning: notes is served by version 2 only" in stderr
    assert (project / "src/shop/api/v2/notes.py").is_file()
    assert not (project / "src/shop/api/v1/notes.py").exists()
