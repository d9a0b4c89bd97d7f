"""The development `.env` of a new project: the settings of `.env.example` and a signing key.

The key is made on the user's machine and written only into `.env`, which the project's
`.gitignore` keeps out of git; production refuses to start without a key of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ENV_FILE = ".env"
EXAMPLE_FILE = ".env.example"
KEY_SETTING = "JWT_PRIVATE_KEY"
# A setting's line: NAME=value. A value in double quotes may go on over several lines.
SETTING = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


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


@dataclass
class EnvChanges:
    """What an update did to `.env`: settings it added and values it brought up to date."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    created: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.created)


def settings_of(text: str) -> dict[str, tuple[int, str]]:
    """Each setting of a dotenv text: its line number and value, quoted values whole."""
    found: dict[str, tuple[int, str]] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = SETTING.match(lines[index])
        start = index
        index += 1
        if match is None:
            continue
        value = match[2]
        if value.startswith('"') and (len(value) == 1 or not value.endswith('"')):
            # A quoted value over several lines (a PEM key): up to the closing quote.
            while index < len(lines) and not lines[index].endswith('"'):
                index += 1
            value = "\n".join([value, *lines[start + 1 : index + 1]])
            index += 1
        found[match[1]] = (start, value)
    return found


def synced_env(
    env: str, old_example: str, new_example: str, *, auth: str
) -> tuple[str, EnvChanges]:
    """`.env` brought in step with a new `.env.example`, keeping every value the user set.

    A setting the new example has and `.env` lacks is added; one whose value in `.env` is
    still the old example's takes the new example's value; anything else stays as it is,
    settings the new example no longer has included (the application ignores them).
    A project that now signs its own tokens gets a development key if it has none.
    """
    changes = EnvChanges()
    lines = env.splitlines()
    current, old, new = settings_of(env), settings_of(old_example), settings_of(new_example)
    for name, (_line, value) in new.items():
        if name not in current:
            changes.added.append(name)
            continue
        line, mine = current[name]
        if name in old and mine == old[name][1] and value != mine and "\n" not in mine:
            lines[line] = f"{name}={value}"
            changes.updated.append(name)
    text = "\n".join(lines).rstrip() + "\n"
    if changes.added:
        text += f"\n# Added by `apigen update` from {EXAMPLE_FILE}:\n"
        text += "".join(f"{name}={new[name][1]}\n" for name in changes.added)
    if auth == "jwt" and KEY_SETTING not in current:
        text += (
            "\n# Written by `apigen update` for development only; git ignores this file.\n"
            f'{KEY_SETTING}="{development_key_pem()}"\n'
        )
        changes.added.append(KEY_SETTING)
    return text, changes


def sync_development_env(
    project: Path, old_example: str | None, auth: str, *, new_example: str | None = None
) -> EnvChanges:
    """After an update: `.env` in step with the new answers, the user's values kept.

    A project without `.env` gets one only where `apigen new` would have written one (it
    signs its own tokens now); a symlinked `.env` is the user's arrangement and left alone.
    Given `new_example` (a dry run's, from a throwaway clone), nothing is written: the
    changes are what the update would make.
    """
    target = project / ENV_FILE
    example = project / EXAMPLE_FILE
    dry_run = new_example is not None
    if new_example is None:
        new_example = example.read_text() if example.is_file() else None
    if target.is_symlink() or new_example is None:
        return EnvChanges()
    if not target.exists():
        if dry_run:
            return EnvChanges(created=auth == "jwt")
        return EnvChanges(created=write_development_env(project, auth))
    text, changes = synced_env(target.read_text(), old_example or "", new_example, auth=auth)
    if changes and not dry_run:
        target.write_text(text)
    return changes
