"""The `apigen` command line. Heavy imports wait inside the commands that need them."""

from __future__ import annotations

import signal
import sys
import traceback
from types import FrameType
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from apigen import __version__, console
from apigen.cli import add, list_options, new, remove, update
from apigen.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, ApigenError


def _without_flag_types(params: list[Any]) -> list[Any]:
    """A flag takes no value, so its help row names no type (`--yes`, not `--yes <bool>`)."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:  # Any: typer's vendored click Context
        return _without_flag_types(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:  # Any: typer's vendored click Context
        return _without_flag_types(super().get_params(ctx))


app = typer.Typer(
    name="apigen",
    cls=_Group,
    help="Generate production-grade FastAPI and Flask API projects that stay updatable.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("new", cls=_Command, no_args_is_help=False)(new.new)
app.command("update", cls=_Command)(update.update)
app.command("options", cls=_Command)(list_options.list_options)
add_app = typer.Typer(
    cls=_Group,
    help="Grow a generated project: add a resource or an API version.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
add_app.command("resource", cls=_Command)(add.resource)
add_app.command("version", cls=_Command)(add.version)
app.add_typer(add_app, name="add")
remove_app = typer.Typer(
    cls=_Group,
    help="Shrink a generated project: remove an API version after its sunset.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
remove_app.command("version", cls=_Command)(remove.version)
app.add_typer(remove_app, name="remove")


def _show_version(value: bool) -> None:
    if value:
        print(f"apigen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Show the version and exit.",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    """Generate production-grade FastAPI and Flask API projects that stay updatable."""


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so staging directories are removed on the way out."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors become one line on stderr and an exit code."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        command = typer.main.get_command(app)
        result = command.main(args=argv, prog_name="apigen", standalone_mode=False)
    except ApigenError as exc:
        console.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        console.error("interrupted; nothing was written")
        return EXIT_INTERRUPTED
    except typer.TyperException as exc:
        return _usage_error(exc)
    except Exception as exc:  # a bug in apigen, not a user mistake
        if console.debug_enabled():
            traceback.print_exc()
        console.error(f"internal error: {exc!r} (run again with APIGEN_DEBUG=1 for details)")
        return EXIT_FAILURE
    if result == EXIT_INTERRUPTED:  # typer turns KeyboardInterrupt into Exit(130) itself
        console.error("interrupted; nothing was written")
    return result if isinstance(result, int) else EXIT_OK


def _usage_error(exc: typer.TyperException) -> int:
    exit_code = getattr(exc, "exit_code", EXIT_USAGE)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if type(exc).__name__ == "NoArgsIsHelpError":  # `apigen` alone: the help is the message
        sys.stderr.write(message + "\n")
        return EXIT_USAGE
    if type(exc).__name__ == "Abort":
        console.error("aborted; nothing was written")
        return EXIT_INTERRUPTED
    command = getattr(getattr(exc, "ctx", None), "command_path", "apigen")
    one_line = " ".join(message.split())
    console.error(f"{one_line} (see '{command} --help')")
    return int(exit_code)
