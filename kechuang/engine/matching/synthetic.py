"""Deterministic SYNTHETIC products and demands for tests and the benchmark (labelled synthetic)."""

from __future__ import annotations

import numpy as np
import polars as pl

from .features import SIZES
from .match import Product

REGIONS = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117",
           "370202", "370303")
SECTIONS = ("C", "I", "M", "F", "E")
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")

RULE_TEMPLATES: list[list[dict]] = [
    [],
    [{"id": "hnte", "kind": "condition", "title": "高新技术企业", "feature": "hnte", "op": "is_true"}],
    [{"id": "city", "kind": "condition", "title": "注册在济南", "feature": "region_city", "op": "in", "value": ["370100"]},
     {"id": "grade", "kind": "condition", "title": "评级BBB及以上", "feature": "grade_rank", "op": "<=", "value": 4}],
    [{"id": "titles", "kind": "any_of", "title": "具备科技企业资质（任一）", "clauses": [
        {"id": "t1", "kind": "condition", "title": "高新技术企业", "feature": "hnte", "op": "is_true"},
        {"id": "t2", "kind": "condition", "title": "专精特新中小企业", "feature": "srdi_sme", "op": "is_true"},
        {"id": "t3", "kind": "condition", "title": "科技型中小企业", "feature": "tsme", "op": "is_true"}]}],
    [{"id": "ip", "kind": "condition", "title": "拥有Ⅰ类知识产权", "feature": "ip_class1_count", "op": ">=", "value": 1},
     {"id": "adverse", "kind": "condition", "title": "无不良记录", "feature": "adverse_count", "op": "==", "value": 0}],
    [{"id": "first", "kind": "condition", "title": "首贷户", "feature": "first_loan", "op": "is_true"},
     {"id": "size", "kind": "condition", "title": "小微企业", "feature": "size", "op": "in", "value": ["micro", "small"]}],
    [{"id": "sec", "kind": "condition", "title": "制造业或信息技术服务业", "feature": "industry_section", "op": "in",
      "value": ["C", "I"]},
     {"id": "rd", "kind": "condition", "title": "研发费用占比≥3%", "feature": "rd_ratio", "op": ">=", "value": 0.03}],
    [{"id": "lg", "kind": "condition", "title": "专精特新“小巨人”", "feature": "little_giant", "op": "is_true"}],
]


def products(n: int, seed: int = 5) -> list[Product]:
    """``n`` synthetic products of all four kinds, each with one of the rule templates perturbed."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        kind = ("loan", "loan", "loan", "guarantee", "insurance", "equity")[i % 6]
        rules = [dict(c) for c in RULE_TEMPLATES[int(rng.integers(len(RULE_TEMPLATES)))]]
        for c in rules:  # perturb numeric thresholds so that products differ
            if c.get("op") in (">=", "<=") and isinstance(c.get("value"), int | float):
                c["value"] = type(c["value"])(c["value"] + int(rng.integers(0, 2)))
        lo = float(rng.choice([1e5, 5e5, 1e6, 3e6]))
        hi = lo * float(rng.choice([10, 20, 50]))
        rate = None if kind == "equity" else round(float(rng.uniform(0.2, 1.0)) * {"loan": 0.08}.get(kind, 0.02), 4)
        seen = rng.random() < 0.7
        out.append(Product(
            id=i + 1, kind=kind, amount_min=lo, amount_max=hi,
            term_min=None if kind == "equity" else int(rng.choice([1, 3, 6])),
            term_max=None if kind == "equity" else int(rng.choice([12, 24, 36, 60])),
            rate=rate, eligibility=_load(rules), institution_id=int(rng.integers(1, 51)),
            name=f"合成产品{i + 1}（synthetic）",
            pickup_rate=round(float(rng.uniform(0.5, 1.0)), 3) if seen else None,
            approval_rate=round(float(rng.uniform(0.3, 0.95)), 3) if seen else None,
            pickup_days=round(float(rng.uniform(0.2, 4.0)), 2) if seen else None))
    return out


def _load(rules):
    from .rules import load_eligibility
    return load_eligibility(rules)


def demands(n: int, seed: int = 7, null_share: float = 0.05) -> pl.DataFrame:
    """``n`` synthetic demands with the enterprise features the rules read (some unknown)."""
    rng = np.random.default_rng(seed)

    def maybe(a):
        s = pl.Series(a)
        mask = pl.Series(rng.random(n) < null_share)
        return pl.select(pl.when(mask).then(None).otherwise(s)).to_series()

    region = rng.choice(REGIONS, n)
    grade_rank = rng.integers(1, 10, n)
    return pl.DataFrame({
        "id": np.arange(1, n + 1, dtype=np.int64),
        "kind": np.where(rng.random(n) < 0.15, "equity", "debt"),
        "amount": np.round(np.exp(rng.uniform(np.log(2e5), np.log(5e7), n)), -3),
        "term_months": rng.choice([6, 12, 24, 36], n),
        "region_code": region,
        "region_city": [r[:4] + "00" for r in region],
        "region_province": [r[:2] + "0000" for r in region],
        "industry_section": rng.choice(SECTIONS, n),
        "size": rng.choice(SIZES, n, p=[0.4, 0.35, 0.2, 0.05]),
        "rd_ratio": maybe(np.round(rng.uniform(0, 0.15, n), 4)),
        "ip_class1_count": maybe(rng.integers(0, 6, n)),
        "adverse_count": rng.integers(0, 2, n) * (rng.random(n) < 0.2),
        "grade_rank": maybe(grade_rank),
        "grade": [GRADES[g - 1] for g in grade_rank],
        "hnte": maybe(rng.random(n) < 0.3),
        "srdi_sme": rng.random(n) < 0.15,
        "tsme": rng.random(n) < 0.4,
        "little_giant": rng.random(n) < 0.03,
        "first_loan": maybe(rng.random(n) < 0.4),
        "gazelle": rng.random(n) < 0.05,  # drawn last: the columns above keep their values
    })
