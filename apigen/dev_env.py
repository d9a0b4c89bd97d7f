"""The development `.env` of a new project: the settings of `.env.example` and a signing key.

The key is made on the user's machine and written only into `.env`, which the project's
`.gitignore` keeps out of git; production refuses to start without a key of its own.
"""

from __future__ import annotations

from pathlib import Path

ENV_FILE = ".env"
EXAMPLE_FILE = ".env.example"


def development_key_pem() -> str:
    """A new ES256 (P-256) private key in PKCS#8 PEM, the format the project's settings read."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def env_text(example: str) -> str:
    """`.env.example` plus a development signing key."""
    return (
        f"{example.rstrip()}\n\n"
        "# Written by `apigen new` for development only; git ignores this file.\n"
        f'JWT_PRIVATE_KEY="{development_key_pem()}"\n'
    )


def write_development_env(project: Path, auth: str) -> bool:
    """Write `.env` for a project that signs its own tokens; a user's `.env` is never touched.

    Returns whether a file was written.
    """
    target = project / ENV_FILE
    if auth != "jwt" or target.exists() or target.is_symlink():
        return False
    target.write_text(env_text((project / EXAMPLE_FILE).read_text()))
    target.chmod(0o600)
    return True
