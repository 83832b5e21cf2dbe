"""The regulatory ratios of many periodic reports at once (one Polars batch per licence type) and
their check against the type's limits → breaches with the rule, the value and the limit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from .rules import Indicator, RuleSet, TypeRules

_OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "=": lambda a, b: a == b}


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


def _limit(ind: Indicator, values: dict[str, float | None]) -> tuple[float | None, bool]:
    """The bound that applies and whether it is the alternative (raised) one."""
    if ind.alt_max is not None and ind.alt_when is not None:
        name, op, bound = ind.alt_when
        v = values.get(name)
        if v is not None and _OPS[op](v, bound):
            return ind.alt_max, True
    return (ind.max if ind.max is not None else ind.min), False


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
        for ind in trules.indicators:
            if ind.when is not None:
                name, op, bound = ind.when
                col = pl.col(name)
                cond = col >= bound if op == ">=" else (col <= bound if op == "<=" else col == bound)
                exprs.append(cond.alias(f"{ind.code}__applies"))
        res = df.with_columns(exprs)
        for row in res.iter_rows(named=True):
            values = {ind.code: row[ind.code] for ind in trules.indicators}
            breaches = []
            for ind in trules.indicators:
                if not ind.is_limit or (ind.when is not None and not row[f"{ind.code}__applies"]):
                    continue
                limit, alt = _limit(ind, values)
                v = values[ind.code]
                if v is None:  # denominator not positive: a positive numerator breaches a maximum
                    bad = ind.max is not None and row[f"{ind.code}__num"] > 0
                elif ind.max is not None:
                    bad = v > limit + 1e-12
                else:
                    bad = v < limit - 1e-12
                if bad:
                    breaches.append({
                        "code": ind.code, "label": ind.label, "value": v, "limit": limit,
                        "op": "<=" if ind.max is not None else ">=", "unit": ind.unit, "binding": ind.binding,
                        "component": ind.component,
                        "document": ind.alt_document if alt else ind.document,
                        "article": ind.alt_article if alt else ind.article,
                        "certainty": ind.alt_certainty if alt else ind.certainty})
            out[row["_i"]] = {"values": values, "breaches": breaches}
    return out


def as_decimal(value: float | None, places: int = 6) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.{places}f}")
