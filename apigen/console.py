"""The one place apigen talks to people: status on stderr, results on stdout."""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@cache
def err() -> Console:
    """Progress, warnings and errors."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@cache
def out() -> Console:
    """Results a user may want to keep or pipe: trees, tables, next steps."""
    from rich.console import Console

    return Console(highlight=False)


def error(message: str) -> None:
    """One line on stderr, the same shape for every user error."""
    sys.stderr.write(f"apigen: error: {message}\n")
    sys.stderr.flush()


def warn(message: str) -> None:
    """One line on stderr for something the user should know but that did not stop apigen."""
    sys.stderr.write(f"apigen: warning: {message}\n")
    sys.stderr.flush()


def debug_enabled() -> bool:
    """APIGEN_DEBUG=1 shows tracebacks of unexpected errors."""
    return os.environ.get("APIGEN_DEBUG", "") not in ("", "0")


def is_interactive() -> bool:
    """Prompts need a person at a terminal on both ends."""
    return sys.stdin.isatty() and sys.stdout.isatty()
