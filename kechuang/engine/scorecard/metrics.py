"""Discrimination, calibration and stability metrics (numpy only, exact).

* :func:`roc_auc` — the Mann–Whitney statistic with average ranks for ties (exact).
* :func:`ks_statistic` — max |F_event − F_nonevent| over distinct score thresholds.
* :func:`gini` — 2·AUC − 1.
* :func:`psi` — Σ (a − e) · ln(a / e) over bins, shares floored at ``PSI_FLOOR``.
* :func:`stability_status` — ``stable`` below 0.1, ``watch`` from 0.1, ``alert`` from 0.25.
"""

from __future__ import annotations

import numpy as np

PSI_FLOOR = 1e-4
PSI_WATCH = 0.10
PSI_ALERT = 0.25


def _check(y, score):
    y = np.asarray(y)
    score = np.asarray(score, np.float64)
    if y.shape != score.shape or y.ndim != 1:
        raise ValueError(f"y {y.shape} and score {score.shape} must be equal 1-D shapes")
    return y.astype(bool), score


def roc_auc(y, score) -> float:
    """Probability that a random event scores above a random non-event (ties count ½)."""
    y, score = _check(y, score)
    n1 = int(y.sum())
    n0 = y.size - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("AUC needs both classes")
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    ends = np.r_[starts[1:], s.size]
    avg_rank = (starts + ends + 1) / 2.0  # 1-based average rank of each tie group
    ranks = np.empty(s.size)
    ranks[order] = np.repeat(avg_rank, ends - starts)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def ks_statistic(y, score) -> float:
    """Kolmogorov–Smirnov distance between the score distributions of events and non-events."""
    y, score = _check(y, score)
    n1 = int(y.sum())
    n0 = y.size - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("KS needs both classes")
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    yy = y[order]
    last = np.r_[s[1:] != s[:-1], True]  # evaluate only after a whole tie group
    c1 = np.cumsum(yy)[last] / n1
    c0 = np.cumsum(~yy)[last] / n0
    return float(np.max(np.abs(c1 - c0)))


def gini(y, score) -> float:
    return 2.0 * roc_auc(y, score) - 1.0


def psi(expected_counts, actual_counts) -> float:
    """Population stability index of two count vectors over the same bins."""
    e = np.asarray(expected_counts, np.float64)
    a = np.asarray(actual_counts, np.float64)
    if e.shape != a.shape:
        raise ValueError("expected and actual counts must have the same bins")
    if e.sum() <= 0 or a.sum() <= 0:
        raise ValueError("PSI needs rows on both sides")
    pe = np.maximum(e / e.sum(), PSI_FLOOR)
    pa = np.maximum(a / a.sum(), PSI_FLOOR)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


def stability_status(value: float, watch: float = PSI_WATCH, alert: float = PSI_ALERT) -> str:
    if value >= alert:
        return "alert"
    if value >= watch:
        return "watch"
    return "stable"


def calibration_table(y, pd, groups, labels: list[str]) -> list[dict]:
    """Rows per group index (0…len(labels)-1): count, events, observed rate, mean PD."""
    y = np.asarray(y, np.float64)
    pd = np.asarray(pd, np.float64)
    groups = np.asarray(groups)
    k = len(labels)
    n = np.bincount(groups, minlength=k)
    ev = np.bincount(groups, weights=y, minlength=k)
    sp = np.bincount(groups, weights=pd, minlength=k)
    rows = []
    for i, label in enumerate(labels):
        rows.append(
            {
                "group": label,
                "count": int(n[i]),
                "events": int(round(ev[i])),
                "observed_rate": float(ev[i] / n[i]) if n[i] else None,
                "mean_pd": float(sp[i] / n[i]) if n[i] else None,
            }
        )
    return rows
