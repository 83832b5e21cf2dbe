"""Talent valuation: a Polars batch over many people and a per-person explain path, both on one
model (:mod:`.model`) and agreeing to the yuan.

For each person: every indicator scores its fact 0–100 (an unknown fact scores 0 — the low end
stays conservative — and counts as *missing*); a group's score is the weighted sum of its
indicators; the total (0–100) is the weighted sum of the groups. The value is a RANGE, never a
bare number: the point value ``v`` is read off the model's anchors (piecewise linear in the score),
then ``low = v × (1 − spread)`` rounded down and ``high = v × (1 + spread + missing × missing_spread)``
rounded up, where ``missing`` is the share of the score whose facts are unknown — so the less the
platform knows, the wider the range. The reasons: indicators scoring at least ``lift_at`` lift the
value (largest contribution first); those below ``drag_below`` or missing drag it (largest
shortfall first).

A team's value for an enterprise (:func:`team_values`) is the SUM of its consented people's low and
high ends — no premium or discount for the team as such (the closed 四CAI model's team factors are
not published); people without an active consent are not in the frame at all.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from .model import FACTS, Indicator, TalentModel

#: Polars types of the facts frame (one row per person).
FACTS_SCHEMA: dict[str, Any] = {name: (pl.Utf8 if kind == "level" else pl.Float64)
                                for name, (kind, _v, _l) in FACTS.items()}


def _score_expr(ind: Indicator) -> pl.Expr:
    col = pl.col(ind.fact)
    if ind.levels:
        expr = pl.lit(None, dtype=pl.Float64)
        for level, score in ind.levels.items():
            expr = pl.when(col == level).then(pl.lit(score)).otherwise(expr)
        return expr
    first = ind.bands[0]
    expr = pl.when(col < first.min).then(pl.lit(first.score))
    for b in ind.bands:
        cond = col >= b.min if b.max is None else (col >= b.min) & (col < b.max)
        expr = expr.when(cond).then(pl.lit(b.score))
    return expr.otherwise(pl.lit(None, dtype=pl.Float64))


def _interp_expr(model: TalentModel, total: pl.Expr) -> pl.Expr:
    a = model.anchors
    expr = pl.lit(a[-1][1])
    for (s0, v0), (s1, v1) in reversed(list(zip(a, a[1:], strict=False))):
        expr = pl.when(total < s1).then(pl.lit(v0) + (total - s0) * ((v1 - v0) / (s1 - s0))).otherwise(expr)
    return expr


def _interp(model: TalentModel, total: float) -> float:
    a = model.anchors
    for (s0, v0), (s1, v1) in zip(a, a[1:], strict=False):
        if total < s1:
            return v0 + (total - s0) * ((v1 - v0) / (s1 - s0))
    return a[-1][1]


def _round_low(x: float, step: float) -> float:
    return math.floor(x / step + 1e-9) * step


def _round_high(x: float, step: float) -> float:
    return math.ceil(x / step - 1e-9) * step


def value_batch(model: TalentModel, facts: pl.DataFrame) -> pl.DataFrame:
    """Value every row of ``facts`` (the :data:`FACTS_SCHEMA` columns plus any keys, kept). Adds
    ``s_<indicator>`` scores (null = missing), ``g_<group>`` group scores, ``total``, ``missing``,
    ``value_low`` and ``value_high`` (yuan)."""
    for name, dtype in FACTS_SCHEMA.items():
        if name not in facts.columns:
            facts = facts.with_columns(pl.lit(None, dtype=dtype).alias(name))
    scored = facts.with_columns([_score_expr(i).alias(f"s_{i.id}") for i in model.indicators])
    groups = []
    for g in model.groups:
        terms = [pl.col(f"s_{i.id}").fill_null(0) * i.weight for i in model.indicators if i.group == g.id]
        groups.append(pl.sum_horizontal(terms).alias(f"g_{g.id}"))
    scored = scored.with_columns(groups)
    total = pl.sum_horizontal([pl.col(f"g_{g.id}") * g.weight for g in model.groups])
    missing = pl.sum_horizontal([pl.col(f"s_{i.id}").is_null().cast(pl.Float64) * model.effective_weight(i)
                                 for i in model.indicators])
    scored = scored.with_columns(total.alias("total"), missing.alias("missing"))
    point = _interp_expr(model, pl.col("total"))
    step = model.round_to
    low = (point * (1 - model.spread) / step + 1e-9).floor() * step
    high = (point * (1 + model.spread + pl.col("missing") * model.missing_spread) / step - 1e-9).ceil() * step
    return scored.with_columns(low.alias("value_low"), high.alias("value_high"))


def reasons(model: TalentModel, scores: dict[str, float | None]) -> tuple[list[str], list[str]]:
    """Indicator ids lifting and dragging the value, given each indicator's 0–100 score."""
    lifts = sorted((i for i in model.indicators if scores.get(i.id) is not None and scores[i.id] >= model.lift_at),
                   key=lambda i: -model.effective_weight(i) * scores[i.id])
    drags = sorted((i for i in model.indicators if scores.get(i.id) is None or scores[i.id] < model.drag_below),
                   key=lambda i: -model.effective_weight(i) * (100 - (scores.get(i.id) or 0)))
    return [i.id for i in lifts if model.effective_weight(i) > 0], [i.id for i in drags if model.effective_weight(i) > 0]


