"""The regulatory ratios of many periodic reports at once (one Polars batch per licence type) and
their check against the type's limits → breaches with the rule, the value and the limit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from .rules import RuleSet, TypeRules



def _cmp(col: pl.Expr, op: str, bound: float) -> pl.Expr:
    return col >= bound if op == ">=" else (col <= bound if op == "<=" else col == bound)


def _sum(parts) -> pl.Expr:
    expr = pl.lit(0.0)
    for sign, name in parts:
        expr = expr + pl.col(name) * sign
    return expr


def _frame(records: list[dict[str, Any]], trules: TypeRules) -> pl.DataFrame:
    cols: dict[str, list] = {"_i": [r["_i"] for r in records]}
    for name in trules.field_names:
        cols[name] = [float(r["figures"].get(name, 0) or 0) for r in records]
    return pl.DataFrame(cols, schema={"_i": pl.Int64, **{n: pl.Float64 for n in trules.field_names}})


def compute(records: list[dict[str, Any]], rules: RuleSet) -> list[dict[str, Any]]:
    """For each record (``licence_type``, ``figures``) in input order: ``values`` (indicator code →
    float or ``None`` when its denominator is not positive) and ``breaches``."""
    out: list[dict[str, Any]] = [{"values": {}, "breaches": []} for _r in records]
    by_type: dict[str, list[dict]] = {}
    for i, r in enumerate(records):
        by_type.setdefault(r["licence_type"], []).append({**r, "_i": i})
    for ltype, recs in by_type.items():
        trules = rules.types[ltype]
        df = _frame(recs, trules)
        exprs = []
        for ind in trules.indicators:
            num = _sum(ind.num)
            exprs.append(num.alias(f"{ind.code}__num"))
            if ind.den is None:
                exprs.append(num.alias(ind.code))
            else:
                den = _sum(ind.den)
                exprs.append(den.alias(f"{ind.code}__den"))
                exprs.append(pl.when(den > 0).then(num / den).otherwise(None).alias(ind.code))
        res = df.with_columns(exprs)
        limits = [ind for ind in trules.indicators if ind.is_limit]
        flags = []
        for ind in limits:
            v, num = pl.col(ind.code), pl.col(f"{ind.code}__num")
            limit = pl.lit(float(ind.max if ind.max is not None else ind.min))
            alt = pl.lit(False)
            if ind.alt_max is not None and ind.alt_when is not None:
                name, op, bound = ind.alt_when
                alt = _cmp(pl.col(name), op, bound).fill_null(False)
                limit = pl.when(alt).then(pl.lit(float(ind.alt_max))).otherwise(limit)
            if ind.max is not None:
                bad = pl.when(v.is_null()).then(num > 0).otherwise(v > limit + 1e-12)
            else:
                bad = pl.when(v.is_null()).then(pl.lit(False)).otherwise(v < limit - 1e-12)
            if ind.when is not None:
                name, op, bound = ind.when
                bad = bad & _cmp(pl.col(name), op, bound)
            flags += [bad.alias(f"{ind.code}__bad"), limit.alias(f"{ind.code}__limit"), alt.alias(f"{ind.code}__alt")]
        res = res.with_columns(flags)
        codes = [ind.code for ind in trules.indicators]
        values_rows = res.select(codes).rows()
        index = res.get_column("_i").to_list()
        for k, vals in enumerate(values_rows):
            out[index[k]]["values"] = dict(zip(codes, vals, strict=True))
        for ind in limits:
            hit = res.filter(pl.col(f"{ind.code}__bad")).select(["_i", ind.code, f"{ind.code}__limit", f"{ind.code}__alt"])
            for i, v, limit, alt in hit.rows():
                out[i]["breaches"].append({
                    "code": ind.code, "label": ind.label, "value": v, "limit": limit,
                    "op": "<=" if ind.max is not None else ">=", "unit": ind.unit, "binding": ind.binding,
                    "component": ind.component,
                    "document": ind.alt_document if alt else ind.document,
                    "article": ind.alt_article if alt else ind.article,
                    "certainty": ind.alt_certainty if alt else ind.certainty})
    return out


#: Values beyond this are stored clamped (a ratio over a denominator of a few fen).
MAX_STORED = 10.0 ** 17


def as_decimal(value: float | None, places: int = 6) -> Decimal | None:
    if value is None:
        return None
    value = max(-MAX_STORED, min(MAX_STORED, value))
    return Decimal(f"{value:.{places}f}")
