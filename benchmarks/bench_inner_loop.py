"""Wall time of a generated project's own tests: `uv run pytest`, with and without `--cov`.

Run from the repository root:  python benchmarks/bench_inner_loop.py [--runs 5]

Generates the default FastAPI project (`apigen new --yes`) and the default Flask one
(`--framework flask`) with the apigen of this checkout, installs each with
`uv sync --compile-bytecode`, then times the whole `uv run pytest` process (interpreter
start, collection, the tests, coverage's report) as a user would run it, in rounds that
alternate the projects and the commands. Each figure is the median of the rounds, printed
against the target of issue 12 (8 s without coverage, 11 s with it) as a ratio.

The runs get a TMPDIR of their own: pytest removes the oldest of its numbered temporary
folders at each session's end, and on a shared machine those may be another run's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECTS = {"fastapi": [], "flask": ["--framework", "flask"]}
COMMANDS = {"pytest": ["pytest"], "pytest --cov": ["pytest", "--cov"]}
TARGETS = {"pytest": 8.0, "pytest --cov": 11.0}
# Issue 12's figures for the suites before this work (214 FastAPI tests then; the suites
# have grown since, so only the targets are a fair comparison).
BEFORE = {
    ("fastapi", "pytest"): 27.6,
    ("fastapi", "pytest --cov"): 39.0,
    ("flask", "pytest"): 17.8,
    ("flask", "pytest --cov"): 26.0,
}


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        sys.exit("uv is needed: pip install -e '.[test]'")
    return found


def clean_environment(tmpdir: Path) -> dict[str, str]:
    """The environment of a user's shell: no virtualenv or path of this checkout leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "CONTRACT_MAX_EXAMPLES", "DATABASE_URL"}
    }
    env["TMPDIR"] = str(tmpdir)
    return env


def generate(workdir: Path, name: str, options: list[str]) -> Path:
    """A new project made by this checkout's apigen, installed with compiled bytecode."""
    project = workdir / name
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "APIGEN_HOME": str(workdir / "home")}
    subprocess.run(
        [sys.executable, "-m", "apigen", "new", str(project), "--yes", *options],
        check=True,
        env=env,
        capture_output=True,
    )
    subprocess.run(
        [uv(), "sync", "--quiet", "--compile-bytecode"],
        cwd=project,
        check=True,
        env=clean_environment(workdir / "tmp"),
    )
    return project


def run(project: Path, arguments: list[str], env: dict[str, str]) -> float:
    """Seconds for one whole `uv run ...` process; a failing suite stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(
        [uv(), "run", *arguments], cwd=project, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{project.name}: `uv run {' '.join(arguments)}` failed:\n{done.stdout}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-inner-loop-"))
    (workdir / "tmp").mkdir()
    env = clean_environment(workdir / "tmp")
    try:
        projects = {name: generate(workdir, name, options) for name, options in PROJECTS.items()}
        cases = [(name, command) for name in projects for command in COMMANDS]
        for name, command in cases:  # one warm-up each: caches, .pytest_cache, the OS
            run(projects[name], COMMANDS[command], env)
        times: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
        for round_number in range(args.runs):
            # Alternate the order each round, so neither case always follows the other.
            order = cases if round_number % 2 == 0 else cases[::-1]
            for name, command in order:
                times[name, command].append(run(projects[name], COMMANDS[command], env))
    finally:
        if args.keep:
            print(f"projects kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"uv run ... in a new default project, median of {args.runs} (min-max), whole process")
    print(
        f"{'project':8} {'command':13} {'median':>8} {'range':>13} {'target':>7} "
        f"{'/target':>8} {'issue 12 before':>16}"
    )
    for (name, command), seconds in times.items():
        median = statistics.median(seconds)
        target = TARGETS[command]
        verdict = "ok" if median <= target else "OVER"
        print(
            f"{name:8} {command:13} {median:7.2f}s {min(seconds):5.2f}-{max(seconds):5.2f}s "
            f"{target:6.1f}s {median / target:7.2f}x {BEFORE[name, command]:9.1f}s "
            f"({BEFORE[name, command] / median:.1f}x)  {verdict}"
        )


if __name__ == "__main__":
    main()
