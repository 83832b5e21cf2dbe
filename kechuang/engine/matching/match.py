"""Matching demands to products: the one-demand path with reasons, and the vectorised batch path.

A pair fits when the product serves the demand's kind (debt: loan, guarantee, insurance; equity:
investor mandates), the amount and term lie in the product's ranges, and the eligibility is not
unmet. Fitting pairs are ranked by a score out of 100:

- eligibility: 40 when every condition is met, 25 when some fact is unknown (to be checked);
- price: 20 × how far the annual rate (fee, premium) is below the cap for its kind;
- approval record: 20 × the institution's approval rate on the platform (0.5 with no record);
- response record: 15 × pick-up rate / (1 + working days to pick up ÷ 2) (0.5 × 0.5 with no record);
- amount fit: 5 × how central the amount is in the product's range (log scale).

Ties are broken by product id (lower first). Both paths compute the same numbers; the batch path
is checked against the one-demand path (tests) and benchmarked against it (``bench/bench_matching.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from kechuang.engine.qualification.nodes import MET, UNMET

from .rules import Eligibility, describe, evaluate, load_eligibility, status_expr

DEBT_KINDS = ("loan", "guarantee", "insurance")
EQUITY_KINDS = ("equity",)
RATE_CAP = {"loan": 0.12, "guarantee": 0.03, "insurance": 0.03, "equity": 1.0}
W_ELIG_MET, W_ELIG_UNKNOWN, W_PRICE, W_APPROVAL, W_RESPONSE, W_AMOUNT = 40.0, 25.0, 20.0, 20.0, 15.0, 5.0
#: candidates taken from the float32 pre-selection beyond top_k, re-scored exactly in float64
_SLACK = 8


@dataclass
class Product:
    """A product as the engine sees it (amounts in yuan as floats: ranking only, never stored)."""

    id: int
    kind: str
    amount_min: float
    amount_max: float
    term_min: int | None = None
    term_max: int | None = None
    rate: float | None = None
    eligibility: Eligibility = field(default_factory=lambda: load_eligibility([]))
    institution_id: int | None = None
    name: str = ""
    pickup_rate: float | None = None
    approval_rate: float | None = None
    pickup_days: float | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Product:
        d = dict(d)
        el = d.pop("eligibility", None)
        return cls(eligibility=el if isinstance(el, Eligibility) else load_eligibility(el, f"product {d.get('id')}"), **d)

    def base_score(self) -> float:
        """The part of the score that depends on the product alone (price and record)."""
        cap = RATE_CAP.get(self.kind, 0.12)
        price = 0.5 if self.rate is None else min(max((cap - self.rate) / cap, 0.0), 1.0)
        approval = 0.5 if self.approval_rate is None else self.approval_rate
        pickup = 0.5 if self.pickup_rate is None else self.pickup_rate
        days = 2.0 if self.pickup_days is None else self.pickup_days
        return W_PRICE * price + W_APPROVAL * approval + W_RESPONSE * pickup / (1.0 + days / 2.0)


def serves(demand_kind: str, product_kind: str) -> bool:
    return product_kind in (EQUITY_KINDS if demand_kind == "equity" else DEBT_KINDS)


def amount_fit(amount: float, lo: float, hi: float) -> float:
    if hi <= lo:
        return 1.0
    la, llo, lhi = math.log(amount), math.log(max(lo, 1.0)), math.log(hi)
    half = (lhi - llo) / 2.0
    return min(max(1.0 - abs(la - (llo + lhi) / 2.0) / half, 0.0), 1.0) if half > 0 else 1.0


def _yuan(x: float) -> str:
    return f"{x / 10_000:,.0f}万元" if x >= 10_000 else f"{x:,.0f}元"


def match_one(demand: dict[str, Any], product: Product) -> dict[str, Any]:
    """One pair: whether it fits, the score, and why (``fits``) or why not (``fails``)."""
    fits: list[str] = []
    fails: list[str] = []
    amount, term = float(demand["amount"]), demand.get("term_months")
    if not serves(demand["kind"], product.kind):
        fails.append("产品类型不符：股权需求对应投资机构，债权需求对应贷款、担保、保险产品")
    if not product.amount_min <= amount <= product.amount_max:
        fails.append(f"金额 {_yuan(amount)} 不在产品额度 {_yuan(product.amount_min)}–{_yuan(product.amount_max)} 内")
    else:
        fits.append(f"金额 {_yuan(amount)} 在产品额度 {_yuan(product.amount_min)}–{_yuan(product.amount_max)} 内")
    if product.term_min is not None and product.term_max is not None and term is not None:
        if not product.term_min <= term <= product.term_max:
            fails.append(f"期限 {term} 个月不在产品期限 {product.term_min}–{product.term_max} 个月内")
        else:
            fits.append(f"期限 {term} 个月在产品期限 {product.term_min}–{product.term_max} 个月内")
    status, conds = evaluate(product.eligibility, demand)
    for c, st, v in conds:
        if st != UNMET:
            fits.append(describe(c, st, v))
        elif status == UNMET:  # an unmet alternative of a satisfied any_of is no reason against
            fails.append(describe(c, st, v))
    if status == UNMET and not any(st == UNMET for _c, st, _v in conds):
        fails.append("不符合准入条件")
    ok = not fails
    score = None
    if ok:
        score = (W_ELIG_MET if status == MET else W_ELIG_UNKNOWN) + product.base_score() \
            + W_AMOUNT * amount_fit(amount, product.amount_min, product.amount_max)
        if product.rate is not None:
            fits.append(f"年化费率 {product.rate * 100:.2f}%")
        if product.pickup_rate is not None:
            fits.append(f"机构平台记录：接单率 {product.pickup_rate * 100:.0f}%，"
                        f"平均 {product.pickup_days or 0:.1f} 个工作日接单，获批率 {(product.approval_rate or 0) * 100:.0f}%")
        else:
            fits.append("机构在平台上暂无办理记录（按中性值计）")
    return {"product_id": product.id, "fits": ok, "status": ("met", None, "unknown", "unmet")[status],
            "score": score, "reasons": fits, "fails": fails}


def match_demand(demand: dict[str, Any], products: list[Product], top_k: int | None = None) -> dict[str, list]:
    """The one-demand path: ``{"ranked": [...], "rejected": [...]}``, ranked best first."""
    rows = [match_one(demand, p) for p in products]
    ranked = sorted((r for r in rows if r["fits"]), key=lambda r: (-r["score"], r["product_id"]))
    rejected = [r for r in rows if not r["fits"]]
    return {"ranked": ranked[:top_k] if top_k else ranked, "rejected": rejected}


# ---------------------------------------------------------------------------------------------
# The batch path


def products_frame(products: list[Product]) -> dict[str, np.ndarray]:
    ps = sorted(products, key=lambda p: p.id)
    return {
        "id": np.array([p.id for p in ps], dtype=np.int64),
        "equity": np.array([p.kind in EQUITY_KINDS for p in ps]),
        "amin": np.array([p.amount_min for p in ps], dtype=np.float64),
        "amax": np.array([p.amount_max for p in ps], dtype=np.float64),
        "tmin": np.array([-1 if p.term_min is None else p.term_min for p in ps], dtype=np.float64),
        "tmax": np.array([1e9 if p.term_max is None else p.term_max for p in ps], dtype=np.float64),
        "base": np.array([p.base_score() for p in ps], dtype=np.float64),
    }


def rank_batch(demands: pl.DataFrame, products: list[Product], top_k: int = 10,
               chunk_size: int = 5_000) -> pl.DataFrame:
    """For every demand (rows of ``demands``: ``id, kind, amount, term_months`` + features), its
    ``top_k`` fitting products: ``demand_id, rank, product_id, score, status`` (met / unknown).

    Products sharing an eligibility are evaluated once; the rest is NumPy broadcasting over a
    chunk of demands × all products in float32 (in place) and a partial sort per row for
    ``top_k`` + 8 candidates, which are re-scored exactly in float64 and ordered like the
    one-demand path (score, then product id). Debt demands meet only debt products and equity
    demands only mandates, so each side is ranked against its own products."""
    parts = []
    for equity in (False, True):
        sub_p = [p for p in products if (p.kind in EQUITY_KINDS) == equity]
        sub_d = demands.filter((pl.col("kind") == "equity") == equity)
        if sub_p and sub_d.height:
            parts.append(_rank(sub_d, sub_p, top_k, chunk_size))
    if not parts:
        return pl.DataFrame(schema={"demand_id": pl.Int64, "rank": pl.Int16, "product_id": pl.Int64,
                                    "score": pl.Float64, "status": pl.String})
    return pl.concat(parts).sort(["demand_id", "rank"])


def _rank(demands: pl.DataFrame, products: list[Product], top_k: int, chunk_size: int) -> pl.DataFrame:
    ps = sorted(products, key=lambda p: p.id)
    pf = products_frame(ps)
    rules: dict[tuple, int] = {}
    rule_of = np.empty(len(ps), dtype=np.int64)
    exprs: list[pl.Expr] = []
    for j, p in enumerate(ps):
        key = repr(p.eligibility.root)
        if key not in rules:
            rules[key] = len(exprs)
            exprs.append(status_expr(p.eligibility).alias(f"r{len(exprs)}"))
        rule_of[j] = rules[key]
    n_p = len(ps)
    k = min(top_k, n_p)
    m = min(k + _SLACK, n_p)
    llo, lhi = np.log(np.maximum(pf["amin"], 1.0)), np.log(pf["amax"])
    mid, half = (llo + lhi) / 2.0, (lhi - llo) / 2.0
    inv_half = np.divide(1.0, half, out=np.zeros_like(half), where=half > 0)
    mid32, inv_half32, base32 = mid.astype(np.float32), inv_half.astype(np.float32), pf["base"].astype(np.float32)
    out: list[pl.DataFrame] = []
    for start in range(0, demands.height if k else 0, chunk_size):
        d = demands.slice(start, chunk_size)
        st = d.select(exprs).to_numpy().astype(np.int8)[:, rule_of] if exprs else np.zeros((d.height, n_p), np.int8)
        amount = d["amount"].cast(pl.Float64).to_numpy()[:, None]
        term = d["term_months"].cast(pl.Float64).fill_null(-2).to_numpy()[:, None]
        equity = (d["kind"] == "equity").to_numpy()[:, None]
        ok = (equity == pf["equity"][None, :]) & (amount >= pf["amin"]) & (amount <= pf["amax"]) & (st != UNMET)
        ok &= (term == -2) | ((term >= pf["tmin"]) & (term <= pf["tmax"]))
        # a float32 score (in place) to choose k + slack candidates per demand ...
        la = np.log(amount)
        score = np.subtract(la.astype(np.float32), mid32)
        np.abs(score, out=score)
        score *= inv_half32
        np.subtract(np.float32(1.0), score, out=score)
        np.clip(score, 0.0, 1.0, out=score)
        score *= np.float32(W_AMOUNT)
        score += base32
        score += np.float32(W_ELIG_UNKNOWN)
        np.add(score, np.float32(W_ELIG_MET - W_ELIG_UNKNOWN), out=score, where=st == MET)
        score[~ok] = -np.inf
        cand = np.argpartition(score, n_p - m, axis=1)[:, n_p - m:] if m < n_p else \
            np.broadcast_to(np.arange(n_p), score.shape).copy()
        # ... then the exact float64 score of the candidates, ordered by (-score, product id)
        rows = np.arange(d.height)[:, None]
        cst = st[rows, cand]
        afit = np.clip(1.0 - np.abs(la - mid[cand]) * inv_half[cand], 0.0, 1.0)
        exact = np.where(cst == MET, W_ELIG_MET, W_ELIG_UNKNOWN) + pf["base"][cand] + W_AMOUNT * afit
        exact = np.where(np.isfinite(score[rows, cand]), exact, -np.inf)
        order = np.lexsort((cand, -exact), axis=1)[:, :k]
        top_idx = np.take_along_axis(cand, order, axis=1)
        top = np.take_along_axis(exact, order, axis=1)
        r, ranks = np.nonzero(np.isfinite(top))
        cols = top_idx[r, ranks]
        out.append(pl.DataFrame({
            "demand_id": d["id"].to_numpy()[r],
            "rank": (ranks + 1).astype(np.int16),
            "product_id": pf["id"][cols],
            "score": top[r, ranks],
            "status": np.where(st[r, cols] == MET, "met", "unknown"),
        }))
    if not out:
        return pl.DataFrame(schema={"demand_id": pl.Int64, "rank": pl.Int16, "product_id": pl.Int64,
                                    "score": pl.Float64, "status": pl.String})
    return pl.concat(out)


def fitting_pairs(demands: pl.DataFrame, products: list[Product]) -> pl.DataFrame:
    """Every fitting (demand, product) pair — an institution's grab queue or an investor's deal flow."""
    return rank_batch(demands, products, top_k=len(products))
