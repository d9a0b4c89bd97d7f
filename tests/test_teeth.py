"""The generated tests have teeth: remove one security default and they fail.

Each case copies an installed generated project, applies a small patch that removes a
single control, and runs the project's own tests (all but the slow contract run) against
the copy. A control run of each unchanged copy passes, so every failure is the patch's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apigen.options import combination_id
from tests.gates import GATED, GROWN, complete, on_one_worker, venv_tool

pytestmark = pytest.mark.gates


@dataclass(frozen=True)
class Removal:
    control: str
    path: str
    old: str
    new: str
    # The options a project needs for the control to exist (a framework, an auth mode...).
    needs: dict[str, str] = field(default_factory=dict)
    # The project's own tests that guard the control; running only these keeps this fast.
    # Without them, the unit tests of the patched module (UNIT_TESTS).
    tests: tuple[str, ...] = ()

    @property
    def guards(self) -> tuple[str, ...]:
        return self.tests or UNIT_TESTS[self.path]

    @property
    def combination(self) -> dict[str, str]:
        """A gated combination with what the control needs, so no extra project is built."""
        for combination in GATED:
            if self.needs.items() <= combination.items():
                return combination
        return complete(self.needs)


FASTAPI = {"framework": "fastapi"}
FLASK = {"framework": "flask"}
JWT = {"auth": "jwt"}
OIDC = {"auth": "oidc"}
CLAIMS = "src/{package}/auth/claims.py"
JWKS = "src/{package}/auth/jwks.py"
OIDC_VERIFIER = "src/{package}/auth/oidc.py"
REQUIRE = 'options={"require": REQUIRED_CLAIMS},'
# Where the unit tests of each framework-free module live.
UNIT_TESTS = {
    "src/{package}/config.py": ("tests/unit/test_config.py",),
    "src/{package}/request_id.py": ("tests/unit/test_request_id.py",),
    "src/{package}/logs.py": ("tests/unit/test_logs.py",),
    "src/{package}/database.py": ("tests/unit/test_database.py",),
    "src/{package}/rate_limits.py": ("tests/unit/test_rate_limits.py",),
    CLAIMS: ("tests/unit/test_token_verification.py",),
    "src/{package}/auth/tokens.py": ("tests/unit/test_token_verification.py",),
    "src/{package}/auth/errors.py": ("tests/unit/test_token_verification.py",),
    JWKS: ("tests/unit/test_jwks.py",),
    OIDC_VERIFIER: ("tests/unit/test_access_tokens.py",),
    "src/{package}/auth/service.py": ("tests/unit/test_auth_service.py",),
    "src/{package}/auth/passwords.py": ("tests/unit/test_passwords.py",),
}

REMOVALS = [
    # --- transport and validation defaults, in both frameworks ----------------------------
    Removal(
        "security headers",
        "src/{package}/api/app.py",
        "            Middleware(SecurityHeadersMiddleware),\n",
        "",
        FASTAPI,
        tests=("tests/api/test_security_headers.py",),
    ),
    Removal(
        "security headers",
        "src/{package}/api/middleware.py",
        " if name.lower() not in present\n",
        " if False\n",
        FLASK,
        tests=("tests/api/test_security_headers.py",),
    ),
    Removal(
        "CORS origin list",
        "src/{package}/api/app.py",
        "allow_origins=settings.cors_origins,",
        'allow_origins=["*"],',
        FASTAPI,
        tests=("tests/api/test_cors.py",),
    ),
    Removal(
        "CORS origin list",
        "src/{package}/api/middleware.py",
        "origins=settings.cors_origins,",
        'origins="*",',
        FLASK,
        tests=("tests/api/test_cors.py",),
    ),
    Removal(
        "Vary: Origin",
        "src/{package}/api/middleware.py",
        '    response.vary.add("Origin")\n',
        "",
        FLASK,
        tests=("tests/api/test_cors.py",),
    ),
    Removal(
        "body size limit",
        "src/{package}/api/app.py",
        "            Middleware(BodySizeLimitMiddleware, "
        "max_body_bytes=settings.max_request_body_bytes),\n",
        "",
        FASTAPI,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "body size limit",
        "src/{package}/api/app.py",
        "    app.config.update(MAX_CONTENT_LENGTH=settings.max_request_body_bytes)\n",
        "",
        FLASK,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "generic 500",
        "src/{package}/api/middleware.py",
        "        except Exception:\n",
        "        except Exception as exc:\n"
        "            raise RuntimeError(str(exc)) from exc\n        except RuntimeError:\n",
        FASTAPI,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "generic 500",
        "src/{package}/api/errors.py",
        '"Internal server error."), 500',
        "str(error)), 500",
        FLASK,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "streamed body size limit",
        "src/{package}/api/validation.py",
        "return model.model_validate_json(read_body())",
        "return model.model_validate_json(request.get_data())",
        FLASK,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "500 envelope for a failing middleware",
        "src/{package}/api/app.py",
        "            Middleware(RequestContextMiddleware),\n"
        "            Middleware(InternalErrorMiddleware),\n",
        "            Middleware(RequestContextMiddleware),\n",
        FASTAPI,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "500 envelope for a failing after-request hook",
        "src/{package}/api/errors.py",
        "    app.register_error_handler(InternalServerError, handle_failed_request)\n",
        "",
        FLASK,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "no redirect to the Host header's host",
        "src/{package}/api/app.py",
        "        redirect_slashes=False,\n",
        "",
        FASTAPI,
        tests=("tests/api/test_errors.py",),
    ),
    Removal(
        "no redirect to the Host header's host",
        "src/{package}/api/errors.py",
        "    app.before_request(refuse_redirect)\n",
        "",
        FLASK,
        tests=("tests/api/test_errors.py",),
    ),
    *(
        Removal(
            "successor link in ASCII",
            "src/{package}/versioning.py",
            "target = quote(path, safe=PATH_CHARACTERS)",
            "target = path",
            {**framework, "versioning": versioning},
            tests=("tests/api/test_versions.py",),
        )
        for framework, versioning in ((FASTAPI, "url"), (FLASK, "header"))
    ),
    *(
        Removal(
            "wildcard CORS with credentials refused",
            "src/{package}/config.py",
            "raise ValueError(\"CORS_ORIGINS='*' cannot be combined with CORS_ALLOW_CREDENTIALS\")",
            "pass",
            framework,
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "production reads no .env",
            "src/{package}/config.py",
            "return init_settings, env_settings, file_secret_settings",
            "return init_settings, env_settings, dotenv_settings, file_secret_settings",
            framework,
        )
        for framework in (FASTAPI, FLASK)
    ),
    Removal(
        "a .env that says production is refused",
        "src/{package}/config.py",
        'if dotenv_settings().get("environment") == Environment.PRODUCTION:',
        "if False:",
        tests=("tests/unit/test_config.py", "tests/unit/test_gunicorn_config.py"),
    ),
    Removal(
        "a signing key that cannot sign stops the start",
        "src/{package}/config.py",
        "            signing_key_from(self)\n",
        "            pass\n",
        JWT,
        tests=("tests/unit/test_config.py", "tests/unit/test_gunicorn_config.py"),
    ),
    *(
        Removal(
            "CORS origins compared as written, never as patterns",
            "src/{package}/config.py",
            'if origin != "*" and not ORIGIN.fullmatch(origin):',
            "if False:",
            framework,
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "request id sanitised",
            "src/{package}/request_id.py",
            "_SAFE_REQUEST_ID.fullmatch(incoming)",
            "incoming",
            framework,
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "page size cap",
            "src/{package}/tasks/schemas.py",
            "le=PAGE_SIZE_MAX)",
            ")",
            framework,
            tests=("tests/api/test_tasks.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "unknown fields refused",
            "src/{package}/tasks/schemas.py",
            'model_config = ConfigDict(extra="forbid")',
            "model_config = ConfigDict()",
            framework,
            tests=("tests/api/test_tasks.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "unknown query parameters refused by every operation",
            "src/{package}/schemas.py",
            'never silently ignored.\n    """\n\n    model_config = ConfigDict(extra="forbid")',
            'never silently ignored.\n    """\n\n    model_config = ConfigDict()',
            framework,
            tests=("tests/api/test_tasks.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "path and query integers are digits alone",
            "src/{package}/schemas.py",
            "if isinstance(value, str) and not re.fullmatch(DIGITS, value):",
            "if False:",
            framework,
            tests=("tests/api/test_tasks.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "Accept weights decide the version",
            "src/{package}/versioning.py",
            "weight = float(value)",
            "weight = 1.0",
            {**framework, "versioning": "header"},
            tests=("tests/unit/test_versioning.py", "tests/api/test_versions.py"),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "a refused version's answer carries no deprecation",
            "src/{package}/api/versions.py",
            "g.setdefault(VERSION_REFUSED, True)",
            "pass",
            {**FLASK, "versioning": versioning},
            tests=("tests/api/test_versions.py",),
        )
        for versioning in ("header", "query")
    ),
    *(
        Removal(
            "metrics listen where the API does",
            "gunicorn.conf.py",
            'os.environ.get("METRICS_HOST") or host_of(bind)',
            '"0.0.0.0"',
            {**framework, "metrics": "prometheus"},
            tests=("tests/unit/test_metrics.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    Removal(
        "metrics connections bounded",
        "src/{package}/metrics.py",
        "if self.slots.acquire(blocking=False):",
        "if True:",
        {"metrics": "prometheus"},
        tests=("tests/unit/test_metrics.py",),
    ),
    *(
        Removal(
            "strings checked as sent, as the document describes them",
            "src/{package}/tasks/schemas.py",
            'model_config = ConfigDict(extra="forbid")',
            'model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)',
            framework,
            tests=("tests/api/test_string_fields.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "docs off in production",
            "src/{package}/config.py",
            'data["environment"] is not Environment.PRODUCTION',
            "True",
            framework,
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "Swagger UI integrity-checked",
            "src/{package}/swagger_ui.py",
            'integrity="{SCRIPT_INTEGRITY}" crossorigin="anonymous"',
            "",
            framework,
            tests=("tests/api/test_docs.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "the server answers this machine only outside production",
            "gunicorn.conf.py",
            '"0.0.0.0" if os.environ.get("ENVIRONMENT") == "production" else "127.0.0.1"',
            '"0.0.0.0"',
            framework,
            tests=("tests/unit/test_gunicorn_config.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    Removal(
        "no local variables in logged tracebacks",
        "src/{package}/logs.py",
        "show_locals=False",
        "show_locals=True",
    ),
    Removal(
        "no local variables in console tracebacks",
        "src/{package}/logs.py",
        "exception_formatter=structlog.dev.plain_traceback",
        "exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=True)",
    ),
    Removal(
        "no statement values in logs and errors",
        "src/{package}/database.py",
        "hide_parameters=True",
        "hide_parameters=False",
        {"database": "sqlite"},
    ),
    # --- token verification (framework-free: the unit tests prove it once) ----------------
    Removal(
        "signature check",
        CLAIMS,
        REQUIRE,
        'options={"require": REQUIRED_CLAIMS, "verify_signature": False},',
        JWT,
    ),
    Removal(
        "signature check",
        CLAIMS,
        REQUIRE,
        'options={"require": REQUIRED_CLAIMS, "verify_signature": False},',
        OIDC,
    ),
    Removal(
        "audience check",
        CLAIMS,
        REQUIRE,
        'options={"require": REQUIRED_CLAIMS, "verify_aud": False},',
        JWT,
    ),
    Removal("issuer check", CLAIMS, "issuer=issuer,", "issuer=None,", OIDC),
    Removal(
        "expiry check",
        CLAIMS,
        REQUIRE,
        'options={"require": REQUIRED_CLAIMS, "verify_exp": False},',
        JWT,
    ),
    Removal("required claims", CLAIMS, REQUIRE, "options={},", OIDC),
    Removal(
        "key id check",
        "src/{package}/auth/tokens.py",
        "if unverified_key_id(token) != self._key.kid:",
        "if not unverified_key_id(token):",
        JWT,
    ),
    Removal(
        "access token type check",
        "src/{package}/auth/tokens.py",
        '.get("typ") != ACCESS_TOKEN_TYPE:',
        '.get("typ") is None:',
        JWT,
    ),
    Removal(
        "JWKS refetches spaced out",
        JWKS,
        "if attempted_at is not None and now - attempted_at < self._min_refresh_seconds:",
        "if False:",
        OIDC,
    ),
    Removal(
        "one JWKS fetch at a time",
        JWKS,
        "            if self._in_flight is not None:\n                return self._in_flight\n",
        "",
        OIDC,
    ),
    Removal(
        "cached keys answer while the key set is refetched",
        JWKS,
        "            if self._is_stale():\n                self._start_fetch()\n",
        "            if self._is_stale() and (fetch := self._start_fetch()):\n"
        "                fetch.wait(self._timeout)\n",
        OIDC,
    ),
    Removal(
        "one request at a time waits for a new key",
        JWKS,
        "        if self._fetched_at is None:\n            fetch.wait(self._timeout)\n",
        "        if True:\n            fetch.wait(self._timeout)\n",
        OIDC,
    ),
    Removal(
        "a JWKS fetch has a deadline",
        JWKS,
        "            if time.monotonic() > deadline:",
        "            if False:",
        OIDC,
    ),
    Removal(
        "JWKS redirects not followed",
        JWKS,
        "_opener = urllib.request.build_opener(_NoRedirects)",
        "_opener = urllib.request.build_opener()",
        OIDC,
    ),
    Removal(
        "production refuses a provider over plain http",
        "src/{package}/config.py",
        "if url and not served_securely(url, local_http=not self.is_production):",
        "if False:",
        OIDC,
    ),
    Removal(
        "access token type check",
        OIDC_VERIFIER,
        "if not isinstance(typ, str) or media_type(typ) != self._token_type:",
        "if False:",
        OIDC,
    ),
    Removal(
        "ID token claims refused",
        OIDC_VERIFIER,
        "if any(name in claims for name in ID_TOKEN_CLAIMS):",
        "if False:",
        OIDC,
    ),
    Removal(
        "allowed clients only",
        OIDC_VERIFIER,
        "return isinstance(client, str) and client in self._client_ids",
        "return True",
        OIDC,
    ),
    *(
        Removal(
            "subjects too long to store refused",
            CLAIMS,
            "not 0 < len(subject) <= SUBJECT_MAX_LENGTH",
            "not subject",
            auth,
        )
        for auth in (JWT, OIDC)
    ),
    *(
        Removal(
            "subjects with control characters refused",
            CLAIMS,
            "if not subject.isprintable():",
            "if False:",
            auth,
        )
        for auth in (JWT, OIDC)
    ),
    Removal(
        "symmetric algorithms refused for the identity provider",
        "src/{package}/config.py",
        "if not value or not set(value) <= allowed:",
        "if not value:",
        OIDC,
    ),
    Removal(
        "401 challenge header",
        "src/{package}/auth/errors.py",
        'return {"WWW-Authenticate": "Bearer"}',
        "return {}",
        JWT,
    ),
    # --- accounts and refresh tokens ------------------------------------------------------
    Removal(
        "refresh token reuse revokes the login",
        "src/{package}/auth/service.py",
        "            self._refresh_tokens.revoke_family(stored.family, now)\n",
        "",
        JWT,
    ),
    Removal(
        "refresh token used once",
        "src/{package}/auth/service.py",
        "if stored.used_at is None and self._refresh_tokens.mark_used(stored, now):",
        "if True:",
        JWT,
    ),
    Removal(
        "password rehash on login",
        "src/{package}/auth/service.py",
        "if self._passwords.needs_rehash(user.password_hash):",
        "if False:",
        JWT,
    ),
    Removal(
        "bounded concurrent password hashing",
        "src/{package}/auth/passwords.py",
        "self._slots = threading.BoundedSemaphore(size)",
        "self._slots = threading.BoundedSemaphore(1_000_000)",
        JWT,
    ),
    Removal(
        "one signing key, from one place",
        "src/{package}/config.py",
        "if self.jwt_private_key is not None and self.jwt_private_key_file is not None:",
        "if False:",
        JWT,
    ),
    Removal(
        "production refuses a missing signing key",
        "src/{package}/config.py",
        "if self.is_production and key_missing:",
        "if False:",
        JWT,
    ),
    # --- object ownership, in both frameworks ----------------------------------------------
    *(
        Removal(
            "ownership of one task",
            "src/{package}/tasks/repository.py",
            "select(Task).where(Task.id == task_id, Task.owner == self._owner)",
            "select(Task).where(Task.id == task_id)",
            {**framework, **auth},
            tests=("tests/api/test_ownership.py",),
        )
        for framework in (FASTAPI, FLASK)
        for auth in (JWT, OIDC)
    ),
    *(
        Removal(
            "ownership of the list",
            "src/{package}/tasks/repository.py",
            "query = select(Task).where(Task.owner == self._owner)",
            "query = select(Task)",
            framework,
            tests=("tests/api/test_ownership.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    # --- rate limits ------------------------------------------------------------------------
    Removal(
        "requests counted",
        "src/{package}/rate_limits.py",
        "if not self._limiter.hit(item, self._namespace, bucket, client):",
        "if False:",
        {"rate_limit": "memory"},
        tests=("tests/unit/test_rate_limits.py", "tests/api/test_rate_limits.py"),
    ),
    Removal(
        "counts in memory swept without a thread per sweep",
        "src/{package}/rate_limits.py",
        "        self.timer = Sweeper(self.SWEEP_SECONDS, weakref.ref(self))\n"
        "        self.timer.start()\n",
        "",
        {"rate_limit": "memory"},
        tests=("tests/unit/test_rate_limits.py",),
    ),
    Removal(
        "one count shared through Redis",
        "src/{package}/rate_limits.py",
        "self._namespace = namespace",
        'self._namespace = f"{namespace}-{id(self)}"',
        {"rate_limit": "redis"},
        tests=("tests/unit/test_rate_limits.py", "tests/api/test_shared_rate_limit.py"),
    ),
    Removal(
        "failed logins counted per account",
        "src/{package}/auth/service.py",
        "            self._login_attempts.count_failure(data.email)\n",
        "",
        {**JWT, "rate_limit": "memory"},
    ),
    # --- the FastAPI wiring -----------------------------------------------------------------
    Removal(
        "authentication of requests",
        "src/{package}/api/dependencies.py",
        "return authentication.authenticate(authorization)",
        'return Principal("alice")',
        {**FASTAPI, **JWT},
        tests=("tests/api/test_authorization.py",),
    ),
    Removal(
        "error headers sent",
        "src/{package}/api/errors.py",
        "exc.details, headers=exc.headers)",
        "exc.details)",
        {**FASTAPI, **JWT},
        tests=("tests/api/test_authorization.py",),
    ),
    Removal(
        "token responses never cached",
        "src/{package}/api/auth.py",
        '    response.headers["Cache-Control"] = "no-store"\n',
        "",
        {**FASTAPI, **JWT},
        tests=("tests/api/test_auth.py",),
    ),
    Removal(
        "rate limit middleware",
        "src/{package}/api/app.py",
        "            Middleware(\n"
        "                RateLimitMiddleware,\n"
        "                limiter=rate_limiter,\n"
        '                unlimited_prefix=f"{health.router.prefix}/",\n'
        "            ),\n",
        "",
        {**FASTAPI, "rate_limit": "memory"},
        tests=("tests/api/test_rate_limits.py",),
    ),
    Removal(
        "stricter limit on login",
        "src/{package}/api/app.py",
        '"/api/auth/login",',
        '"/api/auth/no-such-path",',
        {**FASTAPI, **JWT, "rate_limit": "memory"},
        tests=("tests/api/test_rate_limits.py",),
    ),
    # --- the Flask wiring --------------------------------------------------------------------
    Removal(
        "authentication of requests",
        "src/{package}/api/v1/tasks.py",
        "bp.before_request(require_principal)\n",
        "",
        # The versioned layout (api/v1/); every versioning but "none" has it.
        {**FLASK, **JWT, "versioning": "header"},
        tests=("tests/api/test_authorization.py",),
    ),
    Removal(
        "error headers sent",
        "src/{package}/api/errors.py",
        "error.details), error.status_code, error.headers",
        "error.details), error.status_code",
        {**FLASK, **JWT},
        tests=("tests/api/test_authorization.py",),
    ),
    Removal(
        "token responses never cached",
        "src/{package}/api/auth.py",
        'NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}',
        "NO_STORE: dict[str, str] = {}",
        {**FLASK, **JWT},
        tests=("tests/api/test_auth.py",),
    ),
    *(
        Removal(
            "X-Forwarded-For believed only from trusted proxies",
            "src/{package}/client_address.py",
            "if address is None or address not in self:",
            "if address is None:",
            framework,
            tests=("tests/unit/test_client_address.py", "tests/api/test_client_address.py"),
        )
        for framework in (FASTAPI, FLASK)
    ),
    *(
        Removal(
            "the Server header dropped",
            "src/{package}/api/server.py",
            old,
            new,
            framework,
            tests=("tests/api/test_server.py",),
        )
        for framework, old, new in (
            (FASTAPI, '"server_header": False,', '"server_header": True,'),
            (FLASK, 'if not line.startswith("Server:")', "if line"),
        )
    ),
    *(
        Removal(
            "a deadline for request heads",
            "src/{package}/api/server.py",
            old,
            new,
            framework,
            tests=("tests/api/test_server.py",),
        )
        for framework, old, new in (
            (FASTAPI, "self.closing.close_now()\n\n    def send_400", "pass\n\n    def send_400"),
            (FLASK, "else:\n                self.drop(conn)", "else:\n                pass"),
        )
    ),
    Removal(
        "a graceful close while the client may still be sending",
        "src/{package}/api/server.py",
        "if not self.protocol.client_may_be_sending() or",
        "if True or",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a body cut off ends its request at once",
        "src/{package}/api/server.py",
        "            self.cycle.disconnected = True\n            self.cycle.message_event.set()\n",
        "            pass\n",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a client that left is no application error",
        "src/{package}/api/middleware.py",
        "        except ClientDisconnect:\n            raise",
        "        except ClientDisconnect:\n            pass",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a stopping worker answers its keep-alive clients' next request",
        "src/{package}/api/server.py",
        "        self.draining = True\n",
        "        super().shutdown()\n        return\n",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a graceful close",
        "src/{package}/api/server.py",
        "            conn.sock.shutdown(socket.SHUT_WR)\n",
        "            conn.close()\n            return\n",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a graceful close that does not block the event loop",
        "src/{package}/api/server.py",
        "if fs.cancelled() or fs.exception() is not None or fs.result() is not False:",
        "if True:",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "chunked bodies read once, not again for each piece",
        "src/{package}/api/server.py",
        "        data = pending.received\n",
        "        data = pending.received\n"
        "        pending.next_chunk, pending.body_bytes = pending.head_end or 0, 0\n"
        "        pending.in_trailers = pending.chunk_end_due = False\n",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "chunked bodies over the limit refused by the worker",
        "src/{package}/api/server.py",
        "if pending.body_bytes > self.max_body_bytes:",
        "if False:",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a request framed twice refused",
        "src/{package}/api/server.py",
        'if b"transfer-encoding" in names and (',
        "if False and (",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "IPv6 clients counted by their /64",
        "src/{package}/rate_limits.py",
        "        client = client_key(client)\n",
        "",
        {"rate_limit": "memory"},
    ),
    Removal(
        "a deadline for request bodies (408)",
        "src/{package}/api/server.py",
        "        elif self.body_deadline is None:\n",
        "        elif False:\n",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "the request id unbound after the request",
        "src/{package}/api/middleware.py",
        "    app.teardown_request(end_request)\n",
        "",
        FLASK,
        tests=("tests/api/test_request_logs.py",),
    ),
    Removal(
        "HTTP/1.1 requests without Host refused",
        "src/{package}/api/server.py",
        'if request_line.endswith(b" HTTP/1.1") and header_value(head, b"host") is None:',
        "if False:",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "an Authorization header sent twice is no valid token",
        "src/{package}/api/dependencies.py",
        'authorization = ", ".join(request.headers.getlist("Authorization")) or None',
        'authorization = request.headers.get("Authorization")',
        {**FASTAPI, **JWT},
        tests=("tests/api/test_authorization.py",),
    ),
    Removal(
        "refused preflights get no CORS grants",
        "src/{package}/api/middleware.py",
        "    app.after_request(withhold_refused_preflight_grants)\n",
        "",
        FLASK,
        tests=("tests/api/test_cors.py",),
    ),
    Removal(
        "routes without versions never refuse one",
        "src/{package}/api/versions.py",
        'if rule is not None and rule.endpoint.split(".")[0] in VERSION_BLUEPRINTS:',
        "if True:",
        {**FLASK, "versioning": "header"},
        tests=("tests/api/test_versions.py",),
    ),
    *(
        Removal(
            "a database that cannot answer is a 503 to retry",
            "src/{package}/api/errors.py",
            old,
            new,
            framework,
            tests=("tests/api/test_errors.py",),
        )
        for framework, old, new in (
            (FASTAPI, "    **dict.fromkeys(UNAVAILABLE, handle_database_unavailable),\n", ""),
            (
                FLASK,
                "        app.register_error_handler(unavailable, handle_database_unavailable)\n",
                "        pass\n",
            ),
        )
    ),
    Removal(
        "request bodies read on the event loop",
        "src/{package}/api/server.py",
        "            return len(received) >= pending.end\n",
        "            return True\n",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a bound on the bodies a worker holds",
        "src/{package}/api/server.py",
        "        elif self.buffered > self.buffer_bytes:",
        "        elif False:",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "a deadline for request bodies (408)",
        "src/{package}/api/server.py",
        "if self.pending[conn].head_end is not None:",
        "if False:",
        FLASK,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "threads left free by a login flood",
        "gunicorn.conf.py",
        "if threads < MIN_THREADS:",
        "if False:",
        {**FLASK, **JWT},
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "request heads checked in the buffer",
        "src/{package}/api/server.py",
        "                self.check_buffered_head(self.trailing_data[0])\n",
        "                pass\n",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    Removal(
        "request heads checked once parsed",
        "src/{package}/api/server.py",
        "                self.check_request(event)\n",
        "                pass\n",
        FASTAPI,
        tests=("tests/api/test_server.py",),
    ),
    *(
        Removal(
            "a request id on the worker's own errors",
            "src/{package}/errors.py",
            '        f"{REQUEST_ID_HEADER}: {request_id}",\n',
            "",
            framework,
            tests=("tests/api/test_server.py",),
        )
        for framework in (FASTAPI, FLASK)
    ),
    Removal(
        "every body parse failure a 422",
        "src/{package}/api/errors.py",
        "exc.status_code == 400 and exc.__cause__ is not None",
        "exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError)",
        FASTAPI,
        tests=("tests/api/test_malformed_bodies.py",),
    ),
    Removal(
        "HEAD wherever GET",
        "src/{package}/api/app.py",
        "            Middleware(HeadMiddleware),\n",
        "",
        FASTAPI,
        tests=("tests/api/test_methods.py",),
    ),
    Removal(
        "OPTIONS answered with Allow",
        "src/{package}/api/errors.py",
        'if request.method == "OPTIONS":',
        "if False:",
        FASTAPI,
        tests=("tests/api/test_methods.py",),
    ),
    Removal(
        "refused preflights answered as any OPTIONS",
        "src/{package}/api/middleware.py",
        "                if response.status_code == 200:\n",
        "                if True:\n",
        FASTAPI,
        tests=("tests/api/test_cors.py",),
    ),
    Removal(
        "rate limit hook",
        "src/{package}/api/middleware.py",
        "    app.before_request(limit_rate)\n",
        "",
        {**FLASK, "rate_limit": "memory"},
        tests=("tests/api/test_rate_limits.py",),
    ),
    Removal(
        "stricter limit on login",
        "src/{package}/api/app.py",
        '"/api/auth/login",',
        '"/api/auth/no-such-path",',
        {**FLASK, **JWT, "rate_limit": "memory"},
        tests=("tests/api/test_rate_limits.py",),
    ),
    # --- API versions: a deprecated version announces its end ----------------------------
    # A project starts with one version: its tests deprecate one through the settings.
    *(
        Removal(
            "a deprecated version's headers",
            "src/{package}/api/versions.py",
            old,
            "deprecation = None",
            {**framework, "versioning": versioning},
            tests=("tests/api/test_versions.py",),
        )
        for framework, old in (
            (FASTAPI, "deprecation = deprecation_of(scope, self.deprecations)"),
            (FLASK, "deprecation = deprecations(current_app).get(version)"),
        )
        for versioning in ("url", "header", "query")
    ),
]
# The grown projects have added version 2 (tests/gates.py): version 1 is deprecated, and
# its lifecycle tests, which `apigen add version` wrote, fail without what announces it.
LIFECYCLE_TESTS = "tests/api/test_v1_lifecycle.py"
REMOVALS += [
    Removal(
        "version 1's deprecation",
        "src/{package}/config.py",
        "1: Deprecation(self.api_v1_deprecated_at, self.api_v1_sunset_at),",
        "",
        grown,
        tests=(LIFECYCLE_TESTS,),
    )
    for grown in GROWN
]
REMOVALS += [
    Removal(
        "version 1's headers",
        "src/{package}/api/versions.py",
        "deprecation = deprecation_of(scope, self.deprecations)",
        "deprecation = None",
        GROWN[0],
        tests=(LIFECYCLE_TESTS,),
    ),
    Removal(
        "version 1's operations are deprecated in OpenAPI",
        "src/{package}/api/app.py",
        "app.include_router(router, deprecated=api_version in deprecations)",
        "app.include_router(router)",
        GROWN[0],
        tests=(LIFECYCLE_TESTS,),
    ),
    Removal(
        "version 1's headers",
        "src/{package}/api/versions.py",
        "deprecation = deprecations(current_app).get(version)",
        "deprecation = None",
        GROWN[1],
        tests=(LIFECYCLE_TESTS,),
    ),
    Removal(
        "version 1's operations are deprecated in OpenAPI",
        "src/{package}/api/openapi.py",
        "deprecated=version in deprecated,",
        "deprecated=False,",
        GROWN[1],
        tests=(LIFECYCLE_TESTS,),
    ),
]

# An added resource's own defaults, in the grown projects of the cover (tests/gates.py),
# one per framework, both with auth: each removal fails the resource's generated tests.
RESOURCE_SCHEMAS = "src/{package}/projects/schemas.py"
RESOURCE_REPOSITORY = "src/{package}/projects/repository.py"
RESOURCE_TESTS = "tests/api/test_projects.py"
REFERRING_REPOSITORY = "src/{package}/line_items/repository.py"
REFERRING_TESTS = "tests/api/test_line_items.py"
REMOVALS += [
    removal
    for grown in GROWN[:2]
    for removal in (
        Removal(
            "an added resource refuses unknown fields",
            RESOURCE_SCHEMAS,
            'model_config = ConfigDict(extra="forbid")',
            "model_config = ConfigDict()",
            grown,
            tests=(f"{RESOURCE_TESTS}::test_create_refuses_unknown_fields",),
        ),
        Removal(
            "an added resource refuses null for a required field",
            RESOURCE_SCHEMAS,
            'raise ValueError("may be omitted but not null")',
            "return value",
            grown,
            tests=(f"{RESOURCE_TESTS}::test_update_refuses_null_for_a_required_field",),
        ),
        Removal(
            "an added resource refuses blank text",
            RESOURCE_SCHEMAS,
            "pattern=NOT_BLANK",
            'pattern=r"^"',
            grown,
            tests=(f"{RESOURCE_TESTS}::test_create_refuses_an_invalid_value",),
        ),
        Removal(
            "an added resource refuses text for an integer",
            RESOURCE_SCHEMAS,
            'raise ValueError("Input should be a valid integer")',
            "pass",
            grown,
            tests=(f"{RESOURCE_TESTS}::test_create_refuses_an_invalid_value",),
        ),
        Removal(
            "an added resource answers 409 for a taken unique value",
            RESOURCE_REPOSITORY,
            "raise ProjectConflictError() from error",
            "raise",
            grown,
            tests=(f"{RESOURCE_TESTS}::test_a_second_project_with_the_same_code_answers_409",),
        ),
        Removal(
            "an added resource hides another owner's objects",
            RESOURCE_REPOSITORY,
            ", Project.owner == self._owner)",
            ")",
            grown,
            tests=(f"{RESOURCE_TESTS}::test_another_users_project_answers_404",),
        ),
        Removal(
            "an added resource lists only the owner's objects",
            RESOURCE_REPOSITORY,
            "select(Project).where(Project.owner == self._owner)",
            "select(Project)",
            grown,
            tests=(
                f"{RESOURCE_TESTS}::test_another_users_projects_are_neither_listed_nor_counted",
            ),
        ),
        Removal(
            "an added resource refers only to the owner's objects",
            REFERRING_REPOSITORY,
            "model.id == object_id, model.owner == self._owner",
            "model.id == object_id",
            grown,
            tests=(f"{REFERRING_TESTS}::test_another_users_project_cannot_be_referred_to",),
        ),
        Removal(
            "an added resource refuses a reference to nothing",
            REFERRING_REPOSITORY,
            'raise LineItemReferenceError("project_id", "project")',
            "pass",
            grown,
            tests=(f"{REFERRING_TESTS}::test_create_refuses_a_project_id_of_no_project",),
        ),
    )
]
# SQLite keeps foreign keys only when asked: without it, deleting a project would leave its
# line items behind. Migrations turn them off: a batch rebuild would cascade.
REMOVALS += [
    Removal(
        "SQLite migrates with foreign keys off",
        "migrations/env.py",
        'connection.exec_driver_sql("PRAGMA foreign_keys = OFF")',
        "pass",
        GROWN[1],
        tests=("tests/unit/test_migrations.py::test_sqlite_migrates_with_its_foreign_keys_off",),
    ),
    Removal(
        "SQLite enforces foreign keys",
        "src/{package}/database.py",
        'event.listen(engine, "connect", enforce_foreign_keys)',
        "pass",
        GROWN[1],
        tests=(
            "tests/unit/test_database.py::test_the_database_keeps_its_foreign_keys",
            f"{REFERRING_TESTS}::test_deleting_the_project_deletes_its_line_items",
        ),
    ),
]

COMBINATIONS = {combination_id(r.combination): r.combination for r in REMOVALS}
# For each project the removals patch: every test file those removals rely on.
CONTROL_RUNS = {
    name: tuple(
        sorted({path for r in REMOVALS if r.combination == combination for path in r.guards})
    )
    for name, combination in sorted(COMBINATIONS.items())
}


def run_copy(
    project: Path,
    shared_venv: Path,
    tmp_path: Path,
    change: Callable[[Path], None],
    tests: tuple[str, ...] = ("tests",),
) -> subprocess.CompletedProcess[str]:
    """Copy the project, change the copy, and run the copy's tests against its own src."""
    copy = tmp_path / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".git", "*cache*", "*.db"))
    change(copy)
    # The copy's src comes first on sys.path, ahead of the installed original.
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run(
        [
            venv_tool(shared_venv, "python"),
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            # No guard uses hypothesis; its plugin would add most of a second to each run.
            "-p",
            "no:hypothesispytest",
            *tests,
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    "combination_name",
    [pytest.param(name, marks=on_one_worker(COMBINATIONS[name])) for name in CONTROL_RUNS],
)
def test_an_unchanged_copy_passes(
    combination_name: str,
    installed: Callable[[dict[str, str]], Path],
    shared_venv: Path,
    tmp_path: Path,
) -> None:
    """The same tests as the removals below, on the copy without a patch: they all pass."""
    project = installed(COMBINATIONS[combination_name])

    done = run_copy(project, shared_venv, tmp_path, lambda _: None, CONTROL_RUNS[combination_name])

    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    "removal",
    [pytest.param(r, marks=on_one_worker(r.combination)) for r in REMOVALS],
    ids=[f"{combination_id(r.combination)}-{r.control.replace(' ', '-')}" for r in REMOVALS],
)
def test_removing_a_default_fails_the_generated_tests(
    removal: Removal,
    installed: Callable[[dict[str, str]], Path],
    shared_venv: Path,
    tmp_path: Path,
) -> None:
    project = installed(removal.combination)

    def remove_the_control(copy: Path) -> None:
        target = copy / removal.path.format(package=project.name.replace("-", "_"))
        source = target.read_text()
        assert removal.old in source, (
            f"the template changed: update the removal of {removal.control}"
        )
        target.write_text(source.replace(removal.old, removal.new, 1))

    done = run_copy(project, shared_venv, tmp_path, remove_the_control, removal.guards)

    assert done.returncode == 1, f"the tests still pass without {removal.control}:\n{done.stdout}"
    assert " failed" in done.stdout
