"""WoE/IV and the exact dynamic programme that merges prebins into optimal bins.

Conventions (Siddiqi's): the *event* is default ("bad"); for a bin with ``b`` events and ``g``
non-events out of totals ``B`` and ``G``::

    WoE = ln( (g / G) / (b / B) )          # positive = safer than average
    IV  = Σ (g/G − b/B) · WoE

A zero count is replaced by 0.5 in these two formulas (a documented continuity correction), so a
pure bin has a large but finite WoE. Bins with no rows at all (an empty missing or special bin) get
WoE 0 and IV 0.

The merge of ``P`` ordered prebins into contiguous bins maximises total IV subject to:
each bin holds at least ``min_n`` rows; at most ``max_n_bins`` bins; adjacent event rates differ by
at least ``min_gap`` (and strictly); and the event-rate trend is ``ascending``, ``descending``,
``peak`` (rises then falls), ``valley`` (falls then rises) or ``none``. It is an exact DP over
states (bins used, phase, last bin) — O(K·P³) with numpy over one axis — so the optimum is the true
optimum, not a solver's approximation, and ties are broken deterministically: the fewest bins, then
the earliest phase and the earliest last-bin start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ZERO_COUNT = 0.5
_TOL = 1e-12

TRENDS = ("ascending", "descending", "peak", "valley", "none")


def woe_iv(events: np.ndarray, nonevents: np.ndarray, total_events: float, total_nonevents: float):
    """Per-bin WoE and IV (arrays), with the 0.5 correction and empty bins at 0."""
    events = np.asarray(events, np.float64)
    nonevents = np.asarray(nonevents, np.float64)
    db = np.maximum(events, ZERO_COUNT) / max(total_events, ZERO_COUNT)
    dg = np.maximum(nonevents, ZERO_COUNT) / max(total_nonevents, ZERO_COUNT)
    woe = np.log(dg / db)
    iv = (dg - db) * woe
    empty = (events + nonevents) == 0
    woe[empty] = 0.0
    iv[empty] = 0.0
    return woe, iv


@dataclass(frozen=True)
class MergeResult:
    """Bins as prebin index ranges ``[(start, stop_inclusive), ...]`` and their total IV."""

    segments: tuple[tuple[int, int], ...]
    iv: float
    trend: str


def _relations(trend: str):
    asc = lambda p, n, g: n - p >= g  # noqa: E731
    desc = lambda p, n, g: p - n >= g  # noqa: E731
    both = lambda p, n, g: np.abs(n - p) >= g  # noqa: E731
    if trend == "ascending":
        return 1, [(0, 0, asc)]
    if trend == "descending":
        return 1, [(0, 0, desc)]
    if trend == "peak":
        return 2, [(0, 0, asc), (0, 1, desc), (1, 1, desc)]
    if trend == "valley":
        return 2, [(0, 0, desc), (0, 1, asc), (1, 1, asc)]
    if trend == "none":
        return 1, [(0, 0, both)]
    raise ValueError(f"unknown trend {trend!r}")


def merge_prebins(
    n: np.ndarray,
    e: np.ndarray,
    *,
    total_events: float,
    total_nonevents: float,
    min_n: int,
    max_n_bins: int | None,
    trend: str,
    min_gap: float = 0.0,
) -> MergeResult:
    """Optimal contiguous merge of prebins (see module doc). Always feasible: one bin is."""
    n = np.asarray(n, np.int64)
    e = np.asarray(e, np.int64)
    P = n.size
    if P == 0:
        return MergeResult((), 0.0, trend)
    cn = np.r_[0, np.cumsum(n)]
    ce = np.r_[0, np.cumsum(e)]
    # segment [a, b] tables
    seg_n = (cn[None, 1:] - cn[:-1, None]).astype(np.float64)
    seg_e = (ce[None, 1:] - ce[:-1, None]).astype(np.float64)
    upper = np.triu(np.ones((P, P), bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(seg_n > 0, seg_e / np.where(seg_n > 0, seg_n, 1), 0.0)
    _, iv = woe_iv(
        np.where(upper, seg_e, 0), np.where(upper, seg_n - seg_e, 0), total_events, total_nonevents
    )
    feasible = upper & (seg_n >= max(min_n, 1))
    gap = max(float(min_gap), _TOL)

    single = MergeResult(((0, P - 1),), float(iv[0, P - 1]), trend)
    if not feasible[0, P - 1]:
        return MergeResult(((0, P - 1),), float(iv[0, P - 1]), trend)
    K = P if max_n_bins is None else max(1, min(int(max_n_bins), P))
    n_phase, relations = _relations(trend)
    neg = -np.inf
    V = np.full((K, n_phase, P, P), neg)
    bp_phase = np.zeros((K, n_phase, P, P), np.int8)
    bp_start = np.zeros((K, n_phase, P, P), np.int32)
    V[0, 0, 0, :] = np.where(feasible[0], iv[0], neg)
    if K > 1:
        for b in range(P - 1):
            nxt = slice(b + 1, P)
            r_prev = rate[: b + 1, b]
            r_next = rate[b + 1, nxt]
            t_next = np.where(feasible[b + 1, nxt], iv[b + 1, nxt], neg)
            if not np.isfinite(t_next).any():
                continue
            for ph_from, ph_to, rel in relations:
                prev = V[: K - 1, ph_from, : b + 1, b]  # (K-1, A)
                if not np.isfinite(prev).any():
                    continue
                ok = rel(r_prev[:, None], r_next[None, :], gap)  # (A, C)
                cand = np.where(ok[None, :, :], prev[:, :, None], neg)  # (K-1, A, C)
                a_best = np.argmax(cand, axis=1)  # first maximum: earliest start
                best = np.take_along_axis(cand, a_best[:, None, :], axis=1)[:, 0, :]
                val = best + t_next[None, :]
                cur = V[1:, ph_to, b + 1, nxt]
                upd = np.isfinite(val) & (val > cur + _TOL)
                V[1:, ph_to, b + 1, nxt] = np.where(upd, val, cur)
                bp_phase[1:, ph_to, b + 1, nxt] = np.where(
                    upd, ph_from, bp_phase[1:, ph_to, b + 1, nxt]
                )
                bp_start[1:, ph_to, b + 1, nxt] = np.where(
                    upd, a_best, bp_start[1:, ph_to, b + 1, nxt]
                )
    final = V[:, :, :, P - 1]
    best_val = final.max()
    if not np.isfinite(best_val):
        return single
    k, ph, a = (int(i) for i in np.argwhere(final >= best_val - _TOL)[0])
    segments = []
    b = P - 1
    while True:
        segments.append((a, b))
        if k == 0:
            break
        ph, a, b = int(bp_phase[k, ph, a, b]), int(bp_start[k, ph, a, b]), a - 1
        k -= 1
    segments.reverse()
    total = float(sum(iv[s, t] for s, t in segments))
    return MergeResult(tuple(segments), total, trend)


def quantile_prebins(n: np.ndarray, max_n_prebins: int) -> list[tuple[int, int]]:
    """Group sorted keys with counts ``n`` into at most ``max_n_prebins`` equal-frequency prebins.

    Returns key index ranges ``(start, stop_inclusive)``. A key is never split (ties stay together),
    so heavy values can make fewer, larger prebins.
    """
    m = n.size
    if m == 0:
        return []
    if m <= max_n_prebins:
        return [(i, i) for i in range(m)]
    cum = np.cumsum(n)
    total = cum[-1]
    targets = total * np.arange(1, max_n_prebins) / max_n_prebins
    ends = np.unique(np.searchsorted(cum, targets, side="left"))
    ends = ends[ends < m - 1].tolist() + [m - 1]
    out, start = [], 0
    for end in ends:
        out.append((start, int(end)))
        start = int(end) + 1
    return out


def ceil_share(share: float, total: int) -> int:
    """Rows needed for a bin holding at least ``share`` of ``total`` rows."""
    return int(math.ceil(share * total - 1e-9))


def _best_split(n: np.ndarray, e: np.ndarray, start: int, stop: int, min_n: int):
    """Best Gini split of keys ``start..stop`` (inclusive): ``(gain, last key of the left part)``."""
    if stop <= start:
        return 0.0, -1
    cn = np.cumsum(n[start : stop + 1], dtype=np.float64)
    ce = np.cumsum(e[start : stop + 1], dtype=np.float64)
    N, E = cn[-1], ce[-1]
    nl, el = cn[:-1], ce[:-1]
    nr, er = N - nl, E - el
    ok = (nl >= min_n) & (nr >= min_n)
    if not ok.any():
        return 0.0, -1
    with np.errstate(divide="ignore", invalid="ignore"):
        child = np.where(ok, el * (nl - el) / nl + er * (nr - er) / nr, np.inf)
    parent = E * (N - E) / N
    j = int(np.argmin(child))  # first minimum: leftmost split among equals
    gain = 2.0 * (parent - child[j])  # Gini impurity decrease weighted by rows
    if not gain > 1e-12:
        return 0.0, -1
    return float(gain), start + j


def cart_prebins(
    n: np.ndarray, e: np.ndarray, max_n_prebins: int, min_n: int
) -> list[tuple[int, int]]:
    """Supervised prebins: a best-first Gini tree over the sorted keys (CART with
    ``max_leaf_nodes = max_n_prebins`` and ``min_samples_leaf = min_n``), computed from the
    counts alone — deterministic (largest gain first; ties: leftmost leaf, leftmost split)."""
    m = n.size
    if m == 0:
        return []
    min_n = max(int(min_n), 1)
    leaves = [(0, m - 1, *_best_split(n, e, 0, m - 1, min_n))]
    while len(leaves) < max_n_prebins:
        best = max(range(len(leaves)), key=lambda i: (leaves[i][2], -i))
        s, t, gain, cut = leaves[best]
        if gain <= 0.0 or cut < 0:
            break
        left = (s, cut, *_best_split(n, e, s, cut, min_n))
        right = (cut + 1, t, *_best_split(n, e, cut + 1, t, min_n))
        leaves[best : best + 1] = [left, right]
    return [(s, t) for s, t, _, _ in leaves]
