"""WoE/IV formulas and the optimal-merge DP against hand-computed cases and a brute-force oracle."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kechuang.engine.scorecard.optimal import (
    cart_prebins,
    merge_prebins,
    quantile_prebins,
    woe_iv,
)


def test_woe_iv_two_bins_match_the_textbook_formulas():
    # given bin A: 10 bad / 40 good, bin B: 30 bad / 20 good (totals 40 bad, 60 good)
    woe, iv = woe_iv(np.array([10, 30]), np.array([40, 20]), 40, 60)
    # then WoE = ln(%good / %bad) and IV = Σ (%good − %bad)·WoE
    assert woe[0] == pytest.approx(math.log(8 / 3), abs=1e-15)
    assert woe[1] == pytest.approx(math.log(4 / 9), abs=1e-15)
    assert iv[0] == pytest.approx(5 / 12 * math.log(8 / 3), abs=1e-15)
    assert iv[1] == pytest.approx(5 / 12 * math.log(9 / 4), abs=1e-15)
    assert iv.sum() == pytest.approx(5 / 12 * math.log(6), abs=1e-15)


def test_woe_zero_count_uses_half_and_empty_bin_is_neutral():
    woe, iv = woe_iv(np.array([0, 10, 0]), np.array([10, 10, 0]), 10, 20)
    assert woe[0] == pytest.approx(math.log((10 / 20) / (0.5 / 10)))
    assert (woe[2], iv[2]) == (0.0, 0.0)


def _iv_of(segments, n, e, E, G):
    ev = np.array([e[s : t + 1].sum() for s, t in segments])
    nn = np.array([n[s : t + 1].sum() for s, t in segments])
    return float(woe_iv(ev, nn - ev, E, G)[1].sum())


def _brute_force(n, e, *, min_n, max_n_bins, trend, gap):
    """Best IV over every contiguous partition satisfying the constraints (the oracle)."""
    P = len(n)
    E, G = e.sum(), n.sum() - e.sum()
    best = -1.0
    for cuts in itertools.product([False, True], repeat=P - 1):
        segs, start = [], 0
        for i, c in enumerate(cuts):
            if c:
                segs.append((start, i))
                start = i + 1
        segs.append((start, P - 1))
        if max_n_bins is not None and len(segs) > max_n_bins:
            continue
        sizes = [n[s : t + 1].sum() for s, t in segs]
        if len(segs) > 1 and min(sizes) < min_n:
            continue
        if len(segs) == 1 and sizes[0] < min_n:
            continue
        rates = [e[s : t + 1].sum() / n[s : t + 1].sum() for s, t in segs]
        d = np.diff(rates)
        g = max(gap, 1e-12)
        if trend == "ascending":
            ok = all(x >= g for x in d)
        elif trend == "descending":
            ok = all(-x >= g for x in d)
        elif trend == "none":
            ok = all(abs(x) >= g for x in d)
        else:
            sign = 1 if trend == "peak" else -1
            k = 0
            while k < len(d) and sign * d[k] >= g:
                k += 1
            ok = all(-sign * x >= g for x in d[k:])
        if ok:
            best = max(best, _iv_of(segs, n, e, E, G))
    return best


def _merge(n, e, **kw):
    return merge_prebins(n, e, total_events=e.sum(), total_nonevents=n.sum() - e.sum(), **kw)


@pytest.mark.parametrize(
    ("trend", "expected"),
    [
        pytest.param("ascending", ((0, 0), (1, 2), (3, 3)), id="ascending merges the dip"),
        pytest.param("descending", ((0, 3),), id="descending on rising data is one bin"),
        pytest.param("none", ((0, 0), (1, 1), (2, 2), (3, 3)), id="no trend keeps every prebin"),
    ],
)
def test_dp_known_optimum(trend, expected):
    # given rates 0.1, 0.4, 0.2, 0.5 in four prebins of 100 rows
    n, e = np.array([100] * 4), np.array([10, 40, 20, 50])
    result = _merge(n, e, min_n=1, max_n_bins=None, trend=trend)
    assert result.segments == expected
    assert result.iv == pytest.approx(_iv_of(expected, n, e, 120, 280), abs=1e-12)


def test_dp_peak_keeps_a_rise_then_fall_that_ascending_must_merge():
    n, e = np.array([100] * 4), np.array([10, 30, 50, 20])
    assert _merge(n, e, min_n=1, max_n_bins=None, trend="peak").segments == (
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
    )
    assert _merge(n, e, min_n=1, max_n_bins=None, trend="ascending").segments == (
        (0, 0),
        (1, 1),
        (2, 3),
    )
    valley = np.array([50, 30, 10, 40])
    assert _merge(n, valley, min_n=1, max_n_bins=None, trend="valley").segments == (
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
    )
    assert _merge(n, valley, min_n=1, max_n_bins=None, trend="descending").segments == (
        (0, 0),
        (1, 1),
        (2, 3),
    )


def test_dp_min_size_and_max_bins():
    n, e = np.array([100] * 4), np.array([10, 20, 30, 40])
    assert _merge(n, e, min_n=150, max_n_bins=None, trend="ascending").segments == ((0, 1), (2, 3))
    assert _merge(n, e, min_n=1, max_n_bins=2, trend="ascending").segments == ((0, 1), (2, 3))
    assert len(_merge(n, e, min_n=1, max_n_bins=None, trend="ascending").segments) == 4


def test_dp_min_gap_forces_merges():
    n, e = np.array([100] * 4), np.array([10, 12, 30, 33])
    assert _merge(n, e, min_n=1, max_n_bins=None, trend="ascending", min_gap=0.1).segments == (
        (0, 1),
        (2, 3),
    )


def test_dp_ties_prefer_fewer_bins():
    # two prebins with the same rate: splitting them adds no IV, the DP keeps one bin
    n, e = np.array([100, 100, 100]), np.array([10, 10, 40])
    assert _merge(n, e, min_n=1, max_n_bins=None, trend="ascending").segments == ((0, 1), (2, 2))


@settings(max_examples=120, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(1, 60), st.integers(0, 60)), min_size=1, max_size=7),
    trend=st.sampled_from(["ascending", "descending", "peak", "valley", "none"]),
    min_n=st.integers(1, 80),
    max_n_bins=st.one_of(st.none(), st.integers(1, 4)),
    gap=st.sampled_from([0.0, 0.05]),
)
def test_dp_equals_brute_force(data, trend, min_n, max_n_bins, gap):
    n = np.array([a for a, _ in data])
    e = np.array([min(a, b) for a, b in data])
    if e.sum() == 0 or e.sum() == n.sum():
        e[0] = 1 if e.sum() == 0 else e[0]
        n[0] = max(n[0], 2)
    result = _merge(n, e, min_n=min_n, max_n_bins=max_n_bins, trend=trend, min_gap=gap)
    oracle = _brute_force(n, e, min_n=min_n, max_n_bins=max_n_bins, trend=trend, gap=gap)
    if oracle < 0:  # nothing feasible (one bin smaller than min_n): the DP falls back to one bin
        assert result.segments == ((0, len(n) - 1),)
    else:
        assert result.iv == pytest.approx(oracle, abs=1e-9)
        assert _iv_of(result.segments, n, e, e.sum(), n.sum() - e.sum()) == pytest.approx(
            result.iv, abs=1e-12
        )


def test_quantile_prebins_never_split_a_key():
    n = np.array([50, 1, 1, 1, 1, 46])
    assert quantile_prebins(n, 4) == [(0, 0), (1, 5)]
    assert quantile_prebins(np.array([3, 3]), 4) == [(0, 0), (1, 1)]


def test_cart_prebins_split_where_the_rate_changes():
    # given keys whose event rate jumps after the 3rd key
    n = np.array([10, 10, 10, 10, 10, 10])
    e = np.array([1, 1, 1, 8, 8, 8])
    assert cart_prebins(n, e, 2, 1) == [(0, 2), (3, 5)]
    # min leaf size 40 rows leaves no admissible split
    assert cart_prebins(n, e, 4, 40) == [(0, 5)]
