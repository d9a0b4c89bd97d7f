"""`apigen add resource`: field specs, refusals that write nothing, and what it writes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from apigen.errors import UsageError
from apigen.fields import FieldSpec, parse_field, parse_fields
from apigen.git import status
from apigen.prompts import ask_fields, confirm_resource
from apigen.resource import singular_of
from tests.gates import EVERY_FIELD
from tests.helpers import apigen


def field_flags(specs: list[str]) -> list[str]:
    return [argument for spec in specs for argument in ("--field", spec)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("title:str", ("title", "str", False, None, False, 200, ())),
        ("title:str(80)?", ("title", "str", True, None, False, 80, ())),
        ("body:text", ("body", "text", False, None, False, 2000, ())),
        ("count:int=-5", ("count", "int", False, "-5", False, None, ())),
        ("price:decimal=9.99", ("price", "decimal", False, "9.99", False, None, ())),
        ("done:bool=false", ("done", "bool", False, "false", False, None, ())),
        ("due:date?=2026-12-31", ("due", "date", True, "2026-12-31", False, None, ())),
        ("at:datetime", ("at", "datetime", False, None, False, None, ())),
        (
            "state:enum(a, b_2)=b_2",
            ("state", "enum", False, "b_2", False, None, ("a", "b_2")),
        ),
        ("code:str:unique", ("code", "str", False, None, True, 200, ())),
        ("note:str=a: b", ("note", "str", False, "a: b", False, 200, ())),
        ("project:ref(projects)", ("project_id", "ref", False, None, False, None, ())),
        ("parent_id:ref(line_items)?", ("parent_id", "ref", True, None, False, None, ())),
    ],
)
def test_a_field_spec_is_read(spec: str, expected: tuple[object, ...]) -> None:
    field = parse_field(spec)

    assert (
        field.name,
        field.type,
        field.optional,
        field.default,
        field.unique,
        field.max_length,
        field.values,
    ) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("title", "write NAME:TYPE"),
        ("title:string", "unknown type 'string'"),
        ("Title:str", "lowercase letters"),
        ("class:str", "Python keyword"),
        ("id:int", "keeps for itself"),
        ("owner:str", "keeps for itself"),
        ("model_name:str", "keeps for itself"),
        ("date:date", "keeps for itself"),
        ("title:str(0)", "maximum length"),
        ("title:str(x)", "maximum length"),
        ("count:int(3)", "takes no (...)"),
        ("count:int=1.5", "whole number"),
        ("count:int=9999999999", "whole number"),
        ("price:decimal=1.234", "decimal places"),
        ("price:decimal=ten", "a number such as"),
        ("done:bool=yes", "true or false"),
        ("due:date=31/12/2026", "2026-12-31"),
        ("at:datetime=now", "takes no default"),
        ("state:enum()", "enum(a,b,...)"),
        ("state:enum(A,b)", "enum(a,b,...)"),
        ("state:enum(a,a)", "listed twice"),
        ("state:enum(a,b)=c", "not one of a, b"),
        ("title:str=   ", "non-blank"),
        ("done:bool:unique", "cannot be unique"),
        ("x" * 41 + ":str", "at most 40"),
        ("project:ref", "ref(TABLE) names the resource"),
        ("project:ref(Projects)", "ref(TABLE) names the resource"),
        ("project:ref(projects)=1", "takes no default"),
        ("project:ref(projects):unique", "cannot be unique"),
        ("id:ref(projects)", "keeps for itself"),
    ],
)
def test_a_bad_field_spec_is_refused_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_field(spec)

    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert repr(spec) in str(refused.value)


def test_a_reference_names_its_table() -> None:
    assert parse_field("project:ref(projects)?").target == "projects"
    assert parse_field("project:ref(projects)?").describe() == "ref(projects), may be null"


def test_a_field_given_twice_is_refused() -> None:
    with pytest.raises(UsageError, match="'title' is given twice"):
        parse_fields(["title:str", "title:text"])


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("projects", "project"),
        ("categories", "category"),
        ("boxes", "box"),
        ("line_items", "line_item"),
        ("news", "new"),
        ("glass", "glass"),
        ("data", "data"),
    ],
)
def test_the_singular_is_derived_from_the_plural(plural: str, singular: str) -> None:
    assert singular_of(plural) == singular


# --- the command, in a generated project ------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A FastAPI project with auth and URL versioning, committed, generated once."""
    workdir = tmp_path_factory.mktemp("add-resource")
    (workdir / ".home").mkdir()
    run = apigen("new", "shop", "--framework", "fastapi", "--yes", cwd=workdir)
    assert run.returncode == 0, run.stderr
    return workdir / "shop"


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(generated, copy, symlinks=True)
    (tmp_path / ".home").mkdir()
    return copy


