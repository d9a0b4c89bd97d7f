"""The docs page loads one pinned Swagger UI that the browser checks, under a strict policy."""

import base64
import hashlib
import re
from html.parser import HTMLParser

from tests.api.client import AppClient


class PageResources(HTMLParser):
    """What a page loads: its external scripts and stylesheets, and its inline scripts."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.external: list[dict[str, str | None]] = []
        self.inline_scripts: list[str] = []
        self.openapi_urls: list[str | None] = []
        self.in_inline_script = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if (tag == "script" and "src" in attributes) or (
            tag == "link" and attributes.get("rel") == "stylesheet"
        ):
            self.external.append(attributes)
        self.in_inline_script = tag == "script" and "src" not in attributes
        if "data-openapi-url" in attributes:
            self.openapi_urls.append(attributes["data-openapi-url"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self.in_inline_script:
            self.inline_scripts.append(data)


def address(resource: dict[str, str | None]) -> str:
    return resource.get("src") or resource.get("href") or ""


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as its directives and their sources."""
    directives = (directive.split() for directive in header.split(";") if directive.strip())
    return {name: sources for name, *sources in directives}


def test_every_external_script_and_stylesheet_is_pinned_and_integrity_checked(
    client: AppClient,
) -> None:
    page = PageResources(client.get("/docs").text)

    assert len(page.external) == 2
    for resource in page.external:
        url = address(resource)
        assert re.search(r"@\d+\.\d+\.\d+/", url), f"not one exact version: {url}"
        assert (resource.get("integrity") or "").startswith("sha384-"), url
        assert resource.get("crossorigin") == "anonymous", url


def test_the_docs_policy_allows_the_pages_own_scripts_and_nothing_inline(
    client: AppClient,
) -> None:
    response = client.get("/docs")
    page = PageResources(response.text)
    directives = policy(response.headers["Content-Security-Policy"])

    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert directives["default-src"] == ["'none'"]
    for script in page.inline_scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"]
    for resource in page.external:
        url = address(resource)
        directive = "script-src" if "src" in resource else "style-src"
        assert any(url.startswith(source) for source in directives[directive]), url


def test_the_docs_page_shows_the_document_the_api_serves(client: AppClient) -> None:
    [openapi_url] = PageResources(client.get("/docs").text).openapi_urls

    assert openapi_url == "/openapi.json"
    assert client.get(openapi_url).status_code == 200
