"""Feature selection by information value and by pairwise correlation of WoE columns.

Candidates are taken in decreasing IV (ties: name). A feature is dropped when its IV is below
``min_iv`` (reason ``low_iv``, or its binning status — ``constant``, ``all_missing`` — when that
explains the zero IV), when the absolute Pearson correlation of its WoE column with an already kept
feature exceeds ``max_corr`` (reason ``correlated:<kept feature>``), or when ``max_features`` are
already kept (``max_features``). The result is deterministic.
"""

from __future__ import annotations

import numpy as np


def select_features(
    names: list[str],
    ivs: list[float],
    statuses: list[str],
    woe: np.ndarray,
    *,
    min_iv: float,
    max_corr: float,
    max_features: int | None,
) -> tuple[list[str], dict[str, str]]:
    """Return ``(kept names in IV order, {name: "kept" | drop reason})``."""
    order = sorted(range(len(names)), key=lambda j: (-ivs[j], names[j]))
    std = woe.std(axis=0)
    centred = woe - woe.mean(axis=0)
    cov = centred.T @ centred / max(woe.shape[0], 1)
    kept: list[int] = []
    log: dict[str, str] = {}
    for j in order:
        name = names[j]
        if ivs[j] < min_iv or std[j] == 0:
            log[name] = statuses[j] if statuses[j] in ("constant", "all_missing") else "low_iv"
            continue
        if max_features is not None and len(kept) >= max_features:
            log[name] = "max_features"
            continue
        clash = None
        for i in kept:
            corr = float(cov[j, i]) / (std[j] * std[i])
            if abs(corr) > max_corr:
                clash = names[i]
                break
        if clash is not None:
            log[name] = f"correlated:{clash}"
            continue
        kept.append(j)
        log[name] = "kept"
    return [names[j] for j in kept], log