def row_result(model: TalentModel, row: dict[str, Any]) -> dict[str, Any]:
    """One row of :func:`value_batch` as the stored result (scores, groups, reasons, range)."""
    scores = {i.id: row[f"s_{i.id}"] for i in model.indicators}
    lifts, drags = reasons(model, scores)
    return {"total": row["total"], "missing": row["missing"], "value_low": row["value_low"],
            "value_high": row["value_high"], "scores": scores,
            "groups": {g.id: row[f"g_{g.id}"] for g in model.groups}, "lifts": lifts, "drags": drags}


def explain(model: TalentModel, facts: dict[str, Any]) -> dict[str, Any]:
    """The per-person path (no Polars): the same numbers as :func:`value_batch` with every
    indicator's value, score, weight and contribution, for a page that shows the reasoning."""
    rows, scores = [], {}
    for i in model.indicators:
        s = i.score(facts.get(i.fact))
        scores[i.id] = s
        w = model.effective_weight(i)
        rows.append({"id": i.id, "group": i.group, "label": i.label, "fact": i.fact, "value": facts.get(i.fact),
                     "unit": i.unit, "score": s, "weight": w, "contribution": w * (s or 0)})
    groups = {g.id: sum((scores[i.id] or 0) * i.weight for i in model.indicators if i.group == g.id)
              for g in model.groups}
    total = sum(groups[g.id] * g.weight for g in model.groups)
    missing = sum(model.effective_weight(i) for i in model.indicators if scores[i.id] is None)
    point = _interp(model, total)
    low = _round_low(point * (1 - model.spread), model.round_to)
    high = _round_high(point * (1 + model.spread + missing * model.missing_spread), model.round_to)
    lifts, drags = reasons(model, scores)
    return {"total": total, "missing": missing, "value_low": low, "value_high": high, "scores": scores,
            "groups": groups, "indicators": rows, "lifts": lifts, "drags": drags}


def team_values(valued: pl.DataFrame, by: str = "enterprise_id") -> pl.DataFrame:
    """Per ``by``: people valued, the sum of their low and high ends (yuan)."""
    return (valued.group_by(by).agg(pl.len().alias("people"), pl.col("value_low").sum().alias("value_low"),
                                    pl.col("value_high").sum().alias("value_high")).sort(by))


def talent_loan_limit(*, value_low: float, advance_rate: float, cap: float) -> float:
    """人才贷 limit: ``min(cap, advance_rate × value_low)``, never negative."""
    return max(0.0, min(cap, advance_rate * value_low))
