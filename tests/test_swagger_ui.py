"""The docs page's Subresource Integrity hashes are those of the npm package's own files.

jsDelivr serves npm packages byte for byte, so the hashes in `swagger_ui.py` must be the
hashes of the files in `swagger-ui-dist` at the pinned version: a version bump without new
hashes (or a typo in one) would leave every generated docs page blank. The package comes
from the npm registry through npm itself; without npm or the registry the test skips.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

SWAGGER_UI = REPO_ROOT / "templates" / "src" / "{{package_name}}" / "swagger_ui.py"


def constant(name: str) -> str:
    """A string constant of the template's `swagger_ui.py`."""
    found = re.search(rf'^{name} = "([^"]+)"$', SWAGGER_UI.read_text(), re.M)
    assert found, f"{name} is not a string constant of {SWAGGER_UI.name}"
    return found.group(1)


@pytest.fixture(scope="module")
def npm_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published tarball of swagger-ui-dist at the version the page pins."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    folder = tmp_path_factory.mktemp("swagger-ui-dist")
    package = f"swagger-ui-dist@{constant('SWAGGER_UI_VERSION')}"
    done = subprocess.run(
        [npm, "pack", "--silent", package, "--pack-destination", str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"npm pack {package} failed: {done.stderr.strip()[-300:]}")
    return folder / done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("name", "file"),
    [("SCRIPT_INTEGRITY", "swagger-ui-bundle.js"), ("STYLESHEET_INTEGRITY", "swagger-ui.css")],
)
def test_the_pinned_hash_is_the_hash_of_the_published_file(
    npm_package: Path, name: str, file: str
) -> None:
    with tarfile.open(npm_package) as archive:
        member = archive.extractfile(f"package/{file}")
        assert member is not None, file
        content = member.read()

    digest = base64.b64encode(hashlib.sha384(content).digest()).decode()
    assert constant(name) == f"sha384-{digest}"


def test_the_page_loads_the_pinned_version_from_the_npm_mirror() -> None:
    version = constant("SWAGGER_UI_VERSION")

    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "one exact version"
    assert "https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}/" in (
        SWAGGER_UI.read_text()
    )
