"""Worked-case records for the tests and golden files: a base enterprise and small edits of it."""

from __future__ import annotations

import copy
from typing import Any

AS_OF = "2026-11-22"  # reference year 2025


def year(y: int, **kw: Any) -> dict[str, Any]:
    base = {"year": y, "employees": 100, "tech_staff": 30, "rd_staff": 20, "operating_revenue": 10_000_000,
            "main_business_revenue": 9_000_000, "sales_revenue": 10_000_000, "total_income": 10_000_000,
            "non_taxable_income": 0, "high_tech_revenue": 7_000_000, "rd_expense": 600_000,
            "rd_expense_domestic": 600_000, "cost_expense_total": 8_000_000, "total_assets": 20_000_000,
            "total_liabilities": 8_000_000, "net_profit": 1_000_000, "tech_conversions": 3,
            "tax_credit_grade": "A", "social_insurance_headcount": 100}
    base.update(kw)
    return base


def invention(**kw: Any) -> dict[str, Any]:
    item = {"type": "invention_patent", "granted_on": "2021-06-01", "acquisition": "self_developed",
            "main_product_related": True, "industrializable": True, "high_value": False, "used_in_hnte": False}
    item.update(kw)
    return item


def utility(**kw: Any) -> dict[str, Any]:
    return invention(type="utility_model", **kw)


def base(**kw: Any) -> dict[str, Any]:
    """A small Jinan software enterprise that meets 科技型中小企业 on the score (100 points)."""
    rec = {
        "uscc": "91370100MA3C00000X", "name": "济南测试科技有限公司", "registered_on": "2018-03-15",
        "region_code": "370112", "industry_code": "I6513", "resident_enterprise": True,
        "restricted_industry": False, "hnte_field": True, "strategic_emerging": True,
        "star_market_sector": True, "niche_years": 6, "market_share": 0.05, "market_rank_cn": 8,
        "rd_institution_level": "municipal", "digital_level": 2, "quality_items": ["quality_system_cert"],
        "srdi_platform_score": 55,
        "years": [year(2025), year(2024), year(2023)],
        "ip": [invention()], "equity_financing": [], "awards": [], "standards_led": [], "maker_china": [],
        "certificates": [], "incidents": [],
    }
    rec.update(kw)
    return rec


def with_year(rec: dict[str, Any], y: int, **kw: Any) -> dict[str, Any]:
    out = copy.deepcopy(rec)
    for entry in out["years"]:
        if entry["year"] == y:
            entry.update(kw)
    return out
