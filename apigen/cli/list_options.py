"""`apigen options`: every option of `apigen new`, its choices and its default."""

from __future__ import annotations


def list_options() -> None:
    """List every option of `apigen new` with its flag, choices and default."""
    from rich.table import Table

    from apigen import console
    from apigen.options import OPTIONS

    table = Table(title="Options of apigen new", title_justify="left")
    for column in ("Flag", "Choices", "Default", "Help"):
        table.add_column(column)
    for option in OPTIONS:
        if option.derived_from:
            default = f"derived from {option.derived_from}"
        else:
            default = option.default or "(the destination's name, or my-api)"
        choices = ", ".join(option.values) if option.choices else "text"
        table.add_row(option.flag, choices, default, option.help)
    console.out().print(table)
