"""Records for the facts tests and the benchmark: a typical enterprise (3 years, 3 IP items)."""

from __future__ import annotations

import copy
from datetime import date

from kechuang.engine.facts.uscc import make_uscc

TODAY = date(2026, 11, 22)
USCC_A = make_uscc("370112", "MA3C0CQ95")
USCC_B = make_uscc("370102", "000000001")


def year_facts(year: int, *, scale: float = 1.0) -> dict:
    return {
        "year": year,
        "employees": 120,
        "tech_staff": 40,
        "rd_staff": 30,
        "operating_revenue": round(52_000_000.35 * scale, 2),
        "main_business_revenue": round(50_000_000 * scale),
        "sales_revenue": round(51_234_567.89 * scale, 2),
        "total_income": 53_000_000,
        "non_taxable_income": 500_000,
        "high_tech_revenue": 40_000_000.5,
        "rd_expense": 3_600_000.12,
        "rd_expense_domestic": 3_600_000.12,
        "cost_expense_total": 45_000_000,
        "total_assets": 80_000_000,
        "total_liabilities": 30_000_000,
        "net_profit": -1_200_000.75,
        "tax_credit_grade": "A",
        "social_insurance_headcount": 110,
    }


def make_record(uscc: str = USCC_A, **overrides) -> dict:
    """A typical JSON record as a feed sends it; ``overrides`` replace top-level fields."""
    record = {
        "uscc": uscc,
        "name": "济南示例科技有限公司",
        "registered_on": "2015-06-30",
        "region_code": "370112",
        "industry_code": "I6513",
        "resident_enterprise": True,
        "restricted_industry": False,
        "hnte_field": True,
        "market_share": 0.12,
        "rd_institution_level": "provincial",
        "digital_level": 2,
        "quality_items": ["quality_system_cert", "own_brand"],
        "registered_capital": 10_000_000,
        "years": [year_facts(2023, scale=0.8), year_facts(2024, scale=0.9), year_facts(2025)],
        "ip": [
            {"number": "ZL202110000001.X", "type": "invention_patent", "granted_on": "2022-03-15",
             "acquisition": "self_developed", "main_product_related": True},
            {"number": "ZL202220000002.1", "type": "utility_model", "granted_on": "2022-08-01",
             "acquisition": "transferred", "acquired_on": "2023-01-10"},
            {"number": "2023SR0000003", "type": "software_copyright", "granted_on": "2023-05-20",
             "acquisition": "self_developed", "pledged": False},
        ],
    }
    record.update(overrides)
    return copy.deepcopy(record)


def full_record(uscc: str = USCC_A) -> dict:
    """A record with every section and every field type, for round trips."""
    record = make_record(uscc)
    record.update({
        "star_market_sector": False, "strategic_emerging": True, "niche_years": 6.5,
        "market_rank_cn": 8, "srdi_platform_score": 72.5,
        "expert_scores": {"hnte.tech_advance": 20, "hnte.rd_management": 15.5},
    })
    record["years"][2].update({"tech_conversions": 5, "tax_paid": 2_100_000.4,
                               "high_level_talent": 3})
    record["ip"][0].update({"title": "一种数据加密方法", "industrializable": True,
                            "high_value": False, "used_in_hnte": True, "pledged": True,
                            "pledged_on": "2024-02-01"})
    record["ip"].append({"type": "design", "granted_on": "2021-01-04"})
    record.update({
        "equity_financing": [{"date": "2024-09-01", "amount": 20_000_000,
                              "qualified_investor": True}],
        "awards": [{"level": "provincial", "year": 2023, "rank": 1}],
        "standards_led": [{"level": "industry", "year": 2024, "rank": 2}],
        "maker_china": [{"year": 2024, "top": 500}],
        "certificates": [{"kind": "hnte", "valid_from": "2023-12-08", "valid_to": "2026-12-07"},
                         {"kind": "little_giant", "valid_from": "2024-07-01",
                          "valid_to": "2027-06-30"}],
        "incidents": [{"kind": "abnormal_operation_list", "date": "2023-04-10",
                       "removed_on": "2023-10-20"}],
        "loans": [{"contract_number": "JK2024-0001", "lender": "某银行济南分行",
                   "kind": "ip_pledge", "amount": 5_000_000, "start_on": "2024-03-01",
                   "due_on": "2027-02-28", "status": "outstanding", "max_overdue_days": 0,
                   "overdue_amount": 0}],
        "judgments": [{"case_number": "（2024）鲁0112民初1234号", "decided_on": "2024-06-18",
                       "role": "defendant", "kind": "civil", "amount": 120_000.5}],
        "penalties": [{"document_number": "济市监罚〔2024〕15号", "decided_on": "2024-05-06",
                       "authority": "济南市市场监督管理局", "kind": "fine", "amount": 10_000}],
    })
    return record
