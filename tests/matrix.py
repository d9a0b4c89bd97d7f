"""Which combinations the tests render (all of them) and fully gate.

Every combination of the options in FULLY_GATED passes the full gates; any other option
joins them pairwise (each of its values meets each value of every other option at least
once), so the gated set grows slowly as options are added.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from apigen.options import valid_combinations

Unit = frozenset[tuple[str, str]]

# The web framework, the authentication and the rate limits change the most code: each of
# their combinations is gated in full.
FULLY_GATED = ("framework", "auth", "rate_limit")


def _units(combination: Mapping[str, str]) -> set[Unit]:
    """What a combination covers: its values, its pairs, and its fully gated core."""
    items = sorted(combination.items())
    singles = {frozenset([item]) for item in items}
    core = frozenset(item for item in items if item[0] in FULLY_GATED)
    return singles | {frozenset(pair) for pair in itertools.combinations(items, 2)} | {core}


def pairwise_combinations() -> list[dict[str, str]]:
    """A small set of valid combinations covering every core combination and every pair."""
    candidates = list(valid_combinations())
    uncovered = set().union(*(_units(c) for c in candidates))
    chosen: list[dict[str, str]] = []
    while uncovered:
        best = max(candidates, key=lambda c: len(_units(c) & uncovered))
        chosen.append(best)
        uncovered -= _units(best)
    return chosen
