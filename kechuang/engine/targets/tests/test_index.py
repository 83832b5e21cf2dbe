"""The composite index on worked numbers: normalisation, entropy weights, ranks, sensitivity."""

import math

import pytest

from kechuang.engine.targets.index import compute_index, ranks_of


def _values(a, b):
    return {(u, "A"): x for u, x in zip("xyz", a, strict=True)} | {(u, "B"): x for u, x in zip("xyz", b, strict=True)}


def test_equal_entropy_gives_equal_weights_and_shared_ranks():
    r = compute_index(_values([1, 2, 3], [10, 30, 20]), units=list("xyz"), indicators=["A", "B"], draws=0)
    assert r.weights == pytest.approx({"A": 0.5, "B": 0.5})
    assert r.scores == pytest.approx([0.0, 75.0, 75.0])
    assert r.ranks == [3, 1, 1]


def test_entropy_weights_worked_example():
    # A → z [0, .5, 1]: p [0, 1/3, 2/3], e = (1/3 ln 3 + 2/3 ln 1.5)/ln 3; B → z [0, 0, 1]: e = 0
    e_a = ((1 / 3) * math.log(3) + (2 / 3) * math.log(1.5)) / math.log(3)
    d_a, d_b = 1 - e_a, 1.0
    r = compute_index(_values([1, 2, 3], [10, 10, 40]), units=list("xyz"), indicators=["A", "B"], draws=0)
    assert r.weights["A"] == pytest.approx(d_a / (d_a + d_b))
    assert r.weights["B"] == pytest.approx(d_b / (d_a + d_b))
    assert r.ranks == [3, 2, 1]


def test_expert_weights_lower_is_better_and_missing_values():
    r = compute_index(_values([1, 2, None], [5, 1, 3]), units=list("xyz"), indicators=["A", "B"],
                      directions={"B": "lower"}, weights={"A": 3, "B": 1}, draws=0)
    # A: z [0, 1, missing→0]; B lower: z [0, 1, .5]; weights .75/.25
    assert r.scores == pytest.approx([0.0, 100.0, 12.5])
    assert r.missing == [("z", "A")]


def test_sensitivity_is_reproducible_and_reports_rank_moves():
    vals = _values([1, 2, 3], [30, 20, 10])
    r1 = compute_index(vals, units=list("xyz"), indicators=["A", "B"], draws=50, seed=7)
    r2 = compute_index(vals, units=list("xyz"), indicators=["A", "B"], draws=50, seed=7)
    assert r1.rank_stability == r2.rank_stability
    assert len(r1.sensitivity) == 4
    # A and B exactly opposed with equal weights: all three tie; tilting any weight breaks the tie
    assert r1.ranks == [1, 1, 1]
    assert max(s["max_rank_move"] for s in r1.sensitivity) == 2


def test_ranks_share_ties():
    import numpy as np
    assert ranks_of(np.array([5.0, 7.0, 5.0])) == [2, 1, 2]
