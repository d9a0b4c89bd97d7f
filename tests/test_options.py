"""One source of truth: flags, prompts, copier.yml and the test matrix agree with options.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
import yaml

from apigen.cli import app, main
from apigen.options import (
    CHOICE_OPTIONS,
    OPTIONS,
    Constraint,
    Option,
    answer_errors,
    combination_errors,
    copier_yml,
    derive_package_name,
    valid_combinations,
)
from tests.helpers import REPO_ROOT


def new_command_params() -> dict[str, object]:
    group = typer.main.get_command(app)
    command = group.commands["new"]  # type: ignore[attr-defined]
    return {opt: param for param in command.params for opt in param.opts}


def test_copier_yml_is_generated_from_options() -> None:
    assert (REPO_ROOT / "copier.yml").read_text() == copier_yml(), (
        "copier.yml is stale: run `python -m apigen.options > copier.yml`"
    )


def test_copier_yml_has_one_question_per_option_with_the_same_choices_and_defaults() -> None:
    config = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    questions = {key: value for key, value in config.items() if not key.startswith("_")}

    assert list(questions) == [option.name for option in OPTIONS]
    for option in OPTIONS:
        question = questions[option.name]
        assert question["help"] == option.help
        if option.choices:
            assert list(question["choices"].values()) == list(option.values)
            assert question["default"] == option.default


def test_copier_yml_points_into_templates_and_excludes_explicitly() -> None:
    config = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())

    assert config["_subdirectory"] == "templates"
    assert (REPO_ROOT / "templates").is_dir()
    assert "copier.yml" in config["_exclude"]


def test_every_option_has_a_flag_on_new_with_its_help() -> None:
    params = new_command_params()

    for option in OPTIONS:
        assert option.flag in params, f"apigen new has no {option.flag}"
        assert params[option.flag].help == option.help  # type: ignore[attr-defined]


@pytest.mark.parametrize("option", CHOICE_OPTIONS, ids=lambda option: option.name)
def test_every_choice_flag_offers_exactly_the_option_values_and_its_default(
    option: Option, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    main(["new", "--help"])

    row = next(line for line in capsys.readouterr().out.splitlines() if f" {option.flag} " in line)
    assert "<" + "|".join(option.values) + ">" in row
    assert f"[default: {option.default}]" in row


@pytest.mark.parametrize("option", CHOICE_OPTIONS, ids=lambda option: option.name)
def test_a_value_outside_the_choices_is_refused_with_the_choices(
    option: Option, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["new", str(tmp_path / "x"), option.flag, "not-a-choice", "--yes"])

    *others, last = option.values
    choices = f"{', '.join(others)} or {last}"
    assert code == 2
    assert capsys.readouterr().err == (
        f"apigen: error: unknown {option.noun} 'not-a-choice' (choose {choices})\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--framework", "django"], "unknown framework 'django' (choose fastapi or flask)"),
        (
            ["--rate-limit", "memcached"],
            "unknown rate limit 'memcached' (choose memory, redis or none)",
        ),
        (
            ["--framework", "Django", "--ci", "jenkins"],
            "unknown framework 'Django' (choose fastapi or flask); "
            "unknown ci 'jenkins' (choose github, gitlab or none)",
        ),
    ],
)
def test_unknown_choices_are_named_with_what_to_choose(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["new", str(tmp_path / "x"), *args, "--yes"])

    assert code == 2
    assert capsys.readouterr().err == f"apigen: error: {message}\n"


def test_new_has_no_flag_that_is_not_an_option() -> None:
    behaviour = {
        "--yes",
        "-y",
        "--dry-run",
        "--answers-file",
        "--force",
        "--overwrite",
        "--help",
        "-h",
    }
    option_flags = {option.flag for option in OPTIONS}

    unknown = {flag for flag in new_command_params() if flag.startswith("-")} - behaviour
    assert unknown == option_flags


def test_the_matrix_is_every_valid_combination_of_the_choice_options() -> None:
    combinations = list(valid_combinations())

    assert {c["framework"] for c in combinations} == {"fastapi", "flask"}
    assert all(set(c) == {o.name for o in CHOICE_OPTIONS} for c in combinations)
    assert all(not combination_errors(c) for c in combinations)


def test_a_constraint_removes_its_combination_from_the_matrix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule = Constraint(("framework", "flask"), ("framework", "flask"), "flask is off today")
    monkeypatch.setattr("apigen.options.CONSTRAINTS", (rule,))

    assert {c["framework"] for c in valid_combinations()} == {"fastapi"}
    assert "flask is off today" in copier_yml()


def test_package_name_is_derived_like_copier_does() -> None:
    assert derive_package_name("My Project") == "my_project"
    assert derive_package_name("tasks-API.v2") == "tasks_api_v2"


def test_answer_errors_name_each_problem() -> None:
    problems = answer_errors(
        {
            **{option.name: option.default or "" for option in CHOICE_OPTIONS},
            "project_name": "9lives",
            "package_name": "class",
            "description": 'say "hi"',
            "framework": "django",
            "auth": "basic",
            "rate_limit": "memcached",
        }
    )

    assert len(problems) == 6
    assert problems[3:] == [
        "unknown framework 'django' (choose fastapi or flask)",
        "unknown auth 'basic' (choose jwt, oidc or none)",
        "unknown rate limit 'memcached' (choose memory, redis or none)",
    ]


def test_the_readme_lists_every_option_with_its_choices_and_default() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    rows = {
        line.split("|")[1].strip(): line for line in readme.splitlines() if line.startswith("| `--")
    }

    assert set(rows) == {f"`{option.flag}`" for option in OPTIONS}
    for option in OPTIONS:
        row = rows[f"`{option.flag}`"]
        if option.choices:
            assert ", ".join(f"`{value}`" for value in option.values) in row
        if option.default:
            assert f"`{option.default}`" in row
