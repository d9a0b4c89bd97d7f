"""The generated tests have teeth: remove one security default and they fail.

Each case copies an installed generated project, applies a one-line patch that
removes a single control, and runs the project's own tests against the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.gates import venv_tool

pytestmark = pytest.mark.gates

SHARED = ("fastapi", "flask")


@dataclass(frozen=True)
class Removal:
    control: str
    frameworks: tuple[str, ...]
    path: str
    old: str
    new: str


REMOVALS = [
    Removal(
        "security headers",
        ("fastapi",),
        "src/{package}/api/app.py",
        "            Middleware(SecurityHeadersMiddleware, docs_path=docs_url),\n",
        "",
    ),
    Removal(
        "security headers",
        ("flask",),
        "src/{package}/api/middleware.py",
        "        response.headers.setdefault(name, value)",
        "        pass",
    ),
    Removal(
        "CORS origin list",
        ("fastapi",),
        "src/{package}/api/app.py",
        "allow_origins=settings.cors_origins,",
        'allow_origins=["*"],',
    ),
    Removal(
        "CORS origin list",
        ("flask",),
        "src/{package}/api/middleware.py",
        "origins=settings.cors_origins,",
        'origins="*",',
    ),
    Removal(
        "Vary: Origin",
        ("flask",),
        "src/{package}/api/middleware.py",
        '    response.vary.add("Origin")\n',
        "",
    ),
    Removal(
        "body size limit",
        ("fastapi",),
        "src/{package}/api/app.py",
        "            Middleware(BodySizeLimitMiddleware, "
        "max_body_bytes=settings.max_request_body_bytes),\n",
        "",
    ),
    Removal(
        "body size limit",
        ("flask",),
        "src/{package}/api/app.py",
        "    app.config.update(MAX_CONTENT_LENGTH=settings.max_request_body_bytes)\n",
        "",
    ),
    Removal(
        "generic 500",
        ("fastapi",),
        "src/{package}/api/middleware.py",
        "        except Exception:\n",
        "        except Exception as exc:\n"
        "            raise RuntimeError(str(exc)) from exc\n        except RuntimeError:\n",
    ),
    Removal(
        "generic 500",
        ("flask",),
        "src/{package}/api/errors.py",
        '"Internal server error."), 500',
        "str(error)), 500",
    ),
    Removal(
        "wildcard CORS with credentials refused",
        SHARED,
        "src/{package}/config.py",
        "raise ValueError(\"CORS_ORIGINS='*' cannot be combined with CORS_ALLOW_CREDENTIALS\")",
        "pass",
    ),
    Removal(
        "request id sanitised",
        SHARED,
        "src/{package}/request_id.py",
        "_SAFE_REQUEST_ID.fullmatch(incoming)",
        "incoming",
    ),
    Removal("page size cap", SHARED, "src/{package}/tasks/schemas.py", "le=PAGE_SIZE_MAX)", ")"),
    Removal(
        "unknown fields refused",
        SHARED,
        "src/{package}/tasks/schemas.py",
        'model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)',
        "model_config = ConfigDict(str_strip_whitespace=True)",
    ),
    Removal(
        "no local variables in logged tracebacks",
        SHARED,
        "src/{package}/logs.py",
        "show_locals=False",
        "show_locals=True",
    ),
]

CASES = [(removal, framework) for removal in REMOVALS for framework in removal.frameworks]


def run_copy(
    project: Path, shared_venv: Path, tmp_path: Path, change: Callable[[Path], None]
) -> subprocess.CompletedProcess[str]:
    """Copy the project, change the copy, and run the copy's tests against its own src."""
    copy = tmp_path / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git", "*cache*", "*.db"))
    change(copy)
    # The copy's src comes first on sys.path, ahead of the installed original.
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run(
        [venv_tool(shared_venv, "python"), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("framework", SHARED)
def test_an_unchanged_copy_passes(
    framework: str,
    installed: Callable[[dict[str, str]], Path],
    shared_venv: Path,
    tmp_path: Path,
) -> None:
    done = run_copy(installed({"framework": framework}), shared_venv, tmp_path, lambda _: None)

    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("removal", "framework"),
    CASES,
    ids=[f"{framework}-{removal.control.replace(' ', '-')}" for removal, framework in CASES],
)
def test_removing_a_default_fails_the_generated_tests(
    removal: Removal,
    framework: str,
    installed: Callable[[dict[str, str]], Path],
    shared_venv: Path,
    tmp_path: Path,
) -> None:
    project = installed({"framework": framework})

    def remove_the_control(copy: Path) -> None:
        target = copy / removal.path.format(package=project.name.replace("-", "_"))
        source = target.read_text()
        assert removal.old in source, (
            f"the template changed: update the removal of {removal.control}"
        )
        target.write_text(source.replace(removal.old, removal.new, 1))

    done = run_copy(project, shared_venv, tmp_path, remove_the_control)

    assert done.returncode == 1, f"the tests still pass without {removal.control}:\n{done.stdout}"
    assert " failed" in done.stdout
