"""apigen's error hierarchy; exit codes are decided here and nowhere else."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class ApigenError(Exception):
    """A failure the user can act on: shown as one line, without a traceback."""

    exit_code = EXIT_FAILURE


class UsageError(ApigenError):
    """The command line or the answers are wrong."""

    exit_code = EXIT_USAGE


class StepError(ApigenError):
    """A generation step (render, git) failed; nothing was left behind."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step} failed: {reason}")
