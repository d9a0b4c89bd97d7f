"""The interactive documentation page: Swagger UI at one exact version, checked by the browser.

The page loads Swagger UI from jsDelivr, which serves the npm package's files byte for byte.
Each file carries its Subresource Integrity hash, so the browser runs or applies nothing that
differs from the file published on npm, and the page's own script is allowed by its hash:
its Content-Security-Policy needs no 'unsafe-inline'. To move to another version, take the
hashes from the npm package itself:

    npm pack swagger-ui-dist@VERSION && tar -xzf swagger-ui-dist-VERSION.tgz
    openssl dgst -sha384 -binary package/swagger-ui-bundle.js | openssl base64 -A
    openssl dgst -sha384 -binary package/swagger-ui.css | openssl base64 -A
"""

import base64
import hashlib
import html

SWAGGER_UI_VERSION = "5.36.0"
# A source ending in a slash allows the files below it only: this package, at this version.
SWAGGER_UI = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}/"
SCRIPT_INTEGRITY = "sha384-fUpRgC19yPykTqzdrUbdAg8NTiu16NEKf9U12J+IJWCg8/1mEI8f2+PEIz60Wyd+"
STYLESHEET_INTEGRITY = "sha384-z/AtSaOHGn5MJ5auAHXUypohywlIWLBZo1jeGmhdpVIbCnFhxAH92cwdV41oyINc"

# The document's URL comes from the page, so this script, and with it its hash, never changes.
# No validator: Swagger UI would send the document's URL to validator.swagger.io.
START_SCRIPT = (
    'const root = document.getElementById("swagger-ui");'
    " SwaggerUIBundle({url: root.dataset.openapiUrl, domNode: root, validatorUrl: null});"
)
START_SCRIPT_HASH = (
    "sha256-" + base64.b64encode(hashlib.sha256(START_SCRIPT.encode()).digest()).decode()
)

# What the page may load: Swagger UI's two files, its own script, the document it fetches and
# the inline images of Swagger UI's stylesheet. Nothing else, and no inline styles or scripts.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; "
    f"script-src {SWAGGER_UI} '{START_SCRIPT_HASH}'; "
    f"style-src {SWAGGER_UI}; "
    "img-src data:; "
    "connect-src 'self'; "
    "base-uri 'none'; "
    "form-action 'none'; "
    "frame-ancestors 'none'"
)


def swagger_ui_page(title: str, openapi_url: str) -> str:
    """The HTML page that renders the OpenAPI document at `openapi_url` with Swagger UI."""
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)}</title>
  <link rel="stylesheet" href="{SWAGGER_UI}swagger-ui.css"
    integrity="{STYLESHEET_INTEGRITY}" crossorigin="anonymous">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{html.escape(openapi_url)}"></div>
  <script src="{SWAGGER_UI}swagger-ui-bundle.js"
    integrity="{SCRIPT_INTEGRITY}" crossorigin="anonymous"></script>
  <script>{START_SCRIPT}</script>
</body>
</html>
"""
