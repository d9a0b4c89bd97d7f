"""Which combinations the tests render (all of them) and fully gate (a pairwise cover)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from apigen.options import valid_combinations

Pair = frozenset[tuple[str, str]]


def _pairs(combination: Mapping[str, str]) -> set[Pair]:
    items = sorted(combination.items())
    singles = {frozenset([item]) for item in items}
    return singles | {frozenset(pair) for pair in itertools.combinations(items, 2)}


def pairwise_combinations() -> list[dict[str, str]]:
    """A small set of valid combinations in which every valid pair of values appears."""
    candidates = list(valid_combinations())
    uncovered = set().union(*(_pairs(c) for c in candidates))
    chosen: list[dict[str, str]] = []
    while uncovered:
        best = max(candidates, key=lambda c: len(_pairs(c) & uncovered))
        chosen.append(best)
        uncovered -= _pairs(best)
    return chosen