def snapshot(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def add(project: Path, *args: str) -> tuple[int, str, str]:
    run = apigen("add", "resource", *args, cwd=project)
    return run.returncode, run.stdout, run.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("class", "Python keyword"),
        ("json", "standard library"),
        ("tasks", "the project uses itself"),
        ("auth", "the project uses itself"),
        ("api", "the project uses itself"),
        ("health", "the project uses itself"),
        ("shop", "the project uses itself"),
        ("Projects", "lowercase letters"),
        ("2things", "lowercase letters"),
        ("line__items", "lowercase letters"),
    ],
)
def test_a_bad_name_is_exit_2_and_writes_nothing(project: Path, name: str, message: str) -> None:
    before = snapshot(project)

    code, _out, err = add(project, name, "--field", "title:str")

    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "fields",
    [
        ["title"],
        ["title:str", "title:str"],
        ["price:decimal=1.234"],
        ["client:ref(clients)"],  # no such resource
        ["task:ref(tasks)"],  # the template's, not added with apigen
        ["parent:ref(projects)"],  # itself
    ],
)
def test_a_bad_field_is_exit_2_and_writes_nothing(project: Path, fields: list[str]) -> None:
    before = snapshot(project)

    code, _out, err = add(project, "projects", *field_flags(fields))

    assert code == 2
    assert err.startswith("apigen: error: --field")
    assert len(err.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_no_field_outside_a_terminal_is_exit_2(project: Path) -> None:
    code, _out, err = add(project, "projects")

    assert code == 2
    assert "give at least one --field" in err


def test_an_existing_resource_is_exit_1_and_writes_nothing(project: Path) -> None:
    assert add(project, "projects", "--field", "title:str")[0] == 0
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "projects"], cwd=project, check=True)
    before = snapshot(project)

    code, _out, err = add(project, "projects", "--field", "name:str")

    assert code == 1
    assert "exists already" in err
    assert snapshot(project) == before


def test_a_model_of_the_same_name_is_exit_1(project: Path) -> None:
    code, _out, err = add(project, "task_lists", "--singular", "task", "--field", "name:str")

    assert code == 1
    assert "a model named Task exists already" in err


def test_uncommitted_changes_are_exit_1_and_nothing_is_written(project: Path) -> None:
    (project / "NOTES.md").write_text("mine\n")
    before = snapshot(project)

    code, _out, err = add(project, "projects", "--field", "title:str")

    assert code == 1
    assert "uncommitted changes: NOTES.md" in err
    assert "then add a resource" in err
    assert snapshot(project) == before


def test_a_folder_that_is_no_project_is_exit_1(tmp_path: Path) -> None:
    (tmp_path / ".home").mkdir()

    run = apigen("add", "resource", "projects", "--field", "title:str", cwd=tmp_path)

    assert run.returncode == 1
    assert "not a project generated by apigen" in run.stderr


def test_a_dry_run_lists_the_files_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)

    code, out, _err = add(project, "line_items", "--dry-run", *field_flags(EVERY_FIELD))

    assert code == 0
    assert snapshot(project) == before
    listed = re.findall(r"^  (\S+)", out, re.MULTILINE)
    assert "src/shop/line_items/models.py" in listed
    assert "src/shop/api/v1/line_items.py" in listed
    assert "tests/api/test_line_items.py" in listed
    assert any(
        re.fullmatch(r"migrations/project/[0-9a-f]{12}_create_line_items\.py", f) for f in listed
    )


def test_it_writes_the_resource_and_only_adds_readme_rows(project: Path) -> None:
    readme = (project / "README.md").read_text()

    code, out, err = add(project, "line_items", *field_flags(EVERY_FIELD))

    assert code == 0, err
    # The project's .env (a development key) is ignored by git, and there before.
    changed = {path: state.strip() for state, path in status(project) if state != "!!"}
    assert changed.pop("README.md") == "M"
    assert set(changed.values()) == {"??"}
    new_readme = (project / "README.md").read_text()
    added = [line for line in new_readme.splitlines() if line not in readme.splitlines()]
    assert added == [
        "| `POST` | `/api/v1/line-items` | 201 with the line item; 422 when invalid; "
        "409 when a unique field is taken |",
        "| `GET` | `/api/v1/line-items?done=&status=&limit=&offset=` | 200 with a page "
        "(`limit` at most 100) |",
        "| `GET` | `/api/v1/line-items/{id}` | 200, or 404 |",
        "| `PATCH` | `/api/v1/line-items/{id}` | 200 with the updated line item; 404, 422; "
        "409 when a unique field is taken |",
        "| `DELETE` | `/api/v1/line-items/{id}` | 204, or 404 |",
    ]
    assert "make migrate" in out


