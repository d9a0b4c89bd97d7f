"""Median wall time of `apigen --help`, `apigen new --yes` and a raw `copier copy`.

Run from the repository root:  python benchmarks/bench_generate.py [--runs 15]

apigen is built into a wheel and installed into a fresh virtualenv with compiled
bytecode, as pip and uv tool installs do; otherwise a machine with
PYTHONDONTWRITEBYTECODE=1 (like ours) would time the bytecode compiler on every run.
The raw copier run renders the very template the wheel ships, with the same answers.
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
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        sys.exit("uv is needed: pip install -e '.[test]'")
    return found


def install(workdir: Path) -> Path:
    """Build the wheel and install it with compiled bytecode; return the venv."""
    dist, venv = workdir / "dist", workdir / "venv"
    subprocess.run(
        [uv(), "build", "--wheel", "--quiet", "-o", str(dist), str(REPO_ROOT)], check=True
    )
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    wheel = next(dist.glob("apigen-*.whl"))
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
        ],
        check=True,
        env=env,
    )
    return venv


def median_seconds(runs: int, command: Callable[[int], list[str]], cwd: Path) -> float:
    """Median of `runs` timed runs after one warm-up; command(i) gives the i-th argv."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(command(-1), cwd=cwd, env=env, check=True, capture_output=True)
    times = []
    for index in range(runs):
        started = time.perf_counter()
        subprocess.run(command(index), cwd=cwd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="apigen-bench-") as scratch:
        workdir = Path(scratch)
        venv = install(workdir)
        bin_dir = venv / "bin"
        site = next((venv / "lib").glob("python*/site-packages"))
        template = site / "apigen" / "_template"
        out = workdir / "out"
        out.mkdir()

        help_time = median_seconds(runs, lambda _: [str(bin_dir / "apigen"), "--help"], out)
        new_time = median_seconds(
            runs,
            lambda i: [
                str(bin_dir / "apigen"),
                "new",
                f"new{i}",
                "--framework",
                "fastapi",
                "--yes",
            ],
            out,
        )
        copier_time = median_seconds(
            runs,
            lambda i: [
                str(bin_dir / "copier"),
                "copy",
                "--trust",
                "--defaults",
                "--quiet",
                "--data",
                f"project_name=copier{i}",
                "--data",
                "framework=fastapi",
                str(template),
                f"copier{i}",
            ],
            out,
        )

    print(f"runs per command:        {runs} (median, after one warm-up)")
    print(f"apigen --help:           {help_time * 1000:7.1f} ms")
    print(f"apigen new --yes:        {new_time * 1000:7.1f} ms  (render + git init + commit)")
    print(f"copier copy (raw):       {copier_time * 1000:7.1f} ms")
    print(f"apigen new / copier:     {new_time / copier_time:7.2f}x")
    print(f"apigen --help / copier:  {help_time / copier_time:7.2f}x")


if __name__ == "__main__":
    main()
