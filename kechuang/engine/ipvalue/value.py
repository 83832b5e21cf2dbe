"""Valuing IP items with a :class:`~.model.ValuationModel`: one item in Python, many in Polars.

Both paths compute the same facts, indicator score ranges, quality score (0–100) and income-approach
value range from the same formulas; a test keeps them equal.

- **Facts** over one ``ip[]`` item (:data:`~.model.FACTS`): the remaining term in years (from
  ``expires_on``, else ``filed_on`` plus the statutory term of the type, to ``as_of``; days / 365.25),
  the counts as given, class Ⅰ from the type, booleans as 1 / 0. A missing value is unknown.
- **Indicators**: a known fact scores its band; an unknown fact scores the band range [min, max];
  an expert indicator scores the expert's range (or the model's default range).
- **Quality** low / high: scenario-weighted sums of the dimensions' weighted indicator ranges; mid is
  their midpoint.
- **Value** (yuan): the income approach for low / mid / high (see the model's ``[income]``).
  ``status`` is ``valued``; ``expired`` (remaining term ≤ 0: value 0); or ``unknown`` when the
  remaining term or the attributable revenue is unknown (no number, the missing facts named).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..facts.schema import IP_CLASS_I
from .model import DIMENSIONS, FACTS, Indicator, ValuationModel

DAYS_PER_YEAR = 365.25
CASES = ("low", "mid", "high")
#: Facts without which no value is given (status ``unknown``).
VALUE_FACTS = ("remaining_years", "attributable_revenue")


class InputError(ValueError):
    """Bad input to a valuation (an expert range out of bounds, an unknown indicator)."""


@dataclass(frozen=True)
class IndicatorScore:
    id: str
    dimension: str
    basis: str  # "fact" | "unknown" | "expert" | "expert_default"
    low: float
    high: float
    fact: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class Valuation:
    """One item's result: a range with its reasons, never a lone number."""
    status: str
    remaining_years: float | None
    quality: tuple[float, float, float]
    value: tuple[float, float, float] | None
    dimensions: dict[str, tuple[float, float]]
    indicators: tuple[IndicatorScore, ...]
    unknown_facts: tuple[str, ...]
    reasons: tuple[dict[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "remaining_years": self.remaining_years,
            "quality": dict(zip(CASES, self.quality, strict=True)),
            "value": dict(zip(CASES, self.value, strict=True)) if self.value is not None else None,
            "dimensions": {d: {"low": lo, "high": hi} for d, (lo, hi) in self.dimensions.items()},
            "indicators": [{"id": i.id, "dimension": i.dimension, "basis": i.basis, "fact": i.fact,
                            "value": i.value, "low": i.low, "high": i.high} for i in self.indicators],
            "unknown_facts": list(self.unknown_facts), "reasons": list(self.reasons),
        }


# ---------------------------------------------------------------- shared arithmetic

def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February, as Polars' calendar offset does
        return day.replace(year=day.year + years, day=28)


def annuity_factor(n: float, growth: float, discount: float) -> float:
    """Σ_{t=1..n} (1+g)^(t-1) / (1+d)^t as the closed geometric form (valid for real n ≥ 0, d > g)."""
    q = (1 + growth) / (1 + discount)
    return (1 - q ** n) / ((1 - q) * (1 + discount))


def _r2(x: float) -> float:
    return round(x, 2)


# ---------------------------------------------------------------- one item

def item_facts(item: dict, model: ValuationModel, as_of: dt.date) -> dict[str, float | None]:
    """The model's facts of one ``ip[]`` item (None where unknown)."""
    def date_of(key):
        v = item.get(key)
        return dt.date.fromisoformat(v) if isinstance(v, str) else v

    expires = date_of("expires_on")
    filed = date_of("filed_on")
    term = model.terms.get(item.get("type"))
    if expires is None and filed is not None and term is not None:
        expires = _add_years(filed, term)
    remaining = None if expires is None else (expires - as_of).days / DAYS_PER_YEAR

    def num(key):
        v = item.get(key)
        return None if v is None else float(v)

    industrializable = item.get("industrializable")
    return {
        "remaining_years": remaining,
        "claims": num("claims"), "citations": num("citations"), "family_size": num("family_size"),
        "litigations": num("litigations"), "licences": num("licences"),
        "attributable_revenue": num("attributable_revenue"),
        "class_i": None if item.get("type") is None else float(item.get("type") in IP_CLASS_I),
        "industrializable": None if industrializable is None else float(bool(industrializable)),
    }


def _check_expert(model: ValuationModel, expert: dict | None) -> dict[str, tuple[float, float]]:
    out = {}
    experts = {i.id for i in model.indicators if i.kind == "expert"}
    for key, rng in (expert or {}).items():
        if key not in experts:
            raise InputError(f"expert input {key!r}: not an expert indicator of {model.id}; known: {sorted(experts)}")
        lo, hi = rng
        if not (0 <= lo <= hi <= 100):
            raise InputError(f"expert input {key!r}: needs 0 <= low <= high <= 100, got [{lo}, {hi}]")
        out[key] = (float(lo), float(hi))
    return out


def _score(ind: Indicator, facts: dict, expert: dict) -> IndicatorScore:
    if ind.kind == "expert":
        if ind.id in expert:
            lo, hi = expert[ind.id]
            return IndicatorScore(ind.id, ind.dimension, "expert", lo, hi)
        return IndicatorScore(ind.id, ind.dimension, "expert_default", *ind.range)
    value = facts[ind.fact]
    if value is None:
        return IndicatorScore(ind.id, ind.dimension, "unknown", *ind.score_bounds, fact=ind.fact)
    s = ind.score(value)
    return IndicatorScore(ind.id, ind.dimension, "fact", s, s, fact=ind.fact, value=value)


def income_values(model: ValuationModel, revenue: float, remaining: float,
                  quality: tuple[float, float, float]) -> tuple[float, float, float]:
    inc = model.income
    out = []
    for k in range(3):
        share = inc.share_low + (inc.share_high - inc.share_low) * quality[k] / 100
        n = min(remaining, inc.life_cap[k])
        out.append(_r2(revenue * share * annuity_factor(n, inc.growth[k], inc.discount[k])))
    return tuple(out)


def value_item(item: dict, model: ValuationModel, as_of: dt.date, expert: dict | None = None) -> Valuation:
    """Value one ``ip[]`` item as of ``as_of``; ``expert`` maps expert indicator ids to (low, high)."""
    facts = item_facts(item, model, as_of)
    scores = tuple(_score(ind, facts, _check_expert(model, expert)) for ind in model.indicators)
    weights = {i.id: i.weight for i in model.indicators}
    dims = {}
    for d in DIMENSIONS:
        mine = [s for s in scores if s.dimension == d]
        dims[d] = (sum((weights[s.id] * s.low for s in mine), 0.0), sum((weights[s.id] * s.high for s in mine), 0.0))
    dw = {d.id: d.weight for d in model.dimensions}
    q_low = sum(dw[d] * dims[d][0] for d in DIMENSIONS)
    q_high = sum(dw[d] * dims[d][1] for d in DIMENSIONS)
    quality = (q_low, (q_low + q_high) / 2, q_high)
    unknown = tuple(f for f in FACTS if facts[f] is None)
    remaining = facts["remaining_years"]
    if remaining is None or facts["attributable_revenue"] is None:
        status, value = "unknown", None
    elif remaining <= 0:
        status, value = "expired", (0.0, 0.0, 0.0)
    else:
        status = "valued"
        value = income_values(model, facts["attributable_revenue"], remaining, quality)
    rem = None if remaining is None else round(remaining, 4)
    result = Valuation(status, rem, quality, value, dims, scores, unknown)
    return Valuation(**{**result.__dict__, "reasons": tuple(reasons(result, model))})


# ---------------------------------------------------------------- reasons

def _wan(v: float) -> str:
    return f"{v / 10_000:,.1f}万元"


def _p(v: float) -> str:
    """A score for people: one decimal, half up (61.85 → 61.9, whatever its binary tail)."""
    return str(Decimal(repr(round(v, 6))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _fmt(v: float) -> str:
    return f"{v:,.1f}" if v != int(v) else f"{int(v):,}"


def reasons(v: Valuation, model: ValuationModel) -> list[dict[str, str]]:
    """Plain-language reasons, Chinese and English, in the order a reader needs them."""
    out = []
    inc = model.income
    if v.status == "valued":
        lo, mid, hi = v.value
        out.append({"code": "range",
                    "zh": f"估值区间 {_wan(lo)}–{_wan(hi)}（中值 {_wan(mid)}），收益法，质量得分 {_p(v.quality[0])}–{_p(v.quality[2])}",
                    "en": f"Value {lo:,.0f}–{hi:,.0f} yuan (mid {mid:,.0f}) by the income approach, "
                          f"quality score {_p(v.quality[0])}–{_p(v.quality[2])}"})
    elif v.status == "expired":
        out.append({"code": "expired", "zh": "保护期已届满，不能作为质押物（估值为零）",
                    "en": "The term has ended: the item cannot be pledged (value zero)"})
    else:
        missing = [f for f in VALUE_FACTS if f in v.unknown_facts]
        out.append({"code": "unknown",
                    "zh": "无法估值，缺少：" + "、".join(FACTS[f][0] for f in missing),
                    "en": "No value: missing " + ", ".join(FACTS[f][1] for f in missing)})
    titles = {i.id: i for i in model.indicators}
    dims = {d.id: d for d in model.dimensions}
    for d in DIMENSIONS:
        lo, hi = v.dimensions[d]
        dim = dims[d]
        out.append({"code": f"dimension:{d}",
                    "zh": f"{dim.title_zh} 得分 {_p(lo)}–{_p(hi)}（场景权重 {dim.weight:.0%}，{_src_zh(dim.source)}）",
                    "en": f"{dim.title_en} scores {_p(lo)}–{_p(hi)} (scenario weight {dim.weight:.0%}, {_src_en(dim.source)})"})
        for s in (s for s in v.indicators if s.dimension == d):
            ind = titles[s.id]
            if s.basis == "fact" and s.fact == "attributable_revenue":
                zh = f"{ind.title_zh}：{_wan(s.value)} → {s.low:g} 分"
                en = f"{ind.title_en}: {s.value / 10_000:,.1f} ten-thousand yuan → {s.low:g} points"
            elif s.basis == "fact":
                zh = f"{ind.title_zh}：{_fmt(s.value)} → {s.low:g} 分"
                en = f"{ind.title_en}: {_fmt(s.value)} → {s.low:g} points"
            elif s.basis == "unknown":
                zh = f"{ind.title_zh}：未知（{FACTS[s.fact][0]}），按 {s.low:g}–{s.high:g} 分计入区间"
                en = f"{ind.title_en}: unknown ({FACTS[s.fact][1]}), counted as {s.low:g}–{s.high:g} points"
            elif s.basis == "expert":
                zh = f"{ind.title_zh}：专家评分 {s.low:g}–{s.high:g} 分"
                en = f"{ind.title_en}: expert score {s.low:g}–{s.high:g} points"
            else:
                zh = f"{ind.title_zh}：待专家评分，暂按 {s.low:g}–{s.high:g} 分"
                en = f"{ind.title_en}: awaiting an expert, counted as {s.low:g}–{s.high:g} points"
            out.append({"code": f"indicator:{s.id}", "zh": zh, "en": en})
    out.append({"code": "assumptions",
                "zh": (f"收益法假设：分成率 {inc.share_low:.0%}–{inc.share_high:.0%} 按质量得分取值；折现率 "
                       f"{inc.discount[2]:.0%}/{inc.discount[1]:.0%}/{inc.discount[0]:.0%}（高/中/低）；收入增长 "
                       f"{inc.growth[2]:.0%}/{inc.growth[1]:.0%}/{inc.growth[0]:.0%}；经济寿命不超过剩余保护期且分别封顶 "
                       f"{inc.life_cap[2]:g}/{inc.life_cap[1]:g}/{inc.life_cap[0]:g} 年（{_src_zh(inc.source)}）。{inc.note_zh}"),
                "en": (f"Income approach: royalty share {inc.share_low:.0%}–{inc.share_high:.0%} placed by the quality "
                       f"score; discount {inc.discount[2]:.0%}/{inc.discount[1]:.0%}/{inc.discount[0]:.0%} (high/mid/low); "
                       f"growth {inc.growth[2]:.0%}/{inc.growth[1]:.0%}/{inc.growth[0]:.0%}; economic life within the "
                       f"remaining term, capped at {inc.life_cap[2]:g}/{inc.life_cap[1]:g}/{inc.life_cap[0]:g} years "
                       f"({_src_en(inc.source)}). {inc.note_en}")})
    return out


def _src_zh(source: str) -> str:
    return "依据 GB/T 42748-2023" if source == "GB/T 42748-2023" else "暂定值，待确认"


def _src_en(source: str) -> str:
    return "per GB/T 42748-2023" if source == "GB/T 42748-2023" else "provisional"


# ---------------------------------------------------------------- batch

_INPUT = {"type": pl.String, "filed_on": pl.Date, "expires_on": pl.Date, "claims": pl.Float64,
          "citations": pl.Float64, "family_size": pl.Float64, "litigations": pl.Float64,
          "licences": pl.Float64, "attributable_revenue": pl.Float64, "industrializable": pl.Boolean}


def _fact_exprs(model: ValuationModel, as_of: dt.date) -> dict[str, pl.Expr]:
    term = pl.col("type").replace_strict({k: f"{v}y" for k, v in model.terms.items()}, default=None,
                                         return_dtype=pl.String)
    expires = pl.coalesce(pl.col("expires_on"), pl.col("filed_on").dt.offset_by(term))
    remaining = (expires - pl.lit(as_of)).dt.total_days().cast(pl.Float64) / DAYS_PER_YEAR
    return {
        "remaining_years": remaining,
        "claims": pl.col("claims"), "citations": pl.col("citations"), "family_size": pl.col("family_size"),
        "litigations": pl.col("litigations"), "licences": pl.col("licences"),
        "attributable_revenue": pl.col("attributable_revenue"),
        "class_i": pl.when(pl.col("type").is_null()).then(None)
                     .otherwise(pl.col("type").is_in(list(IP_CLASS_I)).cast(pl.Float64)),
        "industrializable": pl.col("industrializable").cast(pl.Float64),
    }


def _band_expr(ind: Indicator, fact: pl.Expr) -> pl.Expr:
    expr = pl.lit(ind.bands[0][1])
    for start, points in ind.bands[1:]:
        expr = pl.when(fact >= start).then(pl.lit(points)).otherwise(expr)
    return expr


def value_batch(frame: pl.DataFrame | pl.LazyFrame, model: ValuationModel, as_of: dt.date) -> pl.DataFrame:
    """Value every row of ``frame`` (columns of the ``ip[]`` item: ``type``, ``filed_on``, ``expires_on``,
    the counts, ``attributable_revenue``, ``industrializable``; missing columns are unknown; optional
    ``expert_<indicator>_low`` / ``_high`` columns carry expert ranges). Other columns pass through.

    Adds ``remaining_years``, ``<dimension>_low/high``, ``quality_low/mid/high``, ``status``,
    ``value_low/mid/high`` (null unless valued or expired) and ``unknown_facts`` (list of fact names)."""
    lf = frame.lazy()
    names = lf.collect_schema().names()
    lf = lf.with_columns([pl.lit(None, dtype=t).alias(c) if c not in names else pl.col(c).cast(t)
                          for c, t in _INPUT.items()])
    facts = _fact_exprs(model, as_of)
    lf = lf.with_columns([e.alias(f"_f_{k}") for k, e in facts.items()])
    score_cols = []
    for ind in model.indicators:
        lo_name, hi_name = f"_s_{ind.id}_low", f"_s_{ind.id}_high"
        if ind.kind == "expert":
            lo = pl.col(f"expert_{ind.id}_low") if f"expert_{ind.id}_low" in names else pl.lit(ind.range[0])
            hi = pl.col(f"expert_{ind.id}_high") if f"expert_{ind.id}_high" in names else pl.lit(ind.range[1])
            lo, hi = lo.fill_null(ind.range[0]).cast(pl.Float64), hi.fill_null(ind.range[1]).cast(pl.Float64)
        else:
            f = pl.col(f"_f_{ind.fact}")
            band = _band_expr(ind, f)
            bmin, bmax = ind.score_bounds
            lo = pl.when(f.is_null()).then(pl.lit(bmin)).otherwise(band)
            hi = pl.when(f.is_null()).then(pl.lit(bmax)).otherwise(band)
        score_cols += [lo.alias(lo_name), hi.alias(hi_name)]
    lf = lf.with_columns(score_cols)
    dim_cols = []
    for d in DIMENSIONS:
        inds = model.indicators_of(d)
        for side in ("low", "high"):
            expr = pl.lit(0.0)
            for ind in inds:
                expr = expr + pl.lit(ind.weight) * pl.col(f"_s_{ind.id}_{side}")
            dim_cols.append(expr.alias(f"_{d}_{side}"))
    lf = lf.with_columns(dim_cols)
    dw = {d.id: d.weight for d in model.dimensions}
    q = {}
    for side in ("low", "high"):
        expr = pl.lit(0.0)
        for d in DIMENSIONS:
            expr = expr + pl.lit(dw[d]) * pl.col(f"_{d}_{side}")
        q[side] = expr
    lf = lf.with_columns(quality_low=q["low"], quality_high=q["high"])
    lf = lf.with_columns(quality_mid=(pl.col("quality_low") + pl.col("quality_high")) / 2)
    rem = pl.col("_f_remaining_years")
    rev = pl.col("_f_attributable_revenue")
    status = (pl.when(rem.is_null() | rev.is_null()).then(pl.lit("unknown"))
              .when(rem <= 0).then(pl.lit("expired")).otherwise(pl.lit("valued")))
    inc = model.income
    values = []
    for k, case in enumerate(CASES):
        share = inc.share_low + (inc.share_high - inc.share_low) * pl.col(f"quality_{case}") / 100
        n = pl.min_horizontal(rem, pl.lit(inc.life_cap[k]))
        qk = (1 + inc.growth[k]) / (1 + inc.discount[k])
        factor = (1 - pl.lit(qk).pow(n)) / ((1 - qk) * (1 + inc.discount[k]))
        values.append(pl.when(status == "valued").then((rev * share * factor).round(2))
                      .when(status == "expired").then(pl.lit(0.0)).otherwise(None).alias(f"value_{case}"))
    unknown = pl.concat_list([pl.when(pl.col(f"_f_{f}").is_null()).then(pl.lit(f)).otherwise(None)
                              for f in FACTS]).list.drop_nulls()
    lf = lf.with_columns(status.alias("status"), *values, unknown.alias("unknown_facts"),
                         rem.round(4).alias("remaining_years"),
                         *[pl.col(f"_{d}_{s}").alias(f"{d}_{s}") for d in DIMENSIONS for s in ("low", "high")])
    return lf.drop(pl.selectors.starts_with("_")).collect()
