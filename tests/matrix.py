"""Which combinations the tests render (all of them) and fully gate (a pairwise cover).

Every valid combination is rendered and checked cheaply. The full gates (ruff, mypy, the
project's own tests, migrations, the server) run on a small set of combinations in which
every pair of option values appears at least once, and every combination of the options in
FULLY_GATED appears in full, so the gated set grows slowly as options are added.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping

from apigen.options import CHOICE_OPTIONS, combination_errors, valid_combinations

Unit = frozenset[tuple[str, str]]

# The web framework and the authentication change the most code: each of their
# combinations is gated in full. Every other option joins them pairwise.
FULLY_GATED = ("framework", "auth")


def _core(combination: Mapping[str, str]) -> Unit:
    return frozenset((name, combination[name]) for name in FULLY_GATED)


def _units(combination: Mapping[str, str]) -> set[Unit]:
    """What a combination covers: its pairs of values and its fully gated core."""
    items = sorted(combination.items())
    return {frozenset(pair) for pair in itertools.combinations(items, 2)} | {_core(combination)}


def _all_units(combinations: Iterable[Mapping[str, str]]) -> set[Unit]:
    return set().union(*(_units(c) for c in combinations))


def _weight(unit: Unit, uncovered: set[Unit]) -> int:
    """How many uncovered units share a value with this one."""
    return sum(len(unit & other) for other in uncovered)


def _build_row(seed: Unit, uncovered: set[Unit]) -> dict[str, str]:
    """Grow a combination from a seed, each option taking the value that covers most."""
    row = dict(seed)
    for option in sorted(CHOICE_OPTIONS, key=lambda option: -len(option.values)):
        if option.name in row:
            continue

        def gain(value: str, name: str = option.name) -> tuple[int, int]:
            item = (name, value)
            now = sum(frozenset([item, other]) in uncovered for other in row.items())
            later = sum(item in unit for unit in uncovered)
            return now, later

        row[option.name] = max(option.values, key=gain)
    return row


@functools.cache
def _cover() -> tuple[tuple[tuple[str, str], ...], ...]:
    valid = list(valid_combinations())
    uncovered = _all_units(valid)
    chosen: list[dict[str, str]] = []
    while uncovered:
        # Cores first (one row each), then the pair whose values are least covered so far.
        seed = min(
            uncovered,
            key=lambda unit: (
                len(unit) != len(FULLY_GATED),
                -_weight(unit, uncovered),
                sorted(unit),
            ),
        )
        row = _build_row(seed, uncovered)
        if combination_errors(row):
            # A constraint ruled the greedy row out: take the best valid row with the seed.
            row = max(
                (c for c in valid if seed <= c.items()),
                key=lambda c: len(_units(c) & uncovered),
            )
        chosen.append(row)
        uncovered -= _units(row)
    return tuple(tuple(row.items()) for row in chosen)


def pairwise_combinations() -> list[dict[str, str]]:
    """A small set of valid combinations covering every core combination and every pair."""
    return [dict(row) for row in _cover()]


def value_cover() -> list[dict[str, str]]:
    """A few gated combinations in which every value of every option appears at least once."""
    chosen: list[dict[str, str]] = []
    missing = {item for combination in pairwise_combinations() for item in combination.items()}
    while missing:
        best = max(pairwise_combinations(), key=lambda c: len(missing & c.items()))
        chosen.append(best)
        missing -= best.items()
    return chosen


# What decides which operations a project's OpenAPI document has, and how they are read.
CONTRACT_OPTIONS = ("framework", "versioning")


def contract_cover() -> list[dict[str, str]]:
    """The fewest gated combinations holding every framework and every versioning mode.

    Their gates run the contract test at the size a project runs it by default; projects
    that issue their own tokens come first, as their documents have the most operations.
    """
    chosen: list[dict[str, str]] = []
    missing = {
        (name, combination[name])
        for combination in pairwise_combinations()
        for name in CONTRACT_OPTIONS
    }
    while missing:
        best = max(
            pairwise_combinations(),
            key=lambda c: (len(missing & c.items()), c["auth"] == "jwt"),
        )
        chosen.append(best)
        missing -= best.items()
    return chosen


if __name__ == "__main__":
    from apigen.options import combination_id

    for combination in pairwise_combinations():
        print(combination_id(combination))
