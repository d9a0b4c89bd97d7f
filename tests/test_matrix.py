"""The pairwise cover really covers every pair of option values."""

from __future__ import annotations

import itertools

from apigen.options import valid_combinations
from tests.matrix import (
    CONTRACT_OPTIONS,
    FULLY_GATED,
    contract_cover,
    pairwise_combinations,
    value_cover,
)


def test_every_valid_pair_of_values_is_in_a_gated_combination() -> None:
    gated = pairwise_combinations()
    for combination in valid_combinations():
        for (a, va), (b, vb) in itertools.combinations(sorted(combination.items()), 2):
            assert any(c[a] == va and c[b] == vb for c in gated), (a, va, b, vb)
    for combination in valid_combinations():
        for name, value in combination.items():
            assert any(c[name] == value for c in gated), (name, value)


def test_the_cover_is_not_larger_than_the_full_matrix() -> None:
    assert len(pairwise_combinations()) <= len(list(valid_combinations()))


def test_every_combination_of_the_core_options_is_gated() -> None:
    gated = {tuple(c[name] for name in FULLY_GATED) for c in pairwise_combinations()}
    valid = {tuple(c[name] for name in FULLY_GATED) for c in valid_combinations()}

    assert gated == valid


def test_the_value_cover_passes_every_value_of_every_option() -> None:
    covered = {item for combination in value_cover() for item in combination.items()}

    assert covered == {item for c in valid_combinations() for item in c.items()}


def test_the_contract_cover_holds_every_framework_and_versioning_mode() -> None:
    covered = {(name, c[name]) for c in contract_cover() for name in CONTRACT_OPTIONS}
    valid = {(name, c[name]) for c in valid_combinations() for name in CONTRACT_OPTIONS}

    assert covered == valid
    assert len(contract_cover()) < len(pairwise_combinations())
