"""The CAMEL+RR composite rating of one organisation from its latest report's indicators and
breaches, its inspection findings and its status; weights and scoring bands come from the rule
set's ``[rating]`` table (method: docs/supervision.md).

Components (0–100): capital (C), asset quality (A), management (M), earnings (E), liquidity (L),
risk/compliance (RR). A component without data is left out and the other weights renormalised.
"""

from __future__ import annotations

from typing import Any

from .rules import COMPONENTS, TypeRules


def headroom_score(value: float | None, limit: float, is_max: bool, num: float = 0.0) -> float | None:
    """100 while at most half the limit is used, 60 at the limit, 0 at 1.5× the limit (a minimum
    mirrored: ``limit / value``). ``None`` when there is nothing to score."""
    if value is None:
        return 0.0 if (is_max and num > 0) else None
    if is_max:
        if limit <= 0:
            return 100.0 if value <= limit else 0.0
        r = value / limit
    else:
        if limit <= 0:
            return 100.0 if value >= limit else 0.0
        r = limit / value if value > 0 else 9.9
    if r <= 0.5:
        return 100.0
    if r <= 1.0:
        return 100.0 - (r - 0.5) * 80.0
    return max(0.0, 60.0 - (r - 1.0) * 120.0)


def _linear(value: float | None, lo: float, hi: float) -> float | None:
    if value is None:
        return None
    return max(0.0, min(100.0, (value - lo) / (hi - lo) * 100.0))


def _mean(xs: list[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def rate(*, trules: TypeRules, values: dict[str, float | None], breaches: list[dict[str, Any]], cfg: dict[str, Any],
         status: str, open_findings: int, overdue_rectifications: int) -> dict[str, Any]:
    """``{"score", "grade", "components": {name: score or None}, "weights": {...}}``."""
    by_comp: dict[str, list[float | None]] = {c: [] for c in COMPONENTS}
    for ind in trules.indicators:
        if not ind.is_limit or ind.unit == "yuan":
            continue
        limit = ind.max if ind.max is not None else ind.min
        if ind.alt_max is not None and ind.alt_when is not None:
            v = values.get(ind.alt_when[0])
            if v is not None and v >= ind.alt_when[2]:
                limit = ind.alt_max
        by_comp[ind.component].append(headroom_score(values.get(ind.code), float(limit), ind.max is not None))
    comps: dict[str, float | None] = {
        "capital": _mean(by_comp["capital"]),
        "asset": _mean(by_comp["asset"]),
        "management": max(0.0, 100.0 - cfg["per_open_finding"] * open_findings
                          - cfg["per_overdue_rectification"] * overdue_rectifications - cfg["per_breach"] * len(breaches)),
        "earnings": _linear(values.get("roa"), cfg["roa_floor"], cfg["roa_full"]),
        "liquidity": _mean(by_comp["liquidity"]) if by_comp["liquidity"] else _linear(values.get("cash_share"), 0.0, cfg["cash_full"]),
    }
    binding = sum(1 for b in breaches if b.get("binding", True))
    comps["compliance"] = max(0.0, 100.0 - cfg["per_binding_breach"] * binding
                              - cfg["per_monitor_breach"] * (len(breaches) - binding)
                              - cfg["status_penalty"].get(status, 0))
    weights = {c: float(w) for c, w in cfg["weights"].items()}
    present = {c: w for c, w in weights.items() if comps.get(c) is not None}
    total = sum(present.values())
    score = sum(comps[c] * w for c, w in present.items()) / total if total else 0.0
    grade = next(str(g) for lo, g in cfg["grades"] if score >= lo)
    return {"score": round(score, 2), "grade": grade,
            "components": {c: (None if v is None else round(v, 2)) for c, v in comps.items()},
            "weights": weights}