def test_a_reference_becomes_a_foreign_key_checked_per_owner(project: Path) -> None:
    assert add(project, "projects", "--field", "title:str")[0] == 0
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "projects"], cwd=project, check=True)

    code, _out, err = add(
        project, "notes", "--field", "project:ref(projects)", "--field", "parent:ref(projects)?"
    )

    assert code == 0, err
    source = project / "src" / "shop" / "notes"
    models = (source / "models.py").read_text()
    assert 'ForeignKey("projects.id", ondelete="CASCADE")' in models
    assert 'ForeignKey("projects.id", ondelete="SET NULL")' in models
    repository = (source / "repository.py").read_text()
    assert "model.owner == self._owner" in repository
    assert 'raise NoteReferenceError("parent_id", "project")' in repository
    [migration] = (project / "migrations/project").glob("*_create_notes.py")
    assert 'name=op.f("fk_notes_project_id_projects")' in migration.read_text()
    tests = (project / "tests" / "api" / "test_notes.py").read_text()
    assert "from tests.api.test_projects import PROJECTS, create_project" in tests


def test_the_migration_follows_the_project_branch(project: Path) -> None:
    assert add(project, "projects", "--field", "title:str")[0] == 0
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "projects"], cwd=project, check=True)
    assert add(project, "categories", "--field", "name:str")[0] == 0

    [first] = (project / "migrations/project").glob("*_create_projects.py")
    [second] = (project / "migrations/project").glob("*_create_categories.py")
    first_text, second_text = first.read_text(), second.read_text()
    first_id = re.search(r'^revision: str = "(\w+)"', first_text, re.MULTILINE)
    assert first_id is not None
    assert 'branch_labels: str | Sequence[str] | None = ("project",)' in first_text
    assert "down_revision: str | None = None" in first_text
    assert f'down_revision: str | None = "{first_id[1]}"' in second_text
    assert 'depends_on: str | Sequence[str] | None = "0002"' in second_text


# --- asked in a terminal ----------------------------------------------------------------

ENTER = "\r"
CLEAR = "\x15"  # Ctrl-U: a refused spec comes back for editing


def ask_with(keys: list[str]) -> tuple[list[FieldSpec], str]:
    output = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        fields = ask_fields(input=pipe, output=PlainTextOutput(output))
    return fields, output.getvalue()


def test_fields_are_asked_one_by_one_until_enter_alone() -> None:
    fields, _shown = ask_with(["title:str(80)" + ENTER, "done:bool=false" + ENTER, ENTER])

    assert [(field.name, field.type, field.max_length) for field in fields] == [
        ("title", "str", 80),
        ("done", "bool", None),
    ]


def test_a_bad_spec_is_explained_and_asked_again() -> None:
    keys = [ENTER, "count:int=x" + ENTER, CLEAR + "count:int=3" + ENTER, "count:str" + ENTER]
    keys.append(CLEAR + ENTER)

    fields, shown = ask_with(keys)

    assert [(field.name, field.default) for field in fields] == [("count", "3")]
    assert "give at least one field" in shown
    assert "the default of an int is a whole number" in shown
    assert "'count' is given twice" in shown


def test_the_summary_names_every_field_and_enter_confirms() -> None:
    fields = parse_fields(["code:str(20):unique", "state:enum(a,b)=a", "note:text?"])
    output = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(ENTER)
        confirmed = confirm_resource("items", fields, input=pipe, output=PlainTextOutput(output))

    assert confirmed
    assert "code   str(20), unique" in output.getvalue()
    assert "state  enum(a, b), default a" in output.getvalue()
    assert "note   text(2000), may be null" in output.getvalue()


@pytest.mark.parametrize("change", ["auth=none", "framework=flask", "versioning=none"])
def test_an_update_that_would_strand_an_added_resource_is_refused(
    project: Path, change: str
) -> None:
    assert add(project, "projects", "--field", "title:str")[0] == 0
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "commit", "-qm", "projects"], cwd=project, check=True)
    before = snapshot(project)

    run = apigen("update", "--data", change, "--allow-data-loss", cwd=project)

    assert run.returncode == 1
    assert f"--data {change}: the resources added with `apigen add resource` (projects)" in (
        run.stderr
    )
    assert len(run.stderr.strip().splitlines()) == 1
    assert snapshot(project) == before
