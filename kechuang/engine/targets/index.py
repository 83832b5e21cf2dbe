"""The composite sci-tech finance index (科创金融指数) of regions × periods from chosen indicators.

Method (reproducible; see docs/targets.md):

1. **Normalise** each indicator over all (region, period) units with min–max to [0, 1]; for a
   lower-is-better indicator ``(max - x) / (max - min)``. A constant indicator scores 1 everywhere.
   Missing values score 0 and are reported.
2. **Weights**: given by experts (normalised to sum 1), or by the **entropy method**:
   ``p_ij = z_ij / Σ_i z_ij``, ``e_j = -1/ln(n) Σ_i p_ij ln p_ij`` (0 ln 0 = 0),
   ``d_j = 1 - e_j``, ``w_j = d_j / Σ d_j`` — indicators that differ more across units weigh more.
3. **Index** = 100 · Σ_j w_j z_ij; rank 1 = highest, ties share the lower rank number.
4. **Sensitivity**: each weight in turn multiplied by (1 ± ``step``) and all renormalised; for each
   perturbation the Spearman correlation of the new ranking with the base one and the largest rank
   move; plus ``draws`` Dirichlet-perturbed weight vectors (seeded, concentration ``100·w``) giving
   each unit's share of draws in which it keeps its rank.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

METHOD_VERSION = "kc-index-1"


@dataclass(frozen=True)
class IndexResult:
    units: list[str]
    indicators: list[str]
    weights: dict[str, float]
    normalised: list[list[float]]
    scores: list[float]
    ranks: list[int]
    missing: list[tuple[str, str]]
    sensitivity: list[dict] = field(default_factory=list)
    rank_stability: dict[str, float] = field(default_factory=dict)
    method: dict = field(default_factory=dict)


def normalise(matrix: np.ndarray, directions: list[str]) -> np.ndarray:
    """Min–max per column (NaN → 0 afterwards); lower-is-better columns reversed."""
    out = np.zeros_like(matrix, dtype=float)
    for j, direction in enumerate(directions):
        col = matrix[:, j]
        ok = ~np.isnan(col)
        if not ok.any():
            continue
        lo, hi = col[ok].min(), col[ok].max()
        if hi == lo:
            out[ok, j] = 1.0
            continue
        z = (col[ok] - lo) / (hi - lo) if direction != "lower" else (hi - col[ok]) / (hi - lo)
        out[ok, j] = z
    return out


def entropy_weights(z: np.ndarray) -> np.ndarray:
    """Entropy-method weights of the columns of the normalised matrix ``z`` (n units ≥ 2)."""
    n, m = z.shape
    if n < 2:
        return np.full(m, 1.0 / m)
    sums = z.sum(axis=0)
    d = np.zeros(m)
    for j in range(m):
        if sums[j] <= 0:
            continue  # no information: weight 0
        p = z[:, j] / sums[j]
        nz = p[p > 0]
        e = -float((nz * np.log(nz)).sum()) / math.log(n)
        d[j] = 1.0 - e
    if d.sum() <= 0:
        return np.full(m, 1.0 / m)
    return d / d.sum()


def ranks_of(scores: np.ndarray) -> list[int]:
    """Competition ranks: 1 for the highest score, equal scores share the better rank."""
    return [1 + int((scores > s + 1e-12).sum()) for s in scores]


def spearman(a: list[int], b: list[int]) -> float:
    ra, rb = np.asarray(a, float), np.asarray(b, float)
    if ra.std() == 0 or rb.std() == 0:
        return 1.0
    return float(np.corrcoef(ra, rb)[0, 1])


def compute_index(values: dict[tuple[str, str], float | None], *, units: list[str],
                  indicators: list[str], directions: dict[str, str] | None = None,
                  weights: dict[str, float] | None = None, step: float = 0.2, draws: int = 200,
                  seed: int = 20240101) -> IndexResult:
    """The index of ``units`` from ``values[(unit, indicator)]``; ``weights`` from experts, or
    ``None`` for the entropy method."""
    if not units or not indicators:
        raise ValueError("the index needs at least one unit and one indicator")
    directions = directions or {}
    dirs = [directions.get(i, "higher") for i in indicators]
    mat = np.array([[np.nan if values.get((u, i)) is None else float(values[(u, i)]) for i in indicators]
                    for u in units], dtype=float)
    missing = [(u, i) for a, u in enumerate(units) for b, i in enumerate(indicators) if np.isnan(mat[a, b])]
    z = normalise(mat, dirs)
    if weights is None:
        w = entropy_weights(z)
        source = "entropy"
    else:
        raw = np.array([max(0.0, float(weights.get(i, 0.0))) for i in indicators])
        if raw.sum() <= 0:
            raise ValueError("expert weights must have a positive sum")
        w = raw / raw.sum()
        source = "expert"
    scores = 100.0 * z @ w
    base_ranks = ranks_of(scores)
    sens = []
    for j, ind in enumerate(indicators):
        for sign in (-1, 1):
            w2 = w.copy()
            w2[j] *= 1 + sign * step
            w2 = w2 / w2.sum()
            r2 = ranks_of(100.0 * z @ w2)
            sens.append({"indicator": ind, "change": sign * step, "spearman": round(spearman(base_ranks, r2), 6),
                         "max_rank_move": max(abs(x - y) for x, y in zip(base_ranks, r2, strict=True))})
    rng = np.random.default_rng(seed)
    kept = np.zeros(len(units))
    alpha = np.maximum(100.0 * w, 1e-3)
    for _ in range(draws):
        r2 = ranks_of(100.0 * z @ rng.dirichlet(alpha))
        kept += np.asarray(r2) == np.asarray(base_ranks)
    stability = {u: float(kept[a] / draws) for a, u in enumerate(units)} if draws else {}
    return IndexResult(units=list(units), indicators=list(indicators),
                       weights={i: float(w[j]) for j, i in enumerate(indicators)},
                       normalised=z.tolist(), scores=[float(s) for s in scores], ranks=base_ranks,
                       missing=missing, sensitivity=sens, rank_stability=stability,
                       method={"version": METHOD_VERSION, "normalisation": "min-max", "weights": source,
                               "step": step, "draws": draws, "seed": seed})
